/**
 * What the request benchmarks share (`bench/requests.ts` on Node, `bench/requests-runtimes.ts` on Deno and Bun):
 * the three measures, an SDK client on a given layer, the rotated rounds and the ratio per round. Runs on Node, Deno
 * and Bun (only `node:` modules that all three provide).
 *
 * - `ping`: `SEQUENTIAL` sequential `GET /_ping`,
 * - `inspect`: `SEQUENTIAL` sequential `GET /containers/{id}/json`,
 * - `concurrent`: `BATCHES` batches of 200 concurrent inspects.
 *
 * In round `r` the clients run in the order `r, r+1, …` (mod n), for each measure; a ratio is computed per round,
 * between rates taken within seconds of each other, and reported as the median and range over the rounds.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { execFileSync } from "node:child_process"
import * as process from "node:process"
import { Api as ThisApi } from "../mod.ts"
import { summarize, type Summary } from "./rounds.ts"

export const SOCKET = "/var/run/docker.sock"
export const CONCURRENT = 200

export type Measure = "ping" | "inspect" | "concurrent"
export const measures: ReadonlyArray<Measure> = ["ping", "inspect", "concurrent"]

/** `--name N` from the command line, else `fallback`. */
export const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}

export interface RequestOptions {
  readonly rounds: number
  readonly sequential: number
  readonly batches: number
}

/** Rounds and sizes from `--short`, `--rounds`, `--sequential`, `--batches`. */
export const requestOptions = (): RequestOptions => {
  const short = process.argv.includes("--short")
  return {
    rounds: Math.max(5, argument("rounds", short ? 5 : 7)),
    sequential: argument("sequential", short ? 300 : 2000),
    batches: argument("batches", short ? 2 : 5)
  }
}

export interface Client {
  readonly name: string
  /** Runs `n` sequential calls of one kind. */
  readonly sequential: (n: number, call: "ping" | "inspect", id: string) => Promise<unknown>
  readonly inspect: (id: string) => Promise<unknown>
  readonly close: () => Promise<void>
}

/** The part of an SDK checkout the benchmarks call: this one's, or a baseline's loaded from another checkout. */
export interface SdkApi {
  readonly systemPing: () => Effect.Effect<unknown, unknown, any>
  readonly containerInspect: (input: { id: string }) => Effect.Effect<unknown, unknown, any>
}

/** The SDK on `layer`, as an Effect program runs it: one fiber, one call after the other. */
export const sdkClient = (name: string, layer: Layer.Layer<any, unknown>, Api: SdkApi = ThisApi): Client => {
  const runtime = ManagedRuntime.make(layer)
  return {
    name,
    inspect: (id) => runtime.runPromise(Api.containerInspect({ id })),
    sequential: (n, call, id) =>
      runtime.runPromise(
        Effect.gen(function*() {
          for (let i = 0; i < n; i++) {
            if (call === "ping") yield* Api.systemPing()
            else yield* Api.containerInspect({ id })
          }
        })
      ),
    close: () => runtime.dispose()
  }
}

/** A stopped busybox container to inspect (`docker create`), and its removal. */
export const createContainer = (): string =>
  execFileSync("docker", ["create", "effect-docker/busybox:latest", "true"], { encoding: "utf8" }).trim()
export const removeContainer = (id: string): void => {
  execFileSync("docker", ["rm", "-f", id], { stdio: "ignore" })
}

/**
 * Calls per second of one measure of one client, and the CPU time (user + system) this process spent per call meanwhile,
 * in µs: the client's own cost, without the daemon's, and less shifted by other jobs on the machine than the rate.
 */
const rate = async (
  client: Client,
  measure: Measure,
  id: string,
  options: RequestOptions
): Promise<{ readonly rate: number; readonly cpu: number }> => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  let calls = options.sequential
  if (measure === "concurrent") {
    calls = options.batches * CONCURRENT
    for (let b = 0; b < options.batches; b++) {
      await Promise.all(Array.from({ length: CONCURRENT }, () => client.inspect(id)))
    }
  } else {
    await client.sequential(options.sequential, measure, id)
  }
  const elapsed = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { rate: calls / elapsed * 1000, cpu: (used.user + used.system) / calls }
}

/** Per client, per measure, the rate (calls/s) of each round; `cpu`: the CPU time per call (µs) of each round. */
export type Rates = ReadonlyArray<
  Record<Measure, ReadonlyArray<number>> & { readonly cpu?: Record<Measure, ReadonlyArray<number>> }
>

/** Warms every client up (negotiation, first connections, JIT), then runs the rotated rounds. */
export const runRequestRounds = async (
  clients: ReadonlyArray<Client>,
  id: string,
  options: RequestOptions
): Promise<Rates> => {
  const rates = clients.map(() => ({
    ping: [] as Array<number>,
    inspect: [] as Array<number>,
    concurrent: [] as Array<number>,
    cpu: { ping: [] as Array<number>, inspect: [] as Array<number>, concurrent: [] as Array<number> }
  }))
  for (const client of clients) {
    await client.sequential(Math.min(200, options.sequential), "ping", id)
    await client.sequential(Math.min(200, options.sequential), "inspect", id)
    await Promise.all(Array.from({ length: CONCURRENT }, () => client.inspect(id)))
  }
  for (let round = 0; round < options.rounds; round++) {
    for (const measure of measures) {
      for (let k = 0; k < clients.length; k++) {
        const index = (k + round) % clients.length
        const measured = await rate(clients[index]!, measure, id, options)
        rates[index]![measure].push(measured.rate)
        rates[index]!.cpu[measure].push(measured.cpu)
      }
    }
  }
  return rates
}

/** Median and range over the rounds of `rates[a] / rates[b]` for one measure (above 1: `a` is faster). */
export const rateRatio = (rates: Rates, a: number, b: number, measure: Measure): Summary =>
  summarize(rates[a]![measure].map((r, round) => r / rates[b]![measure][round]!))

/** Median and range over the rounds of `cpu[a] / cpu[b]` for one measure (below 1: `a` spends less CPU per call). */
export const cpuRatio = (rates: Rates, a: number, b: number, measure: Measure): Summary =>
  summarize(rates[a]!.cpu![measure].map((c, round) => c / rates[b]!.cpu![measure][round]!))

/** `0.85× (0.80–0.90)`. */
export const showRateRatio = (s: Summary): string => `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`

/** One table row: the label, then the ratio of each measure. */
export const ratioRow = (rates: Rates, a: number, b: number, label: string): Array<string> => [
  label,
  ...measures.map((m) => showRateRatio(rateRatio(rates, a, b, m)))
]
