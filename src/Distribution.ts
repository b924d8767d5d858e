/**
 * Distribution: what a registry holds for an image reference (its manifest descriptor and platforms), read by
 * the daemon from the registry without pulling.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Credentials from "./Credentials.ts"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import * as Resolution from "./internal/registryAuth.ts"
import * as Operation from "./Operation.ts"

/**
 * `GET /distribution/{name}/json` with the `X-Registry-Auth` header the daemon reads (the spec does not list
 * it, so the generated operation cannot send credentials).
 */
const DistributionInspectWithAuth: Operation.Operation<
  Operations.DistributionInspectInput & { readonly "X-Registry-Auth"?: string },
  Operation.Json<Models.DistributionInspect>,
  Operation.StatusOf<typeof Operations.DistributionInspect>
> = Operation.make<
  Operations.DistributionInspectInput & { readonly "X-Registry-Auth"?: string },
  Operation.Json<Models.DistributionInspect>,
  Operation.StatusOf<typeof Operations.DistributionInspect>
>({
  ...Operations.DistributionInspect,
  params: [
    ...Operations.DistributionInspect.params,
    { name: "X-Registry-Auth", key: "X-Registry-Auth", in: "header", style: "string" }
  ]
})

const inspectWithAuth: Docker.Call<typeof DistributionInspectWithAuth> = Docker.callJson(DistributionInspectWithAuth)

/**
 * Options of {@link inspect}: the registry's credentials; without them, the current `Credentials` resolver's.
 *
 * @since 0.1.0
 * @category models
 */
export interface InspectOptions {
  readonly auth?: Credentials.AuthConfig
}

/**
 * Reads an image's descriptor (digest, media type, size) and platforms from its registry. Credentials are `auth`
 * when given, else what the current `Credentials` resolver finds for the reference's registry (the runtime layers
 * read `config.json` and credential helpers as the docker CLI does). A registry that refuses them, or wants some
 * and gets none, fails with `Errors.RegistryUnauthorized` (Engine 20.10 says so with a 500 or a 401).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Distribution } from "effect-docker"
 * const digest = Distribution.inspect("registry.example.com/app:1.0", {
 *   auth: { username: "me", password: Redacted.make("s3cret"), serverAddress: "registry.example.com" }
 * }).pipe(Effect.map((d) => d.Descriptor.digest))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (
  name: string,
  options: InspectOptions = {}
): Effect.Effect<
  Models.DistributionInspect,
  Credentials.CredentialsError | Errors.RegistryUnauthorized | Docker.CallError<401 | 500>,
  Docker.Docker
> =>
  Effect.flatMap(
    Resolution.resolveFor(name, options.auth),
    (resolved) =>
      inspectWithAuth({ name, ...(resolved.header === undefined ? {} : { "X-Registry-Auth": resolved.header }) }).pipe(
        Effect.mapError(Resolution.refusedStatus("DistributionInspect", resolved))
      )
  )
