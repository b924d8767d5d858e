/**
 * NDJSON throughput: the SDK's parser (bare and through `Ndjson.decode()` on a Stream) against a
 * `split("\n") + JSON.parse` baseline, and Effect's own `effect/encoding/Ndjson` decoder, on seeded `/events`-like and
 * pull-progress-like lines from `test/fixtures/frames.ts`, in 64 KiB chunks.
 *
 *   node bench/ndjson.ts          (node_modules/.bin/node, Node 24)
 *   node bench/ndjson.ts 0.25     (smaller inputs)
 *
 * The baseline decodes each chunk with a streaming TextDecoder, splits on "\n" keeping the unfinished tail, and
 * JSON.parses each line: it rounds the int64 `timeNano` of events (the SDK returns a bigint) and keeps `null`s.
 * The Stream paths read one chunk per pull. Implementations run in turns of 3 runs; the median is reported.
 */
import * as Effect from "effect/Effect"
import * as EffectNdjson from "effect/encoding/Ndjson"
import * as Stream from "effect/Stream"
import * as os from "node:os"
import * as Ndjson from "../src/Ndjson.ts"
import { NdjsonParser } from "../src/internal/ndjsonParser.ts"
import { chunkBytes, eventLine, ndjsonText, progressLine } from "../test/fixtures/frames.ts"
import { printTable } from "./table.ts"

const scale = Number(process.argv[2] ?? "1")

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

/** Blocks of 3 consecutive runs per implementation, taken in turn; median of at least 9 runs each. */
const measure = async (impls: ReadonlyArray<Impl>, input: Input, minRuns = 9, minMs = 4000) => {
  const times: Array<Array<number>> = impls.map(() => [])
  for (const impl of impls) for (let i = 0; i < 2; i++) await impl(input)
  let total = 0
  for (let round = 0; round < 20 && (round * 3 < minRuns || total < minMs); round++) {
    for (const [i, impl] of impls.entries()) {
      for (let run = 0; run < 3; run++) {
        const start = performance.now()
        const count = await impl(input)
        const elapsed = performance.now() - start
        if (count !== input.lines) throw new Error(`expected ${input.lines} values, got ${count}`)
        times[i]!.push(elapsed)
        total += elapsed
      }
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!)
}

const main = async () => {
  const inputs = [
    input("events-like", 11, Math.round(40_000 * scale), eventLine),
    input("pull-progress-like", 12, Math.round(100_000 * scale), progressLine)
  ]
  console.log(`NDJSON throughput, MB/s (median); ${new Date().toISOString().slice(0, 10)}`)
  const cpu = os.cpus()[0]?.model ?? "unknown CPU"
  console.log(`${os.cpus().length} CPUs, ${cpu}; Node ${process.version}; scale ${scale}\n`)
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
    const x = (a: number, b: number) => `${(b / a).toFixed(2)}x`
    const [tBase, tParser, tStream, tEffect] = (await measure([baseline, parser, streamPath, effectNdjson], item)) as [
      number,
      number,
      number,
      number
    ]
    rows.push([
      item.name,
      String(item.lines),
      (item.bytes / item.lines).toFixed(0),
      mb.toFixed(1),
      rate(tBase),
      rate(tParser),
      rate(tStream),
      rate(tEffect),
      x(tParser, tBase),
      x(tStream, tBase),
      x(tStream, tEffect)
    ])
  }
  printTable(rows)
}

await main()
