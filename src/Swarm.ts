/**
 * Swarm mode: initialize, join or leave a swarm, inspect and update it, read its unlock key and unlock a locked
 * manager, with ergonomic names over the generated operations (`Api`). Calls on a node that is not a swarm
 * manager fail with `ServiceUnavailable` (503).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { retryOutOfSequence, versionIndex, withVersion } from "./internal/versioned.ts"

/**
 * Initializes a new swarm with this node as its manager, giving the node's id.
 *
 * @example
 * ```ts
 * import { Swarm } from "effect-docker"
 * const nodeId = Swarm.init({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const init = (
  request: Models.SwarmInitRequest = {}
): Effect.Effect<string, Docker.CallError<400 | 500 | 503>, Docker.Docker> => Api.swarmInit({ body: request })

/**
 * Joins an existing swarm as a worker or a manager, depending on the token. A node already in a swarm fails
 * with `ServiceUnavailable`.
 *
 * @example
 * ```ts
 * import { Swarm } from "effect-docker"
 * const joined = Swarm.join({ ListenAddr: "0.0.0.0:2377", RemoteAddrs: ["10.0.0.1:2377"], JoinToken: "SWMTKN-1-…" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const join = (
  request: Models.SwarmJoinRequest
): Effect.Effect<void, Docker.CallError<400 | 500 | 503>, Docker.Docker> => Api.swarmJoin({ body: request })

/**
 * Leaves the swarm; the last manager needs `force` (which breaks the swarm).
 *
 * @example
 * ```ts
 * import { Swarm } from "effect-docker"
 * const left = Swarm.leave({ force: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const leave = (
  options: Operations.SwarmLeaveInput = {}
): Effect.Effect<void, Docker.CallError<500 | 503>, Docker.Docker> => Api.swarmLeave(options)

/**
 * Inspects the swarm: its id, version, spec and join tokens.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Swarm } from "effect-docker"
 * const workerToken = Swarm.inspect().pipe(Effect.map((s) => s.JoinTokens?.Worker))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (): Effect.Effect<Models.Swarm, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.swarmInspect()

/**
 * Options of {@link update}: the version replaced (the current one, read first, when absent) and the tokens or
 * key to rotate.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateOptions extends Omit<Operations.SwarmUpdateInput, "version" | "body"> {
  readonly version?: number
}

/**
 * Replaces the swarm's spec. Without `version`, the swarm is inspected first and its current version used (and
 * the update retried when the swarm changed in between).
 *
 * @example
 * ```ts
 * import { Swarm } from "effect-docker"
 * const rotated = Swarm.update({ Name: "default", Labels: { env: "prod" } }, { rotateWorkerToken: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  spec: Models.SwarmSpec,
  options: UpdateOptions = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> => {
  const { version, ...rest } = options
  return withVersion(
    version,
    Effect.map(inspect(), (swarm) => swarm.Version),
    (current) => Api.swarmUpdate({ ...rest, version: current, body: spec })
  )
}

/**
 * Reads the swarm's spec, applies `f` and writes the result back with the version read (again, up to 5 times,
 * when the swarm changed in between).
 *
 * @example
 * ```ts
 * import { Swarm } from "effect-docker"
 * const autolock = Swarm.modify((spec) => ({ ...spec, EncryptionConfig: { AutoLockManagers: true } }))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const modify = (
  f: (spec: Models.SwarmSpec) => Models.SwarmSpec,
  options: Omit<UpdateOptions, "version"> = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  retryOutOfSequence(
    Effect.flatMap(
      inspect(),
      (swarm) => Api.swarmUpdate({ ...options, version: versionIndex(swarm.Version), body: f(swarm.Spec ?? {}) })
    )
  )

/**
 * The key that unlocks a manager after a restart when auto-lock is on (`None` when auto-lock is off).
 *
 * @example
 * ```ts
 * import { Effect, Option, Redacted } from "effect"
 * import { Swarm } from "effect-docker"
 * const key = Swarm.unlockKey().pipe(Effect.map(Option.map(Redacted.value)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const unlockKey = (): Effect.Effect<
  Option.Option<Redacted.Redacted<string>>,
  Docker.CallError<500 | 503>,
  Docker.Docker
> =>
  Effect.map(
    Api.swarmUnlockkey(),
    (response): Option.Option<Redacted.Redacted<string>> =>
      response.UnlockKey === undefined || response.UnlockKey === ""
        ? Option.none()
        : Option.some(Redacted.make(response.UnlockKey))
  )

/**
 * Unlocks a locked manager with its unlock key. The daemon answers 409 (an `UnexpectedStatus`, the spec does
 * not list it) when the swarm is not locked.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Swarm } from "effect-docker"
 * const unlocked = Swarm.unlock(Redacted.make("SWMKEY-1-…"))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const unlock = (
  key: Redacted.Redacted<string> | string
): Effect.Effect<void, Docker.CallError<500 | 503>, Docker.Docker> =>
  Api.swarmUnlock({ body: { UnlockKey: typeof key === "string" ? key : Redacted.value(key) } })
