/**
 * Swarm secrets: create, inspect, list, update (labels) and remove, with ergonomic names over the generated
 * operations (`Api`). Secret values are taken as `Redacted` (or text/bytes) and base64-encoded for the daemon,
 * which never sends them back. Needs a swarm manager: elsewhere calls fail with `ServiceUnavailable`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as Redacted from "effect/Redacted"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { retryOutOfSequence, versionIndex, withVersion } from "./internal/versioned.ts"

/**
 * Lists secrets (their specs, without the values).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Secrets } from "effect-docker"
 * const names = Secrets.list({ filters: { label: ["app=shop"] } }).pipe(Effect.map((l) => l.map((s) => s.Spec?.Name)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.SecretListInput = {}
): Effect.Effect<Models.SecretListResponse, Docker.CallError<500 | 503>, Docker.Docker> => Api.secretList(options)

/**
 * What {@link create} takes: the secret's spec, with its value as `value` (encoded for you) instead of the
 * base64 `Data` of the API.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions extends Omit<Models.SecretSpec, "Data"> {
  readonly Name: string
  readonly value: Redacted.Redacted<string | Uint8Array> | Uint8Array
}

/**
 * Creates a secret, giving its id. A name already in use fails with `Conflict`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Secrets } from "effect-docker"
 * const id = Secrets.create({ Name: "db-password", value: Redacted.make("s3cret"), Labels: { app: "shop" } }).pipe(
 *   Effect.map((created) => created.Id)
 * )
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  options: CreateOptions
): Effect.Effect<Models.IDResponse, Docker.CallError<409 | 500 | 503>, Docker.Docker> => {
  const { value, ...spec } = options
  const data = value instanceof Uint8Array ? value : Redacted.value(value)
  return Api.secretCreate({ body: { ...spec, Data: Base64.encode(data) } })
}

/**
 * Inspects a secret by id or name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Secrets } from "effect-docker"
 * const labels = Secrets.inspect("db-password").pipe(Effect.map((s) => s.Spec?.Labels))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (id: string): Effect.Effect<Models.Secret, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.secretInspect({ id })

/**
 * Replaces a secret's spec: only `Labels` may change, the other fields must stay as inspected. Without
 * `version`, the secret is inspected first and its current version used.
 *
 * @example
 * ```ts
 * import { Secrets } from "effect-docker"
 * const relabelled = Secrets.update("db-password", { Name: "db-password", Labels: { rotated: "2026-01" } })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  id: string,
  spec: Models.SecretSpec,
  options: { readonly version?: number } = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  withVersion(
    options.version,
    Effect.map(inspect(id), (secret) => secret.Version),
    (version) => Api.secretUpdate({ id, version, body: spec })
  )

/**
 * Sets a secret's labels (inspects it for its spec and version, then updates it).
 *
 * @example
 * ```ts
 * import { Secrets } from "effect-docker"
 * const relabelled = Secrets.setLabels("db-password", { rotated: "2026-01" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const setLabels = (
  id: string,
  labels: { readonly [key: string]: string }
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  retryOutOfSequence(
    Effect.flatMap(
      inspect(id),
      (secret) =>
        Api.secretUpdate({ id, version: versionIndex(secret.Version), body: { ...secret.Spec, Labels: labels } })
    )
  )

/**
 * Removes a secret.
 *
 * @example
 * ```ts
 * import { Secrets } from "effect-docker"
 * const removed = Secrets.remove("db-password")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (id: string): Effect.Effect<void, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.secretDelete({ id })
