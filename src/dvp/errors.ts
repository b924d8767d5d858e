/**
 * The errors of the DVP client. Status errors carry the same fields as the Engine API errors (`operation`, `status`,
 * `message`), so `Effect.catchTag("NotFound", …)` reads the same across the SDK. Messages hold the server's own
 * text, never a password, a token or the signed query of a download URL.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type { TaggedErrorClass } from "../internal/taggedError.ts"

/** @internal */
export interface StatusFields {
  /** The spec's operation id, e.g. `"getNamespace"`, or `"download"` for a data file. */
  readonly operation: string
  readonly status: number
  /** The server's `detail` / `message`, or the status text when the body said nothing useful. */
  readonly message: string
}

// Each base class is a constant with an explicit type, as JSR's fast check requires.
const UnauthorizedBase: TaggedErrorClass<"Unauthorized"> = Data.TaggedError("Unauthorized")
const ForbiddenBase: TaggedErrorClass<"Forbidden"> = Data.TaggedError("Forbidden")
const NotFoundBase: TaggedErrorClass<"NotFound"> = Data.TaggedError("NotFound")
const RateLimitedBase: TaggedErrorClass<"RateLimited"> = Data.TaggedError("RateLimited")
const ServerErrorBase: TaggedErrorClass<"ServerError"> = Data.TaggedError("ServerError")
const UnexpectedStatusBase: TaggedErrorClass<"UnexpectedStatus"> = Data.TaggedError("UnexpectedStatus")
const TransportErrorBase: TaggedErrorClass<"TransportError"> = Data.TaggedError("TransportError")
const ResponseDecodeErrorBase: TaggedErrorClass<"ResponseDecodeError"> = Data.TaggedError("ResponseDecodeError")
const CsvErrorBase: TaggedErrorClass<"CsvError"> = Data.TaggedError("CsvError")
const InvalidArgumentBase: TaggedErrorClass<"InvalidArgument"> = Data.TaggedError("InvalidArgument")
const LoginFailedBase: TaggedErrorClass<"LoginFailed"> = Data.TaggedError("LoginFailed")
const TwoFactorRequiredBase: TaggedErrorClass<"TwoFactorRequired"> = Data.TaggedError("TwoFactorRequired")

/** @internal */
export class Unauthorized extends UnauthorizedBase<StatusFields> {}
/** @internal */
export class Forbidden extends ForbiddenBase<StatusFields> {}
/** @internal */
export class NotFound extends NotFoundBase<StatusFields> {}
/** @internal */
export class RateLimited extends RateLimitedBase<
  StatusFields & {
    /** What the last `Retry-After` asked for, in milliseconds, when the server sent one. */
    readonly retryAfterMillis: number | undefined
    readonly attempts: number
  }
> {}
/** @internal */
export class ServerError extends ServerErrorBase<StatusFields & { readonly attempts: number }> {}
/** @internal */
export class UnexpectedStatus extends UnexpectedStatusBase<StatusFields> {}
/** @internal */
export class TransportError extends TransportErrorBase<{
  readonly operation: string
  readonly message: string
  readonly attempts: number
}> {}
/** @internal */
export class ResponseDecodeError extends ResponseDecodeErrorBase<{
  readonly operation: string
  readonly status: number
  readonly message: string
}> {}
/** @internal */
export class CsvError extends CsvErrorBase<{
  /** The data file, without its query string (which may hold a signature). */
  readonly url: string
  /** The 1-based record the error is in (the header is record 1); 0 when the bytes themselves were bad. */
  readonly record: number
  readonly message: string
}> {}
/** @internal */
export class InvalidArgument extends InvalidArgumentBase<{
  readonly operation: string
  readonly argument: string
  readonly message: string
}> {}
/** @internal */
export class LoginFailed extends LoginFailedBase<StatusFields> {}
/** @internal */
export class TwoFactorRequired extends TwoFactorRequiredBase<{
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
