/**
 * Ports against the real engine: a busybox httpd on a random published port is reached at the endpoint
 * `Ports.endpoint` gives; a fixed port on one address; an exposed-only port fails with PortNotPublished.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { Containers, Ports } from "../../mod.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"

const LABELS = { "effect-docker-test": "ports" }

/** httpd serving one file, `8080/tcp` published on a random host port (or as `binding` says). */
const httpd = (binding: { readonly HostIp?: string; readonly HostPort?: string } = { HostPort: "" }) =>
  Effect.gen(function*() {
    const id = yield* scopedContainer({
      Cmd: ["sh", "-c", "mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 8080 -h /www"],
      Labels: LABELS,
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: { PortBindings: { "8080/tcp": [binding] } }
    })
    yield* Containers.start(id)
    return id
  })

/** GETs the URL, retrying while httpd starts (a connection refused or reset), at most ~10 s. */
const get = (url: string) =>
  Effect.tryPromise(() => fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }))).pipe(
    Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 100 }),
    Effect.catch(() => Effect.die(`no answer from ${url}`))
  )

layer(DockerLive, { excludeTestServices: true })("Ports against the real engine", (it) => {
  it.effect("a random published port: the endpoint answers HTTP", () =>
    Effect.gen(function*() {
      const id = yield* httpd()
      const endpoint = yield* Ports.endpoint(id, 8080)
      expect(endpoint.host).toBe("127.0.0.1") // the unix socket: a local daemon
      expect(endpoint.port).toBeGreaterThan(0)
      const inspected = yield* Containers.inspect(id)
      const bindings = inspected.NetworkSettings?.Ports?.["8080/tcp"] ?? []
      expect(bindings.some((b) => b.HostIp === "0.0.0.0" && Number(b.HostPort) === endpoint.port)).toBe(true)
      const answer = yield* get(`http://${Ports.hostPort(endpoint)}/index.html`)
      expect(answer).toEqual({ status: 200, body: "hello-from-httpd\n" })
      // the same container seen through a TCP daemon's connection: its host instead of 127.0.0.1
      const remote = Ports.fromInspect(inspected, "8080/tcp", {
        baseUrl: "http://10.1.2.3:2375",
        target: "tcp://10.1.2.3:2375"
      })
      expect(remote).toMatchObject({ success: { host: "10.1.2.3", port: endpoint.port } })
    }))

  it.effect("a port bound to 127.0.0.1 is reached there", () =>
    Effect.gen(function*() {
      const id = yield* httpd({ HostIp: "127.0.0.1", HostPort: "" })
      const endpoint = yield* Ports.endpoint(id, "8080/tcp")
      expect(endpoint.host).toBe("127.0.0.1")
      const answer = yield* get(`http://${Ports.hostPort(endpoint)}/`)
      expect(answer.body).toBe("hello-from-httpd\n")
    }))

  it.effect("an exposed port that is not published, and a stopped container, fail with PortNotPublished", () =>
    Effect.gen(function*() {
      const id = yield* scopedContainer({
        Cmd: ["nc", "-l", "-p", "8080"],
        Labels: LABELS,
        ExposedPorts: { "8080/tcp": {} }
      })
      const created = yield* Effect.flip(Ports.endpoint(id, 8080))
      expect(created._tag).toBe("PortNotPublished")
      yield* Containers.start(id)
      const error = yield* Effect.flip(Ports.endpoint(id, 8080))
      expect(error._tag).toBe("PortNotPublished")
      if (error._tag !== "PortNotPublished") return
      expect(error.port).toBe("8080/tcp")
      expect(error.container).toBe(id)
      expect(error.message).toContain("not published")
      const missing = yield* Effect.flip(Ports.endpoint(id, 9999))
      expect(missing).toMatchObject({ _tag: "PortNotPublished", port: "9999/tcp" })
    }))
})
