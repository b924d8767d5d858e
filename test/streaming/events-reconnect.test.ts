/**
 * Events.stream with `reconnect`:
 * - a scripted daemon on a unix socket that replays, after each cut, what a real one would (the boundary events
 *   again, an event of the same nanosecond not delivered yet, one queued out of order), cuts mid-line, and checks
 *   the `since` it is asked for;
 * - a proxy in front of the shared daemon's socket that the test severs while volumes are created and removed: the
 *   reconnecting stream sees the same events as an uninterrupted stream and as the list of what the test did;
 * - a dockerd the test starts itself (own socket, data root, exec root, pidfile and bridge, no iptables), stopped
 *   and started again between volume creations: every event arrives once; stopped for good, the stream fails with
 *   EventsUnreachable after the bounded time.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Events from "../../src/Events.ts"
import * as DockerNode from "../../src/platform/node.ts"
import * as Volumes from "../../src/Volumes.ts"
import { DockerLive } from "./support.ts"

const key = (e: Events.Event) => `${e.timeNano} ${e.Type} ${e.Action} ${e.Actor.ID}`
const duplicates = (keys: ReadonlyArray<string>) => keys.length - new Set(keys).size
const clientFor = (socket: string) => DockerNode.layer({ host: `unix://${socket}`, apiVersion: "1.41" })

// -----------------------------------------------------------------------------
// a scripted daemon
// -----------------------------------------------------------------------------

const s = 1_000_000_000n
const base = 1_800_000_000n * s
const volumeEvent = (name: string, nanos: bigint, action = "create") =>
  JSON.stringify({
    Type: "volume",
    Action: action,
    Actor: { ID: name, Attributes: { driver: "local" } },
    scope: "local",
    time: Number(nanos / s),
    timeNano: nanos.toString()
  }).replace(`"${nanos}"`, `${nanos}`) + "\n"

layer(Layer.empty, { excludeTestServices: true })("reconnect against a scripted daemon", (it) => {
  it.effect(
    "boundary replays are dropped, events of the same nanosecond and late ones are kept, a cut line is retried",
    () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "effect-docker-events-"))
        const socket = join(dir, "d.sock")
        const sinces: Array<string | null> = []
        // what each connection sends, then the connection is cut (the last one stays open)
        const scripts: ReadonlyArray<ReadonlyArray<string>> = [
          [volumeEvent("a", base), volumeEvent("b", base + 2n * s), volumeEvent("c", base + 2n * s)],
          // replay from b - 1s: b and c again, d at the same nanosecond as b and c, e queued late (older than c),
          // then half a line
          [
            volumeEvent("b", base + 2n * s),
            volumeEvent("c", base + 2n * s),
            volumeEvent("d", base + 2n * s),
            volumeEvent("e", base + 2n * s - 5n),
            volumeEvent("f", base + 3n * s).slice(0, 30)
          ],
          // replay from d - 1s: all of it again, then f whole, and g
          [
            volumeEvent("b", base + 2n * s),
            volumeEvent("c", base + 2n * s),
            volumeEvent("d", base + 2n * s),
            volumeEvent("e", base + 2n * s - 5n),
            volumeEvent("f", base + 3n * s),
            volumeEvent("g", base + 4n * s)
          ]
        ]
        const server = http.createServer((req, res) => {
          const url = new URL(req.url ?? "/", "http://x")
          const attempt = sinces.length
          sinces.push(url.searchParams.get("since"))
          res.writeHead(200, { "content-type": "application/json" })
          for (const line of scripts[attempt] ?? []) res.write(line)
          if (attempt < scripts.length - 1) setTimeout(() => res.socket?.destroy(), 50)
        })
        yield* Effect.acquireRelease(
          Effect.callback<void>((resume) => {
            server.listen(socket, () => resume(Effect.void))
          }),
          () =>
            Effect.sync(() => {
              server.closeAllConnections()
              server.close()
              rmSync(dir, { recursive: true, force: true })
            })
        )
        const seen = yield* Events.stream({ reconnect: { giveUpAfter: "10 seconds" } }).pipe(
          Stream.take(7),
          Stream.runCollect,
          Effect.provide(clientFor(socket)),
          Effect.timeout("20 seconds")
        )
        expect(seen.map((e) => e.Actor.ID)).toEqual(["a", "b", "c", "d", "e", "f", "g"])
        expect(duplicates(seen.map(key))).toBe(0)
        // the first connection asked for live events only; the next ones resumed one second before the newest event
        expect(sinces).toEqual([null, "1800000001.000000000", "1800000001.000000000"])
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect(
    "a daemon that stays away: EventsUnreachable after giveUpAfter, with the last error and event time",
    () =>
      Effect.gen(function*() {
        const dir = mkdtempSync(join(tmpdir(), "effect-docker-events-"))
        const socket = join(dir, "d.sock")
        const server = http.createServer((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" })
          res.write(volumeEvent("only", base))
          // the daemon goes away for good: the socket file disappears with it
          setTimeout(() => {
            server.close()
            server.closeAllConnections()
          }, 50)
        })
        yield* Effect.callback<void>((resume) => {
          server.listen(socket, () => resume(Effect.void))
        })
        yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
        const seen: Array<string> = []
        const error = yield* Events.stream({ reconnect: { giveUpAfter: "1 second" } }).pipe(
          Stream.runForEach((e) => Effect.sync(() => seen.push(e.Actor.ID ?? ""))),
          Effect.provide(clientFor(socket)),
          Effect.flip,
          Effect.timeout("20 seconds")
        )
        expect(seen).toEqual(["only"])
        expect(error._tag).toBe("EventsUnreachable")
        if (error._tag !== "EventsUnreachable") return
        expect(error.attempts).toBeGreaterThan(1)
        expect(error.lastEventTime).toBe(base)
        expect(error.cause?._tag).toBe("TransportError")
        expect(error.target).toBe(`unix://${socket}`)
        expect(error.message).toContain("stayed unreachable for 1s")
      }).pipe(Effect.scoped),
    30_000
  )
})

// -----------------------------------------------------------------------------
// a proxy in front of the shared daemon
// -----------------------------------------------------------------------------

/** A unix socket proxy to the shared daemon; `sever` destroys every connection through it. */
const proxy = Effect.acquireRelease(
  Effect.callback<{
    socket: string
    server: net.Server
    sever: () => number
    accepted: () => number
    connected: () => boolean
    dir: string
  }>(
    (resume) => {
      const dir = mkdtempSync(join(tmpdir(), "effect-docker-events-"))
      const socket = join(dir, "proxy.sock")
      const open = new Set<net.Socket>()
      let accepted = 0
      const server = net.createServer((client) => {
        accepted++
        const upstream = net.connect("/var/run/docker.sock")
        for (const end of [client, upstream]) {
          open.add(end)
          end.on("error", () => undefined)
          end.on("close", () => {
            open.delete(end)
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      const sever = () => {
        const n = open.size
        for (const end of open) end.destroy()
        return n
      }
      const connected = () => open.size > 0
      server.listen(
        socket,
        () => resume(Effect.succeed({ socket, server, sever, accepted: () => accepted, connected, dir }))
      )
    }
  ),
  ({ dir, server, sever }) =>
    Effect.sync(() => {
      sever()
      server.close()
      rmSync(dir, { recursive: true, force: true })
    })
)

layer(DockerLive, { excludeTestServices: true })("reconnect through a proxy to the shared daemon", (it) => {
  it.effect(
    "cut 8 times while 40 volumes are created and removed: no duplicates, no gaps",
    () =>
      Effect.gen(function*() {
        const { accepted, connected, sever, socket } = yield* proxy
        // cuts only an open connection: waits (bounded) for the stream to be connected again first
        const cut = Effect.gen(function*() {
          for (let i = 0; i < 200 && !connected(); i++) yield* Effect.sleep("50 millis")
          return sever() > 0 ? 1 : 0
        })
        const marker = `effect-docker-reconnect-${Date.now().toString(36)}`
        const names = Array.from({ length: 40 }, (_, i) => `${marker}-${i}`)
        const filters = { type: ["volume" as const], volume: names }
        const last = names.at(-1)!
        const untilLast = (e: Events.Event) => e.Action === "destroy" && e.Actor.ID === last
        const since = new Date()
        const resilient = yield* Events.stream({ since, filters, reconnect: { giveUpAfter: "20 seconds" } }).pipe(
          Stream.takeUntil(untilLast),
          Stream.runCollect,
          Effect.provide(clientFor(socket)),
          Effect.forkChild
        )
        // the reference: the same stream, straight to the daemon, never cut
        const reference = yield* Events.stream({ since, filters }).pipe(
          Stream.takeUntil(untilLast),
          Stream.runCollect,
          Effect.forkChild
        )
        let cuts = 0
        for (const [i, name] of names.entries()) {
          yield* Volumes.create({ Name: name })
          if (i % 10 === 3) cuts += yield* cut
        }
        for (const [i, name] of names.entries()) {
          yield* Volumes.remove(name)
          if (i % 10 === 7) cuts += yield* cut
        }
        const seen = yield* Fiber.join(resilient).pipe(Effect.timeout("30 seconds"))
        const expected = yield* Fiber.join(reference).pipe(Effect.timeout("30 seconds"))
        const seenKeys = seen.map(key)
        const expectedKeys = expected.map(key)
        const actions = names.flatMap((name) => [`create ${name}`, `destroy ${name}`]).sort()
        const missing = expectedKeys.filter((k) => !seenKeys.includes(k))
        console.log(
          `proxy: ${seen.length} events seen, ${expected.length} in the reference, ${
            duplicates(seenKeys)
          } duplicates, ` +
            `${missing.length} gaps, ${cuts} cuts, ${accepted()} connections`
        )
        expect(cuts).toBe(8)
        expect(accepted()).toBeGreaterThanOrEqual(9)
        expect(duplicates(seenKeys)).toBe(0)
        expect(missing).toEqual([])
        expect([...seenKeys].sort()).toEqual([...expectedKeys].sort())
        expect(seen.map((e) => `${e.Action} ${e.Actor.ID}`).sort()).toEqual(actions)
      }).pipe(Effect.scoped),
    90_000
  )
})

// -----------------------------------------------------------------------------
// a dockerd of the test's own, restarted
// -----------------------------------------------------------------------------

interface OwnDaemon {
  readonly socket: string
  readonly start: Effect.Effect<void>
  readonly stop: Effect.Effect<void>
}

const bridge = "docker-evt0"

/**
 * A dockerd with its own socket, data root, exec root and pidfile, on a bridge of its own (`--bridge=none` would
 * make it delete the shared daemon's docker0) and without iptables. Stopped and its folder removed with the scope.
 */
const ownDaemon = Effect.acquireRelease(
  Effect.sync((): OwnDaemon & { readonly dir: string } => {
    const dir = mkdtempSync(join(tmpdir(), "effect-docker-evd-"))
    const socket = join(dir, "docker.sock")
    const pidfile = join(dir, "docker.pid")
    try {
      execFileSync("ip", ["link", "show", bridge], { stdio: "ignore" })
    } catch {
      execFileSync("ip", ["link", "add", bridge, "type", "bridge"])
      execFileSync("ip", ["addr", "add", "172.31.253.1/24", "dev", bridge])
      execFileSync("ip", ["link", "set", bridge, "up"])
    }
    const answers = () => {
      try {
        return execFileSync("curl", ["-s", "--max-time", "2", "--unix-socket", socket, "http://d/_ping"]).toString() ===
          "OK"
      } catch {
        return false
      }
    }
    const start = Effect.gen(function*() {
      const child = spawn("dockerd", [
        "--host",
        `unix://${socket}`,
        "--data-root",
        join(dir, "data"),
        "--exec-root",
        join(dir, "exec"),
        "--pidfile",
        pidfile,
        `--bridge=${bridge}`,
        "--iptables=false",
        "--ip-masq=false"
      ], { stdio: ["ignore", "ignore", "ignore"], detached: true })
      child.unref()
      for (let i = 0; i < 240 && !answers(); i++) yield* Effect.sleep("250 millis")
      if (!answers()) return yield* Effect.die(new Error(`the test's dockerd did not answer on ${socket}`))
    })
    const stop = Effect.gen(function*() {
      if (!existsSync(pidfile)) return
      const pid = Number(readFileSync(pidfile, "utf8").trim())
      const alive = () => {
        try {
          process.kill(pid, 0)
          return true
        } catch {
          return false
        }
      }
      if (alive()) process.kill(pid, "SIGTERM")
      for (let i = 0; i < 240 && alive(); i++) yield* Effect.sleep("250 millis")
      if (alive()) process.kill(pid, "SIGKILL")
      try {
        unlinkSync(pidfile)
      } catch {
        // already removed by the daemon
      }
    })
    return { dir, socket, start, stop }
  }),
  ({ dir, stop }) => Effect.andThen(stop, Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
)

layer(Layer.empty, { excludeTestServices: true })("reconnect across a restart of the test's own dockerd", (it) => {
  it.effect(
    "volumes created before the stop and after the start arrive once each; stopped for good: EventsUnreachable",
    () =>
      Effect.gen(function*() {
        const daemon = yield* ownDaemon
        yield* daemon.start
        const client = clientFor(daemon.socket)
        const names = ["before-1", "before-2", "after-1", "after-2"]
        const seen: Array<Events.Event> = []
        const fiber = yield* Events.stream({
          since: new Date(),
          filters: { type: ["volume"] },
          reconnect: { giveUpAfter: "60 seconds" }
        }).pipe(
          Stream.runForEach((e) => Effect.sync(() => seen.push(e))),
          Effect.provide(client),
          Effect.forkChild
        )
        const waitFor = (count: number) =>
          Effect.gen(function*() {
            for (let i = 0; i < 400 && seen.length < count; i++) yield* Effect.sleep("100 millis")
          })
        yield* Volumes.create({ Name: "before-1" }).pipe(Effect.provide(client))
        yield* Volumes.create({ Name: "before-2" }).pipe(Effect.provide(client))
        yield* waitFor(2)
        yield* daemon.stop
        yield* daemon.start
        yield* Volumes.create({ Name: "after-1" }).pipe(Effect.provide(client))
        yield* Volumes.create({ Name: "after-2" }).pipe(Effect.provide(client))
        yield* waitFor(4)
        const keys = seen.map(key)
        console.log(
          `restart: ${seen.length} events seen (${seen.map((e) => `${e.Action} ${e.Actor.ID}`).join(", ")}), ` +
            `${duplicates(keys)} duplicates, ${names.filter((n) => !seen.some((e) => e.Actor.ID === n)).length} gaps`
        )
        expect(seen.map((e) => `${e.Action} ${e.Actor.ID}`)).toEqual(names.map((n) => `create ${n}`))
        expect(duplicates(keys)).toBe(0)
        // stopped for good: the stream gives up after its bound
        yield* Fiber.interrupt(fiber)
        const failing = yield* Events.stream({ filters: { type: ["volume"] }, reconnect: { giveUpAfter: "2 seconds" } })
          .pipe(
            Stream.runDrain,
            Effect.provide(client),
            Effect.flip,
            Effect.forkChild
          )
        yield* Effect.sleep("500 millis")
        yield* daemon.stop
        const error = yield* Fiber.join(failing).pipe(Effect.timeout("30 seconds"))
        expect(error._tag).toBe("EventsUnreachable")
      }).pipe(Effect.scoped),
    180_000
  )
})
