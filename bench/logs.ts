/**
 * Logs end to end: reading a container's logs through the SDK (demultiplexed frames) against `curl --unix-socket`
 * (raw body to /dev/null) and dockerode with docker-modem's demuxer, from the real engine; then the same recorded
 * body served by a local replay server (`bench/logs-replay-server.ts`, its own process) in 64 KiB HTTP chunks, where
 * the client is the bottleneck: SDK against a raw `node:http` read of the same endpoint and against dockerode. "SDK
 * coalesce" is `Containers.logs` with `coalesce: true` (each stream's bytes, consecutive frames merged).
 *
 *   node bench/logs.ts                     (256 MiB of 1 KiB lines, 5 rounds)
 *   node bench/logs.ts 64 100 5            (64 MiB of 100-byte lines, 5 rounds)
 *   node bench/logs.ts 64 100 5 --replay   (the replay part only)
 *
 * Every implementation reads the whole body (the SDK and dockerode also demultiplex it and count the payload bytes,
 * checked equal). Rounds are rotated (`bench/rounds.ts`): round r starts with implementation r, each turn is one
 * read; every ratio is computed within a round and printed as its median and range over the rounds, with the load
 * average. MB/s counts the HTTP body bytes (frame headers included).
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import { createWriteStream, mkdirSync, statSync } from "node:fs"
import * as http from "node:http"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import * as Containers from "../src/Containers.ts"
import type * as Docker from "../src/Docker.ts"
import * as DockerNode from "../src/platform/node.ts"
import { createLogWriter } from "./logContainer.ts"
import { type Contender, header, loadAverage, medianTime, runRounds, showRatio, timeRatio } from "./rounds.ts"
import { printTable } from "./table.ts"

const require = createRequire(import.meta.url)
const Dockerode = require("dockerode") as new(options: Record<string, unknown>) => {
  getContainer(id: string): { logs(options: Record<string, unknown>): Promise<NodeJS.ReadableStream> }
  modem: {
    demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void
  }
}

const mib = Number(process.argv[2] ?? "256")
const lineBytes = Number(process.argv[3] ?? "1024")
const rounds = Math.max(5, Number(process.argv[4] ?? "5"))
const replayOnly = process.argv.includes("--replay")
const socketPath = "/var/run/docker.sock"
const here = dirname(fileURLToPath(import.meta.url))
const cacheDir = join(here, ".cache")

// -----------------------------------------------------------------------------
// the implementations: each reads the whole body and returns [body bytes, payload bytes]
// -----------------------------------------------------------------------------

type Reader = () => Promise<readonly [number, number]>

const curl = (id: string): Reader => () =>
  new Promise((resolve, reject) => {
    const child = spawn("curl", [
      "-sS",
      "--unix-socket",
      socketPath,
      "-o",
      "/dev/null",
      "-w",
      "%{size_download}",
      `http://localhost/v1.41/containers/${id}/logs?stdout=1&stderr=1`
    ])
    let out = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve([Number(out), -1]) : reject(new Error(`curl exited ${code}`))))
  })

const sdk =
  (runtime: ManagedRuntime.ManagedRuntime<Docker.Docker, unknown>, id: string, coalesce = false): Reader => () => {
    let payload = 0
    let frames = 0
    return runtime.runPromise(
      Containers.logs(id, { tty: false, coalesce }).pipe(
        Stream.runForEachArray((batch) =>
          Effect.sync(() => {
            frames += batch.length
            for (let i = 0; i < batch.length; i++) payload += batch[i]!.payload.length
          })
        ),
        // with `coalesce` the frame count is not the body's: report the payload only
        Effect.map(() => [coalesce ? -1 : payload + 8 * frames, payload] as const)
      )
    )
  }

const counting = (count: (n: number) => void) =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      count(chunk.length)
      callback()
    }
  })

const dockerode = (options: Record<string, unknown>, id: string): Reader => async () => {
  const docker = new Dockerode(options)
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

const rawHttp = (options: http.RequestOptions): Reader => () =>
  new Promise((resolve, reject) => {
    http.get(options, (response) => {
      let body = 0
      response.on("data", (chunk: Buffer) => (body += chunk.length))
      response.on("end", () => resolve([body, -1]))
      response.on("error", reject)
    }).on("error", reject)
  })

/**
 * Runs the readers in rotated rounds (one read per turn, one warm-up read each); checks that the readers that
 * report a body size agree, and likewise the payload sizes. Returns the times (ms) per reader and round.
 */
const measure = async (readers: ReadonlyArray<readonly [string, Reader]>) => {
  const results = new Map<string, readonly [number, number]>()
  const contenders: Array<Contender<undefined>> = readers.map(([name, read]) => ({
    name,
    runs: 1,
    run: async () => {
      const start = performance.now()
      const result = await read()
      results.set(name, result)
      process.stderr.write(`  ${name}: ${((performance.now() - start) / 1000).toFixed(2)} s\n`)
      return 0
    }
  }))
  const times = await runRounds(contenders, undefined, { rounds, warmup: 1, check: () => {} })
  const body = [...results.values()].map(([b]) => b).filter((b) => b >= 0)
  const payload = [...results.values()].map(([, p]) => p).filter((p) => p >= 0)
  if (new Set(body).size > 1) throw new Error(`body sizes differ: ${body.join(", ")}`)
  if (new Set(payload).size > 1) throw new Error(`payload sizes differ: ${payload.join(", ")}`)
  return { times, results }
}

const record = (id: string, file: string) =>
  new Promise<number>((resolve, reject) => {
    http.get({ socketPath, path: `/v1.41/containers/${id}/logs?stdout=1&stderr=1` }, (response) => {
      const out = createWriteStream(file)
      response.pipe(out)
      out.on("finish", () => resolve(statSync(file).size))
      out.on("error", reject)
    }).on("error", reject)
  })

const startReplay = (file: string) =>
  new Promise<{ readonly port: number; readonly stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "logs-replay-server.ts"), file, "65536"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.on("error", reject)
    child.stdout.on("data", (d: Buffer) => {
      const match = /listening (\d+)/.exec(d.toString())
      if (match !== null) resolve({ port: Number(match[1]), stop: () => child.kill("SIGTERM") })
    })
  })

const main = async () => {
  header(`bench:logs, ${mib} MiB of ${lineBytes}-byte lines, ${rounds} rotated rounds`)
  const id = createLogWriter("logs", mib, lineBytes)
  const runtime = ManagedRuntime.make(DockerNode.layer())
  let replay: { readonly port: number; readonly stop: () => void } | undefined
  try {
    const writing = performance.now()
    execFileSync("docker", ["start", id])
    execFileSync("docker", ["wait", id])
    process.stderr.write(`container wrote ${mib} MiB in ${((performance.now() - writing) / 1000).toFixed(1)} s\n`)
    mkdirSync(cacheDir, { recursive: true })
    const file = join(cacheDir, `logs-${mib}MiB-${lineBytes}B.bin`)
    const recorded = await record(id, file)
    const mb = recorded / 1e6
    const rate = (ms: number) => (mb / (ms / 1000)).toFixed(1)
    const table = (
      title: string,
      names: ReadonlyArray<string>,
      times: ReadonlyArray<ReadonlyArray<number>>,
      base: number,
      label: string
    ) => {
      console.log(`${title}\n`)
      printTable([
        ["reader", "seconds (median)", "MB/s", `${label}: median (range)`],
        ...names.map((name, i) => [
          name,
          (medianTime(times, i) / 1000).toFixed(2),
          rate(medianTime(times, i)),
          i === base ? "1" : showRatio(timeRatio(times, i, base))
        ])
      ])
      console.log()
    }

    if (!replayOnly) {
      process.stderr.write("real engine:\n")
      const engine = await measure([
        ["curl", curl(id)],
        ["SDK", sdk(runtime, id)],
        ["dockerode", dockerode({ socketPath }, id)]
      ])
      if (engine.results.get("curl")![0] !== recorded) {
        throw new Error(`curl read ${engine.results.get("curl")![0]} bytes`)
      }
      table(
        "Real engine (unix socket):",
        ["curl --unix-socket (raw)", "SDK Containers.logs (demuxed)", "dockerode + demuxStream"],
        engine.times,
        0,
        "time vs curl"
      )
    }

    replay = await startReplay(file)
    const port = replay.port
    const replayRuntime = ManagedRuntime.make(DockerNode.layer({ host: `tcp://127.0.0.1:${port}` }))
    process.stderr.write("replay (64 KiB chunks):\n")
    const replayed = await measure([
      ["node:http", rawHttp({ host: "127.0.0.1", port, path: `/v1.41/containers/replay/logs?stdout=1&stderr=1` })],
      ["SDK", sdk(replayRuntime, "replay")],
      ["SDK coalesce", sdk(replayRuntime, "replay", true)],
      ["dockerode", dockerode({ host: "127.0.0.1", port, protocol: "http" }, "replay")]
    ])
    await replayRuntime.dispose()
    if (replayed.results.get("node:http")![0] !== recorded) {
      throw new Error("the replayed body differs from the recording")
    }
    console.log(`body ${mb.toFixed(1)} MB, payload ${(replayed.results.get("SDK")![1] / 1e6).toFixed(1)} MB\n`)
    table(
      "Replay server (127.0.0.1, 64 KiB chunks):",
      [
        "node:http (raw read)",
        "SDK Containers.logs (demuxed)",
        "SDK Containers.logs coalesce",
        "dockerode + demuxStream"
      ],
      replayed.times,
      0,
      "time vs node:http (goal SDK <= 1.3)"
    )
    console.log(`load average after: ${loadAverage()} (1/5/15 min)`)
  } finally {
    replay?.stop()
    await runtime.dispose()
    execFileSync("docker", ["rm", "-f", id])
  }
}

await main()
