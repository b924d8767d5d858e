import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import { Containers, Docker, Exec, Images, Operation, System } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { DockerLive, scopedContainer, TEST_IMAGE } from "../support/engine.ts"
import { onEngine } from "../support/podman.ts"

/** How the engine names the test image in `RepoTags`. */
const listedName = onEngine("qualifiedNames", { docker: TEST_IMAGE, podman: `localhost/${TEST_IMAGE}` })

layer(DockerLive)("the first slice against the real engine", (it) => {
  it.effect("ping, version and info", () =>
    Effect.gen(function*() {
      expect(yield* System.ping()).toBe("OK")
      const version = yield* System.version()
      expect(version.ApiVersion).toMatch(/^1\.\d+$/)
      const info = yield* System.info()
      expect(typeof info.ID).toBe("string")
      expect(info.Images).toBeGreaterThan(0)
    }))

  it.effect("negotiates the daemon's API version, capped at the newest the SDK knows", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      const negotiated = yield* docker.apiVersion
      const daemon = (yield* System.version()).ApiVersion
      expect(negotiated).toBe(daemon)
    }))

  it.effect("runs echo hello world: create, start, wait, logs, inspect, remove", () =>
    Effect.gen(function*() {
      const id = yield* scopedContainer({ Cmd: ["sh", "-c", "echo hello world; echo oops >&2; exit 3"] })
      yield* Containers.start(id)
      const waited = yield* Containers.wait(id)
      expect(waited.StatusCode).toBe(3)
      const { stderr, stdout } = yield* Containers.logsText(id)
      expect(stdout).toBe("hello world\n")
      expect(stderr).toBe("oops\n")
      const inspected = yield* Containers.inspect(id)
      expect(inspected.Id).toBe(id)
      expect(inspected.State?.ExitCode).toBe(3)
      const listed = yield* Containers.list({ all: true, filters: { id: [id] } })
      expect(listed.map((c) => c.Id)).toEqual([id])
      yield* Containers.remove(id)
      const gone = yield* Effect.flip(Containers.inspect(id))
      expect(gone._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("reads a TTY container's logs without demultiplexing", () =>
    Effect.gen(function*() {
      const id = yield* scopedContainer({ Cmd: ["echo", "tty output"], Tty: true })
      yield* Containers.start(id)
      yield* Containers.wait(id)
      const { stdout } = yield* Containers.logsText(id)
      expect(stdout).toBe("tty output\r\n")
    }).pipe(Effect.scoped))

  it.effect("404 on a missing container names the operation and the daemon's message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Containers.inspect("no-such-container-effect-docker"))
      expect(error._tag).toBe("NotFound")
      if (error._tag !== "NotFound") return
      expect(error.status).toBe(404)
      expect(error.operation).toBe("ContainerInspect")
      expect(error.message).toContain(onEngine("notFoundMessage", {
        docker: "No such container: no-such-container-effect-docker",
        podman: "no container with name or ID \"no-such-container-effect-docker\" found: no such container"
      }))
    }))

  it.effect("409 on removing a running container; stop and kill; 304 on start/stop is success", () =>
    Effect.gen(function*() {
      const id = yield* scopedContainer({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      yield* Containers.start(id) // 304: already started
      const conflict = yield* Effect.flip(Containers.remove(id))
      expect(conflict._tag).toBe("Conflict")
      expect(conflict.message).toMatch(/running|stop/i)
      yield* Containers.kill(id, { signal: "SIGKILL" })
      yield* Containers.wait(id)
      yield* Containers.stop(id) // 304: already stopped
      const state = (yield* Containers.inspect(id)).State
      expect(state?.Running).toBe(false)
      const kill = yield* Effect.flip(Containers.kill(id))
      expect(kill._tag).toBe("Conflict")
    }).pipe(Effect.scoped))

  it.effect("a path parameter cannot escape its path", () =>
    Effect.gen(function*() {
      // The daemon's router decodes the path and cleans it, so an id with a "/" could land on another endpoint:
      // a container id is one path segment, and anything else fails before any request.
      const error = yield* Effect.flip(Containers.inspect("../../_ping"))
      expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerInspect", parameter: "id" })
      // A description whose path the daemon cleans gets the daemon's redirect, which no transport follows.
      const untidy = Operation.make<{}, Operation.ResponseOf<"Text">, 500>({
        id: "UntidyList",
        method: "GET",
        path: "/containers//json",
        tag: "Container",
        params: [],
        response: { _tag: "Text" },
        errors: [500]
      })
      const redirected = yield* Effect.flip(Docker.call(untidy)())
      expect(redirected).toMatchObject({ _tag: "Redirected", operation: "UntidyList", status: 301 })
      expect(redirected._tag === "Redirected" && redirected.location).toMatch(/\/containers\/json$/)
      const dots = yield* Effect.flip(Containers.inspect(".."))
      expect(dots._tag).toBe("InvalidParameter")
    }))

  it.effect("images list and inspect", () =>
    Effect.gen(function*() {
      const images = yield* Images.list()
      expect(images.some((image) => image.RepoTags?.includes(listedName))).toBe(true)
      const image = yield* Images.inspect(TEST_IMAGE)
      expect(image.RepoTags).toContain(listedName)
      const missing = yield* Effect.flip(Images.inspect("effect-docker/absent:nope"))
      expect(missing._tag).toBe("NotFound")
    }))

  it.effect("exec: stdin echoed back by cat, a non-zero exit code reported", () =>
    Effect.gen(function*() {
      const id = yield* scopedContainer({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      const echoed = yield* Exec.run(id, ["cat"], { stdin: "hello from stdin\n" })
      expect(echoed).toEqual({ exitCode: 0, stdout: "hello from stdin\n", stderr: "" })
      const failed = yield* Exec.run(id, ["sh", "-c", "echo to-err >&2; exit 7"])
      expect(failed).toEqual({ exitCode: 7, stdout: "", stderr: "to-err\n" })
    }).pipe(Effect.scoped))
})

describe("connection settings", () => {
  layer(DockerNode.layer({ apiVersion: "1.40" }))((it) => {
    it.effect("a pinned version skips negotiation and prefixes every path", () =>
      Effect.gen(function*() {
        const docker = yield* Docker.Docker
        expect(yield* docker.apiVersion).toBe("1.40")
        expect(yield* System.ping()).toBe("OK")
      }))
    it.effect("a parameter newer than the pinned version fails before any I/O, naming both versions", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Containers.stop("whatever", { signal: "SIGTERM" }))
        expect(error._tag).toBe("UnsupportedApiVersion")
        expect(error.message).toBe("ContainerStop: parameter \"signal\" needs API 1.42, the daemon speaks 1.40")
      }))
  })

  layer(DockerNode.layer({ host: "unix:///tmp/effect-docker-no-such.sock" }))((it) => {
    it.effect("a transport error says what it tried and why", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(System.ping())
        expect(error._tag).toBe("TransportError")
        expect(error.message).toContain("unix:///tmp/effect-docker-no-such.sock")
        expect(error.message).toMatch(/ENOENT/)
      }))
  })

  it.effect("a daemon older than the SDK's oldest API is refused, naming both versions", () =>
    Effect.gen(function*() {
      const server = http.createServer((_req, res) => {
        res.writeHead(200, { "Api-Version": "1.12", "Content-Type": "text/plain" })
        res.end("OK")
      })
      yield* Effect.acquireRelease(
        Effect.callback<void>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.sync(() => server.close())
      )
      const port = (server.address() as { port: number }).port
      const error = yield* Effect.flip(
        System.ping().pipe(Effect.provide(DockerNode.layer({ host: `tcp://127.0.0.1:${port}` })))
      )
      expect(error._tag).toBe("DaemonTooOld")
      expect(error.message).toContain("1.12")
      expect(error.message).toContain("1.24")
    }).pipe(Effect.scoped))
})
