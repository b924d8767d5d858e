/**
 * Memory while reading logs from the real engine: RSS growth and GC time of the SDK (`Containers.logs`, demultiplexed),
 * dockerode (`container.logs` + `modem.demuxStream`) and a raw `node:http` read (bytes counted, no demux), each
 * reading the whole logs body of one container that wrote `MiB` of 1 KiB lines to stdout (json-file driver).
 *
 *   npm run bench:memory              (1024 MiB, 5 rounds)
 *   node bench/memory.ts 256 3        (256 MiB, 3 rounds: a quick check)
 *
 * Every read runs in a fresh Node process (`--child`), so one reader's heap and RSS never carry over to the next:
 * the child records its RSS just before the request, samples RSS every 20 ms while reading (the peak minus that
 * baseline is the growth) and sums the duration of the `gc` entries a `PerformanceObserver` reports. The parent runs
 * the three readers in rotated rounds (round r starts with reader r), checks that they read the same number of bytes
 * (the SDK's and dockerode's payload bytes agree), and prints the median and range of each measure and of the
 * per-round ratios, with the load average.
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import * as http from "node:http"
import { createRequire } from "node:module"
import { PerformanceObserver } from "node:perf_hooks"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import * as Containers from "../src/Containers.ts"
import * as DockerNode from "../src/platform/node.ts"
import { createLogWriter } from "./logContainer.ts"
import { header, loadAverage, showRatio, summarize } from "./rounds.ts"
import { printTable } from "./table.ts"

const socketPath = "/var/run/docker.sock"

interface Sample {
  readonly reader: string
  /** body bytes (frame headers included) or -1 when not counted */
  readonly body: number
  /** payload bytes after demultiplexing, or -1 */
  readonly payload: number
  readonly ms: number
  /** peak RSS while reading minus the RSS just before the request, bytes */
  readonly rssGrowth: number
  readonly gcMs: number
  readonly gcCount: number
}

// -----------------------------------------------------------------------------
// child: one read
// -----------------------------------------------------------------------------

const counting = (count: (n: number) => void) =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      count(chunk.length)
      callback()
    }
  })

const readers: Record<string, (id: string) => Promise<readonly [number, number]>> = {
  "raw node:http": (id) =>
    new Promise((resolve, reject) => {
      http.get({ socketPath, path: `/v1.41/containers/${id}/logs?stdout=1&stderr=1` }, (response) => {
        let body = 0
        response.on("data", (chunk: Buffer) => (body += chunk.length))
        response.on("end", () => resolve([body, -1]))
        response.on("error", reject)
      }).on("error", reject)
    }),
  SDK: async (id) => {
    const runtime = ManagedRuntime.make(DockerNode.layer())
    let payload = 0
    let frames = 0
    try {
      return await runtime.runPromise(
        Containers.logs(id, { tty: false }).pipe(
          Stream.runForEachArray((batch) =>
            Effect.sync(() => {
              frames += batch.length
              for (let i = 0; i < batch.length; i++) payload += batch[i]!.payload.length
            })
          ),
          Effect.map(() => [payload + 8 * frames, payload] as const)
        )
      )
    } finally {
      await runtime.dispose()
    }
  },
  dockerode: async (id) => {
    const require = createRequire(import.meta.url)
    const Dockerode = require("dockerode") as new(options: Record<string, unknown>) => {
      getContainer(id: string): { logs(options: Record<string, unknown>): Promise<NodeJS.ReadableStream> }
      modem: {
        demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void
      }
    }
    const docker = new Dockerode({ socketPath })
    const stream = await docker.getContainer(id).logs({ follow: true, stdout: true, stderr: true })
    return new Promise((resolve, reject) => {
      let payload = 0
      let body = 0
      stream.on("data", (chunk: Buffer) => (body += chunk.length))
      docker.modem.demuxStream(stream, counting((n) => (payload += n)), counting((n) => (payload += n)))
      stream.on("end", () => setImmediate(() => resolve([body, payload])))
      stream.on("error", reject)
    })
  }
}

const child = async (reader: string, id: string) => {
  const read = readers[reader]
  if (read === undefined) throw new Error(`no reader ${reader}`)
  let gcMs = 0
  let gcCount = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration
      gcCount++
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const before = process.memoryUsage.rss()
  let peak = before
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
  }, 20)
  const start = performance.now()
  const [body, payload] = await read(id)
  const ms = performance.now() - start
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  // let the observer deliver the last entries
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  const sample: Sample = { reader, body, payload, ms, rssGrowth: peak - before, gcMs, gcCount }
  process.stdout.write(`${JSON.stringify(sample)}\n`)
}

// -----------------------------------------------------------------------------
// parent: rotated rounds of child processes
// -----------------------------------------------------------------------------

const runChild = (reader: string, id: string) =>
  new Promise<Sample>((resolve, reject) => {
    const process_ = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", reader, id], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    process_.stdout.on("data", (d: Buffer) => (out += d.toString()))
    process_.on("error", reject)
    process_.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${reader} exited ${code}`))
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Sample)
    })
  })

const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1)

const parent = async (size: number, rounds: number) => {
  header(`bench:memory, ${size} MiB of 1 KiB lines from the real engine, ${rounds} rotated rounds`)
  const id = createLogWriter("memory", size, 1024)
  try {
    const writing = performance.now()
    execFileSync("docker", ["start", id])
    execFileSync("docker", ["wait", id])
    process.stderr.write(`container wrote ${size} MiB in ${((performance.now() - writing) / 1000).toFixed(1)} s\n`)
    const names = Object.keys(readers)
    const samples = names.map(() => [] as Array<Sample>)
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const i = (round + k) % names.length
        const sample = await runChild(names[i]!, id)
        samples[i]!.push(sample)
        process.stderr.write(
          `  round ${round + 1} ${sample.reader}: ${(sample.ms / 1000).toFixed(1)} s, RSS +${
            mib(sample.rssGrowth)
          } MiB, ` +
            `GC ${sample.gcMs.toFixed(0)} ms (${sample.gcCount})\n`
        )
      }
    }
    const all = samples.flat()
    const bodies = new Set(all.map((s) => s.body).filter((b) => b >= 0))
    const payloads = new Set(all.map((s) => s.payload).filter((p) => p >= 0))
    if (bodies.size !== 1 || payloads.size !== 1) {
      throw new Error(`readers disagree: bodies ${[...bodies].join(", ")}, payloads ${[...payloads].join(", ")}`)
    }
    console.log(`body ${mib([...bodies][0]!)} MiB, payload ${mib([...payloads][0]!)} MiB\n`)
    const range = (values: ReadonlyArray<number>, digits = 0) => {
      const s = summarize(values)
      return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`
    }
    printTable([
      ["reader", "RSS growth MiB: median (range)", "GC ms: median (range)", "GC count (median)", "seconds (median)"],
      ...names.map((name, i) => [
        name,
        range(samples[i]!.map((s) => s.rssGrowth / (1024 * 1024)), 1),
        range(samples[i]!.map((s) => s.gcMs)),
        summarize(samples[i]!.map((s) => s.gcCount)).median.toFixed(0),
        summarize(samples[i]!.map((s) => s.ms / 1000)).median.toFixed(1)
      ])
    ])
    console.log()
    const sdk = names.indexOf("SDK")
    const ratio = (a: number, b: number, measure: (s: Sample) => number) =>
      showRatio(summarize(samples[a]!.map((s, round) => measure(s) / Math.max(1, measure(samples[b]![round]!)))))
    const dockerode = names.indexOf("dockerode")
    const raw = names.indexOf("raw node:http")
    printTable([
      ["per-round ratio: median (range)", "RSS growth", "GC time"],
      [
        "SDK / dockerode (goal RSS <= 1)",
        ratio(sdk, dockerode, (s) => s.rssGrowth),
        ratio(sdk, dockerode, (s) => s.gcMs)
      ],
      ["SDK / raw node:http", ratio(sdk, raw, (s) => s.rssGrowth), ratio(sdk, raw, (s) => s.gcMs)],
      ["dockerode / raw node:http", ratio(dockerode, raw, (s) => s.rssGrowth), ratio(dockerode, raw, (s) => s.gcMs)]
    ])
    console.log(`\nload average after: ${loadAverage()} (1/5/15 min)`)
  } finally {
    execFileSync("docker", ["rm", "-f", id])
  }
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]!, process.argv[4]!)
} else {
  await parent(Number(process.argv[2] ?? "1024"), Math.max(3, Number(process.argv[3] ?? "5")))
}
