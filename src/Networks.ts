/**
 * Networks: create, inspect, connect and disconnect containers, list, prune and remove, with ergonomic names over
 * the generated operations (`Api`). Every function needs the `Docker` service; errors are typed per operation.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"

/**
 * Lists networks (a summary of each: the containers attached are not listed, inspect a network for them).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Networks } from "effect-docker"
 * const custom = Networks.list({ filters: { type: ["custom"] } }).pipe(Effect.map((l) => l.map((n) => n.Name)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.NetworkListInput = {}
): Effect.Effect<Models.NetworkListResponse, Docker.CallError<500>, Docker.Docker> => Api.networkList(options)

/**
 * Inspects a network by id or name, with the containers attached to it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Networks } from "effect-docker"
 * const attached = Networks.inspect("backend").pipe(Effect.map((n) => Object.keys(n.Containers ?? {})))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (
  id: string,
  options: Omit<Operations.NetworkInspectInput, "id"> = {}
): Effect.Effect<Models.NetworkInspect, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.networkInspect({ ...options, id })

/**
 * Creates a network; `Driver` defaults to `bridge`. Gives the new network's id (and the daemon's warning, if any).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Networks } from "effect-docker"
 * const id = Networks.create({ Name: "backend", Driver: "bridge", Labels: { app: "shop" } }).pipe(
 *   Effect.map((created) => created.Id)
 * )
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  config: Models.NetworkCreateRequest
): Effect.Effect<Models.NetworkCreateResponse, Docker.CallError<400 | 403 | 404 | 500>, Docker.Docker> =>
  Api.networkCreate({ body: config })

/**
 * Removes a network. Predefined networks (`bridge`, `host`, `none`) fail with `Forbidden`.
 *
 * @example
 * ```ts
 * import { Networks } from "effect-docker"
 * const removed = Networks.remove("backend")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (id: string): Effect.Effect<void, Docker.CallError<403 | 404 | 500>, Docker.Docker> =>
  Api.networkDelete({ id })

/**
 * Connects a container to a network, optionally with endpoint settings (aliases, a fixed IP address, …).
 *
 * @example
 * ```ts
 * import { Networks } from "effect-docker"
 * const connected = Networks.connect("backend", { Container: "web", EndpointConfig: { Aliases: ["api"] } })
 * ```
 * @since 0.1.0
 * @category attachments
 */
export const connect = (
  networkId: string,
  request: Models.NetworkConnectRequest
): Effect.Effect<void, Docker.CallError<400 | 403 | 404 | 500>, Docker.Docker> =>
  Api.networkConnect({ id: networkId, body: request })

/**
 * Disconnects a container from a network; `Force` disconnects even a container that is not running.
 *
 * @example
 * ```ts
 * import { Networks } from "effect-docker"
 * const disconnected = Networks.disconnect("backend", { Container: "web", Force: true })
 * ```
 * @since 0.1.0
 * @category attachments
 */
export const disconnect = (
  networkId: string,
  request: Models.NetworkDisconnectRequest
): Effect.Effect<void, Docker.CallError<403 | 404 | 500>, Docker.Docker> =>
  Api.networkDisconnect({ id: networkId, body: request })

/**
 * Removes the networks no container uses (filtered by `label` or `until`), giving the names removed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Networks } from "effect-docker"
 * const removed = Networks.prune({ filters: { label: ["env=test"] } }).pipe(Effect.map((r) => r.NetworksDeleted ?? []))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const prune = (
  options: Operations.NetworkPruneInput = {}
): Effect.Effect<Models.NetworkPruneResponse, Docker.CallError<500>, Docker.Docker> => Api.networkPrune(options)
