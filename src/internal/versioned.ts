/**
 * Read-modify-write of swarm objects: their updates carry the version they replace (optimistic concurrency).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Models from "../generated/schemas.ts"

/**
 * The index of an object's version as the `version` query parameter wants it (0 when the daemon sent none, which
 * the daemon then refuses as out of sequence).
 *
 * @internal
 */
export const versionIndex = (version: Models.ObjectVersion | undefined): number => Number(version?.Index ?? 0)

/**
 * Runs `update` with the given version, or with the current one read by `read` when none is given.
 *
 * @internal
 */
export const withVersion = <A, E, R, E2, R2>(
  version: number | undefined,
  read: Effect.Effect<Models.ObjectVersion | undefined, E, R>,
  update: (version: number) => Effect.Effect<A, E2, R2>
): Effect.Effect<A, E | E2, R | R2> =>
  version === undefined ? Effect.flatMap(read, (current) => update(versionIndex(current))) : update(version)
