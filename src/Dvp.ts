/**
 * The Docker Verified Publisher (DVP) Data API: image pull analytics for your Docker Hub namespaces, as JSON
 * summaries or as CSV exports decoded into typed row streams at constant memory.
 *
 * Authentication is Docker Hub's: a username with a password or personal access token (two-factor codes are asked
 * from an effect you pass), a Hub access token from `/v2/auth/token`, or a bearer token you already have. The token
 * is cached and renewed once when the API refuses it. 429 and 5xx answers are retried, honouring `Retry-After`.
 *
 * Browser-safe: the module needs only an `HttpClient` (e.g. `FetchHttpClient.layer`) and web-standard globals
 * (`TextDecoder`, `DecompressionStream`).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import * as Dvp from "effect-docker/dvp"
 *
 * const program = Effect.gen(function*() {
 *   const pulls = yield* Dvp.namespacePulls("acme", { timespan: "weeks", period: "last-3-months", group: "repo" })
 *   for (const p of pulls.pulls ?? []) console.log(p.start, p.repo, p.pullCount)
 * }).pipe(
 *   Effect.provide(Dvp.layer({
 *     credentials: Dvp.password({ username: "acme-bot", password: Redacted.make("dckr_pat_…") })
 *   })),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import * as auth from "./dvp/internal/auth.ts"
import * as client from "./dvp/internal/client.ts"
import type { CsvRecord } from "./dvp/internal/csv.ts"
import * as decode from "./dvp/internal/decode.ts"
import * as errors from "./dvp/internal/errors.ts"
import type { RetryPolicyInput } from "./dvp/internal/http.ts"
import * as schemas from "./dvp/internal/schemas.ts"

// ---------------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------------

/**
 * The DVP Data API's base URL on Docker Hub.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * Dvp.defaultBaseUrl // "https://hub.docker.com/api/publisher/analytics/v1"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: string = client.defaultBaseUrl

/**
 * Docker Hub's base URL, where the login paths (`/v2/users/login`, `/v2/users/2fa-login`, `/v2/auth/token`) live.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * Dvp.defaultHubUrl // "https://hub.docker.com"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const defaultHubUrl: string = auth.defaultHubUrl

/**
 * The most repositories `/repos/pulls` accepts per request; {@link reposPulls} splits longer lists.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * Dvp.maxReposPerRequest // 50
 * ```
 * @since 0.1.0
 * @category constants
 */
export const maxReposPerRequest: number = client.maxReposPerRequest

// ---------------------------------------------------------------------------------------------------------------
// Credentials and authentication
// ---------------------------------------------------------------------------------------------------------------

/**
 * Docker Hub username with a password or personal access token, logged in on `/v2/users/login`.
 * `twoFactorCode` is asked for the current TOTP code when the account has two-factor authentication.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const show = (c: Dvp.PasswordCredentials) => c.username
 * ```
 * @since 0.1.0
 * @category models
 */
export type PasswordCredentials = auth.PasswordCredentials

/**
 * A Docker Hub identifier (username or organization) and secret (password, PAT or organization access token),
 * exchanged on `/v2/auth/token` for an access token.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const show = (c: Dvp.AccessTokenCredentials) => c.identifier
 * ```
 * @since 0.1.0
 * @category models
 */
export type AccessTokenCredentials = auth.AccessTokenCredentials

/**
 * A bearer token used as it is; when the API refuses it, calls fail with `DvpUnauthorized` (nothing to log in with).
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const isToken = (c: Dvp.Credentials): c is Dvp.TokenCredentials => c._tag === "Token"
 * ```
 * @since 0.1.0
 * @category models
 */
export type TokenCredentials = auth.TokenCredentials

/**
 * How the client authenticates: {@link password}, {@link accessToken} or {@link token}.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const credentials: Dvp.Credentials = Dvp.token("eyJhbGciOi…")
 * ```
 * @since 0.1.0
 * @category models
 */
export type Credentials = auth.Credentials

const secret = (value: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * Username + password or personal access token (`/v2/users/login`). Pass `twoFactorCode` for accounts with 2FA:
 * an effect that returns the current TOTP code (from a prompt, an authenticator, a secret store…).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 *
 * const credentials = Dvp.password({
 *   username: "acme-bot",
 *   password: Redacted.make("dckr_pat_…"),
 *   twoFactorCode: Effect.succeed("123456")
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const password = (options: {
  readonly username: string
  readonly password: string | Redacted.Redacted<string>
  readonly twoFactorCode?: Effect.Effect<string | Redacted.Redacted<string>, unknown> | undefined
}): Credentials => ({
  _tag: "Password",
  username: options.username,
  password: secret(options.password),
  twoFactorCode: options.twoFactorCode
})

/**
 * Identifier + secret exchanged on `/v2/auth/token` (the route Docker recommends over `/v2/users/login`). The access
 * token it returns lasts 10 minutes; the client logs in again when the API refuses it.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const credentials = Dvp.accessToken({ identifier: "acme", secret: Redacted.make("dckr_oat_…") })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const accessToken = (options: {
  readonly identifier: string
  readonly secret: string | Redacted.Redacted<string>
}): Credentials => ({ _tag: "AccessToken", identifier: options.identifier, secret: secret(options.secret) })

/**
 * A bearer token you already have.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const credentials = Dvp.token("eyJhbGciOi…")
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const token = (value: string | Redacted.Redacted<string>): Credentials => ({
  _tag: "Token",
  token: secret(value)
})

/**
 * Retries of 429, 5xx and transport failures: `times` tries in all (default 4), an exponential back-off from
 * `baseDelay` (500 ms) up to `maxDelay` (20 s) when the server sends no `Retry-After`, and no wait longer than
 * `maxRetryAfter` (120 s): a longer `Retry-After` fails the call with `DvpRateLimited` at once.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const retry: Dvp.RetryOptions = { times: 6, baseDelay: "1 second", maxRetryAfter: "5 minutes" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type RetryOptions = RetryPolicyInput

/**
 * Options of {@link HubAuth}.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const options: Dvp.HubAuthOptions = { credentials: Dvp.token("…"), hubUrl: "http://127.0.0.1:8080" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type HubAuthOptions = auth.HubAuthOptions

/**
 * The shape of the {@link HubAuth} service.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const current = (a: Dvp.HubAuthService) => a.token
 * ```
 * @since 0.1.0
 * @category models
 */
export type HubAuthService = auth.HubAuthService

/**
 * The service holding the Docker Hub bearer token (cached in a `Ref`; logins serialized so many concurrent calls
 * cause one). `token` returns the cached token or logs in; `renew(stale)` logs in again after a refusal.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const length = Effect.map(Effect.flatMap(Dvp.HubAuth, (a) => a.token), (t) => Redacted.value(t).length)
 * ```
 * @since 0.1.0
 * @category services
 */
export const HubAuth: typeof auth.HubAuth = auth.HubAuth

/**
 * The {@link HubAuth} service type.
 *
 * @since 0.1.0
 * @category services
 */
export type HubAuth = auth.HubAuth

/**
 * The {@link HubAuth} service for `credentials`, logging in on `hubUrl` (default Docker Hub).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const auth = Dvp.layerHubAuth({ credentials: Dvp.token("…") })
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerHubAuth: (options: HubAuthOptions) => Layer.Layer<HubAuth, never, HttpClient.HttpClient> = auth.layer

/**
 * Logs in once and returns the bearer token, without the service: `Password` credentials go to
 * `/v2/users/login` (and `/v2/users/2fa-login` when a second factor is needed), `AccessToken` ones to
 * `/v2/auth/token`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const jwt = Dvp.login(Dvp.password({ username: "acme-bot", password: Redacted.make("…") }))
 * ```
 * @since 0.1.0
 * @category authentication
 */
export const login: (
  credentials: Credentials,
  options?: { readonly hubUrl?: string | undefined; readonly retry?: RetryOptions | undefined }
) => Effect.Effect<Redacted.Redacted<string>, LoginError, HttpClient.HttpClient> = auth.login

// ---------------------------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------------------------

/**
 * `timespan`, `period` and `group` of the pull endpoints.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const q: Dvp.PullsQuery = { timespan: "weeks", period: "last-3-months", group: "repo" }
 * ```
 * @since 0.1.0
 * @category models
 */
export type PullsQuery = client.PullsQuery

/**
 * Options of {@link DvpClient}: the API base URL, retries, and how `/repos/pulls` batches run.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const options: Dvp.ClientOptions = { baseUrl: "http://127.0.0.1:8080/api/publisher/analytics/v1", concurrency: 2 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type ClientOptions = client.DvpClientOptions

/**
 * The shape of the {@link DvpClient} service: one method per endpoint, plus row streams.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const list = (c: Dvp.DvpClientService) => c.userNamespaces()
 * ```
 * @since 0.1.0
 * @category models
 */
export type DvpClientService = client.DvpClientService

/**
 * The DVP Data API client service. Usually reached through the accessors below ({@link namespacePulls}, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const years = Effect.flatMap(Dvp.DvpClient, (c) => c.years("acme"))
 * ```
 * @since 0.1.0
 * @category services
 */
export const DvpClient: typeof client.DvpClient = client.DvpClient

/**
 * The {@link DvpClient} service type.
 *
 * @since 0.1.0
 * @category services
 */
export type DvpClient = client.DvpClient

/**
 * The {@link DvpClient} service alone; it needs {@link HubAuth} (see {@link layerHubAuth}).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const live = Dvp.layerClient().pipe(Layer.provide(Dvp.layerHubAuth({ credentials: Dvp.token("…") })))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerClient: (
  options?: ClientOptions
) => Layer.Layer<DvpClient, never, HubAuth | HttpClient.HttpClient> = client.layer

/**
 * Options of {@link layer}: credentials, both base URLs, retries and batching.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const options: Dvp.LayerOptions = { credentials: Dvp.token("…"), baseUrl: Dvp.defaultBaseUrl }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends ClientOptions {
  readonly credentials: Credentials
  /** Docker Hub's base URL for the login paths. Default `https://hub.docker.com`. */
  readonly hubUrl?: string | undefined
}

/**
 * {@link DvpClient} and {@link HubAuth} together; provide an `HttpClient` (e.g. `FetchHttpClient.layer`).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const live = Dvp.layer({ credentials: Dvp.password({ username: "acme-bot", password: Redacted.make("…") }) })
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: LayerOptions): Layer.Layer<DvpClient | HubAuth, never, HttpClient.HttpClient> =>
  client.layer(options).pipe(
    Layer.provideMerge(auth.layer({ credentials: options.credentials, hubUrl: options.hubUrl, retry: options.retry }))
  )

/**
 * {@link layer} configured from the environment (or any `ConfigProvider`): `DOCKER_HUB_TOKEN` (a bearer token used as
 * it is) or `DOCKER_HUB_USERNAME` + `DOCKER_HUB_PASSWORD` (password or PAT), `DOCKER_HUB_TOTP` (a two-factor code,
 * for one-off runs), `DVP_BASE_URL` and `DOCKER_HUB_URL` (default Docker Hub). Fails with a `ConfigError` when neither
 * a token nor a username and password are set.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import * as Dvp from "effect-docker/dvp"
 * const live = Dvp.layerConfig({ concurrency: 2 }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: ClientOptions
): Layer.Layer<DvpClient | HubAuth, Config.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrap(Effect.gen(function*() {
    const bearer = yield* Config.option(Config.Redacted("DOCKER_HUB_TOKEN"))
    let credentials: Credentials
    if (Option.isSome(bearer)) {
      credentials = token(bearer.value)
    } else {
      const username = yield* Config.String("DOCKER_HUB_USERNAME")
      const secretValue = yield* Config.Redacted("DOCKER_HUB_PASSWORD")
      const totp = yield* Config.option(Config.Redacted("DOCKER_HUB_TOTP"))
      credentials = password({
        username,
        password: secretValue,
        twoFactorCode: Option.isSome(totp) ? Effect.succeed(totp.value) : undefined
      })
    }
    const baseUrl = yield* Config.option(Config.String("DVP_BASE_URL"))
    const hubUrl = yield* Config.option(Config.String("DOCKER_HUB_URL"))
    return layer({
      ...options,
      credentials,
      baseUrl: Option.getOrUndefined(baseUrl) ?? options?.baseUrl,
      hubUrl: Option.getOrUndefined(hubUrl)
    })
  }))

// ---------------------------------------------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------------------------------------------

/**
 * `GET /` (getNamespaces): the namespaces and repos that have data.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const names = Dvp.namespaces()
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const namespaces = (): Effect.Effect<NamespaceData, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.namespaces())

/**
 * `GET /namespaces` (getUserNamespaces): metadata of the namespaces you can read, with their extra repos.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const mine = Dvp.userNamespaces()
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const userNamespaces = (): Effect.Effect<ReadonlyArray<NamespaceMetadata>, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.userNamespaces())

/**
 * `GET /namespaces/{namespace}` (getNamespace).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const acme = Dvp.namespace("acme")
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const namespace = (name: string): Effect.Effect<NamespaceMetadata, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.namespace(name))

/**
 * `GET /namespaces/{namespace}/pulls` (getNamespacePulls): pull counts by timespan, for the namespace or per repo.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const weekly = Dvp.namespacePulls("acme", { timespan: "weeks", period: "last-3-months", group: "repo" })
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const namespacePulls = (name: string, query?: PullsQuery): Effect.Effect<PullData, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.namespacePulls(name, query))

/**
 * `GET /namespaces/{namespace}/repos/{repo}/pulls` (getRepoPulls).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const monthly = Dvp.repoPulls("acme", "api", { timespan: "months", period: "last-12-months" })
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const repoPulls = (
  name: string,
  repo: string,
  query?: PullsQuery
): Effect.Effect<PullData, ApiError, DvpClient> => client.DvpClient.use((c) => c.repoPulls(name, repo, query))

/**
 * `GET /repos/pulls` (getManyReposPulls) for any number of repos: the list is deduplicated, sent in batches of at
 * most {@link maxReposPerRequest} (a few at a time) and the answers merged into one `repos` record.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const many = Dvp.reposPulls(["acme/api", "acme/web"], { timespan: "weeks" })
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const reposPulls = (
  repos: ReadonlyArray<string>,
  query?: PullsQuery
): Effect.Effect<ReposPullData, ApiError, DvpClient> => client.DvpClient.use((c) => c.reposPulls(repos, query))

/**
 * `GET /namespaces/{namespace}/pulls/exports/years` (getNamespaceYears): the years with export data.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const years = Dvp.years("acme")
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const years = (name: string): Effect.Effect<YearData, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.years(name))

/**
 * `GET …/exports/years/{year}/{timespantype}` (getNamespaceTimespans): the weeks or months of a year with data.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const weeks = Dvp.timespans("acme", 2026, "weeks")
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const timespans = (
  name: string,
  year: number,
  timespanType: TimespanType
): Effect.Effect<TimespanData, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.timespans(name, year, timespanType))

/**
 * `GET …/exports/years/{year}/{timespantype}/{timespan}` (getNamespaceTimespanMetadata).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const week = Dvp.timespanMetadata("acme", 2026, "weeks", 12)
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const timespanMetadata = (
  name: string,
  year: number,
  timespanType: TimespanType,
  timespan: number
): Effect.Effect<TimespanModel, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.timespanMetadata(name, year, timespanType, timespan))

/**
 * `GET …/exports/years/{year}/{timespantype}/{timespan}/{dataview}` (getNamespaceDataByTimespan): the URLs of the
 * export files (a large export is split over several).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const files = Dvp.dataFiles("acme", 2026, "weeks", 12, "raw")
 * ```
 * @since 0.1.0
 * @category endpoints
 */
export const dataFiles = (
  name: string,
  year: number,
  timespanType: TimespanType,
  timespan: number,
  dataview: DataviewType
): Effect.Effect<ResponseData, ApiError, DvpClient> =>
  client.DvpClient.use((c) => c.dataFiles(name, year, timespanType, timespan, dataview))

/**
 * The bytes of one export file: redirects followed, gzip inflated (detected by its magic bytes), no Hub token sent.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const size = Stream.runFold(Dvp.download("https://…/part-0.csv.gz"), () => 0, (n, b) => n + b.length)
 * ```
 * @since 0.1.0
 * @category exports
 */
export const download = (url: string): Stream.Stream<Uint8Array, DownloadError, DvpClient> =>
  streamOf((c) => c.download(url))

/**
 * The raw export of a timespan as typed rows: the file list is fetched, then each file is downloaded and decoded in
 * order, at constant memory.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const versionChecks = Dvp.rawRows("acme", 2026, "weeks", 12).pipe(
 *   Stream.filter((row) => row.action === "version_check"),
 *   Stream.runCount
 * )
 * ```
 * @since 0.1.0
 * @category exports
 */
export const rawRows = (
  name: string,
  year: number,
  timespanType: TimespanType,
  timespan: number
): Stream.Stream<RawRow, ApiError | DownloadError, DvpClient> =>
  streamOf((c) => c.rawRows(name, year, timespanType, timespan))

/**
 * A summary export of a timespan (`summary` by tag or digest, `repo-summary`, `namespace-summary`) as typed rows.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const rows = Stream.runCollect(Dvp.summaryRows("acme", 2026, "months", 3, "repo-summary"))
 * ```
 * @since 0.1.0
 * @category exports
 */
export const summaryRows = (
  name: string,
  year: number,
  timespanType: TimespanType,
  timespan: number,
  dataview?: "summary" | "repo-summary" | "namespace-summary"
): Stream.Stream<SummaryRow, ApiError | DownloadError, DvpClient> =>
  streamOf((c) => c.summaryRows(name, year, timespanType, timespan, dataview))

/**
 * Typed rows of export files you already have URLs for (a `ResponseData` or a list), read in order.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const rows = Dvp.dataFiles("acme", 2026, "weeks", 12, "raw").pipe(
 *   Effect.map((files) => Dvp.rowsOfFiles(files, "raw"))
 * )
 * ```
 * @since 0.1.0
 * @category exports
 */
export const rowsOfFiles = <K extends "raw" | "summary">(
  files: ResponseData | ReadonlyArray<string>,
  kind: K
): Stream.Stream<K extends "raw" ? RawRow : SummaryRow, DownloadError, DvpClient> =>
  streamOf((c) => c.rowsOfFiles(files, kind))

const streamOf: <A, E>(f: (c: DvpClientService) => Stream.Stream<A, E>) => Stream.Stream<A, E, DvpClient> =
  client.streamWith

// ---------------------------------------------------------------------------------------------------------------
// Decoding export bytes
// ---------------------------------------------------------------------------------------------------------------

/**
 * Bounds on what one CSV record of an export may hold, each crossed bound failing with a {@link DvpCsvError} as soon as
 * it is crossed: `maxFieldLength` (default 1 Mi characters, so an unclosed quote cannot buffer the whole file),
 * `maxFieldsPerRecord` (default 4096: a line of 16 Mi empty fields fails after 4097 of them instead of holding
 * hundreds of MB) and `maxRecordLength` (default 4 Mi characters: the fields' text plus one per separator). Pass
 * them to the decoders, or as `csvLimits` of {@link ClientOptions} for the client's row streams.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const limits: Dvp.CsvLimits = { maxFieldsPerRecord: 64, maxRecordLength: 65536 }
 * ```
 * @since 0.2.0
 * @category models
 */
export type CsvLimits = decode.CsvLimits

/**
 * Options of the decoders: `url` names the source in errors (its query string is dropped), and the
 * {@link CsvLimits} bound the field and the record held in memory.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const options: Dvp.DecodeOptions = { url: "part-0.csv.gz", maxFieldLength: 65536 }
 * ```
 * @since 0.1.0
 * @category models
 */
export type DecodeOptions = decode.DecodeOptions

/**
 * One CSV record: strings, `null` for an unquoted `\N`.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const record: Dvp.CsvRecord = ["acme", null, "a,b"]
 * ```
 * @since 0.1.0
 * @category models
 */
export type { CsvRecord }

/**
 * Decodes CSV bytes into records, header included, at constant memory. RFC 4180: quoted fields may hold commas,
 * line breaks and `""`; records end with `\n`, `\r\n` or `\r`; an unquoted `\N` is `null`.
 *
 * The first bytes decide the format: gzip (`1f 8b`; a file of several members, as `cat a.gz b.gz` writes, is read
 * to its end) and zlib (`78 01`, `78 5E`, `78 9C`, `78 DA`) are inflated; anything else must be UTF-8 text. Raw
 * deflate has no magic bytes and is not read: like any other bytes that are not UTF-8, it fails with a
 * {@link DvpCsvError} (record 0) before a row is produced.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const bytes = Stream.make(new TextEncoder().encode("a,b\n\"x,y\",\\N\n"))
 * const records = Stream.runCollect(Dvp.decodeCsv(bytes)) // [["a", "b"], ["x,y", null]]
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const decodeCsv: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
) => Stream.Stream<CsvRecord, E | DvpCsvError, R> = decode.decodeCsv

/**
 * Decodes a raw export file's bytes into {@link RawRow}s, the header row naming the columns.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const bytes = Stream.make(new TextEncoder().encode("action,tag,region\npull_by_tag,latest,eu\n"))
 * const rows = Stream.runCollect(Dvp.decodeRawRows(bytes))
 * // [{ action: "pull_by_tag", tag: "latest", extra: { region: "eu" } }]
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const decodeRawRows: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
) => Stream.Stream<RawRow, E | DvpCsvError, R> = decode.decodeRawRows

/**
 * Decodes a summary export file's bytes into {@link SummaryRow}s; count columns become numbers (`\N` or empty:
 * `null`). A count beyond 2^53 - 1, which a `number` cannot hold exactly, fails with a {@link DvpCsvError} rather than
 * being rounded.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const bytes = Stream.make(new TextEncoder().encode("repository,pull_by_tag\napi,42\n"))
 * const rows = Stream.runCollect(Dvp.decodeSummaryRows(bytes)) // [{ repository: "api", pullsByTag: 42, extra: {} }]
 * ```
 * @since 0.1.0
 * @category decoding
 */
export const decodeSummaryRows: <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
) => Stream.Stream<SummaryRow, E | DvpCsvError, R> = decode.decodeSummaryRows

// ---------------------------------------------------------------------------------------------------------------
// Schemas and models
// ---------------------------------------------------------------------------------------------------------------

/**
 * `months` or `weeks`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.TimespanType)("weeks") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const TimespanType: typeof schemas.TimespanType = schemas.TimespanType
/** @since 0.1.0 @category models */
export type TimespanType = typeof schemas.TimespanType.Type

/**
 * `last-2-months`, `last-3-months`, `last-6-months` or `last-12-months`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.PeriodType)("last-6-months") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const PeriodType: typeof schemas.PeriodType = schemas.PeriodType
/** @since 0.1.0 @category models */
export type PeriodType = typeof schemas.PeriodType.Type

/**
 * `repo` or `namespace`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.GroupType)("repo") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const GroupType: typeof schemas.GroupType = schemas.GroupType
/** @since 0.1.0 @category models */
export type GroupType = typeof schemas.GroupType.Type

/**
 * `raw`, `summary`, `repo-summary` or `namespace-summary`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.DataviewType)("raw") // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const DataviewType: typeof schemas.DataviewType = schemas.DataviewType
/** @since 0.1.0 @category models */
export type DataviewType = typeof schemas.DataviewType.Type

/**
 * `NamespaceData`: `{ namespaces?: string[] }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.NamespaceData)({ namespaces: ["acme"] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const NamespaceData: typeof schemas.NamespaceData = schemas.NamespaceData
/** @since 0.1.0 @category models */
export type NamespaceData = typeof schemas.NamespaceData.Type

/**
 * `DatasetModel`: a dataset's `name`, `views` and `timespans`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.DatasetModel)({ name: "pulls", views: ["raw"], timespans: ["weeks"] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const DatasetModel: typeof schemas.DatasetModel = schemas.DatasetModel
/** @since 0.1.0 @category models */
export type DatasetModel = typeof schemas.DatasetModel.Type

/**
 * `NamespaceMetadata`: `namespace`, `extraRepos`, `datasets`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.NamespaceMetadata)({ namespace: "acme", extraRepos: [] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const NamespaceMetadata: typeof schemas.NamespaceMetadata = schemas.NamespaceMetadata
/** @since 0.1.0 @category models */
export type NamespaceMetadata = typeof schemas.NamespaceMetadata.Type

/**
 * `PullModel`: one count (`start`, `end`, `repo`, `namespace`, `pullCount`, `ipCount`, `country`). Counts are
 * integers within ±(2^53 - 1): an answer holding a larger one (which `JSON.parse` would have rounded) fails to decode.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.PullModel)({ repo: "api", pullCount: 12 })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const PullModel: typeof schemas.PullModel = schemas.PullModel
/** @since 0.1.0 @category models */
export type PullModel = typeof schemas.PullModel.Type

/**
 * `PullData`: `{ pulls?: PullModel[] }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.PullData)({ pulls: [] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const PullData: typeof schemas.PullData = schemas.PullData
/** @since 0.1.0 @category models */
export type PullData = typeof schemas.PullData.Type

/**
 * `ReposPullData`: `{ repos?: Record<repo, PullData> }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.ReposPullData)({ repos: { "acme/api": { pulls: [] } } })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const ReposPullData: typeof schemas.ReposPullData = schemas.ReposPullData
/** @since 0.1.0 @category models */
export type ReposPullData = typeof schemas.ReposPullData.Type

/**
 * `YearData`: `{ years?: { year?: number }[] }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.YearData)({ years: [{ year: 2026 }] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const YearData: typeof schemas.YearData = schemas.YearData
/** @since 0.1.0 @category models */
export type YearData = typeof schemas.YearData.Type

/**
 * `TimespanData` (`MonthData` or `WeekData`): `{ months?: { month }[], weeks?: { week }[] }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.TimespanData)({ weeks: [{ week: 1 }, { week: 2 }] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const TimespanData: typeof schemas.TimespanData = schemas.TimespanData
/** @since 0.1.0 @category models */
export type TimespanData = typeof schemas.TimespanData.Type

/**
 * `TimespanModel` (`MonthModel` or `WeekModel`): `{ month?: number, week?: number }`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.TimespanModel)({ week: 12 })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const TimespanModel: typeof schemas.TimespanModel = schemas.TimespanModel
/** @since 0.1.0 @category models */
export type TimespanModel = typeof schemas.TimespanModel.Type

/**
 * `ResponseDataFile`: an export file's `url` and `size`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.ResponseDataFile)({ url: "https://…", size: 1024 })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const ResponseDataFile: typeof schemas.ResponseDataFile = schemas.ResponseDataFile
/** @since 0.1.0 @category models */
export type ResponseDataFile = typeof schemas.ResponseDataFile.Type

/**
 * `ResponseData`: `{ data?: ResponseDataFile[] }`, the files of an export in order.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.decodeUnknownSync(Dvp.ResponseData)({ data: [{ url: "https://…" }] })
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const ResponseData: typeof schemas.ResponseData = schemas.ResponseData
/** @since 0.1.0 @category models */
export type ResponseData = typeof schemas.ResponseData.Type

/**
 * A raw export row: `action` (`pull_by_tag`, `pull_by_digest`, `version_check`), `actionDay`, `country`, `digest`,
 * `httpMethod`, `host`, `namespace`, `reference`, `repository`, `tag`, `timestamp`, `type`, `userAgentTool`,
 * `userAgentVersion`, `domain`, `owner`. A field is absent when the file has no such column and `null` for `\N`;
 * unknown columns are in `extra`, an ordinary object whose keys are the header's text: a column named `__proto__`
 * is an own property there, like any other (read it with `Object.entries` or `Object.getOwnPropertyDescriptor`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.RawRow)({ action: "pull_by_tag", tag: null, extra: {} }) // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const RawRow: typeof schemas.RawRow = schemas.RawRow
/** @since 0.1.0 @category models */
export type RawRow = typeof schemas.RawRow.Type

/**
 * A summary export row: `namespace`, `repository`, `reference`, `tag`, `digest`, the counts `uniqueIps`,
 * `pullsByTag`, `pullsByDigest`, `versionChecks`, and `owner`; unknown columns are in `extra`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * Schema.is(Dvp.SummaryRow)({ repository: "api", pullsByTag: 3, extra: {} }) // true
 * ```
 * @since 0.1.0
 * @category schemas
 */
export const SummaryRow: typeof schemas.SummaryRow = schemas.SummaryRow
/** @since 0.1.0 @category models */
export type SummaryRow = typeof schemas.SummaryRow.Type

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * 401 from the DVP API after one renewal (or with a token given as it is).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const orEmpty = Dvp.years("acme").pipe(Effect.catchTag("DvpUnauthorized", () => Effect.succeed({})))
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpUnauthorized: typeof errors.DvpUnauthorized = errors.DvpUnauthorized
/** @since 0.2.0 @category errors */
export type DvpUnauthorized = errors.DvpUnauthorized

/**
 * 403: the token may not read this namespace, or a signed download URL expired.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpForbidden({ operation: "download", status: 403, message: "Request has expired" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpForbidden: typeof errors.DvpForbidden = errors.DvpForbidden
/** @since 0.2.0 @category errors */
export type DvpForbidden = errors.DvpForbidden

/**
 * 404: no such namespace, repo or timespan, or no permission to see it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const maybe = Dvp.namespace("nope").pipe(Effect.catchTag("DvpNotFound", () => Effect.succeed(undefined)))
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpNotFound: typeof errors.DvpNotFound = errors.DvpNotFound
/** @since 0.2.0 @category errors */
export type DvpNotFound = errors.DvpNotFound

/**
 * 429 after the tries ran out, or with a `Retry-After` longer than `maxRetryAfter` (`retryAfterMillis` says how long).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Dvp from "effect-docker/dvp"
 * const wait = Dvp.years("acme").pipe(Effect.catchTag("DvpRateLimited", (e) => Effect.succeed(e.retryAfterMillis)))
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpRateLimited: typeof errors.DvpRateLimited = errors.DvpRateLimited
/** @since 0.2.0 @category errors */
export type DvpRateLimited = errors.DvpRateLimited

/**
 * 5xx after the tries ran out.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpServerError({ operation: "getNamespace", status: 503, message: "down", attempts: 4 })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpServerError: typeof errors.DvpServerError = errors.DvpServerError
/** @since 0.2.0 @category errors */
export type DvpServerError = errors.DvpServerError

/**
 * Any other status.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpUnexpectedStatus({ operation: "getNamespaces", status: 418, message: "teapot" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpUnexpectedStatus: typeof errors.DvpUnexpectedStatus = errors.DvpUnexpectedStatus
/** @since 0.2.0 @category errors */
export type DvpUnexpectedStatus = errors.DvpUnexpectedStatus

/**
 * The request could not be sent or its body not read (after the tries ran out).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpTransportError({ operation: "getNamespaces", message: "connection refused", attempts: 4 })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpTransportError: typeof errors.DvpTransportError = errors.DvpTransportError
/** @since 0.2.0 @category errors */
export type DvpTransportError = errors.DvpTransportError

/**
 * A JSON answer that is not JSON or does not match the spec's schema.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpDecodeError({ operation: "getNamespace", status: 200, message: "Expected string" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpDecodeError: typeof errors.DvpDecodeError = errors.DvpDecodeError
/** @since 0.2.0 @category errors */
export type DvpDecodeError = errors.DvpDecodeError

/**
 * An export file that is not valid CSV (or gzip), or whose records do not fit its header; `record` is 1-based,
 * the header being record 1.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpCsvError({ url: "https://…/part-0.csv", record: 12, message: "the record has 3 fields" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpCsvError: typeof errors.DvpCsvError = errors.DvpCsvError
/** @since 0.2.0 @category errors */
export type DvpCsvError = errors.DvpCsvError

/**
 * An argument the client refuses before sending (an empty namespace, a `/` in a repo name, a negative year).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpInvalidArgument({ operation: "getNamespace", argument: "namespace", message: "empty" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpInvalidArgument: typeof errors.DvpInvalidArgument = errors.DvpInvalidArgument
/** @since 0.2.0 @category errors */
export type DvpInvalidArgument = errors.DvpInvalidArgument

/**
 * Docker Hub refused the credentials (or the two-factor code).
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpLoginFailed({ operation: "PostUsersLogin", status: 401, message: "Incorrect credentials" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpLoginFailed: typeof errors.DvpLoginFailed = errors.DvpLoginFailed
/** @since 0.2.0 @category errors */
export type DvpLoginFailed = errors.DvpLoginFailed

/**
 * The account needs a second factor and no `twoFactorCode` was given, or it failed.
 *
 * @example
 * ```ts
 * import * as Dvp from "effect-docker/dvp"
 * const e = new Dvp.DvpTwoFactorRequired({ operation: "PostUsersLogin", message: "pass twoFactorCode" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export const DvpTwoFactorRequired: typeof errors.DvpTwoFactorRequired = errors.DvpTwoFactorRequired
/** @since 0.2.0 @category errors */
export type DvpTwoFactorRequired = errors.DvpTwoFactorRequired

/**
 * What a login can fail with.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const describe = (e: Dvp.LoginError) => `${e._tag}: ${e.message}`
 * ```
 * @since 0.1.0
 * @category errors
 */
export type LoginError = errors.AuthError

/**
 * What a DVP API call can fail with.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const describe = (e: Dvp.ApiError) => `${e._tag}: ${e.message}`
 * ```
 * @since 0.1.0
 * @category errors
 */
export type ApiError = client.ApiError

/**
 * What reading an export file can fail with.
 *
 * @example
 * ```ts
 * import type * as Dvp from "effect-docker/dvp"
 * const describe = (e: Dvp.DownloadError) => `${e._tag}: ${e.message}`
 * ```
 * @since 0.1.0
 * @category errors
 */
export type DownloadError = client.DownloadError
