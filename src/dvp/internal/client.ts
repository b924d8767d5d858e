/**
 * The DVP Data API client: one method per endpoint of spec/dvp-latest.yaml, plus typed row streams over the export
 * files.
 *
 * @internal
 */
import * as Arr from "effect/Array"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HubAuth } from "./auth.ts"
import { type CsvLimits, decodeRawRows, decodeSummaryRows, inflateError } from "./decode.ts"
import {
  type AuthError,
  type DvpCsvError,
  type DvpDecodeError,
  type DvpForbidden,
  DvpInvalidArgument,
  type DvpNotFound,
  type DvpRateLimited,
  type DvpServerError,
  DvpTransportError,
  type DvpUnauthorized,
  type DvpUnexpectedStatus
} from "./errors.ts"
import {
  decodeJson,
  describeHttpError,
  makeRetryPolicy,
  type RetryPolicyInput,
  sendWithRetry,
  statusError
} from "./http.ts"
import {
  type DataviewType,
  type GroupType,
  NamespaceData,
  NamespaceMetadata,
  type PeriodType,
  PullData,
  type RawRow,
  ReposPullData,
  ResponseData,
  type SummaryRow,
  TimespanData,
  TimespanModel,
  type TimespanType,
  YearData
} from "./schemas.ts"
import { inflateWhenCompressed } from "./stream.ts"

/** @internal */
export const defaultBaseUrl = "https://hub.docker.com/api/publisher/analytics/v1"

/** @internal */
export const maxReposPerRequest = 50

/** @internal */
export type ApiError =
  | DvpUnauthorized
  | DvpForbidden
  | DvpNotFound
  | DvpRateLimited
  | DvpServerError
  | DvpUnexpectedStatus
  | DvpTransportError
  | DvpDecodeError
  | DvpInvalidArgument
  | AuthError

/** @internal */
export type DownloadError =
  | DvpForbidden
  | DvpNotFound
  | DvpRateLimited
  | DvpServerError
  | DvpUnexpectedStatus
  | DvpTransportError
  | DvpUnauthorized
  | DvpCsvError

/** @internal */
export interface PullsQuery {
  readonly timespan?: typeof TimespanType.Type | undefined
  readonly period?: typeof PeriodType.Type | undefined
  readonly group?: typeof GroupType.Type | undefined
}

/** @internal */
export interface DvpClientOptions {
  /** The DVP Data API base URL. Default `https://hub.docker.com/api/publisher/analytics/v1`. */
  readonly baseUrl?: string | undefined
  readonly retry?: RetryPolicyInput | undefined
  /** How many `/repos/pulls` batches run at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Repositories per `/repos/pulls` request. Default (and the API's maximum) 50. */
  readonly batchSize?: number | undefined
  /** Bounds on what one CSV field and one record of an export may hold (see `CsvLimits` for the defaults). */
  readonly csvLimits?: CsvLimits | undefined
}

/** @internal */
export interface DvpClientService {
  /** `GET /` (getNamespaces): your namespaces and repos that have data. */
  readonly namespaces: () => Effect.Effect<typeof NamespaceData.Type, ApiError>
  /** `GET /namespaces` (getUserNamespaces). */
  readonly userNamespaces: () => Effect.Effect<ReadonlyArray<typeof NamespaceMetadata.Type>, ApiError>
  /** `GET /namespaces/{namespace}` (getNamespace). */
  readonly namespace: (namespace: string) => Effect.Effect<typeof NamespaceMetadata.Type, ApiError>
  /** `GET /namespaces/{namespace}/pulls` (getNamespacePulls). */
  readonly namespacePulls: (namespace: string, query?: PullsQuery) => Effect.Effect<typeof PullData.Type, ApiError>
  /** `GET /namespaces/{namespace}/repos/{repo}/pulls` (getRepoPulls). */
  readonly repoPulls: (
    namespace: string,
    repo: string,
    query?: PullsQuery
  ) => Effect.Effect<typeof PullData.Type, ApiError>
  /** `GET /repos/pulls` (getManyReposPulls), in batches of at most 50 repos, merged. */
  readonly reposPulls: (
    repos: ReadonlyArray<string>,
    query?: PullsQuery
  ) => Effect.Effect<typeof ReposPullData.Type, ApiError>
  /** `GET /namespaces/{namespace}/pulls/exports/years` (getNamespaceYears). */
  readonly years: (namespace: string) => Effect.Effect<typeof YearData.Type, ApiError>
  /** `GET …/years/{year}/{timespantype}` (getNamespaceTimespans). */
  readonly timespans: (
    namespace: string,
    year: number,
    timespanType: typeof TimespanType.Type
  ) => Effect.Effect<typeof TimespanData.Type, ApiError>
  /** `GET …/years/{year}/{timespantype}/{timespan}` (getNamespaceTimespanMetadata). */
  readonly timespanMetadata: (
    namespace: string,
    year: number,
    timespanType: typeof TimespanType.Type,
    timespan: number
  ) => Effect.Effect<typeof TimespanModel.Type, ApiError>
  /** `GET …/years/{year}/{timespantype}/{timespan}/{dataview}` (getNamespaceDataByTimespan): the file URLs. */
  readonly dataFiles: (
    namespace: string,
    year: number,
    timespanType: typeof TimespanType.Type,
    timespan: number,
    dataview: typeof DataviewType.Type
  ) => Effect.Effect<typeof ResponseData.Type, ApiError>
  /**
   * The bytes of one data file (redirects followed, gzip — every member — and zlib inflated). No `Authorization` is
   * sent: the URLs are signed.
   */
  readonly download: (url: string) => Stream.Stream<Uint8Array, DownloadError>
  /** Raw rows of the files, read in order; each file has its own header row. */
  readonly rowsOfFiles: <K extends "raw" | "summary">(
    files: typeof ResponseData.Type | ReadonlyArray<string>,
    kind: K
  ) => Stream.Stream<K extends "raw" ? typeof RawRow.Type : typeof SummaryRow.Type, DownloadError>
  /** The raw export of a timespan as typed rows. */
  readonly rawRows: (
    namespace: string,
    year: number,
    timespanType: typeof TimespanType.Type,
    timespan: number
  ) => Stream.Stream<typeof RawRow.Type, ApiError | DownloadError>
  /** A summary export (`summary`, `repo-summary` or `namespace-summary`) of a timespan as typed rows. */
  readonly summaryRows: (
    namespace: string,
    year: number,
    timespanType: typeof TimespanType.Type,
    timespan: number,
    dataview?: "summary" | "repo-summary" | "namespace-summary"
  ) => Stream.Stream<typeof SummaryRow.Type, ApiError | DownloadError>
}

const DvpClientBase: Context.ServiceClass<DvpClient, "effect-docker/Dvp/DvpClient", DvpClientService> = Context.Service<
  DvpClient,
  DvpClientService
>()("effect-docker/Dvp/DvpClient")

/** @internal */
export class DvpClient extends DvpClientBase {}

const compile = <S extends Schema.Top>(schema: S) =>
  Schema.decodeUnknownEffect(schema) as (
    u: unknown
  ) => Effect.Effect<S["Type"], Schema.SchemaError>

const decodeNamespaceData = compile(NamespaceData)
const decodeUserNamespaces = compile(Schema.Array(NamespaceMetadata))
const decodeNamespaceMetadata = compile(NamespaceMetadata)
const decodePullData = compile(PullData)
const decodeReposPullData = compile(ReposPullData)
const decodeYearData = compile(YearData)
const decodeTimespanData = compile(TimespanData)
const decodeTimespanModel = compile(TimespanModel)
const decodeResponseData = compile(ResponseData)

const segment = (operation: string, argument: string, value: string): Effect.Effect<string, DvpInvalidArgument> =>
  value === "" || value === "." || value === ".." || value.includes("/")
    ? Effect.fail(
      new DvpInvalidArgument({
        operation,
        argument,
        message: `${argument} must be one path segment, not ${JSON.stringify(value)}`
      })
    )
    : Effect.succeed(encodeURIComponent(value))

const integer = (operation: string, argument: string, value: number): Effect.Effect<string, DvpInvalidArgument> =>
  Number.isSafeInteger(value) && value >= 0
    ? Effect.succeed(String(value))
    : Effect.fail(
      new DvpInvalidArgument({ operation, argument, message: `${argument} must be a whole number, not ${value}` })
    )

const queryParams = (query: PullsQuery | undefined): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  if (query?.timespan !== undefined) out.push(["timespan", query.timespan])
  if (query?.period !== undefined) out.push(["period", query.period])
  if (query?.group !== undefined) out.push(["group", query.group])
  return out
}

const isUrlList = (files: typeof ResponseData.Type | ReadonlyArray<string>): files is ReadonlyArray<string> =>
  Array.isArray(files)

const httpTransportError = (operation: string, url: string) => (error: HttpClientError.HttpClientError) =>
  new DvpTransportError({ operation, message: describeHttpError(error, "GET", url), attempts: 1 })

/** @internal */
export const make = (
  options?: DvpClientOptions
): Effect.Effect<DvpClientService, never, HubAuth | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const auth = yield* HubAuth
    const http = yield* HttpClient.HttpClient
    const base = (options?.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")
    const policy = makeRetryPolicy(options?.retry)
    const concurrency = Math.max(1, options?.concurrency ?? 4)
    const batchSize = Math.min(maxReposPerRequest, Math.max(1, options?.batchSize ?? maxReposPerRequest))
    // data files sit behind signed URLs on other hosts: follow redirects, never send the Hub token
    const downloader = http.pipe(HttpClient.followRedirects(10))

    /** Sends an authenticated GET; a 401 renews the token once and sends again. */
    const get = (
      operation: string,
      path: string,
      urlParams: ReadonlyArray<readonly [string, string]> = []
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError> =>
      Effect.gen(function*() {
        const request = HttpClientRequest.get(`${base}${path}`, { urlParams, acceptJson: true })
        const send = (token: Redacted.Redacted<string>) =>
          sendWithRetry(http, HttpClientRequest.bearerToken(request, token), operation, policy)
        const token = yield* auth.token
        let response = yield* send(token)
        if (response.status === 401) {
          const renewed = yield* auth.renew(token)
          if (Option.isSome(renewed)) {
            yield* Effect.ignore(response.arrayBuffer)
            response = yield* send(renewed.value)
          }
        }
        if (response.status >= 200 && response.status < 300) return response
        return yield* statusError(operation, response)
      })

    const getJson = <A>(
      operation: string,
      path: string,
      decode: (u: unknown) => Effect.Effect<A, Schema.SchemaError>,
      urlParams?: ReadonlyArray<readonly [string, string]>
    ): Effect.Effect<A, ApiError> =>
      Effect.flatMap(get(operation, path, urlParams), (response) => decodeJson(operation, response, decode))

    const exportsPath = (
      operation: string,
      namespace: string,
      year: number,
      timespanType: string,
      ...rest: ReadonlyArray<number | string>
    ) =>
      Effect.gen(function*() {
        const ns = yield* segment(operation, "namespace", namespace)
        const y = yield* integer(operation, "year", year)
        const type = yield* segment(operation, "timespanType", timespanType)
        const parts = [`/namespaces/${ns}/pulls/exports/years/${y}/${type}`]
        for (const part of rest) {
          parts.push(
            "/" + (typeof part === "number"
              ? yield* integer(operation, "timespan", part)
              : yield* segment(operation, "dataview", part))
          )
        }
        return parts.join("")
      })

    /** The body of one data file as it was sent. */
    const fetchFile = (url: string): Stream.Stream<Uint8Array, DownloadError> =>
      Stream.unwrap(
        Effect.gen(function*() {
          const response = yield* sendWithRetry(downloader, HttpClientRequest.get(url), "download", policy)
          if (response.status < 200 || response.status >= 300) return yield* statusError("download", response)
          return Stream.mapError(response.stream, httpTransportError("download", url))
        })
      )

    const download = (url: string): Stream.Stream<Uint8Array, DownloadError> =>
      inflateWhenCompressed(fetchFile(url), inflateError(url))

    const urlsOf = (files: typeof ResponseData.Type | ReadonlyArray<string>): ReadonlyArray<string> =>
      isUrlList(files) ? files : files.data?.flatMap((file) => file.url === undefined ? [] : [file.url]) ?? []

    const rowsOfFiles = <K extends "raw" | "summary">(
      files: typeof ResponseData.Type | ReadonlyArray<string>,
      kind: K
    ) =>
      Stream.flatMap(
        Stream.fromIterable(urlsOf(files)),
        (url) => {
          // the decoders sniff and inflate the bytes themselves: inflated text is never sniffed a second time
          const bytes = fetchFile(url)
          const decodeOptions = { ...options?.csvLimits, url }
          return kind === "raw" ? decodeRawRows(bytes, decodeOptions) : decodeSummaryRows(bytes, decodeOptions)
        },
        { concurrency: 1 }
      ) as Stream.Stream<K extends "raw" ? typeof RawRow.Type : typeof SummaryRow.Type, DownloadError>

    const service: DvpClientService = {
      namespaces: () => getJson("getNamespaces", "/", decodeNamespaceData),
      userNamespaces: () => getJson("getUserNamespaces", "/namespaces", decodeUserNamespaces),
      namespace: (namespace) =>
        Effect.flatMap(
          segment("getNamespace", "namespace", namespace),
          (ns) => getJson("getNamespace", `/namespaces/${ns}`, decodeNamespaceMetadata)
        ),
      namespacePulls: (namespace, query) =>
        Effect.flatMap(
          segment("getNamespacePulls", "namespace", namespace),
          (ns) => getJson("getNamespacePulls", `/namespaces/${ns}/pulls`, decodePullData, queryParams(query))
        ),
      repoPulls: (namespace, repo, query) =>
        Effect.gen(function*() {
          const ns = yield* segment("getRepoPulls", "namespace", namespace)
          const r = yield* segment("getRepoPulls", "repo", repo)
          const path = `/namespaces/${ns}/repos/${r}/pulls`
          return yield* getJson("getRepoPulls", path, decodePullData, queryParams(query))
        }),
      reposPulls: (repos, query) =>
        Effect.gen(function*() {
          const unique = Arr.dedupe(repos)
          if (unique.length === 0) return { repos: {} }
          const batches = Arr.chunksOf(unique, batchSize)
          const answers = yield* Effect.forEach(
            batches,
            (batch) =>
              getJson("getManyReposPulls", "/repos/pulls", decodeReposPullData, [
                ...batch.map((repo) => ["repos", repo] as const),
                ...queryParams(query)
              ]),
            { concurrency }
          )
          const merged: Record<string, typeof PullData.Type> = {}
          for (const answer of answers) Object.assign(merged, answer.repos ?? {})
          return { repos: merged }
        }),
      years: (namespace) =>
        Effect.flatMap(
          segment("getNamespaceYears", "namespace", namespace),
          (ns) => getJson("getNamespaceYears", `/namespaces/${ns}/pulls/exports/years`, decodeYearData)
        ),
      timespans: (namespace, year, timespanType) =>
        Effect.flatMap(
          exportsPath("getNamespaceTimespans", namespace, year, timespanType),
          (path) => getJson("getNamespaceTimespans", path, decodeTimespanData)
        ),
      timespanMetadata: (namespace, year, timespanType, timespan) =>
        Effect.flatMap(
          exportsPath("getNamespaceTimespanMetadata", namespace, year, timespanType, timespan),
          (path) => getJson("getNamespaceTimespanMetadata", path, decodeTimespanModel)
        ),
      dataFiles: (namespace, year, timespanType, timespan, dataview) =>
        Effect.flatMap(
          exportsPath("getNamespaceDataByTimespan", namespace, year, timespanType, timespan, dataview),
          (path) => getJson("getNamespaceDataByTimespan", path, decodeResponseData)
        ),
      download,
      rowsOfFiles,
      rawRows: (namespace, year, timespanType, timespan) =>
        Stream.unwrap(
          Effect.map(
            service.dataFiles(namespace, year, timespanType, timespan, "raw"),
            (files) => rowsOfFiles(files, "raw")
          )
        ),
      summaryRows: (namespace, year, timespanType, timespan, dataview = "summary") =>
        Stream.unwrap(
          Effect.map(
            service.dataFiles(namespace, year, timespanType, timespan, dataview),
            (files) => rowsOfFiles(files, "summary")
          )
        )
    }
    return service
  })

/** @internal */
export const layer = (options?: DvpClientOptions): Layer.Layer<DvpClient, never, HubAuth | HttpClient.HttpClient> =>
  Layer.effect(DvpClient, make(options))

/** @internal */
export const streamWith = <A, E>(f: (c: DvpClientService) => Stream.Stream<A, E>): Stream.Stream<A, E, DvpClient> =>
  Stream.unwrap(Effect.map(DvpClient, f))
