/**
 * Runs the transport safety cases (redirects, timeouts, interruption, error messages) against the fake daemon of
 * `safety-server.ts` with every transport of the runtime it runs on (Node, Deno or Bun) and prints one JSON line
 * per case; `safety.test.ts` starts the servers and checks the lines and the servers' logs.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import * as Docker from "../../src/Docker.ts"
import type * as DockerEnv from "../../src/DockerEnv.ts"
import * as Ops from "../../src/generated/operations.ts"
import type * as Host from "../../src/Host.ts"
import * as Operation from "../../src/Operation.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env
const unixPath = env["SAFETY_UNIX"]!
const tcpPort = env["SAFETY_TCP"]!
const tlsPort = env["SAFETY_TLS"]!
const control = `http://127.0.0.1:${env["SAFETY_OTHER"]!}/control`
const ca = readFileSync(env["SAFETY_CA"]!, "utf8")
const runtime = DockerAuto.runtime()
/** The client's request timeout: long enough for the quick cases, shorter than the stream's 1.5 s. */
const clientTimeout = "1 second"

const ask = (question: "seen" | "closed", id: string) =>
  Effect.promise(() => fetch(`${control}/${question}/${id}`).then((response) => response.text()))

type Failure = { readonly _tag?: string; readonly message?: string } & Record<string, unknown>

const describe = (error: unknown) => {
  const e = error as Failure
  const limit = e["limit"]
  return {
    tag: e._tag,
    message: e.message,
    status: e["status"],
    location: e["location"],
    phase: e["phase"],
    limit: Duration.isDuration(limit) ? Duration.toMillis(limit) : undefined
  }
}

const cases = (name: string) =>
  Effect.gen(function*() {
    const tag = `${runtime}-${name}`
    const line = (what: string, value: Record<string, unknown>) =>
      Effect.sync(() => console.log(JSON.stringify({ transport: name, case: what, ...value })))
    const failure = (what: string, effect: Effect.Effect<unknown, unknown, Docker.Docker>) =>
      Effect.flatMap(
        Effect.match(effect, {
          onSuccess: (value) => ({ ok: true, value }),
          onFailure: (e) => ({ ok: false, ...describe(e) })
        }),
        (result) => line(what, result)
      )
    yield* failure("301", Docker.call(Ops.ContainerInspect)({ id: `r301-${tag}` }))
    yield* failure("307", Docker.call(Ops.ContainerInspect)({ id: `r307-${tag}` }))
    yield* failure("delete", Docker.call(Ops.ContainerDelete)({ id: `del-${tag}`, force: true }))
    yield* failure("500", Docker.call(Ops.ContainerInspect)({ id: `big-${tag}` }))
    yield* failure("500chunked", Docker.call(Ops.ContainerInspect)({ id: `big-chunked-${tag}` }))
    // the client's timeout: nothing ever answers
    yield* failure("hang", Docker.call(Ops.ContainerInspect)({ id: `hang-${tag}` }))
    yield* line("hangClosed", { closed: yield* ask("closed", `hang-${tag}`) })
    // a per-call timeout, shorter than the client's, while the body is being read
    yield* failure("slow", Docker.withTimeout(Docker.call(Ops.ContainerInspect)({ id: `slow-${tag}` }), "400 millis"))
    yield* line("slowClosed", { closed: yield* ask("closed", `slow-${tag}`) })
    // a stream that flows longer than the client's timeout is not cut (a TTY container's logs: raw bytes)
    const rawLogs = Docker.call(
      Operation.withResponse(Ops.ContainerLogs, { _tag: "Bytes", contentType: "application/vnd.docker.raw-stream" })
    )
    yield* failure(
      "stream",
      rawLogs({ id: `stream-${tag}`, follow: true, stdout: true }).pipe(
        Stream.decodeText(),
        Stream.mkString
      )
    )
    // a body stream left before its end (the daemon would go on forever) closes its connection
    yield* failure(
      "cut",
      rawLogs({ id: `cut-${tag}`, follow: true, stdout: true }).pipe(
        Stream.decodeText(),
        Stream.take(1),
        Stream.mkString
      )
    )
    yield* line("cutClosed", { closed: yield* ask("closed", `cut-${tag}`) })
    // an interrupted call closes its connection
    const fiber = yield* Effect.forkChild(
      Docker.withTimeout(Docker.call(Ops.ContainerInspect)({ id: `hold-${tag}` }), Duration.infinity)
    )
    const seen = yield* ask("seen", `hold-${tag}`)
    yield* Fiber.interrupt(fiber)
    yield* line("interrupt", { seen, closed: yield* ask("closed", `hold-${tag}`) })
  })

const run = (name: string, layer: Layer.Layer<Docker.Docker, Host.InvalidHost | DockerEnv.DockerConfigError>) =>
  Effect.provide(cases(name), layer)

const common = { apiVersion: "1.41", timeout: clientTimeout } as const
const program = Effect.gen(function*() {
  yield* run("unix", DockerAuto.layer({ ...common, host: `unix://${unixPath}` }))
  yield* run("tcp", DockerAuto.layer({ ...common, host: `tcp://127.0.0.1:${tcpPort}` }))
  yield* run("tls", DockerAuto.layer({ ...common, host: `tcp://127.0.0.1:${tlsPort}`, tls: { ca } }))
  yield* run("fetch", DockerFetch.layer({ ...common, baseUrl: `http://127.0.0.1:${tcpPort}` }))
  if (runtime === "node") {
    // a user's own HttpClient wrapped by Docker.layer (undici, which leaves redirects to its caller)
    const NodeHttpClient = yield* Effect.promise(() => import("@effect/platform-node/NodeHttpClient"))
    const connection: Docker.DockerConnection = {
      baseUrl: `http://127.0.0.1:${tcpPort}`,
      target: `tcp://127.0.0.1:${tcpPort}`,
      transport: "custom",
      canHijack: false,
      ...common
    }
    yield* run("custom", Docker.layer(connection).pipe(Layer.provide(NodeHttpClient.layerUndici)))
  }
})

await Effect.runPromise(program)
