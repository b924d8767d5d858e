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
import { CsvError } from "../errors.ts"
import { CsvParser, type CsvParserOptions, type CsvRecord } from "./csv.ts"
import { type ColumnSpec, compileHeader, type RecordMapper } from "./records.ts"

/** gzip's magic bytes, RFC 1952 §2.3.1. @internal */
export const isGzipMagic = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/**
 * Inflates the stream when its first two bytes are gzip's magic. The bytes decide, not the headers: a data file
 * served as `application/octet-stream`, `text/csv` or with no type may still be gzip, and `Content-Encoding: gzip`
 * may or may not have been inflated already by the transport (`fetch` does, `node:http` does not). Uses
 * `DecompressionStream("gzip")`, a web standard every current browser and server runtime has.
 *
 * @internal
 */
export const gunzipWhenCompressed = <E, R, E2>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  onError: (cause: unknown) => E2
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
    if (!isGzipMagic(first)) return all
    return all.pipe(
      Stream.pipeThroughChannel(
        Channel.fromTransformStream<E, Uint8Array, Uint8Array, E2>({
          evaluate: () => new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
          onError
        })
      )
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
): Stream.Stream<CsvRecord, E | CsvError, R> => mapRecords(text, url, options, () => (record) => record)

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
): Stream.Stream<A, E | CsvError, R> =>
  mapRecords(text, url, options, () => {
    let mapper: RecordMapper | undefined
    let record = 0
    return (fields) => {
      record++
      if (mapper === undefined) {
        const compiled = compileHeader(columns, fields)
        if (typeof compiled === "string") return new CsvError({ url, record, message: compiled })
        mapper = compiled
        return undefined
      }
      const row = mapper(fields)
      return typeof row === "string" ? new CsvError({ url, record, message: row }) : (row as A)
    }
  })

/**
 * The parsing loop: text chunks in, `f(record)` out, with a fresh `f` per run. `f` returns `undefined` to drop a
 * record (the header) or a `CsvError` to stop.
 */
const mapRecords = <A, E, R>(
  text: Stream.Stream<string, E, R>,
  url: string,
  options: CsvParserOptions | undefined,
  makeF: () => (record: CsvRecord) => A | CsvError | undefined
): Stream.Stream<A, E | CsvError, R> =>
  Stream.transformPull(text, (upstream) =>
    Effect.sync(() => {
      const f = makeF()
      const parser = new CsvParser(options)
      let finished = false
      const records: Array<CsvRecord> = []
      const emit = (): Pull.Pull<Arr.NonEmptyReadonlyArray<A>, CsvError> | undefined => {
        const out: Array<A> = []
        for (let i = 0; i < records.length; i++) {
          const value = f(records[i]!)
          if (value === undefined) continue
          if (value instanceof CsvError) {
            records.length = 0
            return Effect.fail(value)
          }
          out.push(value)
        }
        records.length = 0
        return Arr.isArrayNonEmpty(out) ? Effect.succeed(out) : undefined
      }
      const syntaxError = (error: { readonly record: number; readonly reason: string }) =>
        Effect.fail(new CsvError({ url, record: error.record, message: error.reason }))
      const pull: Pull.Pull<Arr.NonEmptyReadonlyArray<A>, E | CsvError> = Effect.suspend(() => {
        if (finished) return Cause.done()
        return upstream.pipe(
          Pull.catchDone((): Pull.Pull<ReadonlyArray<string>, CsvError> => {
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
