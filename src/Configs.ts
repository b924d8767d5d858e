/**
 * Swarm configs: create, inspect, list, update (labels) and remove, with ergonomic names over the generated
 * operations (`Api`). Config data is taken as text or bytes and base64-encoded for the daemon; {@link data}
 * decodes it back. Needs a swarm manager: elsewhere calls fail with `ServiceUnavailable`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Base64 from "effect/encoding/Base64"
import * as Result from "effect/Result"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { retryOutOfSequence, versionIndex, withVersion } from "./internal/versioned.ts"

/**
 * Lists configs (with their data, base64-encoded).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Configs } from "effect-docker"
 * const names = Configs.list({ filters: { name: ["nginx"] } }).pipe(Effect.map((l) => l.map((c) => c.Spec?.Name)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.ConfigListInput = {}
): Effect.Effect<Models.ConfigListResponse, Docker.CallError<500 | 503>, Docker.Docker> => Api.configList(options)

/**
 * What {@link create} takes: the config's spec, with its content as `data` (text or bytes, encoded for you)
 * instead of the base64 `Data` of the API.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions extends Omit<Models.ConfigSpec, "Data"> {
  readonly Name: string
  readonly data: string | Uint8Array
}

/**
 * Creates a config, giving its id. A name already in use fails with `Conflict`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Configs } from "effect-docker"
 * const id = Configs.create({ Name: "nginx.conf", data: "worker_processes 1;\n" }).pipe(Effect.map((c) => c.Id))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  options: CreateOptions
): Effect.Effect<Models.IDResponse, Docker.CallError<409 | 500 | 503>, Docker.Docker> => {
  const { data, ...spec } = options
  return Api.configCreate({ body: { ...spec, Data: Base64.encode(data) } })
}

/**
 * Inspects a config by id or name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Configs } from "effect-docker"
 * const text = Configs.inspect("nginx.conf").pipe(Effect.map(Configs.data))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (id: string): Effect.Effect<Models.Config, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.configInspect({ id })

/**
 * A config's content as text (`undefined` when the daemon sent no data or it is not base64).
 *
 * @example
 * ```ts
 * import { Configs } from "effect-docker"
 * Configs.data({ ID: "ktnbjxoalbkvbvedmg1urrz8h", Spec: { Name: "greeting", Data: "aGVsbG8=" } }) // "hello"
 * ```
 * @since 0.1.0
 * @category reading
 */
export const data = (config: Models.Config): string | undefined => {
  const encoded = config.Spec?.Data
  if (encoded === undefined) return undefined
  return Result.getOrUndefined(Base64.decodeString(encoded))
}

/**
 * Replaces a config's spec: only `Labels` may change, the other fields must stay as inspected. Without
 * `version`, the config is inspected first and its current version used.
 *
 * @example
 * ```ts
 * import { Configs } from "effect-docker"
 * const relabelled = Configs.update("nginx.conf", {
 *   Name: "nginx.conf",
 *   Data: "d29ya2VyX3Byb2Nlc3NlcyAxOwo=",
 *   Labels: { v: "2" }
 * })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  id: string,
  spec: Models.ConfigSpec,
  options: { readonly version?: number } = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  withVersion(
    options.version,
    Effect.map(inspect(id), (config) => config.Version),
    (version) => Api.configUpdate({ id, version, body: spec })
  )

/**
 * Sets a config's labels (inspects it for its spec and version, then updates it).
 *
 * @example
 * ```ts
 * import { Configs } from "effect-docker"
 * const relabelled = Configs.setLabels("nginx.conf", { v: "2" })
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
      (config) =>
        Api.configUpdate({ id, version: versionIndex(config.Version), body: { ...config.Spec, Labels: labels } })
    )
  )

/**
 * Removes a config.
 *
 * @example
 * ```ts
 * import { Configs } from "effect-docker"
 * const removed = Configs.remove("nginx.conf")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (id: string): Effect.Effect<void, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.configDelete({ id })
