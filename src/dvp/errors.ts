/**
 * The errors of the DVP client. Status errors carry the same fields as the Engine API errors (`operation`, `status`,
 * `message`), so `Effect.catchTag("NotFound", …)` reads the same across the SDK. Messages hold the server's own
 * text, never a password, a token or the signed query of a download URL.
 *
 * @internal
 */
import * as Data from "effect/Data"

/** @internal */
export interface StatusFields {
  /** The spec's operation id, e.g. `"getNamespace"`, or `"download"` for a data file. */
  readonly operation: string
  readonly status: number
  /** The server's `detail` / `message`, or the status text when the body said nothing useful. */
  readonly message: string
}

/** @internal */
export class Unauthorized extends Data.TaggedError("Unauthorized")<StatusFields> {}
/** @internal */
export class Forbidden extends Data.TaggedError("Forbidden")<StatusFields> {}
/** @internal */
export class NotFound extends Data.TaggedError("NotFound")<StatusFields> {}
/** @internal */
export class RateLimited extends Data.TaggedError("RateLimited")<
  StatusFields & {
    /** What the last `Retry-After` asked for, in milliseconds, when the server sent one. */
    readonly retryAfterMillis: number | undefined
    readonly attempts: number
  }
> {}
/** @internal */
export class ServerError extends Data.TaggedError("ServerError")<StatusFields & { readonly attempts: number }> {}
/** @internal */
export class UnexpectedStatus extends Data.TaggedError("UnexpectedStatus")<StatusFields> {}
/** @internal */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly operation: string
  readonly message: string
  readonly attempts: number
}> {}
/** @internal */
export class ResponseDecodeError extends Data.TaggedError("ResponseDecodeError")<{
  readonly operation: string
  readonly status: number
  readonly message: string
}> {}
/** @internal */
export class CsvError extends Data.TaggedError("CsvError")<{
  /** The data file, without its query string (which may hold a signature). */
  readonly url: string
  /** The 1-based record the error is in (the header is record 1); 0 when the bytes themselves were bad. */
  readonly record: number
  readonly message: string
}> {}
/** @internal */
export class InvalidArgument extends Data.TaggedError("InvalidArgument")<{
  readonly operation: string
  readonly argument: string
  readonly message: string
}> {}
/** @internal */
export class LoginFailed extends Data.TaggedError("LoginFailed")<StatusFields> {}
/** @internal */
export class TwoFactorRequired extends Data.TaggedError("TwoFactorRequired")<{
  readonly operation: string
  readonly message: string
}> {}

/** @internal */
export type AuthError =
  | LoginFailed
  | TwoFactorRequired
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | TransportError
  | ResponseDecodeError
