/**
 * Newline-delimited JSON decoding, for `/events`, image pull/push/build progress and other streamed responses.
 *
 * Lines end at `\n` (`\r\n` works too), blank lines are skipped, a UTF-8 character split across chunks survives, and
 * a last line without a newline is still decoded. Values are parsed like every JSON response of the SDK:
 * integers beyond `Number.MAX_SAFE_INTEGER` become `bigint`, and object properties whose value is `null` are dropped
 * (the SDK treats `null` like an absent property).
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Channel from "effect/Channel"
import * as Data from "effect/Data"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { makeBatchChannel } from "./internal/batchChannel.ts"
import * as internal from "./internal/ndjsonParser.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

const NdjsonErrorBase: TaggedErrorClass<"NdjsonError"> = /*#__PURE__*/ Data.TaggedError("NdjsonError")

/**
 * A line could not be decoded:
 *
 * - `InvalidJson`: the line is not valid JSON;
 * - `LineTooLong`: the line is longer than `maxLineBytes`;
 * - `SchemaMismatch`: the value does not match the schema given to {@link decodeSchema} (`cause` is the
 *   `SchemaError`).
 *
 * `line` is the 1-based line number in the stream (blank lines count) and `snippet` the start of the line (at most
 * 200 characters; empty for `LineTooLong`).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Ndjson } from "effect-docker"
 * const program = Stream.make(new TextEncoder().encode("{}\n{oops}\n")).pipe(
 *   Stream.pipeThroughChannel(Ndjson.decode()),
 *   Stream.runCollect,
 *   Effect.catchTag("NdjsonError", (e) => Effect.succeed(`${e.reason} at line ${e.line}`)) // "InvalidJson at line 2"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NdjsonError extends NdjsonErrorBase<{
  readonly reason: "InvalidJson" | "LineTooLong" | "SchemaMismatch"
  readonly line: number
  readonly snippet: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Options of the decoder.
 *
 * @example
 * ```ts
 * import { Ndjson } from "effect-docker"
 * const options: Ndjson.DecodeOptions = { maxLineBytes: 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** Largest accepted line in UTF-8 bytes, without its terminator (default 16 MiB). */
  readonly maxLineBytes?: number | undefined
}

const toError = (failure: internal.NdjsonFailure): NdjsonError =>
  failure._tag === "InvalidJson"
    ? new NdjsonError({
      reason: "InvalidJson",
      line: failure.line,
      snippet: failure.snippet,
      message: `Invalid JSON on line ${failure.line}: ${failure.message}`
    })
    : new NdjsonError({
      reason: "LineTooLong",
      line: failure.line,
      snippet: "",
      message: `Line ${failure.line} is longer than maxLineBytes (${failure.maxLineBytes}): ${failure.bytes} bytes`
    })

/** Stringifies a value for an error snippet (bigints as digits). */
const showValue = (value: unknown): string => {
  try {
    return JSON.stringify(value, (_key, v: unknown) => typeof v === "bigint" ? v.toString() : v) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Builds the channel around a parser; `map` may turn each value (with its line number) into an output or an error.
 */
const makeChannel = <A, E>(
  options: DecodeOptions | undefined,
  map: ((value: unknown, line: number) => Result.Result<A, NdjsonError>) | undefined
): Channel.Channel<NonEmptyReadonlyArray<A>, E | NdjsonError, void, NonEmptyReadonlyArray<Uint8Array>, E, unknown> =>
  makeBatchChannel<Uint8Array, A, NdjsonError, E>(() => {
    const parser = new internal.NdjsonParser(options)
    const collect = (
      out: Array<A>,
      parse: (values: Array<unknown>, lines: Array<number> | undefined) => internal.NdjsonFailure | undefined
    ): NdjsonError | undefined => {
      if (map === undefined) {
        const parseFailure = parse(out as Array<unknown>, undefined)
        return parseFailure === undefined ? undefined : toError(parseFailure)
      }
      const values: Array<unknown> = []
      const lines: Array<number> = []
      const parseFailure = parse(values, lines)
      for (let i = 0; i < values.length; i++) {
        const result = map(values[i], lines[i]!)
        if (Result.isFailure(result)) return result.failure
        out.push(result.success)
      }
      return parseFailure === undefined ? undefined : toError(parseFailure)
    }
    return {
      step: (chunks, out) => collect(out, (values, lines) => parser.writeAll(chunks, values, lines)),
      flush: (out) => collect(out, (values, lines) => parser.end(values, lines))
    }
  })

/**
 * A channel from UTF-8 byte chunks to parsed JSON values, one output batch per input batch.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Ndjson } from "effect-docker"
 * const values = Stream.make(new TextEncoder().encode('{"a":1}\n{"b":9223372036854771712}\n')).pipe(
 *   Stream.pipeThroughChannel(Ndjson.decode())
 * ) // { a: 1 }, { b: 9223372036854771712n }
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const decode = <E = never>(
  options?: DecodeOptions
): Channel.Channel<
  NonEmptyReadonlyArray<unknown>,
  E | NdjsonError,
  void,
  NonEmptyReadonlyArray<Uint8Array>,
  E,
  unknown
> => makeChannel<unknown, E>(options, undefined)

/**
 * Like {@link decode}, then decodes each value with `schema` (compiled once). A value that does not match fails with
 * `NdjsonError` (`reason: "SchemaMismatch"`) naming its line, after the values before it are emitted.
 *
 * @example
 * ```ts
 * import { Schema, Stream } from "effect"
 * import { Ndjson } from "effect-docker"
 * const Progress = Schema.Struct({ status: Schema.String, id: Schema.optionalKey(Schema.String) })
 * const events = Stream.make(new TextEncoder().encode('{"status":"Pulling fs layer","id":"a1"}\n')).pipe(
 *   Stream.pipeThroughChannel(Ndjson.decodeSchema(Progress))
 * )
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const decodeSchema = <S extends Schema.ConstraintDecoder<unknown>, E = never>(
  schema: S,
  options?: DecodeOptions
): Channel.Channel<
  NonEmptyReadonlyArray<S["Type"]>,
  E | NdjsonError,
  void,
  NonEmptyReadonlyArray<Uint8Array>,
  E,
  unknown
> => {
  const decodeValue = Schema.decodeUnknownResult(schema)
  return makeChannel<S["Type"], E>(options, (value, line): Result.Result<S["Type"], NdjsonError> => {
    const result = decodeValue(value)
    if (Result.isSuccess(result)) return Result.succeed(result.success)
    const text = showValue(value)
    return Result.fail(
      new NdjsonError({
        reason: "SchemaMismatch",
        line,
        snippet: internal.snippet(text),
        message: `Line ${line} does not match the schema: ${result.failure.message}`,
        cause: result.failure
      })
    )
  })
}
