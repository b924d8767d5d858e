/**
 * Logs end to end: reading a container's logs through the SDK (demultiplexed frames) against `curl --unix-socket`
 * (raw body to /dev/null) and dockerode with docker-modem's demuxer, from the real engine; then the same recorded
 * body served by a local replay server (`bench/logs-replay-server.ts`, its own process) in 64 KiB HTTP chunks, where
 * the client is the bottleneck: SDK against a raw `node:http` read of the same endpoint and against dockerode.
 *
 *   node bench/logs.ts            (256 MiB of 1 KiB lines, 3 rounds)
 *   node bench/logs.ts 64 100 2   (64 MiB of 100-byte lines, 2 rounds)
 *
 * Every implementation reads the whole body (the SDK and dockerode also demultiplex it and count the payload bytes,
 * checked equal); they run in turns (curl, SDK, dockerode, curl, …) so a change in machine load hits all alike, and
 * the median of the rounds is reported. MB/s counts the HTTP body bytes (frame headers included).
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { execFileSync, spawn } from "node:child_process"
import { createWriteStream, mkdirSync, statSync } from "node:fs"
import * as http from "node:http"
import { createRequire } from "node:module"
import * as os from "node:os"
import { dirname, join } from "node:path"
import { Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import * as Containers from "../src/Containers.ts"
import type * as Docker from "../src/Docker.ts"
import * as DockerNode from "../src/platform/node.ts"
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
const rounds = Number(process.argv[4] ?? "3")
const socketPath = "/var/run/docker.sock"
const here = dirname(fileURLToPath(import.meta.url))
const cacheDir = join(here, ".cache")
const image = "effect-docker/busybox:latest"

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

const sdk = (runtime: ManagedRuntime.ManagedRuntime<Docker.Docker, unknown>, id: string): Reader => () => {
  let payload = 0
  let frames = 0
  return runtime.runPromise(
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

/** Runs the readers in turns, `rounds` times each after one warm-up; the median time (ms) of each. */
const measure = async (readers: ReadonlyArray<readonly [string, Reader]>) => {
  const times = readers.map(() => [] as Array<number>)
  const results = readers.map(() => [0, 0] as readonly [number, number])
  for (const [, read] of readers) await read()
  for (let round = 0; round < rounds; round++) {
    for (const [i, [name, read]] of readers.entries()) {
      const start = performance.now()
      results[i] = await read()
      times[i]!.push(performance.now() - start)
      process.stderr.write(`  ${name}: ${(times[i]!.at(-1)! / 1000).toFixed(2)} s\n`)
    }
  }
  return readers.map((_, i) => ({ ms: times[i]!.sort((a, b) => a - b)[Math.floor(rounds / 2)]!, result: results[i]! }))
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
  const cpu = os.cpus()[0]?.model ?? "unknown CPU"
  console.log(
    `logs end to end, ${mib} MiB of ${lineBytes}-byte lines, median of ${rounds}; ${
      new Date().toISOString().slice(0, 10)
    }`
  )
  console.log(
    `${os.cpus().length} CPUs, ${cpu}; Node ${process.version}; load average ${
      os.loadavg().map((l) => l.toFixed(1)).join(" ")
    }\n`
  )
  const line = "x".repeat(lineBytes - 1)
  const id = execFileSync("docker", [
    "create",
    "--network",
    "none",
    "--log-driver",
    "json-file",
    "--label",
    "effect-docker-bench=logs",
    image,
    "sh",
    "-c",
    `yes ${line} | head -c ${mib * 1024 * 1024}`
  ]).toString().trim()
  const runtime = ManagedRuntime.make(DockerNode.layer())
  let replay: { readonly port: number; readonly stop: () => void } | undefined
  try {
    const writing = performance.now()
    execFileSync("docker", ["start", id])
    execFileSync("docker", ["wait", id])
    process.stderr.write(`container wrote ${mib} MiB in ${((performance.now() - writing) / 1000).toFixed(1)} s\n`)

    process.stderr.write("real engine:\n")
    const engine = await measure([
      ["curl", curl(id)],
      ["SDK", sdk(runtime, id)],
      ["dockerode", dockerode({ socketPath }, id)]
    ])
    const [curlRun, sdkRun, modemRun] = engine as [typeof engine[0], typeof engine[0], typeof engine[0]]
    if (sdkRun.result[0] !== curlRun.result[0]) {
      throw new Error(`SDK read ${sdkRun.result[0]} bytes, curl ${curlRun.result[0]}`)
    }
    if (modemRun.result[1] !== sdkRun.result[1]) {
      throw new Error(`dockerode demuxed ${modemRun.result[1]}, SDK ${sdkRun.result[1]}`)
    }

    mkdirSync(cacheDir, { recursive: true })
    const file = join(cacheDir, `logs-${mib}MiB-${lineBytes}B.bin`)
    const recorded = await record(id, file)
    if (recorded !== curlRun.result[0]) throw new Error(`recorded ${recorded} bytes, curl read ${curlRun.result[0]}`)
    replay = await startReplay(file)
    const port = replay.port
    const replayRuntime = ManagedRuntime.make(DockerNode.layer({ host: `tcp://127.0.0.1:${port}` }))
    process.stderr.write("replay (64 KiB chunks):\n")
    const replayed = await measure([
      ["node:http", rawHttp({ host: "127.0.0.1", port, path: `/v1.41/containers/replay/logs?stdout=1&stderr=1` })],
      ["SDK", sdk(replayRuntime, "replay")],
      ["dockerode", dockerode({ host: "127.0.0.1", port, protocol: "http" }, "replay")]
    ])
    await replayRuntime.dispose()
    const [rawRun, sdkReplay, modemReplay] = replayed as [typeof replayed[0], typeof replayed[0], typeof replayed[0]]
    if (sdkReplay.result[1] !== sdkRun.result[1] || modemReplay.result[1] !== sdkRun.result[1]) {
      throw new Error("the replayed payload differs from the engine's")
    }

    const mb = curlRun.result[0] / 1e6
    const rate = (ms: number) => (mb / (ms / 1000)).toFixed(1)
    console.log(`body ${mb.toFixed(1)} MB, payload ${(sdkRun.result[1] / 1e6).toFixed(1)} MB\n`)
    console.log("Real engine (unix socket), MB/s:\n")
    printTable([
      ["reader", "seconds", "MB/s", "vs curl (throughput)"],
      ["curl --unix-socket (raw)", (curlRun.ms / 1000).toFixed(2), rate(curlRun.ms), "1.00x"],
      [
        "SDK Containers.logs (demuxed)",
        (sdkRun.ms / 1000).toFixed(2),
        rate(sdkRun.ms),
        `${(curlRun.ms / sdkRun.ms).toFixed(2)}x`
      ],
      [
        "dockerode + demuxStream",
        (modemRun.ms / 1000).toFixed(2),
        rate(modemRun.ms),
        `${(curlRun.ms / modemRun.ms).toFixed(2)}x`
      ]
    ])
    console.log("\nReplay server (127.0.0.1, 64 KiB chunks), MB/s:\n")
    printTable([
      ["reader", "seconds", "MB/s", "time vs node:http"],
      ["node:http (raw read)", (rawRun.ms / 1000).toFixed(2), rate(rawRun.ms), "1.00x"],
      [
        "SDK Containers.logs (demuxed)",
        (sdkReplay.ms / 1000).toFixed(2),
        rate(sdkReplay.ms),
        `${(sdkReplay.ms / rawRun.ms).toFixed(2)}x`
      ],
      [
        "dockerode + demuxStream",
        (modemReplay.ms / 1000).toFixed(2),
        rate(modemReplay.ms),
        `${(modemReplay.ms / rawRun.ms).toFixed(2)}x`
      ]
    ])
  } finally {
    replay?.stop()
    await runtime.dispose()
    execFileSync("docker", ["rm", "-f", id])
  }
}

await main()
