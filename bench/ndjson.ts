/**
 * NDJSON throughput: the SDK's parser (bare and through `Ndjson.decode()` on a Stream) against a
 * `split("\n") + JSON.parse` baseline, and Effect's own `effect/encoding/Ndjson` decoder, on seeded `/events`-like and
 * pull-progress-like lines from `test/fixtures/frames.ts`, in 64 KiB chunks.
 *
 *   node bench/ndjson.ts          (node_modules/.bin/node, Node 24)
 *   node bench/ndjson.ts 0.25     (smaller inputs)
 *   node bench/ndjson.ts 1 9      (9 rounds)
 *
 * The baseline decodes each chunk with a streaming TextDecoder, splits on "\n" keeping the unfinished tail, and
 * JSON.parses each line: it rounds the int64 `timeNano` of events (the SDK returns a bigint) and keeps `null`s.
 * The Stream paths read one chunk per pull. Implementations run in rotated rounds (`bench/rounds.ts`): each ratio is
 * taken within a round and reported as the median and range over the rounds.
 */
import * as Effect from "effect/Effect"
import * as EffectNdjson from "effect/encoding/Ndjson"
import * as Stream from "effect/Stream"
import { NdjsonParser } from "../src/internal/ndjsonParser.ts"
import * as Ndjson from "../src/Ndjson.ts"
import { chunkBytes, eventLine, ndjsonText, progressLine } from "../test/fixtures/frames.ts"
import { header, loadAverage, medianTime, runRounds, showRatio, speedRatio } from "./rounds.ts"
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

const main = async () => {
  const inputs = [
    input("events-like", 11, Math.round(40_000 * scale), eventLine),
    input("pull-progress-like", 12, Math.round(100_000 * scale), progressLine)
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
}

await main()
