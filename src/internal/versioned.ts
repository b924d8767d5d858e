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
 * Runs `update` with the given version, or with the current one read by `read` when none is given (then retried
 * while the daemon finds it out of sequence, see {@link retryOutOfSequence}).
 *
 * @internal
 */
export const withVersion = <A, E, R, E2, R2>(
  version: number | undefined,
  read: Effect.Effect<Models.ObjectVersion | undefined, E, R>,
  update: (version: number) => Effect.Effect<A, E2, R2>
): Effect.Effect<A, E | E2, R | R2> =>
  version === undefined
    ? retryOutOfSequence(Effect.flatMap(read, (current) => update(versionIndex(current))))
    : update(version)

const isOutOfSequence = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly _tag?: unknown })._tag === "ServerError" &&
  String((error as { readonly message?: unknown }).message).includes("update out of sequence")

/**
 * Retries a read-modify-write while the daemon refuses it as out of sequence (the object changed between the read
 * and the write, as a freshly joined node does while it reports its status), at most 5 times.
 *
 * @internal
 */
export const retryOutOfSequence = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.retry(effect, { while: isOutOfSequence, times: 5 })
