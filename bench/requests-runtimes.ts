/**
 * The request benchmark of `bench/requests.ts` on Deno and Bun: on the runtime it runs on, the SDK on that runtime's
 * own transport (`src/platform/deno.ts` or `src/platform/bun.ts`, `layer()` on the unix socket) against that
 * runtime's raw baseline, with keep-alive:
 *
 * - Deno: `fetch` with a `Deno.createHttpClient({ proxy: { transport: "unix", path } })`,
 * - Bun: `fetch("http://localhost/…", { unix: path })`,
 *
 * the body read with `text()` and, for inspect, `JSON.parse` (as the raw `node:http` baseline does). Same measures,
 * rotated rounds and ratios as `bench/requests.ts` (`bench/request-rounds.ts`).
 *
 *   npm run bench:requests:runtimes                  # both runtimes, 7 rounds each
 *   deno run -A bench/requests-runtimes.ts --short   # 5 rounds of 300 sequential calls and 2 batches
 *   bun bench/requests-runtimes.ts --rounds 9 --sequential 3000 --batches 10
 *   bun bench/requests-runtimes.ts --baseline ../old-checkout   # adds that checkout's SDK, interleaved
 *
 * `--baseline DIR` loads `DIR/mod.ts` and `DIR/src/platform/deno.ts` or `bun.ts` (another checkout of this
 * repository, e.g. a `git worktree` of an earlier commit, with the same `node_modules`) as one more client, so a
 * change is compared with the code before it in the same run: the "SDK / SDK baseline" row.
 */
import * as os from "node:os"
import * as path from "node:path"
import * as process from "node:process"
import { pathToFileURL } from "node:url"
import * as DockerBun from "../src/platform/bun.ts"
import * as DockerDeno from "../src/platform/deno.ts"
import {
  type Client,
  CONCURRENT,
  createContainer,
  measures,
  ratioRow,
  removeContainer,
  requestOptions,
  runRequestRounds,
  type SdkApi,
  sdkClient,
  SOCKET
} from "./request-rounds.ts"
import { loadAverage, median, summarize } from "./rounds.ts"
import { printTable } from "./table.ts"

interface DenoGlobal {
  readonly version: { readonly deno: string; readonly v8: string }
  createHttpClient(options: { proxy: { transport: "unix"; path: string } }): { close(): void }
}
const Deno = (globalThis as { Deno?: DenoGlobal }).Deno
const Bun = (globalThis as { Bun?: { readonly version: string } }).Bun

const runtime = Deno !== undefined
  ? { name: `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`, raw: "raw Deno fetch" }
  : Bun !== undefined
  ? { name: `Bun ${Bun.version}`, raw: "raw Bun fetch" }
  : undefined
if (runtime === undefined) throw new Error("run with `deno run -A` or `bun`: on Node, `npm run bench:requests`")

/** One GET on the runtime's own fetch, over the unix socket, keep-alive (both runtimes pool connections). */
const raw: { readonly get: (path: string) => Promise<string>; readonly close: () => void } = (() => {
  if (Deno !== undefined) {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path: SOCKET } })
    return {
      get: (path) => fetch(`http://localhost${path}`, { client } as RequestInit).then((res) => res.text()),
      close: () => client.close()
    }
  }
  return {
    get: (path) => fetch(`http://localhost${path}`, { unix: SOCKET } as RequestInit).then((res) => res.text()),
    close: () => {}
  }
})()

const baselineDir = (() => {
  const at = process.argv.indexOf("--baseline")
  return at === -1 ? undefined : path.resolve(process.argv[at + 1]!)
})()
const baseline: ReadonlyArray<Client> = baselineDir === undefined ? [] : await (async () => {
  const root = await import(pathToFileURL(path.join(baselineDir, "mod.ts")).href)
  const platform = Deno !== undefined ? "src/platform/deno.ts" : "src/platform/bun.ts"
  const transport = await import(pathToFileURL(path.join(baselineDir, platform)).href)
  return [sdkClient("SDK baseline", transport.layer(), root.Api as SdkApi)]
})()

/**
 * Per client, the CPU time of this process (user + system, every thread of the runtime) per call of each sequential
 * loop, warm-up excluded: a measure that a loaded machine disturbs less than the rate, since time spent waiting for
 * a core is not counted.
 */
const cpuPerCall = new Map<string, Record<"ping" | "inspect", Array<number>>>()
const measuringCpu = (client: Client): Client => {
  const samples = { ping: [] as Array<number>, inspect: [] as Array<number> }
  const warm = { ping: false, inspect: false }
  cpuPerCall.set(client.name, samples)
  return {
    ...client,
    sequential: async (n, call, id) => {
      const start = process.cpuUsage()
      await client.sequential(n, call, id)
      const used = process.cpuUsage(start)
      if (warm[call]) samples[call].push((used.user + used.system) / n)
      warm[call] = true
    }
  }
}

const clients: ReadonlyArray<Client> = ([
  {
    name: runtime.raw,
    inspect: (id) => raw.get(`/v1.41/containers/${id}/json`).then(JSON.parse),
    sequential: async (n, call, id) => {
      for (let i = 0; i < n; i++) {
        if (call === "ping") await raw.get("/v1.41/_ping")
        else JSON.parse(await raw.get(`/v1.41/containers/${id}/json`))
      }
    },
    close: async () => raw.close()
  },
  sdkClient("SDK", Deno !== undefined ? DockerDeno.layer() : DockerBun.layer()),
  ...baseline
] satisfies Array<Client>).map(measuringCpu)

const { rounds, sequential, batches } = requestOptions()
const id = createContainer()
const loadBefore = loadAverage()
try {
  const rates = await runRequestRounds(clients, id, { rounds, sequential, batches })
  console.log(
    `bench:requests:runtimes ${new Date().toISOString().slice(0, 16)}Z, ${runtime.name}, ${os.cpus().length} CPUs; ` +
      `${rounds} rotated rounds; ${sequential} sequential calls, ${batches}×${CONCURRENT} concurrent inspects per ` +
      `round; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}`
  )
  console.log()
  printTable([
    ["client", ...measures.map((m) => `${m}/s (median)`)],
    ...clients.map((client, i) => [client.name, ...measures.map((m) => median(rates[i]![m]).toFixed(0))])
  ])
  console.log()
  printTable([
    ["ratio per round: median (min–max)", ...measures],
    ratioRow(rates, 1, 0, `SDK / ${runtime.raw} (goal ≥ 0.9)`),
    ...(baseline.length === 0 ? [] : [
      ratioRow(rates, 2, 0, `SDK baseline / ${runtime.raw}`),
      ratioRow(rates, 1, 2, "SDK / SDK baseline")
    ])
  ])
  console.log()
  const cpu = (name: string, call: "ping" | "inspect") => cpuPerCall.get(name)![call]
  const cpuRatio = (a: string, b: string, call: "ping" | "inspect") => {
    const ratio = summarize(cpu(a, call).map((t, round) => t / cpu(b, call)[round]!))
    return `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`
  }
  printTable([
    ["CPU µs per call (median of rounds)", "ping", "inspect"],
    ...clients.map((
      client
    ) => [client.name, median(cpu(client.name, "ping")).toFixed(0), median(cpu(client.name, "inspect")).toFixed(0)]),
    [
      "SDK / raw, per round: median (min–max)",
      cpuRatio("SDK", runtime.raw, "ping"),
      cpuRatio("SDK", runtime.raw, "inspect")
    ],
    ...(baseline.length === 0 ? [] : [[
      "SDK / SDK baseline, per round",
      cpuRatio("SDK", "SDK baseline", "ping"),
      cpuRatio("SDK", "SDK baseline", "inspect")
    ]])
  ])
} finally {
  for (const client of clients) await client.close()
  removeContainer(id)
}
