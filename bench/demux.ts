/**
 * Demux throughput: the public Stream path (`Demux.demuxStream`) and the bare parser, against a memcpy baseline
 * (copying the same chunks with `Uint8Array.set` into a preallocated buffer) and docker-modem's `demuxStream` fed
 * through a Node `PassThrough`, on the seeded inputs of `test/fixtures/frames.ts`.
 *
 *   node bench/demux.ts          (node_modules/.bin/node, Node 24)
 *   node bench/demux.ts 0.25     (a quarter of the input sizes, for a quick look)
 *
 * The Stream path reads one chunk per pull, as from a socket; "Stream partial" is the same with `partialFrames: true`
 * (frames spanning chunks come out in pieces, no copy); "Stream w/o demux" is that same source drained without
 * the demuxer (Effect's per-pull floor); "Stream coalesced" is `coalesce: true` (each stream's bytes, consecutive
 * frames of one stream moved together inside the input chunk, which it overwrites: it gets a fresh copy of the input
 * before each run, outside the timing) and "parser coalesced" the bare parser in that mode. "memcpy fresh" copies
 * each chunk into newly allocated memory (`slice`), the floor of whole-frame mode, which must hand a spanning frame
 * out in memory nobody else owns; "memcpy" copies into one warm buffer. MB/s counts encoded input bytes (headers included). Implementations run in
 * rotated rounds (`bench/rounds.ts`; docker-modem one run per turn, it is slow): each ratio is taken within a round and
 * reported as the median and range over the rounds.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createRequire } from "node:module"
import { PassThrough, Writable } from "node:stream"
import * as Demux from "../src/Demux.ts"
import { makeDemuxParser, type RawFrame } from "../src/internal/demuxParser.ts"
import { type DemuxScenario, demuxScenario, demuxScenarios } from "../test/fixtures/frames.ts"
import { type Contender, header, loadAverage, medianTime, runRounds, showRatio, speedRatio } from "./rounds.ts"
import { printTable } from "./table.ts"

const require = createRequire(import.meta.url)
const Modem = require("docker-modem") as new() => {
  demuxStream: (stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void
}
const modem = new Modem()

const scale = Number(process.argv[2] ?? "1")
const rounds = Number(process.argv[3] ?? "7")

/** Each implementation returns the number of payload bytes it saw, checked against the input. */
type Impl = (scenario: DemuxScenario) => number | Promise<number>

/** The copy baseline writes into one buffer allocated (and touched) before the timing. */
const targets = new Map<DemuxScenario, Uint8Array>()
const memcpy: Impl = (scenario) => {
  let target = targets.get(scenario)
  if (target === undefined) targets.set(scenario, target = new Uint8Array(scenario.bytes).fill(1))
  let offset = 0
  for (const chunk of scenario.chunks) {
    target.set(chunk, offset)
    offset += chunk.length
  }
  return offset
}

/** The copy baseline into fresh memory: one new buffer per chunk, as a spanning frame needs. */
const memcpyFresh: Impl = (scenario) => {
  let bytes = 0
  for (const chunk of scenario.chunks) bytes += chunk.slice().length
  return bytes
}

/** Writable copies of the input for the coalescing runs, refilled before each run (outside the timing). */
const copies = new Map<DemuxScenario, ReadonlyArray<Uint8Array>>()
const refill = (scenario: DemuxScenario): void => {
  let chunks = copies.get(scenario)
  if (chunks === undefined) copies.set(scenario, chunks = scenario.chunks.map((chunk) => chunk.slice()))
  for (let i = 0; i < chunks.length; i++) chunks[i]!.set(scenario.chunks[i]!)
}
const fresh = (scenario: DemuxScenario): DemuxScenario => ({ ...scenario, chunks: copies.get(scenario)! })

/** The bare parser over `chunks` (the input, or its writable copies when coalescing moves payloads in place). */
const parserWith = (coalesce: boolean): Impl => (scenario) => {
  const demux = makeDemuxParser({ coalesce })
  let bytes = 0
  for (const chunk of coalesce ? copies.get(scenario)! : scenario.chunks) {
    const out: Array<RawFrame> = []
    const failure = demux.write(chunk, out)
    if (failure !== undefined) throw new Error(failure._tag)
    for (let i = 0; i < out.length; i++) bytes += out[i]!.payload.length
  }
  if (demux.end() !== undefined) throw new Error("truncated")
  return bytes
}
const parserCoalesced = parserWith(true)
const parser = parserWith(false)

const streamPath = (options?: Demux.DemuxOptions): Impl => (scenario) => {
  let bytes = 0
  return Effect.runPromise(
    Stream.fromIterable(scenario.chunks, { chunkSize: 1 }).pipe(
      Demux.demuxStream(options),
      Stream.runForEachArray((frames) =>
        Effect.sync(() => {
          for (let i = 0; i < frames.length; i++) bytes += frames[i]!.payload.length
        })
      ),
      Effect.map(() => bytes)
    )
  )
}

/** The same source Stream without the demuxer: the floor set by Effect's per-pull cost. */
const streamIdentity: Impl = (scenario) => {
  let bytes = 0
  return Effect.runPromise(
    Stream.fromIterable(scenario.chunks, { chunkSize: 1 }).pipe(
      Stream.runForEachArray((chunks) =>
        Effect.sync(() => {
          for (let i = 0; i < chunks.length; i++) bytes += chunks[i]!.length
        })
      ),
      Effect.map(() => bytes)
    )
  )
}

const dockerModem: Impl = (scenario) =>
  new Promise<number>((resolve, reject) => {
    let bytes = 0
    const sink = () =>
      new Writable({
        write(chunk: Uint8Array, _encoding, callback) {
          bytes += chunk.length
          callback()
        }
      })
    const input = new PassThrough()
    input.on("end", () => resolve(bytes))
    input.on("error", reject)
    modem.demuxStream(input, sink(), sink())
    for (const chunk of scenario.chunks) input.write(chunk)
    input.end()
  })

const main = async () => {
  header(`demux throughput, MB/s of input (median of rounds), scale ${scale}`)
  const rows: Array<Array<string>> = [[
    "input",
    "frames",
    "MB",
    "memcpy",
    "memcpy fresh",
    "docker-modem",
    "parser",
    "parser coalesced",
    "Stream",
    "Stream partial",
    "Stream coalesced",
    "Stream w/o demux",
    "Stream/memcpy",
    "Stream/memcpy fresh",
    "partial/memcpy",
    "coalesced/memcpy",
    "parser/memcpy",
    "parser/memcpy fresh",
    "parser coalesced/memcpy",
    "Stream/modem",
    "parser/modem"
  ]]
  for (const spec of demuxScenarios) {
    // built one at a time, so the heap holds only the input being measured
    const scenario = demuxScenario(spec, scale)
    targets.clear()
    copies.clear()
    const payload = scenario.bytes - 8 * scenario.frames
    const mb = scenario.bytes / 1e6
    const rate = (ms: number) => mb / (ms / 1000)
    const contenders: Array<Contender<DemuxScenario> & { readonly expected: number }> = [
      { name: "memcpy", run: memcpy, expected: scenario.bytes },
      { name: "memcpy fresh", run: memcpyFresh, expected: scenario.bytes },
      { name: "docker-modem", run: dockerModem, expected: payload, runs: 1 }, // slow: one run per turn
      { name: "parser", run: parser, expected: payload },
      { name: "parser coalesced", run: parserCoalesced, expected: payload, setup: refill },
      { name: "Stream", run: streamPath(), expected: payload },
      { name: "Stream partial", run: streamPath({ partialFrames: true }), expected: payload },
      {
        name: "Stream coalesced",
        run: (scenario) => streamPath({ coalesce: true })(fresh(scenario)),
        expected: payload,
        setup: refill
      },
      { name: "Stream w/o demux", run: streamIdentity, expected: scenario.bytes }
    ]
    const times = await runRounds(contenders, scenario, {
      rounds,
      check: (name, bytes) => {
        const expected = contenders.find((c) => c.name === name)!.expected
        if (bytes !== expected) throw new Error(`${name}: expected ${expected} payload bytes, got ${bytes}`)
      }
    })
    const t = times.map((_, i) => medianTime(times, i))
    const x = (a: number, b: number) => showRatio(speedRatio(times, a, b))
    rows.push([
      scenario.name,
      String(scenario.frames),
      mb.toFixed(1),
      ...t.map((ms, i) => rate(ms).toFixed(i === 2 ? 1 : 0)),
      x(5, 0),
      x(5, 1),
      x(6, 0),
      x(7, 0),
      x(3, 0),
      x(3, 1),
      x(4, 0),
      x(5, 2),
      x(3, 2)
    ])
  }
  printTable(rows)
  console.log(`\nratios: throughput, median (min-max) of ${rounds} rotated rounds; load average now ${loadAverage()}`)
}

await main()
