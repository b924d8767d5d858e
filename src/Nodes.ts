/**
 * Swarm nodes: list, inspect, update (labels, role, availability) and remove, with ergonomic names over the
 * generated operations (`Api`). Needs a swarm manager: elsewhere calls fail with `ServiceUnavailable`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { retryOutOfSequence, versionIndex, withVersion } from "./internal/versioned.ts"

/**
 * Lists the swarm's nodes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nodes } from "effect-docker"
 * const managers = Nodes.list({ filters: { role: ["manager"] } }).pipe(Effect.map((l) => l.map((n) => n.ID)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.NodeListInput = {}
): Effect.Effect<Models.NodeListResponse, Docker.CallError<500 | 503>, Docker.Docker> => Api.nodeList(options)

/**
 * Inspects a node by id or name (`self` is not a name: use the id from `System.info().Swarm.NodeID`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nodes } from "effect-docker"
 * const availability = Nodes.inspect("node-1").pipe(Effect.map((n) => n.Spec?.Availability))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (id: string): Effect.Effect<Models.Node, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.nodeInspect({ id })

/**
 * Replaces a node's spec (the whole spec: fields left out are reset). Without `version`, the node is inspected
 * first and its current version used (and the update retried when the node changed in between).
 *
 * @example
 * ```ts
 * import { Nodes } from "effect-docker"
 * const drained = Nodes.update("node-1", { Role: "worker", Availability: "drain" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  id: string,
  spec: Models.NodeSpec,
  options: { readonly version?: number } = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  withVersion(
    options.version,
    Effect.map(inspect(id), (node) => node.Version),
    (version) => Api.nodeUpdate({ id, version, body: spec })
  )

/**
 * Reads a node's spec, applies `f` and writes the result back with the version read (again, up to 5 times, when
 * the node changed in between: a node's version moves whenever it reports its status).
 *
 * @example
 * ```ts
 * import { Nodes } from "effect-docker"
 * const labelled = Nodes.modify("node-1", (spec) => ({ ...spec, Labels: { ...spec.Labels, zone: "a" } }))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const modify = (
  id: string,
  f: (spec: Models.NodeSpec) => Models.NodeSpec
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  retryOutOfSequence(
    Effect.flatMap(
      inspect(id),
      (node) => Api.nodeUpdate({ id, version: versionIndex(node.Version), body: f(node.Spec ?? {}) })
    )
  )

/**
 * Removes a node from the swarm (`force` removes a node that is still up). A manager must be demoted first: the
 * daemon answers 400 (an `UnexpectedStatus`, the spec does not list it).
 *
 * @example
 * ```ts
 * import { Nodes } from "effect-docker"
 * const removed = Nodes.remove("node-2", { force: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (
  id: string,
  options: Omit<Operations.NodeDeleteInput, "id"> = {}
): Effect.Effect<void, Docker.CallError<404 | 500 | 503>, Docker.Docker> => Api.nodeDelete({ ...options, id })
