/**
 * The declarative description of one Engine API operation: method, path template, parameters, body and the kind
 * of response. Descriptions are plain data: the generated `Operations` module holds one per operation of the
 * spec, and {@link toRequest} turns a description plus typed input into an `HttpClientRequest` without any I/O.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as Schema from "effect/Schema"
import type { ApiVersion } from "./ApiVersion.ts"
import type { ApiVersionOutOfRange, DocumentedStatus, InvalidParameter, UnsupportedApiVersion } from "./Errors.ts"
import * as internal from "./internal/request.ts"

/**
 * How a parameter's value is written on the wire.
 * - `string`, `integer`, `number`: as text.
 * - `boolean`: `true` / `false` (what the daemon's form parser reads).
 * - `filters`: Docker's filter map, an object of string arrays sent as JSON (a string is sent as it is).
 * - `json`: any value sent as JSON text (e.g. build's `buildargs`).
 * - `array`: one query key per element (`?t=a&t=b`).
 * - `jsonArray`: one query key per element, each element sent as JSON (e.g. `platform` on image save/load).
 *
 * @since 0.1.0
 * @category models
 */
export type ParamStyle = "string" | "integer" | "number" | "boolean" | "filters" | "json" | "array" | "jsonArray"

/**
 * One path, query or header parameter.
 *
 * @example
 * ```ts
 * import type { Operation } from "effect-docker"
 * const all: Operation.Param = { name: "all", key: "all", in: "query", style: "boolean" }
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Param {
  /** The name on the wire. */
  readonly name: string
  /** The property of the operation's input that holds the value. */
  readonly key: string
  readonly in: "path" | "query" | "header"
  readonly style: ParamStyle
  readonly required?: boolean
  /** The API version that introduced the parameter. */
  readonly since?: ApiVersion
  /**
   * When the negotiated API is older than `since`, leave the parameter out instead of failing (the docs say why
   * that is safe).
   */
  readonly dropWhenUnsupported?: boolean
  /**
   * How a path parameter sits in the daemon's route (absent means `"segment"`):
   * - `"segment"`: an id or name that is exactly one path segment: not empty, not `.` or `..`, no `/`.
   * - `"reference"`: an image or plugin reference, which the daemon's route (`{name:.*}`) takes with its `/`s:
   *   every `/`-separated part is neither empty nor `.` or `..`.
   *
   * Both refuse control characters (NUL, CR, LF, …) and lone surrogates. `src/generated/README.md` gives the
   * rule of each parameter.
   *
   * @since 0.2.0
   */
  readonly pathValue?: "segment" | "reference"
  /**
   * The smallest value an `integer` parameter may take (from the spec, or from how the daemon parses it).
   *
   * @since 0.2.0
   */
  readonly minimum?: number
}

/**
 * The request body: JSON (from the input's `body`), or bytes (a `Uint8Array` or a byte `Stream` in `body`).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestBody =
  | {
    readonly _tag: "Json"
    readonly required: boolean
    /**
     * Sends `{}` when the caller gives no body (some daemons, e.g. Podman on `POST /commit`, refuse an empty body
     * where Docker reads it as `{}`).
     *
     * @since 0.2.0
     */
    readonly emptyWhenAbsent?: boolean
  }
  | { readonly _tag: "Bytes"; readonly contentType: string; readonly required: boolean }

/**
 * What the operation answers with, and so what `Docker.call` gives:
 * - `Json`: one JSON value, decoded by its schema (an Effect).
 * - `JsonStream`: newline-delimited JSON, one decoded item at a time (a Stream).
 * - `Empty`: no body worth reading (an Effect of `void`).
 * - `Text`: the body as text.
 * - `Headers`: the answer is in the response headers (e.g. `HEAD /containers/{id}/archive`); the body is read and
 *   dropped, the call gives the headers.
 * - `Bytes`: the body as a byte Stream.
 * - `Multiplexed`: Docker's stdout/stderr frames (logs of a container without a TTY), demultiplexed into
 *   `Demux.Frame`s. A TTY container's logs are raw bytes: read them with {@link withResponse} and `Bytes`.
 * - `Hijack`: the connection is upgraded (to `protocol`, `tcp` when absent) and handed over as a `Socket`.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseKind =
  | Json<any>
  | JsonStream<any>
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Text" }
  | { readonly _tag: "Headers" }
  | { readonly _tag: "Bytes"; readonly contentType: string }
  | { readonly _tag: "Multiplexed" }
  | { readonly _tag: "Hijack"; readonly protocol?: string }

/**
 * A JSON response decoded by `schema`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Json<A> {
  readonly _tag: "Json"
  readonly schema: Schema.Decoder<A>
}

/**
 * A newline-delimited JSON stream whose items `schema` decodes.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonStream<A> {
  readonly _tag: "JsonStream"
  readonly schema: Schema.Decoder<A>
}

/**
 * One Engine API operation. `Input` is the typed input (parameters by `key`, the body as `body`), `Response` the
 * kind of answer, `Status` the error statuses the spec documents for it.
 *
 * @example
 * ```ts
 * import { Operation } from "effect-docker"
 * const ping = Operation.make<{}, Operation.ResponseOf<"Text">, 500>({
 *   id: "SystemPing", method: "GET", path: "/_ping", tag: "System", params: [],
 *   response: { _tag: "Text" }, errors: [500]
 * })
 * ```
 * @since 0.1.0
 * @category models
 */
export interface Operation<Input, Response extends ResponseKind, Status extends DocumentedStatus> {
  readonly id: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD"
  readonly path: string
  /** The spec's tag: `Container`, `Image`, `Network`, … */
  readonly tag: string
  readonly summary?: string
  readonly params: ReadonlyArray<Param>
  readonly body?: RequestBody
  readonly response: Response
  readonly errors: ReadonlyArray<Status>
  /** The API version that introduced the operation. */
  readonly since?: ApiVersion
  /** Phantom: the input type. */
  readonly "~input"?: (input: Input) => void
}

/**
 * Any operation.
 *
 * @since 0.1.0
 * @category models
 */
export type Any = Operation<any, ResponseKind, DocumentedStatus>

/**
 * The response kind with the given tag (for the kinds without a schema).
 *
 * @since 0.1.0
 * @category models
 */
export type ResponseOf<Tag extends "Empty" | "Text" | "Headers" | "Bytes" | "Multiplexed" | "Hijack"> = Extract<
  ResponseKind,
  { readonly _tag: Tag }
>

/**
 * The input type of an operation.
 *
 * @since 0.1.0
 * @category models
 */
export type InputOf<Op> = Op extends Operation<infer I, any, any> ? I : never

/**
 * The documented error statuses of an operation.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusOf<Op> = Op extends Operation<any, any, infer S> ? S : never

/**
 * Builds an operation description, fixing its type parameters.
 *
 * @example
 * ```ts
 * import { Operation } from "effect-docker"
 * const kill = Operation.make<{ id: string; signal?: string }, Operation.ResponseOf<"Empty">, 404 | 409 | 500>({
 *   id: "ContainerKill", method: "POST", path: "/containers/{id}/kill", tag: "Container",
 *   params: [{ name: "id", key: "id", in: "path", style: "string", required: true },
 *            { name: "signal", key: "signal", in: "query", style: "string" }],
 *   response: { _tag: "Empty" }, errors: [404, 409, 500]
 * })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = <Input, Response extends ResponseKind, Status extends DocumentedStatus>(
  operation: Operation<Input, Response, Status>
): Operation<Input, Response, Status> => operation

/**
 * The same operation read as another response kind: the request, its checks and its errors stay those of
 * `operation`. Use it where one endpoint answers in more than one way, e.g. a detached exec start (`Empty`
 * instead of `Hijack`) or the logs of a TTY container (raw `Bytes` instead of `Multiplexed` frames).
 *
 * @example
 * ```ts
 * import { Docker, Operation, Operations } from "effect-docker"
 * const startDetached = Docker.call(Operation.withResponse(Operations.ExecStart, { _tag: "Empty" }))
 * const program = startDetached({ id: "3f2a…", body: { Detach: true } })
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const withResponse = <Input, Status extends DocumentedStatus, Response extends ResponseKind>(
  operation: Operation<Input, ResponseKind, Status>,
  response: Response
): Operation<Input, Response, Status> => ({ ...operation, response }) as Operation<Input, Response, Status>

/**
 * A JSON response kind.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Operation } from "effect-docker"
 * const kind = Operation.json(Schema.Struct({ Id: Schema.String }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const json = <A>(schema: Schema.Decoder<A>): Json<A> => ({ _tag: "Json", schema })

/**
 * A newline-delimited JSON stream response kind.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Operation } from "effect-docker"
 * const kind = Operation.jsonStream(Schema.Struct({ status: Schema.optionalKey(Schema.String) }))
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const jsonStream = <A>(schema: Schema.Decoder<A>): JsonStream<A> => ({ _tag: "JsonStream", schema })

/**
 * Turns an operation and its input into a request for the negotiated API `version`: the path gets the
 * `/v1.NN` prefix and its parameters percent-encoded, query values follow Docker's conventions, and a
 * parameter or operation newer than `version` fails with `UnsupportedApiVersion` — all without I/O.
 *
 * Every value is checked first (see `src/generated/README.md`, "Parameter checks"): a path parameter that the
 * daemon would route elsewhere (an empty, `.` or `..` part, a `/` in an id, a control character), a lone
 * surrogate, a header value a header cannot carry, an integer that is not a safe integer or is below its
 * `minimum`, a boolean that is not a boolean fail with `InvalidParameter`; a `version` outside
 * [`ApiVersion.oldest`, `ApiVersion.newest`] fails with `ApiVersionOutOfRange`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Operation, Operations } from "effect-docker"
 * const input = { all: true, filters: { status: ["running"] } }
 * const request = Operation.toRequest(Operations.ContainerList, input, "1.41")
 * // GET /v1.41/containers/json?all=true&filters=%7B%22status%22%3A%5B%22running%22%5D%7D
 * ```
 * @since 0.1.0
 * @category request building
 */
export const toRequest: <Input>(
  operation: Operation<Input, ResponseKind, DocumentedStatus>,
  input: Input,
  version: ApiVersion
) => Effect.Effect<
  HttpClientRequest.HttpClientRequest,
  InvalidParameter | UnsupportedApiVersion | ApiVersionOutOfRange
> = internal.toRequest
