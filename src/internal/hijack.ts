/**
 * Reading a hijacked connection as a byte stream that ends when the daemon closes it.
 *
 * @internal
 */
import * as Stream from "effect/Stream"
import * as Socket from "effect/socket/Socket"

/** @internal */
export const socketBytes = (socket: Socket.Socket): Stream.Stream<Uint8Array, Socket.SocketError> =>
  Socket.toStream(socket).pipe(
    Stream.catchIf((error) => error.reason._tag === "SocketCloseError", () => Stream.empty)
  )
