/**
 * Request bodies given as bytes or as a byte Stream that may need services (e.g. one Docker response streamed into
 * another request): the Stream runs on the transport's side, so its services are provided up front from the
 * caller's context.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/** @internal */
export type ByteSource<E = unknown, R = never> = Uint8Array | Stream.Stream<Uint8Array, E, R>

/** Calls `f` with the source, its services provided, inside a Stream. @internal */
export const withBodyStream = <A, E1, R1, E, R>(
  source: ByteSource<E, R>,
  f: (body: Uint8Array | Stream.Stream<Uint8Array, E>) => Stream.Stream<A, E1, R1>
): Stream.Stream<A, E1, R1 | R> =>
  source instanceof Uint8Array
    ? f(source)
    : Stream.unwrap(Effect.map(Effect.context<R>(), (context) => f(Stream.provideContext(source, context))))

/** Calls `f` with the source, its services provided, inside an Effect. @internal */
export const withBodyEffect = <A, E1, R1, E, R>(
  source: ByteSource<E, R>,
  f: (body: Uint8Array | Stream.Stream<Uint8Array, E>) => Effect.Effect<A, E1, R1>
): Effect.Effect<A, E1, R1 | R> =>
  source instanceof Uint8Array
    ? f(source)
    : Effect.flatMap(Effect.context<R>(), (context) => f(Stream.provideContext(source, context)))
