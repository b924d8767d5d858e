/**
 * Sessions over a hijacked connection (attach, exec start): the output as a byte or frame Stream, stdin as a Sink
 * that half-closes the write side when its input ends, both tied to the scope the session was opened in.
 *
 * @internal
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Demux from "../Demux.ts"
import { StdinClosed, TransportError } from "../Errors.ts"

/** @internal */
export const socketBytes = (socket: Socket.Socket): Stream.Stream<Uint8Array, Socket.SocketError> =>
  Socket.toStream(socket).pipe(
    Stream.catchIf((error) => error.reason._tag === "SocketCloseError", () => Stream.empty)
  )

/**
 * The standard streams of a process over a hijacked connection (what an attach or exec session offers). `output`
 * reads the connection: it can be run once, and it ends when the daemon closes the connection (the process exited,
 * or its output streams closed). Writing after stdin was closed fails with `StdinClosed`.
 *
 * @internal
 */
export interface HijackedStdio {
  readonly tty: boolean
  readonly output: Stream.Stream<Demux.Frame, TransportError | Demux.DemuxError | Demux.DaemonStreamError>
  readonly stdin: Sink.Sink<void, Uint8Array | string, never, TransportError | StdinClosed>
  readonly write: (data: Uint8Array | string) => Effect.Effect<void, TransportError | StdinClosed>
  readonly closeStdin: Effect.Effect<void>
}

/**
 * Opens the standard streams of a process on a hijacked socket: the reader is acquired at once in the current scope
 * (so the daemon can write, and so closing the scope closes the connection), the writer in a child scope whose
 * closing half-closes the connection.
 *
 * @internal
 */
export const makeHijackedStdio = (
  socket: Socket.Socket,
  options: { readonly tty: boolean; readonly operation: string; readonly target: string }
): Effect.Effect<HijackedStdio, TransportError, Scope.Scope> =>
  Effect.gen(function*() {
    const { operation, target, tty } = options
    const toTransport = (error: Socket.SocketError) =>
      new TransportError({ operation, target, reason: error.message, cause: error })
    const scope = yield* Effect.scope
    const pull = yield* Effect.mapError(Socket.readerBytes(socket), toTransport)
    const writeScope = yield* Scope.fork(scope)
    const writer = yield* Scope.provide(socket.writer, writeScope)
    let stdinOpen = true
    const closeStdin = Effect.suspend(() => {
      if (!stdinOpen) return Effect.void
      stdinOpen = false
      return Scope.close(writeScope, Exit.void)
    })
    let taken = false
    const bytesPull: Effect.Effect<NonEmptyReadonlyArray<Uint8Array>, TransportError | Cause.Done> = Effect.catch(
      pull,
      (error): Effect.Effect<never, TransportError | Cause.Done> =>
        error.reason._tag === "SocketCloseError" ? Cause.done() : Effect.fail(toTransport(error))
    )
    const bytes = Stream.fromPull(Effect.suspend(() => {
      if (taken) {
        return Effect.fail(
          new TransportError({ operation, target, reason: "the session's output was already read", cause: undefined })
        )
      }
      taken = true
      return Effect.succeed(bytesPull)
    }))
    const output = tty ? Demux.rawStream(bytes) : Demux.demuxStream(bytes)
    const write = (data: Uint8Array | string): Effect.Effect<void, TransportError | StdinClosed> =>
      stdinOpen ? Effect.mapError(writer.write(data), toTransport) : Effect.fail(new StdinClosed({ operation }))
    const stdin = Sink.forEachArray((
      chunks: NonEmptyReadonlyArray<Uint8Array | string>
    ): Effect.Effect<void, TransportError | StdinClosed> =>
      stdinOpen ? Effect.mapError(writer.writeAll(chunks), toTransport) : Effect.fail(new StdinClosed({ operation }))
    ).pipe(Sink.ensuring(closeStdin))
    return { tty, output, stdin, write, closeStdin }
  })
