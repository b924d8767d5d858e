/**
 * Sending one request with bounded retries: 429 and 5xx answers and transport failures are retried, waiting what
 * `Retry-After` asks (seconds or an HTTP date) or an exponential back-off; other statuses map to tagged errors.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Schema from "effect/Schema"
import {
  DvpDecodeError,
  DvpForbidden,
  DvpNotFound,
  DvpRateLimited,
  DvpServerError,
  DvpTransportError,
  DvpUnauthorized,
  DvpUnexpectedStatus
} from "./errors.ts"

/** @internal */
export interface RetryPolicy {
  /** Total tries, the first included. */
  readonly times: number
  /** The first back-off when the server sent no `Retry-After`; it doubles on each try. */
  readonly baseDelay: Duration.Duration
  /** The longest back-off without `Retry-After`. */
  readonly maxDelay: Duration.Duration
  /** A `Retry-After` longer than this is not waited for: the call fails with `DvpRateLimited` at once. */
  readonly maxRetryAfter: Duration.Duration
}

/** @internal */
export const defaultRetryPolicy: RetryPolicy = {
  times: 4,
  baseDelay: Duration.millis(500),
  maxDelay: Duration.seconds(20),
  maxRetryAfter: Duration.seconds(120)
}

/** @internal */
export interface RetryPolicyInput {
  readonly times?: number | undefined
  readonly baseDelay?: Duration.Input | undefined
  readonly maxDelay?: Duration.Input | undefined
  readonly maxRetryAfter?: Duration.Input | undefined
}

/** @internal */
export const makeRetryPolicy = (input: RetryPolicyInput | undefined): RetryPolicy => ({
  times: Math.max(1, Math.floor(input?.times ?? defaultRetryPolicy.times)),
  baseDelay: input?.baseDelay === undefined ? defaultRetryPolicy.baseDelay : Duration.fromInputUnsafe(input.baseDelay),
  maxDelay: input?.maxDelay === undefined ? defaultRetryPolicy.maxDelay : Duration.fromInputUnsafe(input.maxDelay),
  maxRetryAfter: input?.maxRetryAfter === undefined
    ? defaultRetryPolicy.maxRetryAfter
    : Duration.fromInputUnsafe(input.maxRetryAfter)
})

/**
 * Reads `Retry-After`: delta-seconds or an HTTP date. Returns milliseconds from `now`, never negative.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * Strips the query and fragment of a URL, which for a data file may hold a signature.
 *
 * @internal
 */
export const publicUrl = (url: string): string => {
  const cut = url.search(/[?#]/)
  return cut === -1 ? url : url.slice(0, cut)
}

const MessageBody = Schema.Struct({
  detail: Schema.optionalKey(Schema.Unknown),
  message: Schema.optionalKey(Schema.Unknown),
  error: Schema.optionalKey(Schema.Unknown)
})
const decodeMessageBody = Schema.decodeUnknownOption(Schema.fromJsonString(MessageBody))

/**
 * The server's own words for an error answer: `detail`, `message` or `error` of a JSON body, else the text
 * (cut at 300 characters), else the status.
 *
 * @internal
 */
export const errorMessage = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string> =>
  response.text.pipe(
    Effect.map((text) => {
      const body = decodeMessageBody(text)
      if (body._tag === "Some") {
        for (const value of [body.value.detail, body.value.message, body.value.error]) {
          if (typeof value === "string" && value.length > 0) return value
        }
      }
      const trimmed = text.trim()
      if (trimmed.length > 0 && !trimmed.startsWith("{")) {
        return trimmed.length > 300 ? trimmed.slice(0, 300) + "…" : trimmed
      }
      return `HTTP ${response.status}`
    }),
    Effect.orElseSucceed(() => `HTTP ${response.status}`)
  )

/** @internal */
export type StatusError = DvpUnauthorized | DvpForbidden | DvpNotFound | DvpUnexpectedStatus

/**
 * Maps a non-2xx, non-retryable answer to its tagged error.
 *
 * @internal
 */
export const statusError = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<never, StatusError> =>
  Effect.flatMap(errorMessage(response), (message): Effect.Effect<never, StatusError> => {
    const fields = { operation, status: response.status, message }
    switch (response.status) {
      case 401:
        return Effect.fail(new DvpUnauthorized(fields))
      case 403:
        return Effect.fail(new DvpForbidden(fields))
      case 404:
        return Effect.fail(new DvpNotFound(fields))
      default:
        return Effect.fail(new DvpUnexpectedStatus(fields))
    }
  })

const isRetryable = (status: number) => status === 429 || status >= 500

/**
 * Sends `request`, retrying 429 / 5xx / transport failures within `policy`. Resolves with the response for any
 * other status (the caller decides what 401 or 404 mean); fails with `DvpRateLimited`, `DvpServerError` or
 * `DvpTransportError` when the tries run out.
 *
 * @internal
 */
export const sendWithRetry = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  operation: string,
  policy: RetryPolicy
): Effect.Effect<HttpClientResponse.HttpClientResponse, DvpRateLimited | DvpServerError | DvpTransportError> => {
  const loop = (
    attempt: number
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, DvpRateLimited | DvpServerError | DvpTransportError> =>
    client.execute(request).pipe(
      Effect.matchEffect({
        onFailure: (error) => {
          const message = describeHttpError(error, request.method, request.url)
          return attempt < policy.times
            ? Effect.andThen(Effect.sleep(backoff(policy, attempt)), loop(attempt + 1))
            : Effect.fail(new DvpTransportError({ operation, message, attempts: attempt }))
        },
        onSuccess: (response) => {
          if (!isRetryable(response.status)) return Effect.succeed(response)
          return Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const retryAfter = parseRetryAfter(response.headers["retry-after"], now)
            const tooLong = retryAfter !== undefined && retryAfter > Duration.toMillis(policy.maxRetryAfter)
            if (attempt >= policy.times || tooLong) {
              const message = yield* errorMessage(response)
              const fields = { operation, status: response.status, message, attempts: attempt }
              return yield* response.status === 429
                ? Effect.fail(new DvpRateLimited({ ...fields, retryAfterMillis: retryAfter }))
                : Effect.fail(new DvpServerError(fields))
            }
            // drain the body so the connection can be reused
            yield* Effect.ignore(response.arrayBuffer)
            yield* Effect.sleep(retryAfter !== undefined ? Duration.millis(retryAfter) : backoff(policy, attempt))
            return yield* loop(attempt + 1)
          })
        }
      })
    )
  return loop(1)
}

/**
 * A message for an `HttpClientError` built from its reason and cause only, with the URL's query dropped: the
 * request (its headers, its JSON body, a signed query) never reaches the message.
 *
 * @internal
 */
export const describeHttpError = (error: HttpClientError.HttpClientError, method: string, url: string): string => {
  const reason = error.reason as {
    readonly _tag: string
    readonly description?: string | undefined
    readonly cause?: unknown
  }
  let detail = reason.description
  if (detail === undefined && reason.cause instanceof Error) {
    const inner = (reason.cause as { cause?: unknown }).cause
    detail = inner instanceof Error ? `${reason.cause.message} (${inner.message})` : reason.cause.message
  }
  const what = reason._tag.replace(/Error$/, "")
  return `${what} error${detail === undefined ? "" : `: ${detail}`} (${method} ${publicUrl(url)})`
}

const backoff = (policy: RetryPolicy, attempt: number): Duration.Duration => {
  const millis = Duration.toMillis(policy.baseDelay) * 2 ** (attempt - 1)
  return Duration.millis(Math.min(millis, Duration.toMillis(policy.maxDelay)))
}

/**
 * Decodes a JSON body with a compiled decoder, mapping failures to `DvpDecodeError`.
 *
 * @internal
 */
export const decodeJson = <A>(
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  decode: (u: unknown) => Effect.Effect<A, Schema.SchemaError>
): Effect.Effect<A, DvpDecodeError> =>
  response.json.pipe(
    Effect.mapError((error) =>
      new DvpDecodeError({ operation, status: response.status, message: `the body is not JSON: ${error.message}` })
    ),
    Effect.flatMap((json) =>
      Effect.mapError(
        decode(json),
        (error) =>
          new DvpDecodeError({
            operation,
            status: response.status,
            message: `the body does not match the spec: ${error.message}`
          })
      )
    )
  )
