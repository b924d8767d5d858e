/**
 * The Docker client service. It needs only an Effect `HttpClient` (the transport) and the connection settings
 * ({@link DockerConnection}); it negotiates the API version once, turns operation descriptions into requests,
 * maps statuses to typed errors and decodes responses. Platform entry points (`effect-docker/node`, …) provide
 * ready layers; any `HttpClient` can be plugged in with {@link layer}.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import type * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as ApiVersion from "./ApiVersion.ts"
import * as Errors from "./Errors.ts"
import * as Ndjson from "./Ndjson.ts"
import type * as Operation from "./Operation.ts"
import { decodeJsonBody } from "./internal/decode.ts"
import { toRequest } from "./internal/request.ts"

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
}

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
  : R extends { readonly _tag: "Bytes" | "Multiplexed" } ? Stream.Stream<Uint8Array, CallError<S>, Docker>
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
  readonly apiVersion: Effect.Effect<ApiVersion.ApiVersion, Errors.TransportError | Errors.DaemonTooOld>
  /** Sends the operation's request and checks the status; the caller reads the body. */
  readonly execute: <I, S extends Errors.DocumentedStatus>(
    operation: Operation.Operation<I, Operation.ResponseKind, S>,
    input: I
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, CallError<S>>
  /** The transport's client, with the base URL applied. */
  readonly httpClient: HttpClient.HttpClient
}

// A constant with an explicit type, so that JSR's fast check can read the class's base.
const DockerBase: Context.ServiceClass<Docker, "effect-docker/Docker", DockerService> = Context.Service<
  Docker,
  DockerService
>()("effect-docker/Docker")

/**
 * The client: the negotiated version and the raw execution of operations. Most code uses {@link call} or the
 * hand-written modules (`Containers`, `Images`, …) instead.
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

/** @internal */
export const transportError =
  (operation: string, target: string) => (error: HttpClientError.HttpClientError): Errors.TransportError =>
  new Errors.TransportError({
    operation,
    target,
    reason: error.reason._tag === "TransportError"
      ? describeCause(error.reason.cause) ?? error.reason.description ?? error.message
      : error.message,
    cause: error
  })

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

const statusFailure = <S extends Errors.DocumentedStatus>(
  operation: Operation.Operation<any, Operation.ResponseKind, S>,
  response: HttpClientResponse.HttpClientResponse,
  target: string
) =>
  response.text.pipe(
    Effect.mapError(transportError(operation.id, target)),
    Effect.flatMap((text) => {
      const message = daemonMessage(text)
      return Effect.fail(Errors.fromStatus(operation.errors, { operation: operation.id, status: response.status, message }))
    })
  )

const daemonMessage = (text: string): string => {
  try {
    const parsed = JSON.parse(text) as unknown
    if (typeof parsed === "object" && parsed !== null && typeof (parsed as { message?: unknown }).message === "string") {
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
 *   Docker.make(client, { baseUrl: "http://127.0.0.1:2375", target: "tcp://127.0.0.1:2375", transport: "custom", canHijack: false }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  client: HttpClient.HttpClient,
  connection: DockerConnection
): Effect.Effect<Docker["Service"]> =>
  Effect.gen(function*() {
    const httpClient = client.pipe(HttpClient.mapRequest(HttpClientRequest.prependUrl(connection.baseUrl)))
    const negotiate = httpClient.get("/_ping").pipe(
      Effect.flatMap((response) =>
        response.text.pipe(Effect.as(response.headers["api-version"]))
      ),
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
    const execute = <I, S extends Errors.DocumentedStatus>(
      operation: Operation.Operation<I, Operation.ResponseKind, S>,
      input: I
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, CallError<S>> =>
      Effect.gen(function*() {
        const version = yield* apiVersion
        const request = yield* toRequest(operation, input, version)
        const response = yield* httpClient.execute(request).pipe(
          Effect.mapError(transportError(operation.id, connection.target))
        )
        if (okStatus(response.status, operation.response._tag)) return response
        return yield* statusFailure(operation, response, connection.target)
      })
    return Docker.of({ connection, apiVersion, execute, httpClient })
  })

/**
 * The client as a layer over any `HttpClient`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { Docker } from "effect-docker"
 * const viaProxy = Docker.layer({ baseUrl: "http://localhost:2375", target: "http://localhost:2375", transport: "fetch", canHijack: false })
 *   .pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (connection: DockerConnection): Layer.Layer<Docker, never, HttpClient.HttpClient> =>
  Layer.effect(Docker, HttpClient.HttpClient.use((client) => make(client, connection)))

const readText = (operationId: string, response: HttpClientResponse.HttpClientResponse, target: string) =>
  Effect.mapError(response.text, transportError(operationId, target))

const bodyStream = (operationId: string, response: HttpClientResponse.HttpClientResponse, target: string) =>
  response.stream.pipe(Stream.mapError(transportError(operationId, target)))

/**
 * Makes the function that calls an operation; its result follows the operation's response kind. The generated
 * `Api` module is built from it, one function per operation.
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
  const op = operation as Operation.Operation<unknown, Operation.ResponseKind, Errors.DocumentedStatus>
  const kind = op.response
  const send = <A, E>(input: unknown, read: (response: HttpClientResponse.HttpClientResponse, target: string) => Effect.Effect<A, E>) =>
    Docker.use((docker) =>
      Effect.flatMap(docker.execute(op, input), (response) => read(response, docker.connection.target))
    )
  switch (kind._tag) {
    case "Json":
      return ((input: unknown) =>
        send(input, (response, target) =>
          Effect.flatMap(readText(op.id, response, target), (text) => decodeJsonBody(op.id, kind.schema, text)))) as Call<Op>
    case "Empty":
      return ((input: unknown) => send(input, (response, target) => Effect.asVoid(readText(op.id, response, target)))) as Call<Op>
    case "Text":
      return ((input: unknown) => send(input, (response, target) => readText(op.id, response, target))) as Call<Op>
    case "JsonStream":
      return ((input: unknown) =>
        Stream.unwrap(
          send(input, (response, target) =>
            Effect.succeed(
              bodyStream(op.id, response, target).pipe(
                Stream.pipeThroughChannel(Ndjson.decodeSchema<typeof kind.schema, Errors.TransportError>(kind.schema))
              )
            ))
        )) as Call<Op>
    case "Bytes":
    case "Multiplexed":
      return ((input: unknown) =>
        Stream.unwrap(send(input, (response, target) => Effect.succeed(bodyStream(op.id, response, target))))) as Call<Op>
    case "Hijack":
      return ((input: unknown) => hijack(op, input)) as Call<Op>
  }
}

/**
 * Sends an operation that switches the connection to raw bytes (attach, exec start) and hands the connection
 * over as a `Socket`, closed when the scope closes. Fails with `HijackNotSupported` before any I/O on a
 * transport that cannot upgrade.
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
): Effect.Effect<Socket.Socket, CallError<S> | Errors.HijackNotSupported, Docker | Scope.Scope> =>
  Effect.gen(function*() {
    const docker = yield* Docker
    const { target } = docker.connection
    if (!docker.connection.canHijack) {
      return yield* new Errors.HijackNotSupported({ operation: operation.id, transport: docker.connection.transport })
    }
    const version = yield* docker.apiVersion
    const request = yield* toRequest(operation, input, version)
    const response = yield* docker.httpClient.execute(HttpClientRequest.upgrade(request, "tcp")).pipe(
      Effect.mapError(transportError(operation.id, target))
    )
    if (!okStatus(response.status, "Hijack")) return yield* statusFailure(operation, response, target)
    return yield* response.upgrade.pipe(Effect.mapError(transportError(operation.id, target)))
  })
