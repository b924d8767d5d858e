/**
 * Docker Hub authentication for the DVP client: username + password or personal access token on
 * `/v2/users/login` (with the second factor on `/v2/users/2fa-login`), `/v2/auth/token` for access tokens, or a
 * bearer token given as it is. The token is cached; a refused token is renewed once per refusal, by one fiber.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Semaphore from "effect/Semaphore"
import { type AuthError, DvpLoginFailed, DvpTwoFactorRequired, DvpUnexpectedStatus } from "./errors.ts"
import {
  decodeJson,
  errorMessage,
  makeRetryPolicy,
  type RetryPolicy,
  type RetryPolicyInput,
  sendWithRetry
} from "./http.ts"
import { AccessTokenSuccess, LoginError, LoginSuccess } from "./schemas.ts"

/** @internal */
export const defaultHubUrl = "https://hub.docker.com"

/** @internal */
export interface PasswordCredentials {
  readonly _tag: "Password"
  readonly username: string
  /** The account password or a personal access token (PAT). */
  readonly password: Redacted.Redacted<string>
  /** Asked for the current TOTP code when the account has two-factor authentication. */
  readonly twoFactorCode?: Effect.Effect<string | Redacted.Redacted<string>, unknown> | undefined
}

/** @internal */
export interface AccessTokenCredentials {
  readonly _tag: "AccessToken"
  /** A username (for a password or PAT) or an organization name (for an organization access token). */
  readonly identifier: string
  readonly secret: Redacted.Redacted<string>
}

/** @internal */
export interface TokenCredentials {
  readonly _tag: "Token"
  readonly token: Redacted.Redacted<string>
}

/** @internal */
export type Credentials = PasswordCredentials | AccessTokenCredentials | TokenCredentials

/** @internal */
export interface HubAuthOptions {
  readonly credentials: Credentials
  /** Docker Hub's base URL, where the login paths live. Default `https://hub.docker.com`. */
  readonly hubUrl?: string | undefined
  readonly retry?: RetryPolicyInput | undefined
}

/** @internal */
export interface HubAuthService {
  /** The cached bearer token, logging in first when there is none. */
  readonly token: Effect.Effect<Redacted.Redacted<string>, AuthError>
  /**
   * Called after the server refused `stale`: logs in again (once, however many fibers saw the refusal) and returns
   * the new token, or `None` when the credentials cannot make a new one (a token given as it is).
   */
  readonly renew: (
    stale: Redacted.Redacted<string>
  ) => Effect.Effect<Option.Option<Redacted.Redacted<string>>, AuthError>
}

const HubAuthBase: Context.ServiceClass<HubAuth, "effect-docker/Dvp/HubAuth", HubAuthService> = Context.Service<
  HubAuth,
  HubAuthService
>()("effect-docker/Dvp/HubAuth")

/** @internal */
export class HubAuth extends HubAuthBase {}

const decodeLoginSuccess = Schema.decodeUnknownEffect(LoginSuccess)
const decodeLoginError = Schema.decodeUnknownOption(LoginError)
const decodeAccessToken = Schema.decodeUnknownEffect(AccessTokenSuccess)

const trimSlash = (url: string) => url.replace(/\/+$/, "")

/**
 * Logs in once with `credentials`, returning the bearer token.
 *
 * @internal
 */
export const login = (
  credentials: Credentials,
  options?: { readonly hubUrl?: string | undefined; readonly retry?: RetryPolicyInput | undefined }
): Effect.Effect<Redacted.Redacted<string>, AuthError, HttpClient.HttpClient> =>
  Effect.flatMap(
    HttpClient.HttpClient,
    (client) =>
      loginWith(client, credentials, trimSlash(options?.hubUrl ?? defaultHubUrl), makeRetryPolicy(options?.retry))
  )

const loginWith = (
  client: HttpClient.HttpClient,
  credentials: Credentials,
  hubUrl: string,
  policy: RetryPolicy
): Effect.Effect<Redacted.Redacted<string>, AuthError> => {
  switch (credentials._tag) {
    case "Token":
      return Effect.succeed(credentials.token)
    case "AccessToken":
      return post(client, policy, "AuthCreateAccessToken", `${hubUrl}/v2/auth/token`, {
        identifier: credentials.identifier,
        secret: Redacted.value(credentials.secret)
      }).pipe(
        Effect.flatMap((response): Effect.Effect<Redacted.Redacted<string>, AuthError> =>
          response.status === 200
            ? Effect.map(decodeJson("AuthCreateAccessToken", response, decodeAccessToken), (body) =>
              Redacted.make(body.access_token, { label: "hub-token" }))
            : refused("AuthCreateAccessToken", response)
        )
      )
    case "Password":
      return post(client, policy, "PostUsersLogin", `${hubUrl}/v2/users/login`, {
        username: credentials.username,
        password: Redacted.value(credentials.password)
      }).pipe(Effect.flatMap((response): Effect.Effect<Redacted.Redacted<string>, AuthError> => {
        if (response.status === 200) return tokenOf("PostUsersLogin", response)
        if (response.status !== 401) return refused("PostUsersLogin", response)
        return Effect.flatMap(response.text, (text) => {
          const body = decodeLoginError(safeJson(text))
          const second = Option.isSome(body) ? body.value.login_2fa_token : undefined
          if (typeof second !== "string" || second.length === 0) {
            const detail = Option.isSome(body) ? body.value.detail : undefined
            return Effect.fail(
              new DvpLoginFailed({
                operation: "PostUsersLogin",
                status: 401,
                message: detail ?? "authentication failed"
              })
            )
          }
          return secondFactor(client, policy, hubUrl, credentials, Redacted.make(second))
        }).pipe(
          Effect.catchTag("HttpClientError", (error) =>
            Effect.fail(
              new DvpLoginFailed({
                operation: "PostUsersLogin",
                status: 401,
                message: `unreadable answer: ${error.reason._tag}`
              })
            ))
        )
      }))
  }
}

const secondFactor = (
  client: HttpClient.HttpClient,
  policy: RetryPolicy,
  hubUrl: string,
  credentials: PasswordCredentials,
  loginToken: Redacted.Redacted<string>
): Effect.Effect<Redacted.Redacted<string>, AuthError> => {
  if (credentials.twoFactorCode === undefined) {
    return Effect.fail(
      new DvpTwoFactorRequired({
        operation: "PostUsersLogin",
        message: `the account ${credentials.username} has two-factor authentication: pass twoFactorCode`
      })
    )
  }
  return credentials.twoFactorCode.pipe(
    Effect.mapError(() =>
      new DvpTwoFactorRequired({ operation: "PostUsers2FALogin", message: "the twoFactorCode effect failed" })
    ),
    Effect.flatMap((code) =>
      post(client, policy, "PostUsers2FALogin", `${hubUrl}/v2/users/2fa-login`, {
        login_2fa_token: Redacted.value(loginToken),
        code: Redacted.isRedacted(code) ? Redacted.value(code) : code
      })
    ),
    Effect.flatMap((response): Effect.Effect<Redacted.Redacted<string>, AuthError> =>
      response.status === 200 ? tokenOf("PostUsers2FALogin", response) : refused("PostUsers2FALogin", response)
    )
  )
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const post = (
  client: HttpClient.HttpClient,
  policy: RetryPolicy,
  operation: string,
  url: string,
  body: Record<string, string>
) =>
  sendWithRetry(
    client,
    HttpClientRequest.post(url, { acceptJson: true }).pipe(HttpClientRequest.bodyJsonUnsafe(body)),
    operation,
    policy
  )

const tokenOf = (operation: string, response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(
    decodeJson(operation, response, decodeLoginSuccess),
    (body) => Redacted.make(body.token, { label: "hub-token" })
  )

const refused = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<never, DvpLoginFailed | DvpUnexpectedStatus> =>
  Effect.flatMap(
    errorMessage(response),
    (message): Effect.Effect<never, DvpLoginFailed | DvpUnexpectedStatus> =>
      response.status === 401 || response.status === 403
        ? Effect.fail(new DvpLoginFailed({ operation, status: response.status, message }))
        : Effect.fail(new DvpUnexpectedStatus({ operation, status: response.status, message }))
  )

/**
 * Builds the service: the token lives in a `Ref`; logins are serialized by a one-permit semaphore so concurrent
 * first calls (or concurrent refusals) cause one login.
 *
 * @internal
 */
export const make = (options: HubAuthOptions): Effect.Effect<HubAuthService, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const hubUrl = trimSlash(options.hubUrl ?? defaultHubUrl)
    const policy = makeRetryPolicy(options.retry)
    const credentials = options.credentials
    const cache = yield* Ref.make<Option.Option<Redacted.Redacted<string>>>(
      credentials._tag === "Token" ? Option.some(credentials.token) : Option.none()
    )
    const lock = yield* Semaphore.make(1)
    const fresh = Effect.tap(
      loginWith(client, credentials, hubUrl, policy),
      (token) => Ref.set(cache, Option.some(token))
    )
    const token: HubAuthService["token"] = Effect.flatMap(Ref.get(cache), (cached) =>
      Option.isSome(cached)
        ? Effect.succeed(cached.value)
        : Semaphore.withPermit(
          lock,
          Effect.flatMap(Ref.get(cache), (again) => Option.isSome(again) ? Effect.succeed(again.value) : fresh)
        ))
    const renew: HubAuthService["renew"] = (stale) =>
      credentials._tag === "Token"
        ? Effect.succeedNone
        : Semaphore.withPermit(
          lock,
          Effect.flatMap(Ref.get(cache), (current) =>
            // another fiber renewed already: use its token
            Option.isSome(current) && current.value !== stale
              ? Effect.succeedSome(current.value)
              : Effect.asSome(fresh))
        )
    return { token, renew }
  })

/** @internal */
export const layer = (options: HubAuthOptions): Layer.Layer<HubAuth, never, HttpClient.HttpClient> =>
  Layer.effect(HubAuth, make(options))
