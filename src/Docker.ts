/**
 * The Docker client service. It needs only an Effect `HttpClient` (the transport) and the connection settings
 * ({@link DockerConnection}); it negotiates the API version once, turns operation descriptions into requests,
 * maps statuses to typed errors and decodes responses. Platform entry points (`effect-docker/node`, …) provide
 * ready layers; any `HttpClient` can be plugged in with {@link layer}.
 *
 * ## One call path
 *
 * Every request the SDK sends is an operation description (`Operation.Operation`: method, path template,
 * parameters, body and response kind) sent by the service's {@link DockerService.execute}. That one function
 * negotiates the API version, builds the request, checks the transport can upgrade (for `Hijack` kinds), applies
 * the request timeout, sends it, maps a failed status to the operation's typed error and a transport failure to
 * `TransportError` / `Timeout`, and runs in the call's span (see "Tracing" below). Everything else is built on it:
 *
 * - {@link call} reads the answer as the operation's response kind says: JSON, NDJSON items, text, nothing, the
 *   response headers (`Headers`, e.g. `Containers.archiveInfo`), bytes, demultiplexed stdout/stderr frames
 *   (`Multiplexed`, e.g. logs) or an upgraded connection (`Hijack`, e.g. attach, exec start, `Session.open`).
 *   The generated `Api` module is one `call` per operation, and the hand-written modules use `call` too.
 * - An endpoint that answers in more than one way is called as another kind with `Operation.withResponse`: a
 *   detached exec start is `ExecStart` read as `Empty`, a TTY container's logs are `ContainerLogs` read as
 *   raw `Bytes`. A custom operation is an `Operation.make` description, called the same way.
 * - {@link hijack} is `call` for an upgrade; `execute` itself is public for the rare caller that needs the
 *   status, the headers and the body together (e.g. `Events.stream` reads the daemon's `Date` header).
 *
 * ## Tracing
 *
 * When a tracer is installed, each call of `execute` (and so of `call`, `hijack` and every module function
 * that sends a request) runs in one span `docker.<operation id>` (kind `client`) with the attributes
 * `docker.operation`, `http.request.method`, `url.template` and `http.response.status_code`; the transport's
 * `http.client` span is its child. Single answers are read inside the span; for streams and hijacked connections
 * it ends when the response headers arrive. With no tracer installed there is no span at all.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import type * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as References from "effect/References"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as ApiVersion from "./ApiVersion.ts"
import * as Demux from "./Demux.ts"
import * as Errors from "./Errors.ts"
import { findConnectTimeout } from "./internal/connectTimeout.ts"
import { decodeJsonBody } from "./internal/decode.ts"
import { buildRequest, type UntracedSend, untracedSend } from "./internal/request.ts"
import * as Ndjson from "./Ndjson.ts"
import * as Operation from "./Operation.ts"

/**
 * How to reach the daemon, besides the `HttpClient` itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface DockerConnection {
  /** Prepended to every request path, e.g. `http://localhost` for a unix socket, `https://10.0.0.5:2376`. */
  readonly baseUrl: string
  /** What errors name as the place tried, e.g. `unix:///var/run/docker.sock`. */
  readonly target: string
  /** A fixed API version: skips negotiation (as `DOCKER_API_VERSION` does). */
  readonly apiVersion?: ApiVersion.ApiVersion
  /** The transport's name, for errors. */
  readonly transport: string
  /** Whether the transport can hijack connections (attach, exec). */
  readonly canHijack: boolean
  /**
   * The request timeout of every call (see {@link RequestTimeout}); none when absent.
   *
   * @since 0.2.0
   */
  readonly timeout?: Duration.Input
}

/**
 * The request timeout of the calls it is provided to, overriding the client's `timeout`: how long a call may wait
 * for the daemon's answer. It covers the time until the response headers arrive and, for calls that answer one
 * value (inspect, list, create, …), reading the whole body; streams (logs, events, stats, pull progress) and
 * hijacked connections are limited only until their headers arrive, never while they flow. A call that runs out
 * of time fails with `Errors.Timeout` and its connection is closed. `undefined` (the default) defers to the
 * client's `timeout`; `Duration.infinity` turns the limit off.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Containers, Docker } from "effect-docker"
 * const inspect = Containers.inspect("web").pipe(Effect.provideService(Docker.RequestTimeout, "5 seconds"))
 * ```
 * @since 0.2.0
 * @category timeouts
 */
export const RequestTimeout: Context.Reference<Duration.Input | undefined> = Context.Reference<
  Duration.Input | undefined
>("effect-docker/Docker/RequestTimeout", { defaultValue: () => undefined })

/**
 * Sets the request timeout of every call inside `self` (see {@link RequestTimeout}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Docker } from "effect-docker"
 * const quick = Docker.withTimeout(Containers.list(), "2 seconds")
 * const slow = Containers.list().pipe(Docker.withTimeout("1 minute"))
 * ```
 * @since 0.2.0
 * @category timeouts
 */
export const withTimeout: {
  (limit: Duration.Input): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, limit: Duration.Input): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, limit: Duration.Input): Effect.Effect<A, E, R> =>
    Effect.provideService(self, RequestTimeout, limit)
)

/**
 * Runs `effect` under the request timeout in force (the fiber's {@link RequestTimeout}, else the connection's);
 * inner calls see no limit, so one deadline covers a whole call. No race is set up when there is no limit.
 */
const limited = <A, E, R>(
  fiber: { readonly getRef: <S>(ref: Context.Reference<S>) => S },
  operation: string,
  connection: DockerConnection,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Errors.Timeout, R> => {
  const input = fiber.getRef(RequestTimeout) ?? connection.timeout
  if (input === undefined) return effect
  const limit = Duration.fromInputUnsafe(input)
  if (!Duration.isFinite(limit)) return effect
  return effect.pipe(
    Effect.provideService(RequestTimeout, Duration.infinity),
    Effect.timeoutOrElse({
      duration: limit,
      orElse: () => Effect.fail(new Errors.Timeout({ operation, target: connection.target, phase: "request", limit }))
    })
  )
}

const always = () => true

/**
 * Whether calls are traced: a tracer other than Effect's native one is installed (an exporter) and tracing is on.
 * Without one, no span is made at all, neither the SDK's nor the transport's `http.client` span, so that
 * tracing costs one check per call.
 */
const tracing = (fiber: { readonly getRef: <S>(ref: Context.Reference<S>) => S }): boolean =>
  fiber.getRef(Tracer.Tracer) !== Tracer.nativeTracer && fiber.getRef(References.TracerEnabled)

/**
 * Runs one call in its span, `docker.<operation id>` (kind `client`), with the attributes `docker.operation`,
 * `http.request.method`, `url.template` and, once the headers arrived, `http.response.status_code`. The
 * transport's `http.client` span (with trace propagation) is its child. Used only when a tracer is installed (see
 * {@link tracing}); otherwise there is neither span.
 */
const inSpan = <A, E, R>(
  operation: Operation.Operation<any, Operation.ResponseKind, any>,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.withSpan(effect, `docker.${operation.id}`, {
    kind: "client",
    attributes: {
      "docker.operation": operation.id,
      "http.request.method": operation.method,
      "url.template": operation.path
    }
  })

/**
 * The failures every call can have besides its documented statuses.
 *
 * @since 0.1.0
 * @category models
 */
export type CallError<S extends Errors.DocumentedStatus> = Errors.StatusErrors<S> | Errors.CommonError

/**
 * What a call of an operation returns, by its response kind: an Effect for single answers, a Stream for streams,
 * a scoped Socket for hijacked connections.
 *
 * @since 0.1.0
 * @category models
 */
export type CallResult<R extends Operation.ResponseKind, S extends Errors.DocumentedStatus> = R extends
  Operation.Json<infer A> ? Effect.Effect<A, CallError<S>, Docker>
  : R extends Operation.JsonStream<infer A> ? Stream.Stream<A, CallError<S> | Ndjson.NdjsonError, Docker>
  : R extends { readonly _tag: "Empty" } ? Effect.Effect<void, CallError<S>, Docker>
  : R extends { readonly _tag: "Text" } ? Effect.Effect<string, CallError<S>, Docker>
  : R extends { readonly _tag: "Headers" } ? Effect.Effect<Headers.Headers, CallError<S>, Docker>
  : R extends { readonly _tag: "Bytes" } ? Stream.Stream<Uint8Array, CallError<S>, Docker>
  : R extends { readonly _tag: "Multiplexed" } ?
    Stream.Stream<Demux.Frame, CallError<S> | Demux.DemuxError | Demux.DaemonStreamError, Docker>
  : R extends { readonly _tag: "Hijack" } ?
    Effect.Effect<Socket.Socket, CallError<S> | Errors.HijackNotSupported, Docker | Scope.Scope>
  : never

/**
 * The function that calls an operation: its input is optional when every field of it is.
 *
 * @since 0.1.0
 * @category models
 */
export type Call<Op> = Op extends Operation.Operation<infer I, infer R, infer S>
  ? {} extends I ? (input?: I) => CallResult<R, S> : (input: I) => CallResult<R, S>
  : never

/**
 * What the {@link Docker} service holds (also reachable as `Docker["Service"]`).
 *
 * @example
 * ```ts
 * import { Docker } from "effect-docker"
 * const versionOf = (docker: Docker.DockerService) => docker.apiVersion
 * ```
 * @since 0.2.0
 * @category services
 */
export interface DockerService {
  readonly connection: DockerConnection
  /** The API version in use: pinned, or negotiated with one ping on first use and cached. */
  readonly apiVersion: Effect.Effect<
    ApiVersion.ApiVersion,
    Errors.TransportError | Errors.Timeout | Errors.DaemonTooOld
  >
  /**
   * The one call path (see the module's doc): sends the operation's request and checks its status. With
   * `read`, the answer is read inside the call's span and request timeout; without it the call ends when the
   * headers arrive and the caller reads the body from the {@link Response}.
   *
   * @since 0.2.0
   */
  readonly execute: Execute
}

/**
 * The failures of {@link DockerService.execute}: the call's errors, plus `HijackNotSupported` for an operation
 * whose response kind is `Hijack` (an upgrade) on a transport that cannot upgrade.
 *
 * @example
 * ```ts
 * import type { Docker } from "effect-docker"
 * type AttachError = Docker.ExecuteError<{ readonly _tag: "Hijack" }, 404 | 500>
 * ```
 * @since 0.2.0
 * @category models
 */
export type ExecuteError<R extends Operation.ResponseKind, S extends Errors.DocumentedStatus> =
  | CallError<S>
  | (R extends { readonly _tag: "Hijack" } ? Errors.HijackNotSupported : never)

/**
 * The signature of {@link DockerService.execute}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Operation, Operations } from "effect-docker"
 * // the daemon's API version and the body of a ping, in one call and one span
 * const ping = Docker.Docker.use((docker) =>
 *   docker.execute(Operations.SystemPing, {}, (response) =>
 *     Effect.map(response.text, (body) => ({ body, api: response.headers["api-version"] }))))
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Execute {
  <I, R extends Operation.ResponseKind, S extends Errors.DocumentedStatus>(
    operation: Operation.Operation<I, R, S>,
    input: I
  ): Effect.Effect<Response, ExecuteError<R, S>>
  <I, R extends Operation.ResponseKind, S extends Errors.DocumentedStatus, A, E, Env>(
    operation: Operation.Operation<I, R, S>,
    input: I,
    read: (response: Response) => Effect.Effect<A, E, Env>
  ): Effect.Effect<A, ExecuteError<R, S> | E, Env>
}

/**
 * A successful answer (2xx, 304, or 101 for an upgrade) of {@link DockerService.execute}. Reading its body fails
 * only with `TransportError` or `Timeout`, named after the operation. Read the body once (`text` or
 * `stream`), or `upgrade` once for a `Hijack` operation.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Operations } from "effect-docker"
 * const engineName = Docker.Docker.use((docker) =>
 *   Effect.map(docker.execute(Operations.SystemPing, {}), (response) => response.headers["server"]))
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Response {
  readonly status: number
  /** The response headers, names in lower case. */
  readonly headers: Headers.Headers
  /** The whole body as text. */
  readonly text: Effect.Effect<string, Errors.TransportError | Errors.Timeout>
  /** The body as it arrives. */
  readonly stream: Stream.Stream<Uint8Array, Errors.TransportError | Errors.Timeout>
  /** The upgraded connection of a `Hijack` operation. */
  readonly upgrade: Effect.Effect<Socket.Socket, Errors.TransportError | Errors.Timeout>
}

// A constant with an explicit type, so that JSR's fast check can read the class's base.
const DockerBase: Context.ServiceClass<Docker, "effect-docker/Docker", DockerService> = Context.Service<
  Docker,
  DockerService
>()("effect-docker/Docker")

/**
 * The client: the connection, the negotiated version and {@link DockerService.execute}, the one path every call
 * takes. Most code uses {@link call} or the hand-written modules (`Containers`, `Images`, …) instead.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker } from "effect-docker"
 * const version = Docker.Docker.use((docker) => docker.apiVersion)
 * ```
 * @since 0.1.0
 * @category services
 */
export class Docker extends DockerBase {}

const okStatus = (status: number, kind: Operation.ResponseKind["_tag"]) =>
  (status >= 200 && status < 300) || status === 304 || (kind === "Hijack" && status === 101)

/** A redirect: any 3xx but 304, or status 0 (a browser's opaque answer to `redirect: "manual"`). */
const isRedirect = (status: number) => status === 0 || (status >= 300 && status < 400 && status !== 304)

/** A transport failure of `operation` as the SDK's `TransportError`, or `Timeout` for a connect timeout. */
const transportError =
  (operation: string, target: string) =>
  (error: HttpClientError.HttpClientError): Errors.TransportError | Errors.Timeout => {
    const timedOut = findConnectTimeout(error)
    if (timedOut !== undefined) {
      return new Errors.Timeout({ operation, target, phase: "connect", limit: Duration.millis(timedOut.millis) })
    }
    return new Errors.TransportError({
      operation,
      target,
      reason: error.reason._tag === "TransportError"
        ? describeCause(error.reason.cause) ?? error.reason.description ?? error.message
        : error.message,
      cause: error
    })
  }

/** The messages and codes of an error and its causes, outermost first: `fetch failed: connect ENOENT … (ENOENT)`. */
const describeCause = (cause: unknown): string | undefined => {
  const parts: Array<string> = []
  for (let current = cause, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    const text = typeof code === "string" && !current.message.includes(code)
      ? `${current.message} (${code})`
      : current.message
    if (text !== "" && !parts.includes(text)) parts.push(text)
    current = current.cause
  }
  return parts.length === 0 ? undefined : parts.join(": ")
}

/** How much of an error body a message keeps, and how far the rest is counted before reading stops. */
const messageBytes = 4096
const countedBytes = 16 * 1024 * 1024

/**
 * The start of a body (at most {@link messageBytes}) and its length. Past {@link countedBytes} reading stops (the
 * connection is then closed, not drained) and `total` is the `Content-Length` when given, else a lower bound.
 */
const readBounded = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.suspend(() => {
    const head = new Uint8Array(messageBytes)
    let kept = 0
    let total = 0
    return response.stream.pipe(
      Stream.takeWhile(() => total < countedBytes),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          if (kept < messageBytes) {
            const part = chunk.subarray(0, messageBytes - kept)
            head.set(part, kept)
            kept += part.length
          }
          total += chunk.length
        })
      ),
      Effect.map(() => {
        const declared = Number(response.headers["content-length"])
        const complete = total < countedBytes
        return {
          text: new TextDecoder().decode(head.subarray(0, kept)),
          kept,
          total: !complete && Number.isSafeInteger(declared) && declared > total ? declared : total,
          exact: complete || Number.isSafeInteger(declared)
        }
      })
    )
  })

/**
 * The message of a status error: the daemon's `message` (or the body's text), then the status; a body longer
 * than {@link messageBytes} is cut, and the message says how long it was.
 */
const statusMessage = (
  status: number,
  body: { readonly text: string; readonly kept: number; readonly total: number; readonly exact: boolean }
): string => {
  if (body.total <= body.kept) {
    const text = daemonMessage(body.text)
    return text === "" ? `HTTP ${status} (empty body)` : `${text} (HTTP ${status})`
  }
  const length = body.exact ? `${body.total}` : `more than ${body.total}`
  return `${body.text.trim()}… (HTTP ${status}; the body was ${length} bytes, cut to the first ${body.kept})`
}

/**
 * The error of a response that is not a success: `Redirected` for a redirect, the status's own class (or
 * `UnexpectedStatus`) otherwise, with a message of at most a few KiB.
 */
const responseFailure = <S extends Errors.DocumentedStatus>(
  operation: Operation.Operation<any, Operation.ResponseKind, S>,
  response: HttpClientResponse.HttpClientResponse,
  target: string
): Effect.Effect<
  never,
  | Errors.StatusErrors<S>
  | Errors.Forbidden
  | Errors.UnexpectedStatus
  | Errors.SwarmUnavailable
  | Errors.OperationUnavailable
  | Errors.Redirected
  | Errors.TransportError
  | Errors.Timeout
> => {
  if (isRedirect(response.status)) {
    const redirected = new Errors.Redirected({
      operation: operation.id,
      target,
      status: response.status,
      location: response.headers["location"]
    })
    // the body is read (bounded) only so that the connection can be reused
    return Effect.andThen(Effect.ignore(readBounded(response)), Effect.fail(redirected))
  }
  return readBounded(response).pipe(
    Effect.mapError(transportError(operation.id, target)),
    Effect.flatMap((body) =>
      Effect.fail(
        Errors.fromStatus(operation.errors, {
          operation: operation.id,
          status: response.status,
          message: statusMessage(response.status, body)
        })
      )
    )
  )
}

const daemonMessage = (text: string): string => {
  try {
    const parsed = JSON.parse(text) as unknown
    if (
      typeof parsed === "object" && parsed !== null && typeof (parsed as { message?: unknown }).message === "string"
    ) {
      return (parsed as { message: string }).message
    }
  } catch {
    // not JSON: the text itself is the message
  }
  return text.trim()
}

/**
 * Builds the client service from an `HttpClient` and the connection settings.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { Docker } from "effect-docker"
 * const docker = HttpClient.HttpClient.use((client) =>
 *   Docker.make(client, {
 *     baseUrl: "http://127.0.0.1:2375",
 *     target: "tcp://127.0.0.1:2375",
 *     transport: "custom",
 *     canHijack: false
 *   }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  client: HttpClient.HttpClient,
  connection: DockerConnection
): Effect.Effect<Docker["Service"]> =>
  Effect.gen(function*() {
    const negotiate = client.execute(
      HttpClientRequest.get("/_ping").pipe(HttpClientRequest.prependUrl(connection.baseUrl))
    )
      .pipe(
        Effect.flatMap((response) => response.text.pipe(Effect.as(response.headers["api-version"]))),
        Effect.mapError(transportError("SystemPing", connection.target)),
        Effect.flatMap((header) => {
          const daemon = header === undefined ? undefined : ApiVersion.parse(header)
          if (daemon === undefined) return Effect.succeed(ApiVersion.oldest)
          return ApiVersion.atLeast(daemon, ApiVersion.oldest)
            ? Effect.succeed(ApiVersion.min(daemon, ApiVersion.newest))
            : Effect.fail(new Errors.DaemonTooOld({ daemon, oldest: ApiVersion.oldest }))
        })
      )
    let known: ApiVersion.ApiVersion | undefined = connection.apiVersion
    const lock = yield* Semaphore.make(1)
    const apiVersion = Effect.suspend(() =>
      known !== undefined ? Effect.succeed(known) : lock.withPermits(1)(
        Effect.suspend(() =>
          known !== undefined ? Effect.succeed(known) : Effect.tap(negotiate, (v) =>
            Effect.sync(() => {
              known = v
            }))
        )
      )
    )
    const { target } = connection
    const origin = connection.baseUrl.endsWith("/") ? connection.baseUrl.slice(0, -1) : connection.baseUrl
    const viaClient = (request: HttpClientRequest.HttpClientRequest) => client.execute(request)
    /** The transport's own send for untraced requests, when it has one (see `untracedSend`). */
    const direct = (client as Partial<UntracedSend>)[untracedSend]
    /**
     * `direct` for an answer whose body is read whole (see {@link readsWhole}): the transport may read it first.
     * Called only when `direct` is there.
     */
    const directWhole = (request: HttpClientRequest.HttpClientRequest) => direct!(request, true)
    /**
     * Builds and sends the request with `transmit`, then checks the status (plain composition: this runs on every
     * call; the transport's failure and its answer are handled in one step).
     */
    const sendWith = (
      operation: AnyOperation,
      input: unknown,
      version: ApiVersion.ApiVersion,
      traced: boolean,
      transmit: (
        request: HttpClientRequest.HttpClientRequest
      ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    ): Effect.Effect<Response, ExecuteError<Operation.ResponseKind, Errors.DocumentedStatus>> => {
      const request = buildRequest(operation, input, version, origin)
      if (!HttpClientRequest.isHttpClientRequest(request)) return Effect.fail(request)
      const kind = operation.response
      return Effect.matchEffect(
        transmit(kind._tag === "Hijack" ? HttpClientRequest.upgrade(request, kind.protocol ?? "tcp") : request),
        {
          onFailure: (error) => Effect.fail(transportError(operation.id, target)(error)),
          onSuccess: (response) => {
            const answer: Effect.Effect<Response, ExecuteError<Operation.ResponseKind, Errors.DocumentedStatus>> =
              okStatus(response.status, kind._tag)
                ? Effect.succeed(new AnswerResponse(response, operation.id, target))
                : responseFailure(operation, response, target)
            return traced
              ? Effect.andThen(Effect.annotateCurrentSpan("http.response.status_code", response.status), answer)
              : answer
          }
        }
      )
    }
    const send = (operation: AnyOperation, input: unknown, traced: boolean) =>
      known !== undefined
        ? sendWith(operation, input, known, traced, viaClient)
        : Effect.flatMap(apiVersion, (version) => sendWith(operation, input, version, traced, viaClient))
    const execute = ((
      operation: AnyOperation,
      input: unknown,
      read?: (response: Response) => Effect.Effect<unknown, unknown, unknown>
    ) =>
      Effect.withFiber((fiber) => {
        const traced = tracing(fiber)
        if (operation.response._tag === "Hijack" && !connection.canHijack) {
          const refused = Effect.fail(
            new Errors.HijackNotSupported({ operation: operation.id, transport: connection.transport })
          )
          return traced ? inSpan(operation, refused) : refused
        }
        // untraced, with the version known and a transport that sends untraced requests itself: no
        // `TracerDisabledWhen` context for the call (the version negotiation still goes through `client.execute`)
        const version = known
        const bare = !traced && direct !== undefined && version !== undefined
        const sent = bare
          ? sendWith(operation, input, version, false, readsWhole(operation.response._tag) ? directWhole : direct)
          : send(operation, input, traced)
        const call = limited(fiber, operation.id, connection, read === undefined ? sent : Effect.flatMap(sent, read))
        if (traced) return inSpan(operation, call)
        return bare ? call : Effect.provideService(call, HttpClient.TracerDisabledWhen, always)
      })) as Execute
    return Docker.of({ connection, apiVersion, execute })
  })

/** Whether the answer of a response kind is read whole, at once (no stream, no upgrade). */
const readsWhole = (kind: Operation.ResponseKind["_tag"]): boolean =>
  kind === "Json" || kind === "Text" || kind === "Empty" || kind === "Headers"

/** An effect that is already its successful result (`Effect.succeed`): its value can be read without running it. */
const succeeded = <A, E, R>(effect: Effect.Effect<A, E, R>): effect is Exit.Success<A, E> =>
  Exit.isExit(effect) && Exit.isSuccess(effect)

/** A {@link Response} over the transport's, whose body errors name the operation and the daemon. */
class AnswerResponse implements Response {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly operation: string
  readonly target: string
  constructor(response: HttpClientResponse.HttpClientResponse, operation: string, target: string) {
    this.response = response
    this.operation = operation
    this.target = target
  }
  get status(): number {
    return this.response.status
  }
  get headers(): Headers.Headers {
    return this.response.headers
  }
  get text(): Effect.Effect<string, Errors.TransportError | Errors.Timeout> {
    const text = this.response.text
    // a body the transport already holds (the Node transport reads small bodies ahead) needs no error mapping
    return succeeded(text)
      ? Exit.succeed(text.value)
      : Effect.mapError(text, transportError(this.operation, this.target))
  }
  get stream(): Stream.Stream<Uint8Array, Errors.TransportError | Errors.Timeout> {
    return Stream.mapError(this.response.stream, transportError(this.operation, this.target))
  }
  get upgrade(): Effect.Effect<Socket.Socket, Errors.TransportError | Errors.Timeout> {
    return Effect.mapError(this.response.upgrade, transportError(this.operation, this.target))
  }
}

/**
 * The client as a layer over any `HttpClient`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { Docker } from "effect-docker"
 * const viaProxy = Docker.layer({
 *   baseUrl: "http://localhost:2375",
 *   target: "http://localhost:2375",
 *   transport: "fetch",
 *   canHijack: false
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (connection: DockerConnection): Layer.Layer<Docker, never, HttpClient.HttpClient> =>
  Layer.effect(Docker, HttpClient.HttpClient.use((client) => make(client, connection)))

type AnyOperation = Operation.Operation<unknown, Operation.ResponseKind, Errors.DocumentedStatus>

const readJson = (operation: AnyOperation, schema: Operation.Json<unknown>["schema"]) => (response: Response) => {
  const text = response.text
  return succeeded(text)
    ? decodeJsonBody(operation.id, schema, text.value)
    : Effect.flatMap(text, (text) => decodeJsonBody(operation.id, schema, text))
}
const readEmpty = (response: Response) => Effect.asVoid(response.text)
const readText = (response: Response) => response.text
const readHeaders = (response: Response) => Effect.as(response.text, response.headers)
const readBytes = (response: Response) => response.stream
const readFrames = (response: Response) => Demux.demuxStream(response.stream)
const readUpgrade = (response: Response) => response.upgrade

/**
 * Makes the function that calls an operation; its result follows the operation's response kind (see
 * `Operation.ResponseKind`): single answers are read within the call's request timeout, streams are limited only
 * until their headers arrive, a `Multiplexed` stream comes out demultiplexed (`Demux.demuxStream`), a `Hijack`
 * gives the upgraded connection. The generated `Api` module is built from it, one function per operation; to
 * read an operation as another kind, call `Operation.withResponse(operation, kind)`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Operations } from "effect-docker"
 * const listContainers = Docker.call(Operations.ContainerList)
 * const program = listContainers({ all: true }).pipe(Effect.map((list) => list.map((c) => c.Id)))
 * ```
 * @since 0.1.0
 * @category calls
 */
export const call = <Op extends Operation.Any>(operation: Op): Call<Op> => {
  switch (operation.response._tag) {
    case "Json":
      return callJson(operation)
    case "JsonStream":
      return callJsonStream(operation)
    case "Multiplexed":
      return callMultiplexed(operation)
    default:
      return callPlain(operation)
  }
}

/** The operation, when its response is of the kind a `call…` variant reads; a `TypeError` otherwise. */
const ofKind = (operation: Operation.Any, kind: Operation.ResponseKind["_tag"]): AnyOperation => {
  if (operation.response._tag !== kind) {
    throw new TypeError(`${operation.id}: a ${operation.response._tag} response, not ${kind}`)
  }
  return operation as AnyOperation
}

/** One call: the response read within the call's request timeout. */
const single = <A, E>(op: AnyOperation, read: (response: Response) => Effect.Effect<A, E>) => (input: unknown) =>
  Docker.use((docker) => docker.execute(op, input, read))

/** A streaming call: the call (its span and request timeout) ends when the headers arrive. */
const stream = <A, E>(op: AnyOperation, read: (response: Response) => Stream.Stream<A, E>) => (input: unknown) =>
  Stream.unwrap(Docker.use((docker) => docker.execute(op, input, (response) => Effect.succeed(read(response)))))

/**
 * {@link call} of an operation whose response kind is `Json` (a `TypeError` for another kind). `call` chooses the
 * reader by the kind at run time, so a bundle that uses it keeps the readers of every kind (the JSON decoder, the
 * NDJSON and multiplexed stream readers); `callJson`, {@link callJsonStream}, {@link callMultiplexed} and
 * {@link callPlain} keep only their own. The generated `Api` module uses them.
 *
 * @example
 * ```ts
 * import { Docker, Operations } from "effect-docker"
 * const inspect = Docker.callJson(Operations.ContainerInspect)
 * const program = inspect({ id: "web" })
 * ```
 * @since 0.2.0
 * @category calls
 */
export const callJson = <Op extends Operation.Any>(operation: Op): Call<Op> => {
  const op = ofKind(operation, "Json")
  return single(op, readJson(op, (op.response as Operation.Json<unknown>).schema)) as Call<Op>
}

/**
 * {@link call} of an operation whose response kind is `JsonStream` (see {@link callJson}).
 *
 * @example
 * ```ts
 * import { Docker, Operations } from "effect-docker"
 * const events = Docker.callJsonStream(Operations.SystemEvents)({ since: "0" })
 * ```
 * @since 0.2.0
 * @category calls
 */
export const callJsonStream = <Op extends Operation.Any>(operation: Op): Call<Op> => {
  const op = ofKind(operation, "JsonStream")
  const schema = (op.response as Operation.JsonStream<unknown>).schema
  return stream(op, (response) =>
    response.stream.pipe(
      Stream.pipeThroughChannel(Ndjson.decodeSchema<typeof schema, Errors.TransportError | Errors.Timeout>(schema))
    )) as Call<Op>
}

/**
 * {@link call} of an operation whose response kind is `Multiplexed` (see {@link callJson}).
 *
 * @example
 * ```ts
 * import { Docker, Operations } from "effect-docker"
 * const frames = Docker.callMultiplexed(Operations.ContainerLogs)({ id: "web", stdout: true })
 * ```
 * @since 0.2.0
 * @category calls
 */
export const callMultiplexed = <Op extends Operation.Any>(operation: Op): Call<Op> =>
  stream(ofKind(operation, "Multiplexed"), readFrames) as Call<Op>

/**
 * {@link call} of an operation whose response kind is `Empty`, `Text`, `Headers`, `Bytes` or `Hijack` (see
 * {@link callJson}).
 *
 * @example
 * ```ts
 * import { Docker, Operations } from "effect-docker"
 * const ping = Docker.callPlain(Operations.SystemPing)()
 * ```
 * @since 0.2.0
 * @category calls
 */
export const callPlain = <Op extends Operation.Any>(operation: Op): Call<Op> => {
  const op = operation as AnyOperation
  switch (op.response._tag) {
    case "Empty":
      return single(op, readEmpty) as Call<Op>
    case "Text":
      return single(op, readText) as Call<Op>
    case "Headers":
      return single(op, readHeaders) as Call<Op>
    case "Bytes":
      return stream(op, readBytes) as Call<Op>
    case "Hijack":
      return single(op, readUpgrade) as Call<Op>
    default:
      throw new TypeError(`${op.id}: a ${op.response._tag} response, not Empty, Text, Headers, Bytes or Hijack`)
  }
}

/**
 * Sends an operation that switches the connection to raw bytes (attach, exec start) and hands the connection
 * over as a `Socket`, closed when the scope closes: {@link call} of the operation read as a `Hijack` (an
 * operation whose kind is already `Hijack` keeps its protocol, any other is upgraded to `tcp`). Fails with
 * `HijackNotSupported` before any I/O on a transport that cannot upgrade.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Docker, Operations } from "effect-docker"
 * const socket = Docker.hijack(Operations.ContainerAttach, { id: "abc", stream: true, stdout: true })
 * ```
 * @since 0.1.0
 * @category calls
 */
export const hijack = <I, S extends Errors.DocumentedStatus>(
  operation: Operation.Operation<I, Operation.ResponseKind, S>,
  input: I
): Effect.Effect<Socket.Socket, CallError<S> | Errors.HijackNotSupported, Docker | Scope.Scope> => {
  const upgraded = operation.response._tag === "Hijack"
    ? operation as Operation.Operation<I, Operation.ResponseOf<"Hijack">, S>
    : Operation.withResponse(operation, { _tag: "Hijack" } as const)
  return Docker.use((docker) => docker.execute(upgraded, input, readUpgrade))
}
