/**
 * Request benchmark against the local engine: sequential `GET /_ping`, sequential `GET /containers/{id}/json` and
 * batches of 200 concurrent inspects, through
 *
 * - raw `node:http` with a keep-alive agent (the floor: no parsing beyond `JSON.parse`),
 * - the SDK on its Node transport (no tracer installed: Effect's native tracer),
 * - the same SDK with a tracer installed (a `Tracer` that records every span in memory, as an exporter would),
 * - dockerode.
 *
 * All run in one process, interleaved: every round runs each implementation once per measure, and the order of the
 * implementations rotates from round to round, so the machine's drift does not land on one side. Each ratio is
 * computed per round (both sides measured within seconds of each other) and reported as the median and the range
 * (min–max) over the rounds. The load average is printed before and after.
 *
 *   npm run bench:requests             # 7 rounds of 2,000 sequential calls and 5 batches of 200 concurrent inspects
 *   npm run bench:requests -- --short  # 5 rounds of 300 sequential calls and 2 batches (a quick check)
 *   node bench/requests.ts --rounds 9 --sequential 3000 --batches 10
 *   node bench/requests.ts --baseline ../old-checkout   # adds that checkout's SDK, interleaved with the rest
 *
 * `--baseline DIR` loads `DIR/mod.ts` and `DIR/src/platform/node.ts` (another checkout of this repository, e.g. a
 * `git worktree` of an earlier commit) as one more client, so a change is compared with the code before it in the
 * same run: the "SDK / SDK baseline" row.
 *
 * A second table gives the CPU time this process spent per call during each client's turn (`process.cpuUsage`): the
 * client's own cost without the daemon's, which a busy machine shifts less than the rates.
 */
import Dockerode from "dockerode"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import * as DockerNode from "../src/platform/node.ts"
import { getText } from "./rawHttp.ts"
import {
  type Client,
  CONCURRENT,
  cpuRatio,
  createContainer,
  measures,
  ratioRow,
  removeContainer,
  requestOptions,
  runRequestRounds,
  type SdkApi,
  sdkClient,
  showRateRatio,
  SOCKET
} from "./request-rounds.ts"
import { loadAverage, median } from "./rounds.ts"
import { printTable } from "./table.ts"

const { rounds: ROUNDS, sequential: SEQUENTIAL, batches: BATCHES } = requestOptions()
const rawAgent = new http.Agent({ keepAlive: true, socketPath: SOCKET } as http.AgentOptions)
const rawGet = (path: string) => getText({ agent: rawAgent, path, host: "localhost" })

/** A tracer that keeps every ended span (bounded), as an in-memory exporter would. */
let spansEnded = 0
const recordingTracer: Tracer.Tracer = Tracer.make({
  span: (options) => {
    const span = new Tracer.NativeSpan(options)
    const end = span.end.bind(span)
    span.end = (endTime, exit) => {
      spansEnded++
      end(endTime, exit)
    }
    return span
  }
})

const dockerode = new Dockerode({ socketPath: SOCKET })

const baselineDir = (() => {
  const at = process.argv.indexOf("--baseline")
  return at === -1 ? undefined : path.resolve(process.argv[at + 1]!)
})()
const baseline: ReadonlyArray<Client> = baselineDir === undefined ? [] : await (async () => {
  const root = await import(pathToFileURL(path.join(baselineDir, "mod.ts")).href)
  const node = await import(pathToFileURL(path.join(baselineDir, "src/platform/node.ts")).href)
  return [sdkClient("SDK baseline", node.layer(), root.Api as SdkApi)]
})()

const clients: ReadonlyArray<Client> = [
  {
    name: "raw node:http",
    inspect: (id) => rawGet(`/v1.41/containers/${id}/json`).then(JSON.parse),
    sequential: async (n, call, id) => {
      for (let i = 0; i < n; i++) {
        if (call === "ping") await rawGet("/v1.41/_ping")
        else JSON.parse(await rawGet(`/v1.41/containers/${id}/json`))
      }
    },
    close: async () => rawAgent.destroy()
  },
  sdkClient("SDK", DockerNode.layer()),
  sdkClient("SDK + tracer", DockerNode.layer().pipe(Layer.provideMerge(Layer.succeed(Tracer.Tracer, recordingTracer)))),
  {
    name: "dockerode",
    inspect: (id) => dockerode.getContainer(id).inspect(),
    sequential: async (n, call, id) => {
      for (let i = 0; i < n; i++) {
        if (call === "ping") await dockerode.ping()
        else await dockerode.getContainer(id).inspect()
      }
    },
    close: async () => {}
  },
  ...baseline
]

const main = async () => {
  const id = createContainer()
  const loadBefore = loadAverage()
  try {
    const rates = await runRequestRounds(clients, id, { rounds: ROUNDS, sequential: SEQUENTIAL, batches: BATCHES })
    const loadAfter = loadAverage()
    console.log(
      `bench:requests ${new Date().toISOString().slice(0, 16)}Z, Node ${process.version}, ${os.cpus().length} CPUs; ` +
        `${ROUNDS} rotated rounds; ${SEQUENTIAL} sequential calls, ${BATCHES}×${CONCURRENT} concurrent inspects ` +
        `per round; load average (1/5/15 min) before ${loadBefore}, after ${loadAfter}; ${spansEnded} spans recorded`
    )
    console.log()
    const header = ["client", ...measures.map((m) => `${m}/s (median)`)]
    printTable([
      header,
      ...clients.map((client, i) => [client.name, ...measures.map((m) => median(rates[i]![m]).toFixed(0))])
    ])
    console.log()
    const ratio = (a: number, b: number, label: string) => ratioRow(rates, a, b, label)
    const named = (name: string) => clients.findIndex((c) => c.name === name)
    const [raw, sdk, traced, dode] = ["raw node:http", "SDK", "SDK + tracer", "dockerode"].map(named) as [
      number,
      number,
      number,
      number
    ]
    printTable([
      ["ratio per round: median (min–max)", ...measures],
      ratio(sdk, dode, "SDK / dockerode (goal ≥ 1.2)"),
      ratio(sdk, raw, "SDK / raw node:http (goal ≥ 0.9)"),
      ratio(traced, sdk, "SDK + tracer / SDK"),
      ratio(traced, dode, "SDK + tracer / dockerode"),
      ratio(dode, raw, "dockerode / raw node:http"),
      ...(baseline.length === 0 ? [] : [ratio(sdk, named("SDK baseline"), "SDK / SDK baseline")])
    ])
    console.log()
    console.log("CPU time of this process per call (µs, median over the rounds; the daemon's CPU is not counted):")
    console.log()
    printTable([
      ["client", ...measures.map((m) => `${m} µs/call`)],
      ...clients.map((client, i) => [client.name, ...measures.map((m) => median(rates[i]!.cpu![m]).toFixed(0))])
    ])
    console.log()
    const cpu = (a: number, b: number, label: string) => [
      label,
      ...measures.map((m) => showRateRatio(cpuRatio(rates, a, b, m)))
    ]
    printTable([
      ["CPU per call, ratio per round: median (min–max)", ...measures],
      cpu(sdk, dode, "SDK / dockerode"),
      cpu(sdk, raw, "SDK / raw node:http"),
      ...(baseline.length === 0 ? [] : [cpu(sdk, named("SDK baseline"), "SDK / SDK baseline")])
    ])
  } finally {
    for (const client of clients) await client.close()
    removeContainer(id)
  }
}

await main()
