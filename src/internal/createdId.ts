/**
 * The answer of `SecretCreate` and `ConfigCreate`. The spec documents `{ "Id": … }` (`IDResponse`), but daemons
 * send `{ "ID": … }` (moby's `SecretCreateResponse`/`ConfigCreateResponse` have an untagged `ID` field; Go clients
 * do not notice because Go's JSON decoding ignores case). Both spellings decode to `{ Id }`.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"
import type * as Models from "../generated/schemas.ts"

const Id = Schema.Struct({ Id: Schema.String })

/** @internal */
export const CreatedId: Schema.Decoder<Models.IDResponse> = Schema.Union([
  Id,
  Schema.Struct({ ID: Schema.String }).pipe(
    Schema.decodeTo(
      Id,
      SchemaTransformation.transform({
        decode: (answer: { readonly ID: string }) => ({ Id: answer.ID }),
        encode: (created: { readonly Id: string }) => ({ ID: created.Id })
      })
    )
  )
])
