/**
 * Schema building blocks the generated models (`src/generated/schemas.ts`) are made of.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

/**
 * A 64-bit integer as the SDK's JSON parser reads it: a `number` while the value is a safe integer, a `bigint`
 * beyond `Number.MAX_SAFE_INTEGER` (sizes, memory limits and counters such as `18446744073709551615`).
 *
 * @internal
 */
export type Int64 = number | bigint

/**
 * Decodes an {@link Int64}: a JSON number or the `bigint` the parser produced for a value beyond 2^53. Any number
 * is accepted (the API's open-schema rule: a daemon is never rejected over a number it sends), and request bodies
 * may hold either form (`bigint`s are written as their exact digits).
 *
 * @internal
 */
export const Int64: Schema.Codec<Int64> = /*#__PURE__*/ Schema.Union([Schema.Number, Schema.BigInt]).annotate({
  identifier: "Int64",
  description: "a 64-bit integer: a number, or a bigint beyond Number.MAX_SAFE_INTEGER"
})

/**
 * A list the daemon may send as `null` when it is empty (a Go nil slice), decoded as an empty array.
 *
 * @internal
 */
export const NullableArray = <A>(item: Schema.Codec<A>): Schema.Codec<ReadonlyArray<A>, ReadonlyArray<A> | null> =>
  Schema.Union([Schema.Array(item), Schema.Null]).pipe(
    Schema.decodeTo(
      Schema.Array(item),
      SchemaTransformation.transform({
        decode: (list: ReadonlyArray<A> | null): ReadonlyArray<A> => list ?? [],
        encode: (list: ReadonlyArray<A>): ReadonlyArray<A> | null => list
      })
    )
  )

const IdField = /*#__PURE__*/ Schema.Struct({ Id: Schema.String })

const IDField = /*#__PURE__*/ Schema.Struct({ ID: Schema.String })

const idFromID = /*#__PURE__*/ Schema.decodeTo<typeof IdField, typeof IDField>(
  IdField,
  /*#__PURE__*/ SchemaTransformation.transform({
    decode: (answer: { readonly ID: string }) => ({ Id: answer.ID }),
    encode: (created: { readonly Id: string }) => ({ ID: created.Id })
  })
)

/**
 * The answer of `SecretCreate` and `ConfigCreate`. The spec documents `{ "Id": … }` (`IDResponse`), but daemons
 * send `{ "ID": … }` (moby's `SecretCreateResponse`/`ConfigCreateResponse` have an untagged `ID` field; Go clients
 * do not notice because Go's JSON decoding ignores case). Both spellings decode to `{ Id }`.
 *
 * @internal
 */
export const CreatedId: Schema.Decoder<{ readonly Id: string }> = /*#__PURE__*/ Schema.Union([
  IdField,
  // `decodeTo(…)(from)` rather than `from.pipe(decodeTo(…))`: a method call is never pure to a bundler
  /*#__PURE__*/ idFromID(IDField)
])
