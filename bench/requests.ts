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
 */
import Dockerode from "dockerode"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Tracer from "effect/Tracer"
import { execFileSync } from "node:child_process"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Api as ThisApi } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"
import { printTable } from "./table.ts"

const SOCKET = "/var/run/docker.sock"
const CONCURRENT = 200

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const short = process.argv.includes("--short")
const ROUNDS = argument("rounds", short ? 5 : 7)
const SEQUENTIAL = argument("sequential", short ? 300 : 2000)
const BATCHES = argument("batches", short ? 2 : 5)

type Measure = "ping" | "inspect" | "concurrent"
const measures: ReadonlyArray<Measure> = ["ping", "inspect", "concurrent"]

interface Client {
  readonly name: string
  /** Runs `n` sequential calls of one kind. */
  readonly sequential: (n: number, call: "ping" | "inspect", id: string) => Promise<unknown>
  readonly inspect: (id: string) => Promise<unknown>
  readonly close: () => Promise<void>
}

const rawAgent = new http.Agent({ keepAlive: true, socketPath: SOCKET } as http.AgentOptions)
const rawGet = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const req = http.get({ agent: rawAgent, path, host: "localhost" }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => body += c)
      res.on("end", () => resolve(body))
      res.on("error", reject)
    })
    req.on("error", reject)
  })

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

/** The part of an SDK checkout the bench calls: this one's, or a baseline's loaded from another checkout. */
interface SdkApi {
  readonly systemPing: () => Effect.Effect<unknown, unknown, any>
  readonly containerInspect: (input: { id: string }) => Effect.Effect<unknown, unknown, any>
}

const sdkClient = (name: string, layer: Layer.Layer<any, unknown>, Api: SdkApi = ThisApi): Client => {
  const runtime = ManagedRuntime.make(layer)
  return {
    name,
    inspect: (id) => runtime.runPromise(Api.containerInspect({ id })),
    // As an Effect program runs them: one fiber, one call after the other.
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

/** Calls per second of one measure of one client. */
const run = async (client: Client, measure: Measure, id: string): Promise<number> => {
  const start = performance.now()
  if (measure === "concurrent") {
    for (let b = 0; b < BATCHES; b++) {
      await Promise.all(Array.from({ length: CONCURRENT }, () => client.inspect(id)))
    }
    return (BATCHES * CONCURRENT) / (performance.now() - start) * 1000
  }
  await client.sequential(SEQUENTIAL, measure, id)
  return SEQUENTIAL / (performance.now() - start) * 1000
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" ")

const main = async () => {
  const id = execFileSync("docker", ["create", "effect-docker/busybox:latest", "true"], { encoding: "utf8" }).trim()
  const loadBefore = load()
  try {
    // rates[client][measure] = one rate per round
    const rates = clients.map(() => ({
      ping: [] as Array<number>,
      inspect: [] as Array<number>,
      concurrent: [] as Array<number>
    }))
    for (const client of clients) {
      // warm-up: negotiation, first connections, JIT
      await client.sequential(Math.min(200, SEQUENTIAL), "ping", id)
      await client.sequential(Math.min(200, SEQUENTIAL), "inspect", id)
      await Promise.all(Array.from({ length: CONCURRENT }, () => client.inspect(id)))
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const measure of measures) {
        for (let k = 0; k < clients.length; k++) {
          const index = (k + round) % clients.length
          rates[index]![measure].push(await run(clients[index]!, measure, id))
        }
      }
    }
    const loadAfter = load()
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
    const ratio = (a: number, b: number, label: string) => {
      const cells = measures.map((m) => {
        const per = rates[a]![m].map((r, round) => r / rates[b]![m][round]!)
        return `${median(per).toFixed(2)}× (${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`
      })
      return [label, ...cells]
    }
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
  } finally {
    for (const client of clients) await client.close()
    execFileSync("docker", ["rm", "-f", id])
  }
}

await main()
