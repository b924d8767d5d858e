/**
 * NDJSON throughput: the SDK's parser (bare and through `Ndjson.decode()` on a Stream) against a
 * `split("\n") + JSON.parse` baseline, and Effect's own `effect/encoding/Ndjson` decoder, on seeded `/events`-like and
 * pull-progress-like lines from `test/fixtures/frames.ts` and stats-like lines (big integers nested, below), in 64 KiB
 * chunks.
 *
 *   node bench/ndjson.ts          (node_modules/.bin/node, Node 24)
 *   node bench/ndjson.ts 0.25     (smaller inputs)
 *   node bench/ndjson.ts 1 9      (9 rounds)
 *
 * The baseline decodes each chunk with a streaming TextDecoder, splits on "\n" keeping the unfinished tail, and
 * JSON.parses each line: it rounds the int64 `timeNano` of events (the SDK returns a bigint) and keeps `null`s.
 * The Stream paths read one chunk per pull. Implementations run in rotated rounds (`bench/rounds.ts`): each ratio is
 * taken within a round and reported as the median and range over the rounds.
 *
 * A second table times the JSON step alone, per text, in the same rotated rounds: `JSON.parse`, `parseJson` (every
 * JSON response) and `parseJsonLine` (NDJSON lines, when the source has it) on the events-like and pull-progress-like
 * lines, cut as the parser cuts them, on stats-like lines and on container-inspect-like bodies (nested, with `null`s, no
 * big integer).
 */
import * as Effect from "effect/Effect"
import * as EffectNdjson from "effect/encoding/Ndjson"
import * as Stream from "effect/Stream"
import * as Json from "../src/internal/json.ts"
import { NdjsonParser } from "../src/internal/ndjsonParser.ts"
import * as Ndjson from "../src/Ndjson.ts"
import { chunkBytes, eventLine, makeRng, ndjsonText, progressLine, type Rng } from "../test/fixtures/frames.ts"
import { header, loadAverage, medianTime, runRounds, showRatio, speedRatio, timeRatio } from "./rounds.ts"
import { printTable } from "./table.ts"

const scale = Number(process.argv[2] ?? "1")
const rounds = Number(process.argv[3] ?? "7")

interface Input {
  readonly name: string
  readonly lines: number
  readonly bytes: number
  readonly chunks: ReadonlyArray<Uint8Array>
}

const input = (name: string, seed: number, lines: number, line: typeof eventLine): Input => {
  const bytes = new TextEncoder().encode(ndjsonText(seed, lines, line))
  return { name, lines, bytes: bytes.length, chunks: chunkBytes(bytes, 65536) }
}

/** Each implementation returns the number of values it produced. */
type Impl = (input: Input) => number | Promise<number>

const baseline: Impl = (input) => {
  const decoder = new TextDecoder()
  let tail = ""
  let count = 0
  for (const chunk of input.chunks) {
    const lines = (tail + decoder.decode(chunk, { stream: true })).split("\n")
    tail = lines.pop()!
    for (const line of lines) {
      if (line.length > 0) {
        JSON.parse(line)
        count++
      }
    }
  }
  if (tail.length > 0) {
    JSON.parse(tail)
    count++
  }
  return count
}

const parser: Impl = (input) => {
  const ndjson = new NdjsonParser()
  let count = 0
  for (const chunk of input.chunks) {
    const out: Array<unknown> = []
    if (ndjson.write(chunk, out) !== undefined) throw new Error("parse failure")
    count += out.length
  }
  const out: Array<unknown> = []
  if (ndjson.end(out) !== undefined) throw new Error("parse failure")
  return count + out.length
}

const countStream = (stream: Stream.Stream<unknown, unknown>): Promise<number> => {
  let count = 0
  return Effect.runPromise(
    stream.pipe(
      Stream.runForEachArray((values) => Effect.sync(() => count += values.length)),
      Effect.map(() => count)
    )
  )
}

const streamPath: Impl = (input) =>
  countStream(Stream.fromIterable(input.chunks, { chunkSize: 1 }).pipe(Stream.pipeThroughChannel(Ndjson.decode())))

const effectNdjson: Impl = (input) =>
  countStream(
    Stream.fromIterable(input.chunks, { chunkSize: 1 }).pipe(
      Stream.pipeThroughChannel(EffectNdjson.decode({ ignoreEmptyLines: true }))
    )
  )

/**
 * One line shaped like `GET /containers/{id}/stats` (about 600 bytes): the daemon's "no limit" memory limit
 * (9223372036854771712, beyond 2^53) nested in `memory_stats`, a `null` in `blkio_stats`.
 */
const statsLine = (rng: Rng): string => {
  const n = () => rng.int(0, 1e9)
  return `{"read":"2026-11-29T17:00:0${rng.int(0, 9)}.123456789Z","preread":"2026-11-29T16:59:59.123456789Z",` +
    `"pids_stats":{"current":${rng.int(1, 50)}},"blkio_stats":{"io_service_bytes_recursive":null},` +
    `"cpu_stats":{"cpu_usage":{"total_usage":${n()},"usage_in_kernelmode":${n()},"usage_in_usermode":${n()}},` +
    `"system_cpu_usage":${
      rng.int(1e12, 9e12)
    },"online_cpus":2,"throttling_data":{"periods":0,"throttled_periods":0}},` +
    `"memory_stats":{"usage":${n()},"stats":{"active_anon":${n()},"cache":${n()},` +
    `"hierarchical_memory_limit":9223372036854771712,"rss":${n()}},"limit":9223372036854771712},` +
    `"name":"/c-${rng.int(0, 1e6)}","id":"${"0123456789abcdef".repeat(4)}",` +
    `"networks":{"eth0":{"rx_bytes":${n()},"rx_packets":${n()},"tx_bytes":${n()},"tx_packets":${n()}}}}`
}

/** The lines of an NDJSON text, as the parser cuts them (slices of the decoded text). */
const linesOf = (text: string): Array<string> => {
  const lines: Array<string> = []
  for (let start = 0, nl = text.indexOf("\n"); nl >= 0; start = nl + 1, nl = text.indexOf("\n", start)) {
    lines.push(text.slice(start, nl))
  }
  return lines
}

/** A body shaped like `GET /containers/{id}/json` (about 3 KB, 30 `null`s, no integer beyond 2^53). */
const inspectBody = (rng: Rng): string => {
  const id = Array.from({ length: 64 }, () => "0123456789abcdef"[rng.int(0, 15)]).join("")
  const nulls = (names: ReadonlyArray<string>) => Object.fromEntries(names.map((name) => [name, null]))
  return JSON.stringify({
    Id: id,
    Created: "2026-11-29T17:00:00.123456789Z",
    Path: "sh",
    Args: ["-c", "sleep 1"],
    State: { Status: "created", Running: false, Paused: false, Pid: 0, ExitCode: 0, Error: "", Health: null },
    Image: "sha256:" + id,
    ResolvConfPath: "",
    Name: `/c-${rng.int(0, 1e6)}`,
    RestartCount: 0,
    Driver: "overlay2",
    Platform: "linux",
    MountLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      ContainerIDFile: "",
      LogConfig: { Type: "json-file", Config: {} },
      NetworkMode: "default",
      PortBindings: {},
      RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
      AutoRemove: false,
      ...nulls(["VolumeDriver", "VolumesFrom", "CapAdd", "CapDrop", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts"]),
      ...nulls(["GroupAdd", "Links", "OomScoreAdj", "SecurityOpt", "BlkioWeightDevice", "BlkioDeviceReadBps"]),
      ...nulls(["BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "Devices", "DeviceRequests"]),
      ...nulls(["MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits", "MaskedPaths", "ReadonlyPaths"]),
      CgroupnsMode: "host",
      ShmSize: 67108864,
      Memory: rng.int(0, 1 << 30),
      NanoCpus: 0,
      CpuShares: 0,
      Isolation: "",
      ConsoleSize: [0, 0]
    },
    GraphDriver: {
      Name: "overlay2",
      Data: Object.fromEntries(
        ["LowerDir", "MergedDir", "UpperDir", "WorkDir"].map((k) => [k, `/var/lib/docker/overlay2/${id}/${k}`])
      )
    },
    Mounts: [],
    Config: {
      Hostname: id.slice(0, 12),
      Domainname: "",
      User: "",
      Tty: false,
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Cmd: ["sh", "-c", "sleep 1"],
      Image: "effect-docker/busybox:latest",
      Volumes: null,
      WorkingDir: "",
      Entrypoint: null,
      OnBuild: null,
      Labels: { "com.example.a": "b", "com.example.n": String(rng.int(0, 1000)) }
    },
    NetworkSettings: {
      Bridge: "",
      SandboxID: "",
      Ports: {},
      SandboxKey: "",
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      Networks: {
        bridge: {
          IPAMConfig: null,
          Links: null,
          Aliases: null,
          NetworkID: id,
          EndpointID: "",
          Gateway: "",
          IPAddress: "",
          IPPrefixLen: 0,
          MacAddress: "",
          DriverOpts: null
        }
      }
    }
  })
}

/** Times the JSON step alone on each kind of text: `JSON.parse`, `parseJson` and, when present, `parseJsonLine`. */
const jsonStep = async (): Promise<Array<Array<string>>> => {
  const parseJsonLine = (Json as { readonly parseJsonLine?: (text: string) => unknown }).parseJsonLine
  const rng = makeRng(13)
  const texts: Array<readonly [string, ReadonlyArray<string>]> = [
    ["events-like lines", linesOf(ndjsonText(11, Math.round(20_000 * scale), eventLine))],
    ["pull-progress-like lines", linesOf(ndjsonText(12, Math.round(40_000 * scale), progressLine))],
    ["stats-like lines", linesOf(ndjsonText(14, Math.round(10_000 * scale), statsLine))],
    ["inspect-like bodies", Array.from({ length: Math.round(3_000 * scale) }, () => inspectBody(rng))]
  ]
  const each = (parse: (text: string) => unknown) => (lines: ReadonlyArray<string>): number => {
    let count = 0
    for (let i = 0; i < lines.length; i++) if (parse(lines[i]!) !== undefined) count++
    return count
  }
  const contenders = [
    { name: "JSON.parse", run: each(JSON.parse) },
    { name: "parseJson", run: each(Json.parseJson) },
    ...(parseJsonLine === undefined ? [] : [{ name: "parseJsonLine", run: each(parseJsonLine) }])
  ]
  const rows: Array<Array<string>> = [[
    "texts",
    "count",
    "B/text",
    "JSON.parse µs/text",
    "parseJson / JSON.parse",
    "parseJsonLine / JSON.parse"
  ]]
  for (const [name, lines] of texts) {
    const times = await runRounds(contenders, lines, {
      rounds,
      check: (who, count) => {
        if (count !== lines.length) throw new Error(`${who}: expected ${lines.length} values, got ${count}`)
      }
    })
    rows.push([
      name,
      String(lines.length),
      (lines.reduce((n, line) => n + line.length, 0) / lines.length).toFixed(0),
      (medianTime(times, 0) * 1000 / lines.length).toFixed(2),
      showRatio(timeRatio(times, 1, 0)),
      contenders.length > 2 ? showRatio(timeRatio(times, 2, 0)) : "-"
    ])
  }
  return rows
}

const main = async () => {
  const inputs = [
    input("events-like", 11, Math.round(40_000 * scale), eventLine),
    input("pull-progress-like", 12, Math.round(100_000 * scale), progressLine),
    input("stats-like", 14, Math.round(20_000 * scale), statsLine)
  ]
  header("NDJSON throughput, MB/s (median of rounds)")
  const rows: Array<Array<string>> = [[
    "input",
    "lines",
    "B/line",
    "MB",
    "split+JSON.parse",
    "parser",
    "Stream",
    "effect Ndjson",
    "parser/baseline",
    "Stream/baseline",
    "Stream/effect"
  ]]
  for (const item of inputs) {
    const mb = item.bytes / 1e6
    const rate = (ms: number) => (mb / (ms / 1000)).toFixed(0)
    const times = await runRounds(
      [
        { name: "baseline", run: baseline },
        { name: "parser", run: parser },
        { name: "Stream", run: streamPath },
        { name: "effect", run: effectNdjson }
      ],
      item,
      {
        rounds,
        check: (name, count) => {
          if (count !== item.lines) throw new Error(`${name}: expected ${item.lines} values, got ${count}`)
        }
      }
    )
    rows.push([
      item.name,
      String(item.lines),
      (item.bytes / item.lines).toFixed(0),
      mb.toFixed(1),
      rate(medianTime(times, 0)),
      rate(medianTime(times, 1)),
      rate(medianTime(times, 2)),
      rate(medianTime(times, 3)),
      showRatio(speedRatio(times, 1, 0)),
      showRatio(speedRatio(times, 2, 0)),
      showRatio(speedRatio(times, 2, 3))
    ])
  }
  printTable(rows)
  console.log(`\nratios: throughput, median (min-max) of ${rounds} rotated rounds; load average now ${loadAverage()}`)
  console.log("\nThe JSON step alone (time ratios: below 1 is faster than JSON.parse)\n")
  printTable(await jsonStep())
  console.log(`\nratios: time, median (min-max) of ${rounds} rotated rounds; load average now ${loadAverage()}`)
}

await main()
