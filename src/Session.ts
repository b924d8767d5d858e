/**
 * Interactive sessions (`POST /session`): the connection BuildKit uses to call back into the client (to read
 * build contexts, secrets or SSH agents). The daemon upgrades the connection to `h2c` and then speaks HTTP/2 on
 * it, as the gRPC *client* of the services the session exposes. This module opens the upgraded connection and
 * hands it over as a `Socket`; serving gRPC on it is up to the caller (the SDK has no HTTP/2 server). BuildKit
 * learns the gRPC methods a client serves from repeated `X-Docker-Expose-Session-Grpc-Method` headers, which an
 * Effect `HttpClientRequest` cannot send (its headers hold one value per name), so sessions opened here announce
 * none.
 *
 * The endpoint is deprecated in the API (daemons are meant to serve gRPC on the listening socket directly) but
 * still answered by Engine 20.10 and later.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Socket from "effect/socket/Socket"
import * as Docker from "./Docker.ts"
import * as Errors from "./Errors.ts"
import * as Operations from "./generated/operations.ts"
import * as Operation from "./Operation.ts"

/**
 * What identifies a session to the daemon (sent as the `X-Docker-Expose-Session-*` headers BuildKit reads).
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionOptions {
  /** The session's unique id (a random UUID when absent); a build refers to it as its `session` parameter. */
  readonly id?: string
  /** A name for the session, e.g. the client's working directory. */
  readonly name?: string
  /** The key BuildKit uses to share caches between sessions of the same client. */
  readonly sharedKey?: string
}

/**
 * An open session: its id and the upgraded connection, on which the daemon speaks HTTP/2 (it starts with the
 * HTTP/2 client preface).
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenSession {
  readonly id: string
  readonly socket: Socket.Socket
}

/**
 * Opens a session: sends `POST /session` with `Upgrade: h2c` and the session's headers and, once the daemon
 * answered `101`, gives the connection (closed when the scope closes). Fails with `HijackNotSupported` before
 * any I/O on a transport that cannot upgrade, and with the status errors of the operation otherwise.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Session } from "effect-docker"
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const session = yield* Session.open({ name: "my-build" })
 *     // serve gRPC (HTTP/2) on session.socket, and start a build with `session: session.id`
 *     return session.id
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category sessions
 */
export const open = (
  options: SessionOptions = {}
): Effect.Effect<
  OpenSession,
  Docker.CallError<Operation.StatusOf<typeof Operations.Session>> | Errors.HijackNotSupported,
  Docker.Docker | Scope.Scope
> =>
  Effect.suspend(() => {
    const id = options.id ?? globalThis.crypto.randomUUID()
    return Effect.map(
      Docker.hijack(withSessionHeaders, { uuid: id, name: options.name, sharedKey: options.sharedKey }),
      (socket): OpenSession => ({ id, socket })
    )
  })

/**
 * `POST /session` (upgraded to `h2c`) with the headers that describe the session: the generated operation plus
 * three header parameters, so that the session goes through the same call path as every other operation.
 */
const withSessionHeaders = /*#__PURE__*/ Operation.make<
  {
    readonly uuid: string
    readonly name?: string | undefined
    readonly sharedKey?: string | undefined
  },
  Operation.ResponseOf<"Hijack">,
  Operation.StatusOf<typeof Operations.Session>
>({
  ...Operations.Session,
  params: [
    ...Operations.Session.params,
    { name: "X-Docker-Expose-Session-Uuid", key: "uuid", in: "header", style: "string", required: true },
    { name: "X-Docker-Expose-Session-Name", key: "name", in: "header", style: "string" },
    { name: "X-Docker-Expose-Session-Sharedkey", key: "sharedKey", in: "header", style: "string" }
  ]
})
