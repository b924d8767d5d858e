/**
 * The errors of Engine API calls. Every status the daemon answers with has its own tagged class, so a caller
 * catches "not found" with `Effect.catchTag("NotFound", …)` and each operation's type lists the statuses its
 * spec documents. Messages carry the daemon's own text, never credentials.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import type { ApiVersion } from "./ApiVersion.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * What every error answered by the daemon with an HTTP status carries.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusErrorFields {
  /** The spec's operation id, e.g. `"ContainerInspect"`. */
  readonly operation: string
  /** The HTTP status the daemon answered with. */
  readonly status: number
  /** The daemon's `message`, or the body's text when it sent no JSON. */
  readonly message: string
}

const BadRequestBase: TaggedErrorClass<"BadRequest"> = /*#__PURE__*/ Data.TaggedError("BadRequest")

/**
 * 400: the daemon rejected the parameters.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Errors } from "effect-docker"
 * const created = Containers.create({ Image: "busybox" }).pipe(
 *   Effect.catchTag("BadRequest", (e: Errors.BadRequest) => Effect.succeed(e.message))
 * )
 * ```
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends BadRequestBase<StatusErrorFields> {}

const UnauthorizedBase: TaggedErrorClass<"Unauthorized"> = /*#__PURE__*/ Data.TaggedError("Unauthorized")

/**
 * 401: authentication is missing or was refused (e.g. registry credentials).
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.Unauthorized({ operation: "SystemAuth", status: 401, message: "login failed" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends UnauthorizedBase<StatusErrorFields> {}

const ForbiddenBase: TaggedErrorClass<"Forbidden"> = /*#__PURE__*/ Data.TaggedError("Forbidden")

/**
 * 403: the operation is not allowed: by the daemon (e.g. removing a predefined network), or by whatever stands in
 * front of it and authorizes requests (an authorization plugin, `effect-docker/proxy`), which may refuse any
 * operation. Every operation's error type includes it, whether or not its spec documents 403.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.Forbidden({ operation: "NetworkDelete", status: 403, message: "predefined network" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends ForbiddenBase<StatusErrorFields> {}

const NotFoundBase: TaggedErrorClass<"NotFound"> = /*#__PURE__*/ Data.TaggedError("NotFound")

/**
 * 404: no such object (container, image, network, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const exists = (id: string) =>
 *   Containers.inspect(id).pipe(Effect.as(true), Effect.catchTag("NotFound", () => Effect.succeed(false)))
 * ```
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends NotFoundBase<StatusErrorFields> {}

const ConflictBase: TaggedErrorClass<"Conflict"> = /*#__PURE__*/ Data.TaggedError("Conflict")

/**
 * 409: the object is in a conflicting state (e.g. removing a running container, a name in use).
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.Conflict({ operation: "ContainerDelete", status: 409, message: "container is running" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class Conflict extends ConflictBase<StatusErrorFields> {}

const PreconditionFailedBase: TaggedErrorClass<"PreconditionFailed"> = /*#__PURE__*/ Data.TaggedError(
  "PreconditionFailed"
)

/**
 * 412: a precondition failed.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.PreconditionFailed({ operation: "PluginEnable", status: 412, message: "…" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailed extends PreconditionFailedBase<StatusErrorFields> {}

const TooManyRequestsBase: TaggedErrorClass<"TooManyRequests"> = /*#__PURE__*/ Data.TaggedError("TooManyRequests")

/**
 * 429: too many requests.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.TooManyRequests({ operation: "ImageCreate", status: 429, message: "rate limited" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class TooManyRequests extends TooManyRequestsBase<StatusErrorFields> {}

const ServerErrorBase: TaggedErrorClass<"ServerError"> = /*#__PURE__*/ Data.TaggedError("ServerError")

/**
 * 500: the daemon failed.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.ServerError({ operation: "SystemInfo", status: 500, message: "…" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends ServerErrorBase<StatusErrorFields> {}

const NotImplementedBase: TaggedErrorClass<"NotImplemented"> = /*#__PURE__*/ Data.TaggedError("NotImplemented")

/**
 * 501: the daemon does not implement the operation.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.NotImplemented({ operation: "ContainerCreate", status: 501, message: "…" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class NotImplemented extends NotImplementedBase<StatusErrorFields> {}

const ServiceUnavailableBase: TaggedErrorClass<"ServiceUnavailable"> = /*#__PURE__*/ Data.TaggedError(
  "ServiceUnavailable"
)

/**
 * 503: the daemon is unavailable for this call (e.g. swarm calls on a node that is not in a swarm).
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.ServiceUnavailable({ operation: "SwarmInspect", status: 503, message: "not a swarm manager" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailable extends ServiceUnavailableBase<StatusErrorFields> {}

const UnexpectedStatusBase: TaggedErrorClass<"UnexpectedStatus"> = /*#__PURE__*/ Data.TaggedError("UnexpectedStatus")

/**
 * Any status the operation's spec does not document.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.UnexpectedStatus({ operation: "SystemPing", status: 418, message: "teapot" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedStatus extends UnexpectedStatusBase<StatusErrorFields> {}

/**
 * The classes of the statuses the Engine API documents, by status.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * Errors.byStatus[404] === Errors.NotFound // true
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const byStatus = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  412: PreconditionFailed,
  429: TooManyRequests,
  500: ServerError,
  501: NotImplemented,
  503: ServiceUnavailable
} as const

/**
 * A status that has a class of its own.
 *
 * @since 0.1.0
 * @category models
 */
export type DocumentedStatus = keyof typeof byStatus

/**
 * The error type of a list of documented statuses: `StatusErrors<404 | 500>` is `NotFound | ServerError`.
 *
 * @example
 * ```ts
 * import type { Errors } from "effect-docker"
 * type E = Errors.StatusErrors<404 | 409> // NotFound | Conflict
 * ```
 * @since 0.1.0
 * @category models
 */
export type StatusErrors<S extends DocumentedStatus> = S extends DocumentedStatus ? InstanceType<typeof byStatus[S]>
  : never

const SwarmUnavailableBase: TaggedErrorClass<"SwarmUnavailable"> = /*#__PURE__*/ Data.TaggedError("SwarmUnavailable")

/**
 * The engine has no swarm mode at all (Podman's Docker-compatible API): a swarm, node, service, task, secret or
 * config operation was answered by a route the engine does not have (404 `Not Found` as plain text) or by its
 * refusal of the service (503 `… does not support service …`). Docker with swarm mode off answers 503
 * `ServiceUnavailable` (`This node is not a swarm manager`) instead: there, `docker swarm init` helps; here nothing
 * does. `message` reads `the engine has no swarm mode: <the daemon's text>`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-docker"
 * const services = Services.list().pipe(Effect.catchTag("SwarmUnavailable", () => Effect.succeed([])))
 * ```
 * @since 0.2.0
 * @category errors
 */
export class SwarmUnavailable extends SwarmUnavailableBase<StatusErrorFields> {}

const OperationUnavailableBase: TaggedErrorClass<"OperationUnavailable"> = /*#__PURE__*/ Data.TaggedError(
  "OperationUnavailable"
)

/**
 * The engine does not have the operation at all: its router answered 404 with its own text (`Not Found` in plain
 * text, or Docker's `page not found`), not the operation's answer about a missing object, which always names the
 * object (`No such container: …`). Podman 4.3.1's Docker-compatible API has no `ContainerUpdate` and no
 * `BuildPrune`, for example. Swarm-family operations fail with {@link SwarmUnavailable} instead. `message` reads
 * `the engine does not implement <operation>: <the daemon's text>`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const updated = Containers.update("app", { CpuShares: 512 }).pipe(
 *   Effect.catchTag("OperationUnavailable", () => Effect.succeed({ Warnings: ["not supported by this engine"] }))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class OperationUnavailable extends OperationUnavailableBase<StatusErrorFields> {}

const swarmFamily = /^(Swarm|Node|Service|Task|Secret|Config)[A-Z]/
const routerNotFound = /^(404 )?(page )?not found( \(HTTP 404\))?$/i
const stateImproper = /: (container|exec session) state improper( \(HTTP 500\))?\s*$/

/**
 * Whether an answer says that the engine has no swarm mode (see {@link SwarmUnavailable}).
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * Errors.isSwarmUnavailable({ operation: "NodeList", status: 404, message: "Not Found" }) // true
 * Errors.isSwarmUnavailable({ operation: "NodeInspect", status: 404, message: "node x not found" }) // false
 * ```
 * @since 0.2.0
 * @category refinements
 */
export const isSwarmUnavailable = (fields: StatusErrorFields): boolean =>
  swarmFamily.test(fields.operation) &&
  ((fields.status === 404 && routerNotFound.test(fields.message.trim())) ||
    (fields.status === 503 && /does not support service/i.test(fields.message)))

/**
 * Builds the error for a status: its own class when `documented` lists it, {@link UnexpectedStatus} otherwise;
 * {@link Forbidden} for a 403 always (an authorization plugin or proxy refuses any operation so);
 * {@link SwarmUnavailable} when a swarm-family operation meets an engine without swarm mode;
 * {@link OperationUnavailable} when another operation meets an engine without its route; `Conflict` (keeping
 * the status 500) when Podman refuses for the state of the container or exec instance (`… container state
 * improper`, `… exec session state improper`) where Docker answers 409.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = Errors.fromStatus([404, 500], { operation: "ContainerInspect", status: 404, message: "No such container" })
 * e._tag // "NotFound"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = <S extends DocumentedStatus>(
  documented: ReadonlyArray<S>,
  fields: StatusErrorFields
): StatusErrors<S> | Forbidden | UnexpectedStatus | SwarmUnavailable | OperationUnavailable => {
  const status = fields.status as S
  // Docker's authorization plugins answer 403 for any route they deny, and so does an allow-list proxy: a refusal
  // any operation can meet, whatever its spec documents
  if (fields.status === 403) return new Forbidden(fields)
  // Podman answers 500 with libpod's "container state improper" where Docker answers 409 (kill a stopped
  // container, remove a running one), and "exec session state improper" to a second start of an exec instance:
  // the same conflict, so the operation's Conflict when it documents 409
  const documents409 = (documented as ReadonlyArray<number>).includes(409)
  if (fields.status === 500 && documents409 && stateImproper.test(fields.message)) {
    return new Conflict(fields) as StatusErrors<S>
  }
  if (isSwarmUnavailable(fields)) {
    return new SwarmUnavailable({ ...fields, message: `the engine has no swarm mode: ${fields.message.trim()}` })
  }
  if (fields.status === 404 && routerNotFound.test(fields.message.trim())) {
    const message = `the engine does not implement ${fields.operation}: ${fields.message.trim()}`
    return new OperationUnavailable({ ...fields, message })
  }
  return documented.includes(status) && status in byStatus
    ? new byStatus[status](fields) as StatusErrors<S>
    : new UnexpectedStatus(fields)
}

const TransportErrorBase: TaggedErrorClass<"TransportError"> = /*#__PURE__*/ Data.TaggedError("TransportError")

/**
 * The daemon could not be reached or the connection failed. `target` says what was tried (a socket path or an
 * address) and `reason` why.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.TransportError({
 *   operation: "SystemPing",
 *   target: "unix:///var/run/docker.sock",
 *   reason: "ENOENT"
 * })
 * e.message // "SystemPing: cannot reach the Docker daemon at unix:///var/run/docker.sock: ENOENT"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends TransportErrorBase<{
  readonly operation: string
  readonly target: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.operation}: cannot reach the Docker daemon at ${this.target}: ${this.reason}`
  }
}

const StdinClosedBase: TaggedErrorClass<"StdinClosed"> = /*#__PURE__*/ Data.TaggedError("StdinClosed")

/**
 * A write to the stdin of an attach or exec session after that stdin was closed (by `closeStdin`, or by the end of
 * the input of its `stdin` Sink). A usage error, not a connection failure: the connection still carries the output.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const proc = yield* Exec.spawn("web", ["cat"], { stdin: true })
 *   yield* proc.closeStdin
 *   yield* proc.write("late\n").pipe(Effect.catchTag("StdinClosed", () => Effect.void))
 * }))
 * ```
 * @since 0.2.0
 * @category errors
 */
export class StdinClosed extends StdinClosedBase<{
  /** The session's operation, `"ContainerAttach"` or `"ExecStart"`. */
  readonly operation: string
}> {
  override get message(): string {
    return `${this.operation}: stdin is closed, nothing more can be written to it`
  }
}

const ResponseDecodeErrorBase: TaggedErrorClass<"ResponseDecodeError"> = /*#__PURE__*/ Data.TaggedError(
  "ResponseDecodeError"
)

/**
 * A response did not have the shape the operation's schema expects. `snippet` holds the start of what arrived.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.ResponseDecodeError({
 *   operation: "SystemInfo",
 *   reason: "Expected string at [\"ID\"]",
 *   snippet: "{\"ID\":1}"
 * })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends ResponseDecodeErrorBase<{
  readonly operation: string
  readonly reason: string
  readonly snippet: string
}> {
  override get message(): string {
    return `${this.operation}: unexpected response: ${this.reason} (received: ${this.snippet})`
  }
}

const UnsupportedApiVersionBase: TaggedErrorClass<"UnsupportedApiVersion"> = /*#__PURE__*/ Data.TaggedError(
  "UnsupportedApiVersion"
)

/**
 * The call, or one of its parameters, needs a newer Engine API than the one negotiated with the daemon. Raised
 * before any I/O.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.UnsupportedApiVersion({
 *   operation: "ContainerStop",
 *   parameter: "signal",
 *   required: "1.42",
 *   negotiated: "1.41"
 * })
 * e.message // "ContainerStop: parameter \"signal\" needs API 1.42, the daemon speaks 1.41"
 * ```
 * @since 0.1.0
 * @category errors
 */
export class UnsupportedApiVersion extends UnsupportedApiVersionBase<{
  readonly operation: string
  readonly parameter?: string
  readonly required: ApiVersion
  readonly negotiated: ApiVersion
}> {
  override get message(): string {
    const what = this.parameter === undefined ? "the operation" : `parameter "${this.parameter}"`
    return `${this.operation}: ${what} needs API ${this.required}, the daemon speaks ${this.negotiated}`
  }
}

const DaemonTooOldBase: TaggedErrorClass<"DaemonTooOld"> = /*#__PURE__*/ Data.TaggedError("DaemonTooOld")

const ApiVersionOutOfRangeBase: TaggedErrorClass<"ApiVersionOutOfRange"> = /*#__PURE__*/ Data.TaggedError(
  "ApiVersionOutOfRange"
)

/**
 * The API version a call was asked to speak is not one this SDK speaks: outside [`ApiVersion.oldest`,
 * `ApiVersion.newest`] (e.g. `DOCKER_API_VERSION=1.12` or `apiVersion: "1.99"` pinned by hand), or not a version
 * at all. Raised before any I/O.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.ApiVersionOutOfRange({
 *   operation: "ContainerList", version: "1.12", oldest: "1.24", newest: "1.55"
 * })
 * e.message // "ContainerList: API version 1.12 is outside the range this SDK speaks (1.24 to 1.55)"
 * ```
 * @since 0.2.0
 * @category errors
 */
export class ApiVersionOutOfRange extends ApiVersionOutOfRangeBase<{
  readonly operation: string
  readonly version: string
  readonly oldest: ApiVersion
  readonly newest: ApiVersion
}> {
  override get message(): string {
    const range = `${this.oldest} to ${this.newest}`
    return `${this.operation}: API version ${this.version} is outside the range this SDK speaks (${range})`
  }
}

/**
 * The daemon speaks an API older than the oldest this SDK supports.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.DaemonTooOld({ daemon: "1.12", oldest: "1.24" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class DaemonTooOld extends DaemonTooOldBase<{
  readonly daemon: string
  readonly oldest: ApiVersion
}> {
  override get message(): string {
    return `the Docker daemon speaks API ${this.daemon}, older than the oldest this SDK supports (${this.oldest})`
  }
}

const InvalidParameterBase: TaggedErrorClass<"InvalidParameter"> = /*#__PURE__*/ Data.TaggedError("InvalidParameter")

/**
 * A parameter's value cannot be sent (e.g. a path parameter that is empty, `.` or `..`). Raised before any I/O.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.InvalidParameter({
 *   operation: "ContainerInspect",
 *   parameter: "id",
 *   reason: "must not be \"..\""
 * })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class InvalidParameter extends InvalidParameterBase<{
  readonly operation: string
  readonly parameter: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.operation}: parameter "${this.parameter}" ${this.reason}`
  }
}

const HijackNotSupportedBase: TaggedErrorClass<"HijackNotSupported"> = /*#__PURE__*/ Data.TaggedError(
  "HijackNotSupported"
)

/**
 * The transport in use cannot hijack a connection (e.g. `fetch` cannot upgrade to raw TCP). Raised before any I/O.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.HijackNotSupported({ operation: "ContainerAttach", transport: "fetch" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class HijackNotSupported extends HijackNotSupportedBase<{
  readonly operation: string
  readonly transport: string
}> {
  override get message(): string {
    return `${this.operation}: the ${this.transport} transport cannot hijack connections ` +
      "(attach/exec need a socket transport)"
  }
}

const RedirectedBase: TaggedErrorClass<"Redirected"> = /*#__PURE__*/ Data.TaggedError("Redirected")

/**
 * The daemon (or something in front of it) answered with a redirect (a 3xx status other than 304, or a browser's
 * opaque redirect, status 0). Redirects are never followed: a Docker call that lands on another path or another
 * host could act on another object. `location` is the `Location` header, when there was one.
 *
 * @example
 * ```ts
 * import { Errors } from "effect-docker"
 * const e = new Errors.Redirected({
 *   operation: "ContainerDelete",
 *   target: "unix:///var/run/docker.sock",
 *   status: 301,
 *   location: "/v1.41/images/x"
 * })
 * e.message
 * // "ContainerDelete: the Docker daemon at unix:///var/run/docker.sock answered 301 toward /v1.41/images/x; …"
 * ```
 * @since 0.2.0
 * @category errors
 */
export class Redirected extends RedirectedBase<{
  readonly operation: string
  readonly target: string
  /** The HTTP status; 0 for a browser's opaque redirect (whose `Location` the browser hides). */
  readonly status: number
  readonly location: string | undefined
}> {
  override get message(): string {
    const toward = this.location === undefined ? "without a Location header" : `toward ${this.location}`
    return `${this.operation}: the Docker daemon at ${this.target} answered ${this.status} ${toward}; ` +
      "redirects are not followed"
  }
}

const TimeoutBase: TaggedErrorClass<"Timeout"> = /*#__PURE__*/ Data.TaggedError("Timeout")

/** Each unit of `Duration.format` in nanoseconds. */
const units: ReadonlyArray<readonly [string, bigint]> = [
  ["d", 86_400_000_000_000n],
  ["h", 3_600_000_000_000n],
  ["m", 60_000_000_000n],
  ["s", 1_000_000_000n],
  ["ms", 1_000_000n],
  ["ns", 1n]
]

/**
 * The text `Duration.format` gives (`"1m 30s"`, `"0"`, `"-5s"`, `"Infinity"`), written out: `Duration.format` and
 * its helpers (`parts`, `abs`, …) would otherwise come into every bundle that makes a call, for this message alone.
 */
const formatDuration = (duration: Duration.Duration): string => {
  const tag = duration.value._tag
  if (tag === "Infinity") return "Infinity"
  if (tag === "NegativeInfinity") return "-Infinity"
  let nanos = Duration.toNanosUnsafe(duration)
  if (nanos === 0n) return "0"
  const sign = nanos < 0n ? "-" : ""
  if (nanos < 0n) nanos = -nanos
  const pieces: Array<string> = []
  for (const [unit, size] of units) {
    const count = nanos / size
    if (count !== 0n) pieces.push(`${Number(count)}${unit}`)
    nanos %= size
  }
  return sign + pieces.join(" ")
}

/**
 * A call took longer than its limit: opening the connection (`phase: "connect"`, 30 seconds unless the layer's
 * `connectTimeout` says otherwise) or waiting for the daemon's answer (`phase: "request"`, the client's `timeout`
 * or `Docker.withTimeout`). The connection is closed.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { Errors } from "effect-docker"
 * const e = new Errors.Timeout({
 *   operation: "SystemPing",
 *   target: "tcp://10.0.0.5:2376",
 *   phase: "request",
 *   limit: Duration.seconds(5)
 * })
 * e.message // "SystemPing: no answer from the Docker daemon at tcp://10.0.0.5:2376 within 5s (request timeout)"
 * ```
 * @since 0.2.0
 * @category errors
 */
export class Timeout extends TimeoutBase<{
  readonly operation: string
  readonly target: string
  readonly phase: "connect" | "request"
  readonly limit: Duration.Duration
}> {
  override get message(): string {
    const limit = formatDuration(this.limit)
    return this.phase === "connect"
      ? `${this.operation}: cannot connect to the Docker daemon at ${this.target} within ${limit} (connect timeout)`
      : `${this.operation}: no answer from the Docker daemon at ${this.target} within ${limit} (request timeout)`
  }
}

/**
 * The failures every call can have besides its documented statuses, {@link Forbidden} included (an authorization
 * plugin or proxy may refuse any operation with 403).
 *
 * @since 0.1.0
 * @category models
 */
export type CommonError =
  | Forbidden
  | UnexpectedStatus
  | SwarmUnavailable
  | OperationUnavailable
  | TransportError
  | ResponseDecodeError
  | UnsupportedApiVersion
  | ApiVersionOutOfRange
  | DaemonTooOld
  | InvalidParameter
  | Redirected
  | Timeout

const RegistryUnauthorizedBase: TaggedErrorClass<"RegistryUnauthorized"> = /*#__PURE__*/ Data.TaggedError(
  "RegistryUnauthorized"
)

/**
 * A registry refused the credentials (or asked for some and got none), whatever status the daemon used to say it:
 * `401`, a `500` "unauthorized: authentication required" (Engine 20.10 with a wrong password), or an `errorDetail`
 * inside a pull or push progress stream. `message` is the daemon's text, with any secret of the request removed;
 * `status` is absent when the refusal arrived inside the stream.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const pulled = Images.pull("127.0.0.1:5001/private/app:1").pipe(
 *   Effect.catchTag("RegistryUnauthorized", (e) => Effect.logError(`log in to ${e.registry} first`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class RegistryUnauthorized extends RegistryUnauthorizedBase<{
  /** The operation that was refused, e.g. `"ImageCreate"`. */
  readonly operation: string
  /** The registry host of the reference (`docker.io` for Docker Hub). */
  readonly registry: string
  /** The HTTP status the daemon answered with; absent for a refusal inside a progress stream. */
  readonly status?: number
  readonly message: string
}> {}

const RateLimitedBase: TaggedErrorClass<"RateLimited"> = /*#__PURE__*/ Data.TaggedError("RateLimited")

/**
 * A registry refused a pull or push for its rate limit (Docker Hub's `toomanyrequests: You have reached your pull
 * rate limit`), whatever way the daemon said so: a `429`, a `500` with that text (Engine 20.10), or an
 * `errorDetail` inside the progress stream. `message` is what the registry said (with any secret of the request
 * removed); `retryAfter` is the wait the message asks for, when it names one (daemons do not pass the registry's
 * `Retry-After` header on). `Images.pull` retries it with its `retry` schedule.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const pulled = Images.pull("busybox:latest").pipe(
 *   Effect.catchTag("RateLimited", (e) => Effect.logWarning(`${e.registry}: ${e.message}`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class RateLimited extends RateLimitedBase<{
  /** The operation that was refused, e.g. `"ImageCreate"`. */
  readonly operation: string
  /** The registry host of the reference (`docker.io` for Docker Hub). */
  readonly registry: string
  /** The HTTP status the daemon answered with; absent for a refusal inside a progress stream. */
  readonly status?: number
  readonly message: string
  /** How long the registry asks to wait, when its message says. */
  readonly retryAfter?: Duration.Duration
}> {}
