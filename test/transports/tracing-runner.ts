/**
 * Runs the same calls with every transport of the runtime it runs on (Node, Deno or Bun) under a recording tracer,
 * against the fake daemon of `test/support/traceDaemon.ts` (`TRACE_UNIX`, `TRACE_TCP`), and prints one JSON line
 * per transport: what the calls returned and the `docker.*` spans that ended; `tracing.test.ts` checks them.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Containers from "../../src/Containers.ts"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import * as Exec from "../../src/Exec.ts"
import * as Api from "../../src/generated/api.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as Session from "../../src/Session.ts"

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env
const unixPath = env["TRACE_UNIX"]!
const tcpPort = env["TRACE_TCP"]!

/** A tracer that keeps every ended span, as an exporter would. */
const recording = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        spans.push(span)
      }
      return span
    }
  })
  return { spans, tracer }
}

const hijacked = <E, R>(socket: Effect.Effect<Socket.Socket, E, R>) =>
  Effect.flatMap(socket, (socket) =>
    Demux.toStrings(Demux.demuxStream(
      Socket.toStream(socket).pipe(
        Stream.catchIf((error) => error.reason._tag === "SocketCloseError", () => Stream.empty)
      )
    )))

const calls = Effect.gen(function*() {
  yield* Api.systemPing()
  const inspected = yield* Api.containerInspect({ id: "web" })
  const missing = yield* Effect.flip(Api.containerInspect({ id: "nope" }))
  const stat = yield* Containers.archiveInfo("web", "/etc")
  const logs = yield* Demux.toStrings(Containers.logs("web", { tty: false }))
  const exec = yield* Effect.scoped(
    hijacked(Docker.hijack(Ops.ExecStart, { id: "e1", body: { Detach: false, Tty: false } }))
  ).pipe(Effect.catchTag("HijackNotSupported", (error) => Effect.succeed(error._tag)))
  yield* Exec.startDetached("e2")
  const session = yield* Effect.scoped(Effect.map(Session.open({ id: "s-1" }), (opened) => opened.id)).pipe(
    Effect.catchTag("HijackNotSupported", (error) => Effect.succeed(error._tag))
  )
  return { inspected: inspected.Id, missing: missing._tag, stat: stat.name, logs, exec, session }
})

const run = (transport: string, layer: Layer.Layer<Docker.Docker, unknown>) =>
  Effect.gen(function*() {
    const { spans, tracer } = recording()
    const results = yield* calls.pipe(Effect.provide(layer), Effect.provideService(Tracer.Tracer, tracer))
    const seen = spans.filter((span) => span.name.startsWith("docker.")).map((span) => ({
      name: span.name,
      method: span.attributes.get("http.request.method"),
      template: span.attributes.get("url.template"),
      status: span.attributes.get("http.response.status_code") ?? null,
      exit: span.status._tag === "Ended" ? span.status.exit._tag : "open"
    }))
    console.log(JSON.stringify({ transport, results, spans: seen }))
  })

const common = { apiVersion: "1.41" } as const
await Effect.runPromise(Effect.gen(function*() {
  yield* run("unix", DockerAuto.layer({ ...common, host: `unix://${unixPath}` }))
  yield* run("tcp", DockerAuto.layer({ ...common, host: `tcp://127.0.0.1:${tcpPort}` }))
  yield* run("fetch", DockerFetch.layer({ ...common, baseUrl: `http://127.0.0.1:${tcpPort}` }))
}))
