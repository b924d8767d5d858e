/**
 * How registry operations get their credentials header (explicit `auth`, else the current `Credentials`
 * resolver) and how a registry's refusal becomes `RegistryUnauthorized`, whatever status the daemon used.
 *
 * @internal
 */
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
export const refusedStatus = (operation: string, resolved: Pick<Resolved, "registry" | "auth">) =>
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
