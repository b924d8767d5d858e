/**
 * Decoding JSON response bodies: the SDK's JSON parser (exact big integers, `null` read as absent) followed by the
 * operation's Schema, whose decoder is compiled once per schema.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ResponseDecodeError } from "../Errors.ts"
import { parseJson } from "./json.ts"

const decoders = new WeakMap<Schema.Decoder<unknown>, (u: unknown) => Effect.Effect<unknown, Schema.SchemaError>>()

/** @internal */
export const decoderFor = <A>(schema: Schema.Decoder<A>): (u: unknown) => Effect.Effect<A, Schema.SchemaError> => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEffect(schema) as (u: unknown) => Effect.Effect<unknown, Schema.SchemaError>
    decoders.set(schema, decode)
  }
  return decode as (u: unknown) => Effect.Effect<A, Schema.SchemaError>
}

/** @internal */
export const snippet = (text: string, max = 200): string => text.length <= max ? text : `${text.slice(0, max)}…`

/** @internal */
export const decodeJsonBody = <A>(
  operation: string,
  schema: Schema.Decoder<A>,
  text: string
): Effect.Effect<A, ResponseDecodeError> =>
  Effect.try({
    try: () => parseJson(text),
    catch: (cause) =>
      new ResponseDecodeError({ operation, reason: `invalid JSON: ${String(cause)}`, snippet: snippet(text) })
  }).pipe(
    Effect.flatMap(decoderFor(schema)),
    Effect.mapError((error) =>
      error._tag === "ResponseDecodeError"
        ? error
        : new ResponseDecodeError({ operation, reason: error.message, snippet: snippet(text) })
    )
  )
