/**
 * Decoding JSON response bodies: the SDK's JSON parser (exact big integers, `null` read as absent) followed by the
 * operation's Schema, whose decoder is compiled once per schema.
 *
 * @internal
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { ResponseDecodeError } from "../Errors.ts"
import { fastDecoderFor } from "./fastDecode.ts"
import { dropNulls, parseJson } from "./json.ts"

const exitDecoders = new WeakMap<Schema.Decoder<unknown>, (u: unknown) => Exit.Exit<unknown, Schema.SchemaError>>()

/**
 * The schema's synchronous decoder (an `Exit`, no fiber work), compiled once per schema. A response schema has no
 * services and no asynchronous step, so this decodes what `Schema.decodeUnknownEffect` does, without running the
 * Schema parser as Effects (about a third of the decoding time of a container inspect).
 *
 * @internal
 */
export const exitDecoderFor = <A>(schema: Schema.Decoder<A>): (u: unknown) => Exit.Exit<A, Schema.SchemaError> => {
  let decode = exitDecoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownExit(schema) as (u: unknown) => Exit.Exit<unknown, Schema.SchemaError>
    exitDecoders.set(schema, decode)
  }
  return decode as (u: unknown) => Exit.Exit<A, Schema.SchemaError>
}

/** @internal */
export const snippet = (text: string, max = 200): string => text.length <= max ? text : `${text.slice(0, max)}…`

/**
 * Parses and decodes a JSON body in one synchronous step (an `Exit`, no fiber work): a malformed text or a value the
 * schema rejects fails with `ResponseDecodeError` (the reason and the start of the text). The value is parsed keeping
 * `null` properties and decoded by the schema's compiled fast path (`fastDecode.ts`, which reads them as absent) when
 * it accepts it, else, with the `null` properties dropped, by Effect's decoder, whose error is reported.
 *
 * @internal
 */
export const decodeJsonBody = <A>(
  operation: string,
  schema: Schema.Decoder<A>,
  text: string
): Exit.Exit<A, ResponseDecodeError> => {
  let value: unknown
  try {
    value = parseJson(text, true)
  } catch (cause) {
    return Exit.fail(
      new ResponseDecodeError({ operation, reason: `invalid JSON: ${String(cause)}`, snippet: snippet(text) })
    )
  }
  const fast = fastDecoderFor(schema)(value)
  if (fast !== undefined) return Exit.succeed(fast.value as A)
  const exit = exitDecoderFor(schema)(dropNulls(value))
  return Exit.mapError(
    exit,
    (error) => new ResponseDecodeError({ operation, reason: error.message, snippet: snippet(text) })
  )
}
