/**
 * The errors of the DVP client. Status errors carry the same fields as the Engine API errors (`operation`, `status`,
 * `message`); every tag starts with `Dvp`, so no DVP error shares a tag with an Engine API error of another shape
 * (`Effect.catchTag("DvpNotFound", …)` catches the DVP API's 404 and nothing else). Messages hold the server's own
 * text, never a password, a token or the signed query of a download URL.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type { TaggedErrorClass } from "../../internal/taggedError.ts"

/** @internal */
export interface StatusFields {
  /** The spec's operation id, e.g. `"getNamespace"`, or `"download"` for a data file. */
  readonly operation: string
  readonly status: number
  /** The server's `detail` / `message`, or the status text when the body said nothing useful. */
  readonly message: string
}

// Each base class is a constant with an explicit type, as JSR's fast check requires.
const UnauthorizedBase: TaggedErrorClass<"DvpUnauthorized"> = /*#__PURE__*/ Data.TaggedError("DvpUnauthorized")
const ForbiddenBase: TaggedErrorClass<"DvpForbidden"> = /*#__PURE__*/ Data.TaggedError("DvpForbidden")
const NotFoundBase: TaggedErrorClass<"DvpNotFound"> = /*#__PURE__*/ Data.TaggedError("DvpNotFound")
const RateLimitedBase: TaggedErrorClass<"DvpRateLimited"> = /*#__PURE__*/ Data.TaggedError("DvpRateLimited")
const ServerErrorBase: TaggedErrorClass<"DvpServerError"> = /*#__PURE__*/ Data.TaggedError("DvpServerError")
const UnexpectedStatusBase: TaggedErrorClass<"DvpUnexpectedStatus"> = /*#__PURE__*/ Data.TaggedError(
  "DvpUnexpectedStatus"
)
const TransportErrorBase: TaggedErrorClass<"DvpTransportError"> = /*#__PURE__*/ Data.TaggedError("DvpTransportError")
const ResponseDecodeErrorBase: TaggedErrorClass<"DvpDecodeError"> = /*#__PURE__*/ Data.TaggedError("DvpDecodeError")
const CsvErrorBase: TaggedErrorClass<"DvpCsvError"> = /*#__PURE__*/ Data.TaggedError("DvpCsvError")
const InvalidArgumentBase: TaggedErrorClass<"DvpInvalidArgument"> = /*#__PURE__*/ Data.TaggedError("DvpInvalidArgument")
const LoginFailedBase: TaggedErrorClass<"DvpLoginFailed"> = /*#__PURE__*/ Data.TaggedError("DvpLoginFailed")
const TwoFactorRequiredBase: TaggedErrorClass<"DvpTwoFactorRequired"> = /*#__PURE__*/ Data.TaggedError(
  "DvpTwoFactorRequired"
)

/** @internal */
export class DvpUnauthorized extends UnauthorizedBase<StatusFields> {}
/** @internal */
export class DvpForbidden extends ForbiddenBase<StatusFields> {}
/** @internal */
export class DvpNotFound extends NotFoundBase<StatusFields> {}
/** @internal */
export class DvpRateLimited extends RateLimitedBase<
  StatusFields & {
    /** What the last `Retry-After` asked for, in milliseconds, when the server sent one. */
    readonly retryAfterMillis: number | undefined
    readonly attempts: number
  }
> {}
/** @internal */
export class DvpServerError extends ServerErrorBase<StatusFields & { readonly attempts: number }> {}
/** @internal */
export class DvpUnexpectedStatus extends UnexpectedStatusBase<StatusFields> {}
/** @internal */
export class DvpTransportError extends TransportErrorBase<{
  readonly operation: string
  readonly message: string
  readonly attempts: number
}> {}
/** @internal */
export class DvpDecodeError extends ResponseDecodeErrorBase<{
  readonly operation: string
  readonly status: number
  readonly message: string
}> {}
/** @internal */
export class DvpCsvError extends CsvErrorBase<{
  /** The data file, without its query string (which may hold a signature). */
  readonly url: string
  /** The 1-based record the error is in (the header is record 1); 0 when the bytes themselves were bad. */
  readonly record: number
  readonly message: string
}> {}
/** @internal */
export class DvpInvalidArgument extends InvalidArgumentBase<{
  readonly operation: string
  readonly argument: string
  readonly message: string
}> {}
/** @internal */
export class DvpLoginFailed extends LoginFailedBase<StatusFields> {}
/** @internal */
export class DvpTwoFactorRequired extends TwoFactorRequiredBase<{
  readonly operation: string
  readonly message: string
}> {}

/** @internal */
export type AuthError =
  | DvpLoginFailed
  | DvpTwoFactorRequired
  | DvpRateLimited
  | DvpServerError
  | DvpUnexpectedStatus
  | DvpTransportError
  | DvpDecodeError
