/**
 * Scoped resources against the real engine: an HTTP server (busybox httpd), a key-value server (busybox nc with a
 * shell script) and a registry (Debian's docker-registry binary, built into an image offline) provided by
 * `Resources.layer`, waited for, reached through their published ports and used; then removal when the layer or
 * scope closes, when a start fails, and when the fiber holding them is interrupted. And the reaper: fake sessions
 * (a dead pid here, a live pid here, another host, young and old) next to this process's, and only the dead and
 * the expired go.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Containers, Images, Networks, Resources, Volumes, Wait } from "../../mod.ts"
import { listensOn } from "../../src/internal/procNet.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"

const TEST_LABEL = { "effect-docker-test": "resources" }

// -----------------------------------------------------------------------------
// the servers
// -----------------------------------------------------------------------------

class Web extends Context.Service<Web, Resources.Container<8080>>()("test/Web") {}
class Kv extends Context.Service<Kv, Resources.Container<6379>>()("test/Kv") {}
class Registry extends Context.Service<Registry, Resources.Container<5000>>()("test/Registry") {}

const WebLive = Resources.layer(Web, {
  image: TEST_IMAGE,
  cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
  Labels: TEST_LABEL,
  ports: [8080],
  files: [{ path: "www/index.html", content: "<h1>hello from a layer</h1>" }],
  wait: Wait.forHttp({ port: 8080, path: "/index.html" })
})

/** A line protocol: `SET key value` answers OK, `GET key` answers the value or NIL; keys are [a-z0-9]+. */
const kvScript = `#!/bin/sh
while read -r cmd key value; do
  case "$key" in ""|*[!a-z0-9]*) echo ERR; continue ;; esac
  case "$cmd" in
    SET) printf '%s' "$value" > "/data/$key"; echo OK ;;
    GET) if [ -f "/data/$key" ]; then cat "/data/$key"; echo; else echo NIL; fi ;;
    *) echo ERR ;;
  esac
done
`

const KvLive = Resources.layer(Kv, {
  image: TEST_IMAGE,
  cmd: ["sh", "-c", "mkdir -p /data; echo kv ready; exec nc -ll -p 6379 -e /kv.sh"],
  Labels: TEST_LABEL,
  ports: [6379],
  files: [{ path: "kv.sh", content: kvScript, mode: 0o755 }],
  wait: Wait.all(Wait.forLogLine("kv ready"), Wait.forListeningPort(6379))
})

/** Sends lines to a TCP server on loopback and gives the first `count` lines it answers. */
const talk = (host: string, port: number, lines: ReadonlyArray<string>, count: number) =>
  Effect.callback<ReadonlyArray<string>, Error>((resume) => {
    const socket = connect({ host, port })
    let buffer = ""
    socket.setEncoding("utf8")
    socket.on("connect", () => socket.write(lines.map((l) => `${l}\n`).join("")))
    socket.on("data", (chunk: string) => {
      buffer += chunk
      const answered = buffer.split("\n")
      if (answered.length > count) {
        socket.end()
        resume(Effect.succeed(answered.slice(0, count)))
      }
    })
    socket.on("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.destroy())
  })

/** The registry image: the static parts of Debian's docker-registry binary and its libc, on the test image. */
const REGISTRY_IMAGE = "effect-docker/test-registry:latest"
const registryContext = () => {
  const dir = join(tmpdir(), "effect-docker-registry-context")
  mkdirSync(dir, { recursive: true })
  const copy = (from: string, to: string) => {
    if (!existsSync(join(dir, to))) copyFileSync(realpathSync(from), join(dir, to))
  }
  copy("/usr/bin/docker-registry", "docker-registry")
  copy("/lib/x86_64-linux-gnu/libc.so.6", "libc.so.6")
  copy("/lib64/ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2")
  writeFileSync(
    join(dir, "config.yml"),
    "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n"
  )
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${TEST_IMAGE}`,
      "COPY docker-registry /bin/registry",
      "COPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6",
      "COPY ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2",
      "COPY config.yml /etc/registry.yml",
      "ENV LD_LIBRARY_PATH=/lib/x86_64-linux-gnu",
      `CMD ["/bin/registry", "serve", "/etc/registry.yml"]`,
      ""
    ].join("\n")
  )
  return dir
}

const RegistryLive = Layer.unwrap(
  Images.buildFromDirectory(registryContext(), { t: REGISTRY_IMAGE }).pipe(
    Effect.provide(NodeFileSystem.layer),
    Effect.as(Resources.layer(Registry, {
      image: REGISTRY_IMAGE,
      pull: "never",
      Labels: TEST_LABEL,
      ports: [5000],
      wait: Wait.forHttp({ port: 5000, path: "/v2/" })
    }))
  )
)

const isGone = (id: string) =>
  Containers.inspect(id).pipe(
    Effect.as(false),
    Effect.catchTag("NotFound", () => Effect.succeed(true))
  )

// -----------------------------------------------------------------------------
// servers from a layer
// -----------------------------------------------------------------------------

layer(Layer.mergeAll(WebLive, KvLive, RegistryLive).pipe(Layer.provideMerge(DockerLive)), {
  excludeTestServices: true,
  timeout: 120_000
})("servers from Resources.layer", (it) => {
  it.effect("an HTTP server: waited for, reached on its published port on loopback", () =>
    Effect.gen(function*() {
      const web = yield* Web
      expect(web.host).toBe("127.0.0.1")
      expect(web.port(8080)).toBeGreaterThan(0)
      const body = yield* Effect.promise(() => fetch(`http://${web.address(8080)}/index.html`).then((r) => r.text()))
      expect(body).toBe("<h1>hello from a layer</h1>")
      const inspected = yield* web.inspect
      expect(inspected.Config?.Labels?.[Resources.labels.session]).toBe(Resources.makeProcessSession().id)
      expect(inspected.Config?.Labels?.[Resources.labels.pid]).toBe(String(process.pid))
      expect(inspected.Config?.Labels?.["effect-docker-test"]).toBe("resources")
    }))

  it.effect("a key-value server: set, get, a missing key and a hostile key", () =>
    Effect.gen(function*() {
      const kv = yield* Kv
      const answers = yield* talk(kv.host, kv.port(6379), [
        "SET greeting hello",
        "GET greeting",
        "GET nope",
        "GET ../x"
      ], 4)
      expect(answers).toEqual(["OK", "hello", "NIL", "ERR"])
      expect((yield* kv.exec(["cat", "/data/greeting"])).stdout).toBe("hello")
      expect((yield* kv.logs).stdout).toContain("kv ready")
    }))

  it.effect("a registry: an image pushed to it is in its catalog", () =>
    Effect.gen(function*() {
      const registry = yield* Registry
      const target = `${registry.address(5000)}/effect-docker/busybox:layer`
      yield* Images.tag(TEST_IMAGE, target)
      yield* Effect.ensuring(Images.push(target), Effect.ignore(Images.remove(target)))
      const catalog = yield* Effect.promise(() =>
        fetch(`http://${registry.address(5000)}/v2/_catalog`).then((r) => r.json() as Promise<unknown>)
      )
      expect(catalog).toEqual({ repositories: ["effect-docker/busybox"] })
    }))
})

// -----------------------------------------------------------------------------
// removal
// -----------------------------------------------------------------------------

layer(DockerLive, { excludeTestServices: true, timeout: 120_000 })("removal", (it) => {
  it.effect("the container, network and volume of a layer are gone once it is released", () =>
    Effect.gen(function*() {
      class Net extends Context.Service<Net, Resources.Network>()("test/Net") {}
      class Data extends Context.Service<Data, Resources.Volume>()("test/Data") {}
      const live = Layer.mergeAll(
        Resources.networkLayer(Net, { Labels: TEST_LABEL }),
        Resources.volumeLayer(Data, { Labels: TEST_LABEL }),
        WebLive
      )
      const seen = yield* Effect.scoped(Effect.gen(function*() {
        const services = yield* Layer.build(live)
        const net = Context.get(services, Net)
        const data = Context.get(services, Data)
        const web = Context.get(services, Web)
        expect((yield* Networks.inspect(net.id)).Labels?.[Resources.labels.session]).toBeDefined()
        expect((yield* Volumes.inspect(data.name)).Labels?.[Resources.labels.session]).toBeDefined()
        expect((yield* web.inspect).State?.Running).toBe(true)
        return { net: net.id, data: data.name, web: web.id }
      }))
      expect(yield* isGone(seen.web)).toBe(true)
      expect(yield* Effect.flip(Networks.inspect(seen.net))).toMatchObject({ _tag: "NotFound" })
      expect(yield* Effect.flip(Volumes.inspect(seen.data))).toMatchObject({ _tag: "NotFound" })
    }))

  it.effect("the image may come first: container, layer and Service take (image, options) as they take a spec", () =>
    Effect.gen(function*() {
      const options = {
        cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
        Labels: TEST_LABEL,
        ports: [8080],
        files: [{ path: "www/index.html", content: "image first" }],
        wait: Wait.forHttp({ port: 8080, path: "/index.html" })
      } satisfies Resources.ContainerOptions<8080>
      class Tagged extends Context.Service<Tagged, Resources.Container<8080>>()("test/ImageFirstTagged") {}
      class Classed extends Resources.Service<Classed>()("test/ImageFirstClassed", TEST_IMAGE, options) {}
      const seen = yield* Effect.scoped(Effect.gen(function*() {
        const direct = yield* Resources.container(TEST_IMAGE, options)
        const services = yield* Layer.build(Layer.mergeAll(Resources.layer(Tagged, TEST_IMAGE, options), Classed.layer))
        const started = [direct, Context.get(services, Tagged), Context.get(services, Classed)]
        for (const container of started) {
          expect((yield* container.inspect).Config?.Image).toBe(TEST_IMAGE)
          const url = `http://${container.address(8080)}/index.html`
          expect(yield* Effect.promise(() => fetch(url).then((r) => r.text()))).toBe("image first")
          // @ts-expect-error the port is checked against the ports of the options
          expect(() => container.port(8081)).toThrow("not in the container's ports")
        }
        return started.map((container) => container.id)
      }))
      expect(new Set(seen).size).toBe(3)
      for (const id of seen) expect(yield* isGone(id)).toBe(true)
    }))

  it.effect("without a wait, the published TCP ports are waited for; Wait.all() waits for nothing", () =>
    Effect.gen(function*() {
      const listening = (container: Resources.Container<7000 | "7001/udp">) =>
        Effect.map(container.exec(["cat", "/proc/net/tcp", "/proc/net/tcp6"]), (r) => listensOn(r.stdout, 7000))
      yield* Effect.scoped(Effect.gen(function*() {
        // nc listens a second after the start: the container is given only once it does (the UDP port is not waited for)
        const late = yield* Resources.container(TEST_IMAGE, {
          cmd: ["sh", "-c", "sleep 1; exec nc -l -p 7000"],
          Labels: TEST_LABEL,
          ports: [7000, "7001/udp"]
        })
        expect(yield* listening(late)).toBe(true)
        // with Wait.all(), given at once, while nc waits for a file that is not there yet
        const early = yield* Resources.container(TEST_IMAGE, {
          cmd: ["sh", "-c", "until [ -f /tmp/go ]; do sleep 0.05; done; exec nc -l -p 7000"],
          Labels: TEST_LABEL,
          ports: [7000, "7001/udp"],
          wait: Wait.all()
        })
        expect(yield* listening(early)).toBe(false)
        yield* early.exec(["touch", "/tmp/go"])
        yield* Wait.run(early.id, Wait.forListeningPorts(), { timeout: "30 seconds" })
        expect(yield* listening(early)).toBe(true)
      }))
      // an image without `cat` cannot be checked: the default wait is skipped (the container is given once
      // started), while the same strategy given explicitly fails at once and says why
      yield* Effect.scoped(Effect.gen(function*() {
        const distroless = yield* Resources.container(TEST_IMAGE, {
          cmd: ["sh", "-c", "rm /bin/cat; exec nc -l -p 7000"],
          Labels: TEST_LABEL,
          ports: [7000]
        })
        expect(distroless.port(7000)).toBeGreaterThan(0)
        const error = yield* Effect.flip(Wait.run(distroless.id, Wait.forListeningPorts(), { timeout: "30 seconds" }))
        expect(error).toMatchObject({ _tag: "WaitFailed", strategy: "exposed TCP ports listening" })
        expect(error.message).toContain("cannot read /proc/net/tcp with cat")
      }))
    }))

  it.effect("a container whose wait fails is removed, and the error names it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(Resources.container({
        image: TEST_IMAGE,
        cmd: ["sh", "-c", "echo booting; exit 3"],
        Labels: TEST_LABEL,
        wait: Wait.forLogLine("never printed")
      })))
      expect(error._tag).toBe("WaitFailed")
      const id = (error as Wait.WaitFailed).container
      expect((error as Wait.WaitFailed).logs).toContain("booting")
      expect(yield* isGone(id)).toBe(true)
    }))

  it.effect("interrupting the fiber that holds a layer removes its container", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<string>()
      const fiber = yield* Effect.forkChild(
        Effect.gen(function*() {
          const web = yield* Web
          yield* Deferred.succeed(started, web.id)
          return yield* Effect.never
        }).pipe(Effect.provide(WebLive))
      )
      const id = yield* Deferred.await(started)
      expect(yield* isGone(id)).toBe(false)
      yield* Fiber.interrupt(fiber)
      expect(Exit.hasInterrupts(yield* Fiber.await(fiber))).toBe(true)
      expect(yield* isGone(id)).toBe(true)
    }))

  it.effect("interrupting a start while it waits removes the container", () =>
    Effect.gen(function*() {
      const marker = { "effect-docker-test-run": crypto.randomUUID() }
      const fiber = yield* Effect.forkChild(Effect.scoped(Resources.container({
        image: TEST_IMAGE,
        cmd: ["sh", "-c", "echo waiting; sleep 3600"],
        Labels: { ...TEST_LABEL, ...marker },
        wait: Wait.forLogLine("never printed")
      })))
      const filters = { label: [`effect-docker-test-run=${marker["effect-docker-test-run"]}`] }
      // the container exists and runs: the fiber is inside the wait
      yield* Containers.list({ filters }).pipe(
        Effect.repeat({ until: (list) => list.length === 1, schedule: Schedule.spaced("50 millis") }),
        Effect.timeout("60 seconds")
      )
      yield* Fiber.interrupt(fiber)
      expect(yield* Containers.list({ all: true, filters })).toEqual([])
    }))
})

// -----------------------------------------------------------------------------
// the reaper
// -----------------------------------------------------------------------------

/** A process id that existed and no longer does: a child that has exited (and was reaped by spawnSync). */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" })
  const pid = Number(child.stdout.trim())
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }))
  return pid
}

layer(DockerLive, { excludeTestServices: true, timeout: 120_000 })("cleanup of dead sessions", (it) => {
  it.effect("removes the resources of a dead session and of an expired one, keeps live and unknown ones", () =>
    Effect.gen(function*() {
      const me = Resources.makeProcessSession()
      const host = Resources.CurrentMachine.defaultValue().host
      expect(host).toBeDefined()
      const now = Date.now()
      const day = 24 * 3_600_000
      const fake = (name: string, session: Resources.Session, created = now) => ({
        ...TEST_LABEL,
        ...Resources.sessionLabels({ ...session, id: `${session.id}-${crypto.randomUUID()}` }, created),
        "effect-docker-test-fake": name
      })
      const sessions = {
        dead: fake("dead", { id: "dead", pid: deadPid(), host }),
        running: fake("running", { id: "running", pid: process.ppid, host }),
        elsewhereYoung: fake("elsewhere-young", { id: "elsewhere", pid: deadPid(), host: "another-machine" }),
        elsewhereOld: fake("elsewhere-old", { id: "elsewhere-old", pid: 1, host: "another-machine" }, now - 2 * day),
        noPidOld: fake("no-pid-old", { id: "browser" }, now - 2 * day),
        badDate: { ...fake("bad-date", { id: "bad-date" }), [Resources.labels.created]: "yesterday" }
      }
      // resources of the fake sessions, created as a crashed process would have left them
      const created: Record<string, { container: string; network: string; volume: string }> = {}
      for (const [name, labels] of Object.entries(sessions)) {
        const container = (yield* Containers.create({ Image: TEST_IMAGE, Cmd: ["sleep", "3600"], Labels: labels })).Id
        const network =
          (yield* Networks.create({ Name: `effect-docker-reaper-${crypto.randomUUID()}`, Labels: labels })).Id
        const volume = (yield* Volumes.create({ Labels: labels })).Name
        created[name] = { container, network, volume }
        yield* Effect.addFinalizer(() =>
          Effect.ignore(Effect.all([
            Containers.remove(container, { force: true }),
            Networks.remove(network),
            Volumes.remove(volume, { force: true })
          ], { mode: "result" }))
        )
      }
      // and this process's own, through the module
      const mine = yield* Resources.volume({ Labels: TEST_LABEL })
      const mineContainer = yield* Resources.container({
        image: TEST_IMAGE,
        cmd: ["sleep", "3600"],
        Labels: TEST_LABEL
      })

      const dry = yield* Resources.cleanup({ dryRun: true })
      const exists = (r: { container: string; network: string; volume: string }) =>
        Effect.all([
          Effect.map(isGone(r.container), (gone) => !gone),
          Networks.inspect(r.network).pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false))),
          Volumes.inspect(r.volume).pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false)))
        ])
      expect(yield* exists(created["dead"]!)).toEqual([true, true, true])
      const dryVerdicts = new Map(dry.removed.map((r) => [r.id, r.verdict]))
      expect(dryVerdicts.get(created["dead"]!.container)).toBe("exited")
      expect(dryVerdicts.get(created["elsewhereOld"]!.volume)).toBe("expired")

      const report = yield* Resources.cleanup()
      expect(report.failed).toEqual([])
      for (const name of ["dead", "elsewhereOld", "noPidOld"]) {
        expect({ name, exists: yield* exists(created[name]!) }).toEqual({ name, exists: [false, false, false] })
      }
      for (const name of ["running", "elsewhereYoung", "badDate"]) {
        expect({ name, exists: yield* exists(created[name]!) }).toEqual({ name, exists: [true, true, true] })
      }
      expect((yield* Volumes.inspect(mine.name)).Labels?.[Resources.labels.session]).toBe(me.id)
      expect(yield* isGone(mineContainer.id)).toBe(false)
      const keptVerdicts = new Map(report.kept.map((r) => [r.id, r.verdict]))
      expect(keptVerdicts.get(mine.name)).toBe("current")
      expect(keptVerdicts.get(created["running"]!.network)).toBe("running")
      expect(keptVerdicts.get(created["elsewhereYoung"]!.container)).toBe("unknown")
      expect(keptVerdicts.get(created["badDate"]!.volume)).toBe("unknown")
    }))
})
