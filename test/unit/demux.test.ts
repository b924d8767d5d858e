import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as Demux from "../../src/Demux.ts"
import { CoalescingParser, type DemuxFailure, DemuxParser, type RawFrame } from "../../src/internal/demuxParser.ts"
import { chunkBytes, cutAt, encodeFrames, fillRandom, makeRng, streamBytes } from "../fixtures/frames.ts"

const SEED = 20261123
const RUNS = 1000
const enc = new TextEncoder()

interface Spec {
  readonly stream: 1 | 2
  readonly payload: Uint8Array
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Frames as comparable values: stream and payload bytes, empty payloads left out (the demuxer skips them). */
const shape = (frames: ReadonlyArray<{ readonly stream: number; readonly payload: Uint8Array }>) =>
  frames.filter((f) => f.payload.length > 0).map((f) => ({ stream: f.stream, payload: Array.from(f.payload) }))

const sameFrames = (
  actual: ReadonlyArray<{ readonly stream: number; readonly payload: Uint8Array }>,
  expected: ReadonlyArray<{ readonly stream: number; readonly payload: Uint8Array }>
): boolean => {
  const want = expected.filter((f) => f.payload.length > 0)
  if (actual.length !== want.length) return false
  for (let i = 0; i < want.length; i++) {
    if (actual[i]!.stream !== want[i]!.stream || !sameBytes(actual[i]!.payload, want[i]!.payload)) return false
  }
  return true
}

const runParser = (chunks: ReadonlyArray<Uint8Array>, maxFrameSize?: number) => {
  const parser = new DemuxParser({ maxFrameSize })
  const out: Array<RawFrame> = []
  const failure = parser.writeAll(chunks, out) ?? parser.end()
  return { out, failure }
}

/** Runs the public Stream path, keeping the frames emitted before a failure. */
const runStream = (chunks: ReadonlyArray<Uint8Array>, options?: Demux.DemuxOptions) => {
  const out: Array<Demux.Frame> = []
  const exit = Effect.runSyncExit(
    Stream.fromIterable(chunks).pipe(
      Stream.pipeThroughChannel(Demux.demux(options)),
      Stream.runForEachArray((batch) => Effect.sync(() => out.push(...batch)))
    )
  )
  return { out, exit }
}

const failureOf = <E>(exit: Exit.Exit<unknown, E>): E | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" ? error.value : undefined
}

/** Payload sizes: mostly small, some up to 1 MiB. */
const sizeArb = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4096 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 << 20 }) }
)

const framesArb: fc.Arbitrary<Array<Spec>> = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom<1 | 2>(1, 2), sizeArb), { maxLength: 16 }), fc.integer())
  .map(([specs, seed]): Array<Spec> => {
    const rng = makeRng(seed)
    return specs.map(([stream, size]) => ({ stream, payload: fillRandom(rng, new Uint8Array(size)) }))
  })

const nonEmptyFramesArb = framesArb.filter((frames) => frames.length > 0)

/** A cut of `length` bytes: fixed-size chunks (at most 20k of them) or random cut points. */
type Cut =
  | { readonly _tag: "Size"; readonly size: number }
  | { readonly _tag: "Points"; readonly points: Array<number> }

const cutArb: fc.Arbitrary<Cut> = fc.oneof(
  fc.integer({ min: 1, max: 16 }).map((size): Cut => ({ _tag: "Size", size })),
  fc.integer({ min: 1, max: 1 << 21 }).map((size): Cut => ({ _tag: "Size", size })),
  fc.array(fc.nat(), { maxLength: 64 }).map((points): Cut => ({ _tag: "Points", points }))
)

const applyCut = (bytes: Uint8Array, cut: Cut): Array<Uint8Array> => {
  if (cut._tag === "Size") return cutAt(bytes, sizes(bytes.length, Math.max(cut.size, Math.ceil(bytes.length / 20000))))
  const points = [...new Set(cut.points.map((p) => (bytes.length === 0 ? 0 : p % bytes.length)))].sort((a, b) => a - b)
  return cutAt(bytes, points)
}

const sizes = (length: number, size: number): Array<number> => {
  const points: Array<number> = []
  for (let i = size; i < length; i += size) points.push(i)
  return points
}

/** Header offsets of each frame, and the total length. */
const layout = (frames: ReadonlyArray<Spec>) => {
  const offsets: Array<number> = []
  let offset = 0
  for (const frame of frames) {
    offsets.push(offset)
    offset += 8 + frame.payload.length
  }
  return { offsets, total: offset }
}

describe("Demux parser", () => {
  it("round-trips any frames under any chunking, on the parser and the Stream path", () => {
    fc.assert(
      fc.property(framesArb, cutArb, (frames, cut) => {
        const chunks = applyCut(encodeFrames(frames), cut)
        const parsed = runParser(chunks)
        expect(parsed.failure).toBeUndefined()
        expect(sameFrames(parsed.out, frames)).toBe(true)
        const streamed = runStream(chunks)
        expect(Exit.isSuccess(streamed.exit)).toBe(true)
        expect(sameFrames(streamed.out, frames)).toBe(true)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("fails with UnknownStreamType on a corrupted header, after exactly the frames before it", () => {
    fc.assert(
      fc.property(
        nonEmptyFramesArb,
        fc.nat(),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 255 }),
        cutArb,
        (frames, pick, position, noise, cut) => {
          const index = pick % frames.length
          const bytes = encodeFrames(frames)
          const at = layout(frames).offsets[index]!
          // byte 0 must be > 3 to be invalid; bytes 1-3 must be non-zero
          bytes[at + position] = position === 0 ? 4 + (noise % 252) : noise
          const header = bytes.slice(at, at + 8)
          const chunks = applyCut(bytes, cut)
          const before = frames.slice(0, index)

          const parsed = runParser(chunks)
          expect(parsed.failure).toEqual({ _tag: "UnknownStreamType", offset: at, header })
          expect(sameFrames(parsed.out, before)).toBe(true)

          const streamed = runStream(chunks)
          const error = failureOf(streamed.exit)
          expect(error).toBeInstanceOf(Demux.DemuxError)
          expect(error).toMatchObject({ _tag: "DemuxError", reason: "UnknownStreamType", offset: at })
          expect(sameFrames(streamed.out, before)).toBe(true)
        }
      ),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("fails with Truncated when the input stops inside a frame, naming the missing bytes", () => {
    fc.assert(
      fc.property(nonEmptyFramesArb, fc.nat(), cutArb, (frames, pick, cut) => {
        const bytes = encodeFrames(frames)
        const { offsets, total } = layout(frames)
        const length = pick % total
        const chunks = applyCut(bytes.subarray(0, length), cut)
        // The frame the cut falls in, if the cut is not on a boundary.
        const index = offsets.findIndex((start, i) => length >= start && length < (offsets[i + 1] ?? total))
        const start = offsets[index]!
        const before = frames.slice(0, index)

        const parsed = runParser(chunks)
        const streamed = runStream(chunks)
        if (length === start) {
          expect(parsed.failure).toBeUndefined()
          expect(Exit.isSuccess(streamed.exit)).toBe(true)
        } else {
          const inHeader = length - start < 8
          const missing = inHeader ? 8 - (length - start) : start + 8 + frames[index]!.payload.length - length
          expect(parsed.failure).toEqual({ _tag: "Truncated", offset: start, missing, inHeader })
          expect(failureOf(streamed.exit)).toMatchObject({ _tag: "DemuxError", reason: "Truncated", missing })
        }
        expect(sameFrames(parsed.out, before)).toBe(true)
        expect(sameFrames(streamed.out, before)).toBe(true)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("with partialFrames, gives each stream's bytes under any chunking as views of the input, never copied", () => {
    fc.assert(
      fc.property(framesArb, cutArb, (frames, cut) => {
        const bytes = encodeFrames(frames)
        const chunks = applyCut(bytes, cut)
        const parser = new DemuxParser({ partialFrames: true })
        const out: Array<RawFrame> = []
        expect(parser.writeAll(chunks, out) ?? parser.end()).toBeUndefined()
        expect(out.every((frame) => frame.payload.length > 0 && frame.payload.buffer === bytes.buffer)).toBe(true)
        // no more pieces than frames plus chunk boundaries
        expect(out.length).toBeLessThanOrEqual(frames.length + chunks.length)
        for (const stream of [1, 2]) expect(sameBytes(streamBytes(out, stream), streamBytes(frames, stream))).toBe(true)
        const streamed = runStream(chunks, { partialFrames: true })
        expect(Exit.isSuccess(streamed.exit)).toBe(true)
        for (const stream of [1, 2]) {
          expect(sameBytes(streamBytes(streamed.out, stream), streamBytes(frames, stream))).toBe(true)
        }
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("with partialFrames, emits the bytes before a truncation or a bad header, and then fails", () => {
    fc.assert(
      fc.property(nonEmptyFramesArb, fc.nat(), fc.boolean(), cutArb, (frames, pick, corrupt, cut) => {
        const bytes = encodeFrames(frames)
        const { offsets, total } = layout(frames)
        const index = pick % frames.length
        const start = offsets[index]!
        // either cut inside frame `index` (after its header) or corrupt the header of frame `index`
        const length = corrupt ? total : Math.min(total - 1, start + 8 + (pick % (frames[index]!.payload.length + 1)))
        if (corrupt) bytes[start] = 9
        const chunks = applyCut(bytes.subarray(0, length), cut)
        const parser = new DemuxParser({ partialFrames: true })
        const out: Array<RawFrame> = []
        const failure = parser.writeAll(chunks, out) ?? parser.end()
        const seen = corrupt ? 0 : length - start - 8
        const cutFrame = { stream: frames[index]!.stream, payload: frames[index]!.payload.subarray(0, seen) }
        const want = [...frames.slice(0, index), cutFrame]
        if (!corrupt && seen === frames[index]!.payload.length) {
          expect(failure).toBeUndefined()
        } else {
          expect(failure?._tag).toBe(corrupt ? "UnknownStreamType" : "Truncated")
        }
        for (const stream of [1, 2]) expect(sameBytes(streamBytes(out, stream), streamBytes(want, stream))).toBe(true)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("hands out views of the input for frames inside one chunk and one exact copy for spanning frames", () => {
    const frames: Array<Spec> = [
      { stream: 1, payload: enc.encode("inside") },
      { stream: 2, payload: new Uint8Array(100).fill(7) },
      { stream: 1, payload: enc.encode("tail") }
    ]
    const bytes = encodeFrames(frames)
    const { out } = runParser([bytes])
    expect(out.every((f) => f.payload.buffer === bytes.buffer)).toBe(true)

    const split = runParser([bytes.subarray(0, 30), bytes.subarray(30)])
    expect(sameFrames(split.out, frames)).toBe(true)
    expect(split.out[0]!.payload.buffer).toBe(bytes.buffer)
    // the 100-byte frame spans the cut: one fresh buffer of its exact size
    expect(split.out[1]!.payload.buffer).not.toBe(bytes.buffer)
    expect(split.out[1]!.payload.buffer.byteLength).toBe(100)
    expect(split.out[2]!.payload.buffer).toBe(bytes.buffer)
  })

  it("parses 100k frames in one chunk without recursion", () => {
    const rng = makeRng(1)
    const frames: Array<Spec> = Array.from({ length: 100_000 }, (_, i) => ({
      stream: i % 3 === 0 ? 2 : 1,
      payload: fillRandom(rng, new Uint8Array(1 + (i % 17)))
    }))
    const bytes = encodeFrames(frames)
    const parsed = runParser([bytes])
    expect(parsed.failure).toBeUndefined()
    expect(parsed.out.length).toBe(100_000)
    expect(sameFrames(parsed.out, frames)).toBe(true)
    const streamed = runStream([bytes])
    expect(streamed.out.length).toBe(100_000)
    expect(sameFrames(streamed.out, frames)).toBe(true)
  })

  it("skips a zero-length frame and parses the frame after it, wherever the input is cut", () => {
    const frames: Array<Spec> = [
      { stream: 1, payload: new Uint8Array(0) },
      { stream: 2, payload: enc.encode("after") },
      { stream: 2, payload: new Uint8Array(0) }
    ]
    const bytes = encodeFrames(frames)
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parsed = runParser(cutAt(bytes, [cut]))
      expect(parsed.failure).toBeUndefined()
      expect(shape(parsed.out)).toEqual([{ stream: 2, payload: Array.from(enc.encode("after")) }])
    }
    for (const size of [1, 2, 3, 8, 9]) {
      expect(shape(runParser(chunkBytes(bytes, size)).out)).toEqual(shape(frames))
    }
  })

  it("reads a header split at every position", () => {
    const frames: Array<Spec> = [
      { stream: 1, payload: enc.encode("one") },
      { stream: 2, payload: enc.encode("two") }
    ]
    const bytes = encodeFrames(frames)
    for (let a = 1; a < bytes.length; a++) {
      for (let b = a + 1; b < bytes.length; b++) {
        const parsed = runParser(cutAt(bytes, [a, b]))
        expect(parsed.failure).toBeUndefined()
        expect(shape(parsed.out)).toEqual(shape(frames))
      }
    }
  })

  it("fails with FrameTooLarge above maxFrameSize", () => {
    const bytes = encodeFrames([
      { stream: 1, payload: new Uint8Array(10) },
      { stream: 1, payload: new Uint8Array(11) }
    ])
    const parsed = runParser([bytes], 10)
    expect(parsed.failure).toEqual({ _tag: "FrameTooLarge", offset: 18, size: 11, maxFrameSize: 10 })
    expect(parsed.out.length).toBe(1)
    // the header alone is enough: the payload is never waited for
    const header = runParser([bytes.subarray(18, 26)], 10)
    expect(header.failure?._tag).toBe("FrameTooLarge")
    const streamed = runStream(chunkBytes(bytes, 3), { maxFrameSize: 10 })
    expect(failureOf(streamed.exit)).toMatchObject({ _tag: "DemuxError", reason: "FrameTooLarge", size: 11 })
    expect(streamed.out.length).toBe(1)
  })

  it("keeps returning the failure after it", () => {
    const parser = new DemuxParser()
    const out: Array<RawFrame> = []
    const failure = parser.write(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0), out)
    expect(failure?._tag).toBe("UnknownStreamType")
    expect(parser.write(encodeFrames([{ stream: 1, payload: enc.encode("x") }]), out)).toBe(failure)
    expect(parser.end()).toBe(failure)
    expect(out).toEqual([])
  })
})

/** Merges consecutive entries of one stream: the bytes of each run, in order (empty payloads left out). */
const runs = (frames: ReadonlyArray<{ readonly stream: number; readonly payload: Uint8Array }>) => {
  const merged: Array<{ stream: number; parts: Array<Uint8Array> }> = []
  for (const frame of frames) {
    if (frame.payload.length === 0) continue
    const last = merged[merged.length - 1]
    if (last !== undefined && last.stream === frame.stream) last.parts.push(frame.payload)
    else merged.push({ stream: frame.stream, parts: [frame.payload] })
  }
  return merged.map(({ parts, stream }) => ({
    stream,
    payload: streamBytes(parts.map((payload) => ({ stream, payload })), stream)
  }))
}

const sameRuns = (a: ReturnType<typeof runs>, b: ReturnType<typeof runs>): boolean =>
  a.length === b.length && a.every((run, i) => run.stream === b[i]!.stream && sameBytes(run.payload, b[i]!.payload))

/** Frames of any type, a system-error frame (type 3) now and then. */
const anyFramesArb = fc
  .tuple(
    fc.array(
      fc.tuple(fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 1, 1, 2, 2, 2, 0, 1, 2, 1, 2, 3), sizeArb),
      { maxLength: 24 }
    ),
    fc.integer()
  )
  .map(([specs, seed]) => {
    const rng = makeRng(seed)
    return specs.map(([stream, size]) => ({ stream, payload: fillRandom(rng, new Uint8Array(size)) }))
  })

const runCoalesced = (chunks: ReadonlyArray<Uint8Array>, options?: { readonly maxFrameSize?: number }) => {
  const parser = new CoalescingParser(options)
  const out: Array<RawFrame> = []
  const failure = parser.writeAll(chunks, out) ?? parser.end()
  return { out, failure }
}

describe("Demux coalesce", () => {
  it("gives the same runs of each stream's bytes as frame by frame, under any chunking, in place", () => {
    fc.assert(
      fc.property(framesArb, cutArb, (frames, cut) => {
        const bytes = encodeFrames(frames)
        const chunks = applyCut(bytes, cut)
        const { failure, out } = runCoalesced(chunks)
        expect(failure).toBeUndefined()
        expect(sameRuns(runs(out), runs(frames))).toBe(true)
        // views of the input, never empty, never more than one per run of one stream and input chunk
        expect(out.every((frame) => frame.payload.length > 0 && frame.payload.buffer === bytes.buffer)).toBe(true)
        expect(out.length).toBeLessThanOrEqual(runs(frames).length + chunks.length)
        const streamed = runStream(applyCut(encodeFrames(frames), cut), { coalesce: true })
        expect(Exit.isSuccess(streamed.exit)).toBe(true)
        expect(sameRuns(runs(streamed.out), runs(frames))).toBe(true)
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("fails as frame by frame does on hostile input, after the same bytes", () => {
    fc.assert(
      fc.property(
        anyFramesArb,
        fc.nat(),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 1, max: 1 << 20 }),
        cutArb,
        (frames, pick, damage, noise, maxFrameSize, cut) => {
          const bytes = encodeFrames(frames)
          // no damage, one byte overwritten (a header or a payload), or the input cut short
          const length = damage === 2 && bytes.length > 0 ? pick % bytes.length : bytes.length
          if (damage === 1 && bytes.length > 0) bytes[pick % bytes.length] = noise
          const input = bytes.subarray(0, length)
          const expected = new DemuxParser({ maxFrameSize, partialFrames: true })
          const want: Array<RawFrame> = []
          const wantFailure = expected.writeAll(applyCut(input.slice(), cut), want) ?? expected.end()
          const { failure, out } = runCoalesced(applyCut(input, cut), { maxFrameSize })
          expect(failure).toEqual(wantFailure)
          expect(sameRuns(runs(out), runs(want))).toBe(true)
        }
      ),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it("bytesToLines gives the lines and the failure of toLines after the coalescing demuxer, or after rawStream", () => {
    const collect = <A, E>(stream: Stream.Stream<A, E>) => {
      const out: Array<A> = []
      const exit = Effect.runSyncExit(Stream.runForEachArray(stream, (batch) => Effect.sync(() => out.push(...batch))))
      return { out, exit }
    }
    // payloads rich in `\n` and `\r`, so that lines end anywhere, across frames and chunks
    const withNewlines = anyFramesArb.map((frames) =>
      frames.map((f) => ({ ...f, payload: f.payload.map((b) => b % 7 === 0 ? 10 : b % 11 === 0 ? 13 : b) }))
    )
    fc.assert(
      fc.property(
        withNewlines,
        fc.nat(),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 255 }),
        cutArb,
        fc.boolean(),
        (frames, pick, damage, noise, cut, raw) => {
          const bytes = encodeFrames(frames)
          // no damage, one byte overwritten (a header or a payload), or the input cut short
          const length = damage === 2 && bytes.length > 0 ? pick % bytes.length : bytes.length
          if (damage === 1 && bytes.length > 0) bytes[pick % bytes.length] = noise
          const input = bytes.subarray(0, length)
          const chunks = () => Stream.fromIterable(applyCut(input.slice(), cut))
          const want = collect(Demux.toLines(raw ? Demux.rawStream(chunks()) : Demux.coalesced(chunks())))
          const got = collect(Demux.bytesToLines(chunks(), raw))
          expect(got.out).toEqual(want.out)
          expect(Exit.isSuccess(got.exit)).toBe(Exit.isSuccess(want.exit))
          expect(failureOf(got.exit)).toEqual(failureOf(want.exit))
        }
      ),
      { seed: SEED, numRuns: 300 }
    )
  })

  it("merges the consecutive frames of one stream in a chunk into one, and leaves a frame alone in its run in place", () => {
    const frames: Array<Spec> = [
      { stream: 1, payload: enc.encode("a1") },
      { stream: 1, payload: enc.encode("a2") },
      { stream: 1, payload: new Uint8Array(0) },
      { stream: 1, payload: enc.encode("a3") },
      { stream: 2, payload: enc.encode("b1") },
      { stream: 1, payload: enc.encode("c1") },
      { stream: 1, payload: enc.encode("c2") }
    ]
    const bytes = encodeFrames(frames)
    const { failure, out } = runCoalesced([bytes])
    expect(failure).toBeUndefined()
    const dec = new TextDecoder()
    expect(out.map((f) => [f.stream, dec.decode(f.payload)])).toEqual([[1, "a1a2a3"], [2, "b1"], [1, "c1c2"]])
    // "b1" was not moved: its view starts right after its own header
    expect(out[1]!.payload.byteOffset).toBe(bytes.byteOffset + 4 * 8 + 6 + 8)
  })

  it("keeps a header split across chunks intact, whatever the cut", () => {
    const frames: Array<Spec> = [
      { stream: 1, payload: enc.encode("one") },
      { stream: 1, payload: enc.encode("two") },
      { stream: 2, payload: enc.encode("three") },
      { stream: 2, payload: enc.encode("four") }
    ]
    for (let a = 1; a < encodeFrames(frames).length; a++) {
      const { failure, out } = runCoalesced(cutAt(encodeFrames(frames), [a]))
      expect(failure).toBeUndefined()
      expect(sameRuns(runs(out), runs(frames))).toBe(true)
    }
  })
})

describe("Demux system-error frames", () => {
  it("reads a system-error frame whole even with partialFrames", () => {
    const bytes = new Uint8Array([
      ...encodeFrames([{ stream: 2, payload: enc.encode("partial") }]),
      ...Demux.encodeFrame(3, enc.encode("daemon says no"))
    ])
    for (const size of [1, 3, 9, 20]) {
      const streamed = runStream(chunkBytes(bytes, size), { partialFrames: true })
      expect(failureOf(streamed.exit)).toMatchObject({ _tag: "DaemonStreamError", message: "daemon says no" })
      expect(new TextDecoder().decode(streamBytes(streamed.out, 2))).toBe("partial")
    }
  })

  it("fails with DaemonStreamError carrying the message, after the frames before it", () => {
    const message = "exec failed: ünïcode ✓"
    const bytes = new Uint8Array([
      ...encodeFrames([{ stream: 1, payload: enc.encode("ok") }]),
      ...Demux.encodeFrame(3, enc.encode(message)),
      ...encodeFrames([{ stream: 1, payload: enc.encode("never") }])
    ])
    for (const size of [1, 5, 13, bytes.length]) {
      const chunks = chunkBytes(bytes, size)
      const parsed = runParser(chunks)
      expect(parsed.failure).toEqual({ _tag: "SystemError", offset: 10, message } satisfies DemuxFailure)
      expect(shape(parsed.out)).toEqual([{ stream: 1, payload: Array.from(enc.encode("ok")) }])
      const streamed = runStream(chunks)
      const error = failureOf(streamed.exit)
      expect(error).toBeInstanceOf(Demux.DaemonStreamError)
      expect(error).toMatchObject({ _tag: "DaemonStreamError", message, offset: 10 })
      expect(streamed.out.length).toBe(1)
    }
  })

  it("fails on a zero-length system-error frame too, wherever the input is cut, with and without partialFrames", () => {
    const before = encodeFrames([
      { stream: 1, payload: enc.encode("ok") },
      { stream: 2, payload: new Uint8Array(0) }
    ])
    const bytes = new Uint8Array([
      ...before,
      ...Demux.encodeFrame(3, new Uint8Array(0)),
      ...encodeFrames([{ stream: 1, payload: enc.encode("never") }])
    ])
    const offset = before.length
    const cuts = [
      ...Array.from({ length: bytes.length + 1 }, (_, cut) => [cut]),
      ...[1, 2, 3, 7, 8, 9].map((size) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => i * size))
    ]
    for (const at of cuts) {
      const chunks = cutAt(bytes, at)
      const parsed = runParser(chunks)
      expect(parsed.failure).toEqual({ _tag: "SystemError", offset, message: "" } satisfies DemuxFailure)
      expect(shape(parsed.out)).toEqual([{ stream: 1, payload: Array.from(enc.encode("ok")) }])
      for (const partialFrames of [false, true]) {
        const streamed = runStream(chunks, { partialFrames })
        const error = failureOf(streamed.exit)
        expect(error).toBeInstanceOf(Demux.DaemonStreamError)
        expect(error).toMatchObject({
          _tag: "DaemonStreamError",
          offset,
          message: "the daemon sent a system-error frame without a message"
        })
        expect(new TextDecoder().decode(streamBytes(streamed.out, 1))).toBe("ok")
      }
    }
    // the frame alone, as the whole stream: not a success with no output
    const alone = runStream([Demux.encodeFrame(3, new Uint8Array(0))])
    expect(failureOf(alone.exit)).toMatchObject({ _tag: "DaemonStreamError", offset: 0 })
  })

  it.effect("is catchable by tag through demuxStream", () =>
    Effect.gen(function*() {
      const message = yield* Demux.demuxStream(Stream.make(Demux.encodeFrame(3, enc.encode("boom")))).pipe(
        Stream.runDrain,
        Effect.as("no error"),
        Effect.catchTag("DaemonStreamError", (e) => Effect.succeed(e.message))
      )
      expect(message).toBe("boom")
    }))
})

describe("Demux stream helpers", () => {
  it.effect("demuxStream is data-first and data-last, and its errors read well", () =>
    Effect.gen(function*() {
      const bytes = Stream.make(Demux.encodeFrame(1, enc.encode("a")), Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 1, 0))
      const error = yield* Effect.flip(Stream.runCollect(bytes.pipe(Demux.demuxStream())))
      expect(error.message).toBe("Unknown stream type in frame header at byte 9: 07 00 00 00 00 00 00 01")
      const truncated = yield* Effect.flip(
        Stream.runCollect(Demux.demuxStream(Stream.make(Demux.encodeFrame(1, enc.encode("abc")).subarray(0, 9))))
      )
      expect(truncated.message).toBe("Input ended inside the frame at byte 0: 2 payload bytes missing")
    }))

  it.effect("rawStream wraps TTY bytes as stdout frames", () =>
    Effect.gen(function*() {
      const frames = yield* Stream.runCollect(
        Demux.rawStream(Stream.make(enc.encode("$ "), new Uint8Array(0), enc.encode("ls\r\n")))
      )
      expect(shape(frames)).toEqual([
        { stream: 1, payload: Array.from(enc.encode("$ ")) },
        { stream: 1, payload: Array.from(enc.encode("ls\r\n")) }
      ])
    }))

  it.effect("toLines keeps a character split across frames and interleaved streams apart", () =>
    Effect.gen(function*() {
      const smile = enc.encode("😀") // 4 bytes
      const frames: Array<Demux.Frame> = [
        { stream: 1, payload: Uint8Array.of(...enc.encode("a"), smile[0]!, smile[1]!) },
        { stream: 2, payload: Uint8Array.of(0xc3) }, // first byte of "é"
        { stream: 1, payload: Uint8Array.of(smile[2]!, smile[3]!, ...enc.encode("b\r")) },
        { stream: 2, payload: Uint8Array.of(0xa9, ...enc.encode("\n\nerr")) },
        { stream: 1, payload: enc.encode("\nline2\r\nlast") }
      ]
      const lines = yield* Stream.runCollect(Demux.toLines(Stream.fromIterable(frames)))
      expect(lines).toEqual([
        { stream: "stderr", line: "é" },
        { stream: "stderr", line: "" },
        { stream: "stdout", line: "a😀b" },
        { stream: "stdout", line: "line2" },
        { stream: "stdout", line: "last" },
        { stream: "stderr", line: "err" }
      ])
    }))

  it("toLines gives each stream's lines under any framing and interleaving", () => {
    const linesArb = fc.array(fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, "")), {
      maxLength: 8
    })
    fc.assert(
      fc.property(linesArb, linesArb, fc.boolean(), fc.array(fc.nat(), { maxLength: 40 }), (out, err, crlf, cuts) => {
        const eol = crlf ? "\r\n" : "\n"
        const texts = [enc.encode(out.map((l) => l + eol).join("")), enc.encode(err.map((l) => l + eol).join(""))]
        // Cut each stream's bytes anywhere (also inside characters), then interleave the pieces.
        const pieces = texts.map((bytes) =>
          cutAt(bytes, [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b))
        )
        const frames: Array<Demux.Frame> = []
        let i = 0
        while (pieces[0]!.length + pieces[1]!.length > 0) {
          const pick = pieces[0]!.length === 0
            ? 1
            : pieces[1]!.length === 0
            ? 0
            : (cuts[i++ % Math.max(1, cuts.length)] ?? 0) & 1
          frames.push({ stream: pick === 0 ? 1 : 2, payload: pieces[pick]!.shift()! })
        }
        const bytes = encodeFrames(frames)
        const chunks = cutAt(bytes, cuts.slice(0, 5))
        const lines = Effect.runSync(Stream.runCollect(Demux.toLines(Demux.demuxStream(Stream.fromIterable(chunks)))))
        expect(lines.filter((l) => l.stream === "stdout").map((l) => l.line)).toEqual(out)
        expect(lines.filter((l) => l.stream === "stderr").map((l) => l.line)).toEqual(err)
        const strings = Effect.runSync(Demux.toStrings(Stream.fromIterable(frames)))
        expect(strings).toEqual({ stdout: out.map((l) => l + eol).join(""), stderr: err.map((l) => l + eol).join("") })
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })

  it.effect("toStrings collects both streams of a finite stream", () =>
    Effect.gen(function*() {
      const bytes = encodeFrames([
        { stream: 1, payload: enc.encode("hello ") },
        { stream: 2, payload: enc.encode("warn") },
        { stream: 1, payload: enc.encode("world") }
      ])
      const result = yield* Demux.toStrings(Demux.demuxStream(Stream.fromIterable(chunkBytes(bytes, 4))))
      expect(result).toEqual({ stdout: "hello world", stderr: "warn" })
    }))
})
