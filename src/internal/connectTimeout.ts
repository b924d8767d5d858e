/**
 * The cause a transport fails with when opening a connection took longer than its connect timeout; the client
 * turns it into `Errors.Timeout` with `phase: "connect"`. Browser-safe: only the platform modules raise it.
 *
 * @internal
 */

/** The connect timeout when a layer's options give none: the docker CLI's dialer uses 30 s (the Go client 32 s). */
export const defaultConnectTimeoutMillis = 30_000

/** @internal */
export class ConnectTimeoutError extends Error {
  readonly _tag = "effect-docker/ConnectTimeout"
  readonly millis: number
  constructor(millis: number) {
    super(`connecting took longer than ${millis} ms`)
    this.millis = millis
  }
}

/** The connect timeout somewhere in a chain of causes (an `HttpClientError`, its reason, their `cause`s). */
export const findConnectTimeout = (error: unknown): ConnectTimeoutError | undefined => {
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if ((current as { _tag?: unknown })._tag === "effect-docker/ConnectTimeout") return current as ConnectTimeoutError
    const next = current as { reason?: unknown; cause?: unknown }
    current =
      typeof next.reason === "object" && next.reason !== null && (next.reason as { _tag?: unknown })._tag !== undefined
        ? next.reason
        : next.cause
  }
  return undefined
}
