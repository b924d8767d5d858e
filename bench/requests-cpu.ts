/**
 * The CPU the SDK spends above the transport per call: `Api.systemPing()` and `Api.containerInspect()` on a fake
 * `HttpClient` that answers at once (status 200, a canned body: `OK`, or a real container inspect body fetched once
 * from the local engine), so no I/O and no daemon time is measured, only the SDK's own path (version check, request
 * building, `execute`, the transport call, JSON parsing and Schema decoding). Each run is timed by the process's CPU
 * time (`process.cpuUsage`), not the wall clock, so other jobs on the machine shift it less.
 *
 *   node bench/requests-cpu.ts [--rounds 7] [--calls 5000] [--baseline DIR]
 *
 * With `--baseline DIR` (another checkout of this repository, e.g. a `git worktree` of an earlier commit) that
 * checkout's SDK runs on the same fake client, interleaved and rotated with this one; the ratio is computed per round.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Api as ThisApi, Docker as ThisDocker } from "../mod.ts"
import { getText } from "./rawHttp.ts"
import { argument, createContainer, removeContainer, type SdkApi, SOCKET } from "./request-rounds.ts"
import { header, median, summarize } from "./rounds.ts"

const ROUNDS = Math.max(5, argument("rounds", 7))
const CALLS = argument("calls", 5000)

const fetchBody = (id: string) =>
  getText({ socketPath: SOCKET, path: `/v1.41/containers/${id}/json`, host: "localhost" })

const id = createContainer()
const inspectBody = await fetchBody(id).finally(() => removeContainer(id))

/** A response answering at once with `body`. */
const fakeResponse = (
  request: HttpClientRequest.HttpClientRequest,
  body: string
): HttpClientResponse.HttpClientResponse =>
  ({
    [HttpClientResponse.TypeId]: HttpClientResponse.TypeId,
    request,
    status: 200,
    headers: { "api-version": "1.41", "content-type": "application/json" },
    text: Effect.succeed(body),
    get stream() {
      return Stream.make(new TextEncoder().encode(body))
    }
  }) as unknown as HttpClientResponse.HttpClientResponse

const fakeClient: HttpClient.HttpClient = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
  (effect) =>
    Effect.map(effect, (request) => fakeResponse(request, request.url.endsWith("/_ping") ? "OK" : inspectBody)),
  Effect.succeed
)

interface Sdk {
  readonly name: string
  readonly run: (what: "ping" | "inspect") => Promise<number>
}

const sdk = (name: string, Docker: typeof ThisDocker, Api: SdkApi): Sdk => {
  const layer = Docker.layer({
    baseUrl: "http://localhost",
    target: "fake",
    transport: "fake",
    canHijack: false,
    apiVersion: "1.41"
  }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, fakeClient)))
  const runtime = ManagedRuntime.make(layer)
  const loop = (what: "ping" | "inspect") =>
    Effect.gen(function*() {
      for (let i = 0; i < CALLS; i++) {
        if (what === "ping") yield* Api.systemPing()
        else yield* Api.containerInspect({ id: "abc" })
      }
      return CALLS
    })
  return { name, run: (what) => runtime.runPromise(loop(what)) as Promise<number> }
}

const baselineDir = (() => {
  const at = process.argv.indexOf("--baseline")
  return at === -1 ? undefined : path.resolve(process.argv[at + 1]!)
})()
const sdks: Array<Sdk> = [sdk("SDK", ThisDocker, ThisApi)]
if (baselineDir !== undefined) {
  const root = await import(pathToFileURL(path.join(baselineDir, "mod.ts")).href)
  sdks.push(sdk("SDK baseline", root.Docker, root.Api))
}

/** CPU time (user + system, of this process) per call, in µs, of one run: steadier than wall time on a busy machine. */
const cpuPerCall = async (sdk: Sdk, what: "ping" | "inspect"): Promise<number> => {
  const before = process.cpuUsage()
  const calls = await sdk.run(what)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / calls
}

header(`bench:requests-cpu (fake client, ${CALLS} calls per run, ${ROUNDS} rotated rounds, CPU time per call)`)
for (const what of ["ping", "inspect"] as const) {
  for (const s of sdks) for (let i = 0; i < 2; i++) await s.run(what)
  const times: Array<Array<number>> = sdks.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < sdks.length; k++) {
      const i = (round + k) % sdks.length
      const turn: Array<number> = []
      for (let run = 0; run < 3; run++) turn.push(await cpuPerCall(sdks[i]!, what))
      times[i]!.push(median(turn))
    }
  }
  const line = sdks.map((s, i) => `${s.name} ${median(times[i]!).toFixed(1)} µs`).join(", ")
  const ratio = times.length > 1 ? summarize(times[0]!.map((t, r) => t / times[1]![r]!)) : undefined
  console.log(
    `${what}: CPU per call ${line}` + (ratio === undefined
      ? ""
      : `; SDK / baseline ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`)
  )
}
