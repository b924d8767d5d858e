/**
 * How registry operations get their credentials header (explicit `auth`, else the current `Credentials`
 * resolver) and how a registry's refusal becomes `RegistryUnauthorized` (or its rate limit `RateLimited`), whatever
 * status the daemon used.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Credentials from "../Credentials.ts"
import * as Errors from "../Errors.ts"

/** The credentials for `image` and their `X-Registry-Auth` value: `auth` when given, else the resolver's. */
export interface Resolved {
  readonly registry: string
  readonly auth: Credentials.AuthConfig | undefined
  /** The header value; `undefined` when there are no credentials. */
  readonly header: string | undefined
}

/** @internal */
export const resolveFor = (
  image: string,
  auth: Credentials.AuthConfig | undefined
): Effect.Effect<Resolved, Credentials.CredentialsError> =>
  Effect.map(auth === undefined ? Credentials.resolve(image) : Effect.succeed(auth), (found) => ({
    registry: Credentials.registryOf(image),
    auth: found,
    header: found === undefined ? undefined : Redacted.value(Credentials.encodeAuth(found))
  }))

const refusal =
  /\bunauthorized\b|authentication required|no basic auth credentials|incorrect username or password|\bdenied:/i

/** Whether a daemon or registry message says the registry refused the credentials. @internal */
export const isRefusal = (message: string): boolean => refusal.test(message)

const secretsOf = (auth: Credentials.AuthConfig | undefined): Array<string> =>
  auth === undefined
    ? []
    : [auth.password, auth.identityToken, auth.registryToken].flatMap((secret) =>
      secret === undefined || Redacted.value(secret) === "" ? [] : [Redacted.value(secret)]
    )

/** `message` with every secret of `auth` replaced by `<redacted>`. @internal */
export const scrub = (message: string, auth: Credentials.AuthConfig | undefined): string =>
  secretsOf(auth).reduce((text, secret) => text.split(secret).join("<redacted>"), message)

const statusTags = new Set(["Unauthorized", "Forbidden", "ServerError", "UnexpectedStatus"])

/**
 * Maps a status error that says the registry refused the credentials (`Unauthorized` always; `Forbidden`,
 * `ServerError` and `UnexpectedStatus` when the daemon's message says so) to `RegistryUnauthorized`.
 *
 * @internal
 */
export const refusedStatus =
  (operation: string, resolved: Pick<Resolved, "registry" | "auth">) =>
  <E>(error: E): E | Errors.RegistryUnauthorized => {
    if (typeof error !== "object" || error === null) return error
    const { _tag, message, status } = error as { _tag?: unknown; message?: unknown; status?: unknown }
    if (typeof _tag !== "string" || !statusTags.has(_tag) || typeof message !== "string") return error
    if (_tag !== "Unauthorized" && !isRefusal(message)) return error
    return new Errors.RegistryUnauthorized({
      operation,
      registry: resolved.registry,
      ...(typeof status === "number" ? { status } : {}),
      message: scrub(message, resolved.auth)
    })
  }

/** A refusal reported inside a progress stream (`errorDetail`). @internal */
export const refusedInStream = (
  operation: string,
  resolved: Pick<Resolved, "registry" | "auth">,
  message: string
): Errors.RegistryUnauthorized | undefined =>
  isRefusal(message)
    ? new Errors.RegistryUnauthorized({
      operation,
      registry: resolved.registry,
      message: scrub(message, resolved.auth)
    })
    : undefined

const rateLimit = /\btoomanyrequests\b|too many requests|\brate limit/i

/** Whether a daemon or registry message says the registry refused the request for its rate limit. @internal */
export const isRateLimit = (message: string): boolean => rateLimit.test(message)

const retryAfterPattern = /retry[- ]after[:=\s]+(\d+(?:\.\d+)?)\s*(s|seconds?)?\b/i

/** A retry-after hint in a message (`Retry-After: 30`, `retry after 30 seconds`), in seconds. @internal */
export const retryAfterOf = (message: string): Duration.Duration | undefined => {
  const match = retryAfterPattern.exec(message)
  return match === null ? undefined : Duration.seconds(Number(match[1]))
}

const rateLimitTags = new Set(["TooManyRequests", "ServerError", "UnexpectedStatus", "ServiceUnavailable", "Forbidden"])

const rateLimited = (
  operation: string,
  resolved: Pick<Resolved, "registry" | "auth">,
  message: string,
  status: number | undefined
): Errors.RateLimited => {
  const text = scrub(message, resolved.auth)
  const retryAfter = retryAfterOf(text)
  return new Errors.RateLimited({
    operation,
    registry: resolved.registry,
    ...(status === undefined ? {} : { status }),
    message: text,
    ...(retryAfter === undefined ? {} : { retryAfter })
  })
}

/**
 * Maps a status error that says the registry's rate limit was reached (a `429` always; `500` and the other
 * statuses a daemon uses when the message says `toomanyrequests`) to `RateLimited`.
 *
 * @internal
 */
export const rateLimitedStatus =
  (operation: string, resolved: Pick<Resolved, "registry" | "auth">) => <E>(error: E): E | Errors.RateLimited => {
    if (typeof error !== "object" || error === null) return error
    const { _tag, message, status } = error as { _tag?: unknown; message?: unknown; status?: unknown }
    if (typeof _tag !== "string" || !rateLimitTags.has(_tag) || typeof message !== "string") return error
    if (status !== 429 && !isRateLimit(message)) return error
    return rateLimited(operation, resolved, message, typeof status === "number" ? status : undefined)
  }

/** A rate limit reported inside a progress stream (`errorDetail`). @internal */
export const rateLimitedInStream = (
  operation: string,
  resolved: Pick<Resolved, "registry" | "auth">,
  message: string
): Errors.RateLimited | undefined =>
  isRateLimit(message) ? rateLimited(operation, resolved, message, undefined) : undefined
