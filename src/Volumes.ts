/**
 * Volumes: create, inspect, list, update (swarm cluster volumes), prune and remove, with ergonomic names over the
 * generated operations (`Api`). Every function needs the `Docker` service; errors are typed per operation.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"

/**
 * Lists volumes; the answer holds `Volumes` and the `Warnings` of volume drivers that could not be listed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volumes } from "effect-docker"
 * const names = Volumes.list({ filters: { dangling: ["true"] } }).pipe(
 *   Effect.map((r) => (r.Volumes ?? []).map((v) => v.Name))
 * )
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.VolumeListInput = {}
): Effect.Effect<Models.VolumeListResponse, Docker.CallError<500>, Docker.Docker> => Api.volumeList(options)

/**
 * Creates a volume (a named one when `Name` is given, else the daemon picks a name); creating an existing
 * local volume again gives it back unchanged.
 *
 * @example
 * ```ts
 * import { Volumes } from "effect-docker"
 * const volume = Volumes.create({ Name: "pgdata", Labels: { app: "db" } })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  config: Models.VolumeCreateRequest = {}
): Effect.Effect<Models.Volume, Docker.CallError<500>, Docker.Docker> => Api.volumeCreate({ body: config })

/**
 * Inspects a volume by name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volumes } from "effect-docker"
 * const mountpoint = Volumes.inspect("pgdata").pipe(Effect.map((v) => v.Mountpoint))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (name: string): Effect.Effect<Models.Volume, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.volumeInspect({ name })

/**
 * Updates a swarm cluster volume (only its availability may change); `version` is the cluster volume's
 * `ClusterVolume.Version.Index`. Needs API 1.42: on an older daemon it fails with `UnsupportedApiVersion` before
 * any I/O.
 *
 * @example
 * ```ts
 * import { Volumes } from "effect-docker"
 * const drained = Volumes.update("shared", { Spec: { AccessMode: { Availability: "drain" } } }, { version: 12 })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  name: string,
  spec: Models.VolumeUpdateBody,
  options: { readonly version: number }
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  Api.volumeUpdate({ name, version: options.version, body: spec })

/**
 * Removes a volume; a volume in use fails with `Conflict` (`force` ignores the driver's errors, not the use).
 *
 * @example
 * ```ts
 * import { Volumes } from "effect-docker"
 * const removed = Volumes.remove("pgdata")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (
  name: string,
  options: Omit<Operations.VolumeDeleteInput, "name"> = {}
): Effect.Effect<void, Docker.CallError<404 | 409 | 500>, Docker.Docker> => Api.volumeDelete({ ...options, name })

/**
 * Removes the volumes no container uses, giving the names removed and the space reclaimed. From API 1.42 only
 * anonymous volumes are removed unless the filter has `all=true`; API 1.41 removes named ones too and refuses the
 * `all` filter (400).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Volumes } from "effect-docker"
 * const reclaimed = Volumes.prune({ filters: { label: ["env=test"] } }).pipe(
 *   Effect.map((r) => r.SpaceReclaimed)
 * )
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const prune = (
  options: Operations.VolumePruneInput = {}
): Effect.Effect<Models.VolumePruneResponse, Docker.CallError<500>, Docker.Docker> => Api.volumePrune(options)
