/**
 * Thin Stream adapters around the pure CSV parser and the web-standard `DecompressionStream`.
 *
 * @internal
 */
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Stream from "effect/Stream"
import { CsvParser, type CsvParserOptions, type CsvRecord } from "./csv.ts"
import { DvpCsvError } from "./errors.ts"
import { GzipMemberScanner } from "./gzip.ts"
import { type ColumnSpec, compileHeader, type RecordMapper } from "./records.ts"

/** gzip's magic bytes, RFC 1952 §2.3.1. @internal */
export const isGzipMagic = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/**
 * A zlib header (RFC 1950 §2.2) as zlib and every common encoder write it: `78` (deflate, 32 KiB window) then
 * `01`, `5E`, `9C` or `DA` (the four compression levels, no preset dictionary). Only these four pairs are taken,
 * not every pair whose check bits add up: `H,` (`48 2C`) is a valid zlib header too, and the start of a CSV file
 * with a column named `H`. `x^` (`78 5E`) is the one pair that is also ASCII text; a header row starting with it is
 * read as zlib.
 *
 * @internal
 */
export const isZlibHeader = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x78 && (bytes[1] === 0x01 || bytes[1] === 0x5e || bytes[1] === 0x9c ||
    bytes[1] === 0xda)

/**
 * Inflates the stream when its first two bytes say it is compressed: gzip's magic (`1f 8b`), every member of a
 * multi-member file (RFC 1952 §2.2, what `cat a.gz b.gz` gives) in order, or a zlib header (see
 * {@link isZlibHeader}). Other bytes pass as they are; raw deflate has no magic and is left to the text decoder,
 * which refuses bytes that are not UTF-8.
 *
 * The bytes decide, not the headers: a data file served as `application/octet-stream`, `text/csv` or with no type
 * may still be gzip, and `Content-Encoding: gzip` may or may not have been inflated already by the transport
 * (`fetch` does, `node:http` does not). Uses `DecompressionStream`, a web standard every current browser and server
 * runtime has; as some runtimes' gzip decompressor stops at the end of the first member (and fails on the rest),
 * {@link GzipMemberScanner} finds where each member ends and each one goes to a fresh decompressor.
 *
 * @internal
 */
export const inflateWhenCompressed = <E, R, E2>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onError: (format: "gzip" | "zlib", cause: unknown) => E2
): Stream.Stream<Uint8Array, E | E2, R> =>
  Stream.unwrap(Effect.gen(function*() {
    const pull = yield* Stream.toPull(bytes)
    const head: Array<Uint8Array> = []
    let length = 0
    let ended = false
    while (length < 2 && !ended) {
      const chunks = yield* pull.pipe(
        Pull.catchDone(() => {
          ended = true
          return Effect.succeed([] as ReadonlyArray<Uint8Array>)
        })
      )
      for (const chunk of chunks) {
        if (chunk.length > 0) {
          head.push(chunk)
          length += chunk.length
        }
      }
    }
    const first = head.length === 1 ? head[0]! : concat(head, length)
    const rest: Stream.Stream<Uint8Array, E> = ended ? Stream.empty : Stream.fromPull(Effect.succeed(pull))
    const all = first.length === 0 ? rest : Stream.concat(Stream.succeed(first), rest)
    if (isGzipMagic(first)) return gunzipMembers(all, (cause) => onError("gzip", cause))
    if (isZlibHeader(first)) {
      return all.pipe(Stream.pipeThroughChannel(decompress("deflate", (cause) => onError("zlib", cause))))
    }
    return all
  }))

const decompress = <E, E2>(format: "gzip" | "deflate", onError: (cause: unknown) => E2) =>
  Channel.fromTransformStream<E, Uint8Array, Uint8Array, E2>({
    evaluate: () => new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
    onError
  })

interface Segment {
  readonly bytes: Uint8Array
  /** The segment ends its member. */
  readonly last: boolean
}

/** Splits the bytes at member ends and inflates each member with its own `DecompressionStream("gzip")`. */
const gunzipMembers = <E, E2>(
  bytes: Stream.Stream<Uint8Array, E>,
  onError: (cause: unknown) => E2
): Stream.Stream<Uint8Array, E | E2> =>
  Stream.unwrap(Effect.gen(function*() {
    const pull = yield* Stream.toPull(bytes)
    const scanner = new GzipMemberScanner()
    const queue: Array<Segment> = []
    let done = false
    const invalid = (reason: string) => Effect.fail(onError(new Error(reason)))
    /** Queues at least one segment, unless the input has ended. */
    const fill: Effect.Effect<void, E | E2> = Effect.suspend(() => {
      if (queue.length > 0 || done) return Effect.void
      return pull.pipe(
        Pull.catchDone((): Effect.Effect<ReadonlyArray<Uint8Array>, E2> => {
          done = true
          const reason = scanner.end()
          return reason === undefined ? Effect.succeed([]) : invalid(reason)
        }),
        Effect.flatMap((chunks) => {
          for (const chunk of chunks) {
            const ends = scanner.write(chunk)
            if (typeof ends === "string") return invalid(ends)
            let start = 0
            for (const end of ends) {
              queue.push({ bytes: chunk.subarray(start, end), last: true })
              start = end
            }
            if (start < chunk.length) queue.push({ bytes: chunk.subarray(start), last: false })
          }
          return fill
        })
      )
    })
    /** The bytes of the next member: ends after the segment that ends the member. */
    const member = (): Stream.Stream<Uint8Array, E | E2> => {
      let over = false
      const next: Pull.Pull<Arr.NonEmptyReadonlyArray<Uint8Array>, E | E2> = Effect.suspend(() =>
        over ? Cause.done() : Effect.flatMap(fill, () => {
          const segment = queue.shift()
          if (segment === undefined) return Cause.done()
          if (segment.last) over = true
          return segment.bytes.length > 0 ? Effect.succeed(Arr.of(segment.bytes)) : next
        })
      )
      return Stream.fromPull(Effect.succeed(next))
    }
    const members: Pull.Pull<Arr.NonEmptyReadonlyArray<Stream.Stream<Uint8Array, E | E2>>, E | E2> = Effect.flatMap(
      fill,
      () => queue.length === 0 ? Cause.done() : Effect.succeed(Arr.of(member()))
    )
    return Stream.fromPull(Effect.succeed(members)).pipe(
      Stream.flatMap((m) => m.pipe(Stream.pipeThroughChannel(decompress<E | E2, E2>("gzip", onError))))
    )
  }))

const concat = (chunks: ReadonlyArray<Uint8Array>, length: number): Uint8Array => {
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * Parses a text stream as CSV records.
 *
 * @internal
 */
export const csvRecords = <E, R>(
  text: Stream.Stream<string, E, R>,
  url: string,
  options?: CsvParserOptions
): Stream.Stream<CsvRecord, E | DvpCsvError, R> => mapRecords(text, url, options, () => (record) => record)

/**
 * Parses a text stream as CSV with a header row, mapping each later record through the header's mapping.
 *
 * @internal
 */
export const csvRows = <A, E, R>(
  text: Stream.Stream<string, E, R>,
  url: string,
  columns: ReadonlyArray<ColumnSpec>,
  options?: CsvParserOptions
): Stream.Stream<A, E | DvpCsvError, R> =>
  mapRecords(text, url, options, () => {
    let mapper: RecordMapper | undefined
    let record = 0
    return (fields) => {
      record++
      if (mapper === undefined) {
        const compiled = compileHeader(columns, fields)
        if (typeof compiled === "string") return new DvpCsvError({ url, record, message: compiled })
        mapper = compiled
        return undefined
      }
      const row = mapper(fields)
      return typeof row === "string" ? new DvpCsvError({ url, record, message: row }) : (row as A)
    }
  })

/**
 * The parsing loop: text chunks in, `f(record)` out, with a fresh `f` per run. `f` returns `undefined` to drop a
 * record (the header) or a `DvpCsvError` to stop.
 */
const mapRecords = <A, E, R>(
  text: Stream.Stream<string, E, R>,
  url: string,
  options: CsvParserOptions | undefined,
  makeF: () => (record: CsvRecord) => A | DvpCsvError | undefined
): Stream.Stream<A, E | DvpCsvError, R> =>
  Stream.transformPull(text, (upstream) =>
    Effect.sync(() => {
      const f = makeF()
      const parser = new CsvParser(options)
      let finished = false
      const records: Array<CsvRecord> = []
      const emit = (): Pull.Pull<Arr.NonEmptyReadonlyArray<A>, DvpCsvError> | undefined => {
        const out: Array<A> = []
        for (let i = 0; i < records.length; i++) {
          const value = f(records[i]!)
          if (value === undefined) continue
          if (value instanceof DvpCsvError) {
            records.length = 0
            return Effect.fail(value)
          }
          out.push(value)
        }
        records.length = 0
        return Arr.isArrayNonEmpty(out) ? Effect.succeed(out) : undefined
      }
      const syntaxError = (error: { readonly record: number; readonly reason: string }) =>
        Effect.fail(new DvpCsvError({ url, record: error.record, message: error.reason }))
      const pull: Pull.Pull<Arr.NonEmptyReadonlyArray<A>, E | DvpCsvError> = Effect.suspend(() => {
        if (finished) return Cause.done()
        return upstream.pipe(
          Pull.catchDone((): Pull.Pull<ReadonlyArray<string>, DvpCsvError> => {
            finished = true
            const error = parser.end(records)
            return error === undefined ? Effect.succeed([]) : syntaxError(error)
          }),
          Effect.flatMap((chunks) => {
            for (const chunk of chunks) {
              const error = parser.write(chunk, records)
              if (error !== undefined) return syntaxError(error)
            }
            return emit() ?? pull
          })
        )
      })
      return pull
    }))

/**
 * Decodes UTF-8 (a leading byte order mark is dropped), failing on the first byte sequence that is not UTF-8: bytes
 * that are not text — raw deflate, which has no magic to sniff, or another compression — fail instead of becoming
 * U+FFFD replacement characters read as CSV.
 *
 * @internal
 */
export const decodeUtf8 = <E, R, E2>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onError: () => E2
): Stream.Stream<string, E | E2, R> =>
  Stream.transformPull(bytes, (upstream) =>
    Effect.sync(() => {
      const decoder = new TextDecoder("utf-8", { fatal: true })
      let finished = false
      const pull: Pull.Pull<Arr.NonEmptyReadonlyArray<string>, E | E2> = Effect.suspend(() => {
        if (finished) return Cause.done()
        return upstream.pipe(
          Pull.catchDone((): Pull.Pull<ReadonlyArray<Uint8Array>, E2> => {
            finished = true
            return Effect.succeed([])
          }),
          Effect.flatMap((chunks) => {
            const out: Array<string> = []
            try {
              for (const chunk of chunks) {
                const text = decoder.decode(chunk, { stream: true })
                if (text.length > 0) out.push(text)
              }
              if (finished) {
                const text = decoder.decode()
                if (text.length > 0) out.push(text)
              }
            } catch {
              return Effect.fail(onError())
            }
            if (Arr.isArrayNonEmpty(out)) return Effect.succeed(out)
            return finished ? Cause.done() : pull
          })
        )
      })
      return pull
    }))
