/**
 * Swarm services: create, inspect, update, scale, read logs, list and remove, with ergonomic names over the
 * generated operations (`Api`). Needs a swarm manager: elsewhere calls fail with `ServiceUnavailable`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Demux from "./Demux.ts"
import * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { rawOutput } from "./internal/rawOutput.ts"
import { retryOutOfSequence, versionIndex, withVersion } from "./internal/versioned.ts"

/**
 * Lists services; `status: true` adds the running and desired task counts.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-docker"
 * const names = Services.list({ filters: { label: ["app=shop"] } }).pipe(Effect.map((l) => l.map((s) => s.Spec?.Name)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.ServiceListInput = {}
): Effect.Effect<Models.ServiceListResponse, Docker.CallError<500 | 503>, Docker.Docker> => Api.serviceList(options)

/**
 * Creates a service from its spec, giving its id and the daemon's warnings (e.g. an image whose digest could
 * not be read from a registry).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-docker"
 * const id = Services.create({
 *   Name: "web",
 *   TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Command: ["sleep", "3600"] } },
 *   Mode: { Replicated: { Replicas: 2 } }
 * }).pipe(Effect.map((created) => created.ID))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  spec: Models.ServiceSpec,
  options: Omit<Operations.ServiceCreateInput, "body"> = {}
): Effect.Effect<Models.ServiceCreateResponse, Docker.CallError<400 | 403 | 409 | 500 | 503>, Docker.Docker> =>
  Api.serviceCreate({ ...options, body: spec })

/**
 * Inspects a service by id or name; `insertDefaults` fills the spec's empty fields with their defaults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-docker"
 * const image = Services.inspect("web").pipe(Effect.map((s) => s.Spec?.TaskTemplate?.ContainerSpec?.Image))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (
  id: string,
  options: Omit<Operations.ServiceInspectInput, "id"> = {}
): Effect.Effect<Models.Service, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.serviceInspect({ ...options, id })

/**
 * Options of {@link update}: the version replaced (the current one, read first, when absent), a rollback or the
 * registry credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpdateOptions extends Omit<Operations.ServiceUpdateInput, "id" | "version" | "body"> {
  readonly version?: number
}

/**
 * Replaces a service's spec (the whole spec: fields left out are reset). Without `version`, the service is
 * inspected first and its current version used.
 *
 * @example
 * ```ts
 * import { Services } from "effect-docker"
 * const updated = Services.update("web", {
 *   Name: "web",
 *   TaskTemplate: { ContainerSpec: { Image: "busybox:latest", Command: ["sleep", "7200"] } }
 * })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  id: string,
  spec: Models.ServiceSpec,
  options: UpdateOptions = {}
): Effect.Effect<Models.ServiceUpdateResponse, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> => {
  const { version, ...rest } = options
  return withVersion(
    version,
    Effect.map(inspect(id), (service) => service.Version),
    (current) => Api.serviceUpdate({ ...rest, id, version: current, body: spec })
  )
}

/**
 * Reads a service's spec, applies `f` and writes the result back with the version read (again, up to 5 times,
 * when the service changed in between).
 *
 * @example
 * ```ts
 * import { Services } from "effect-docker"
 * const labelled = Services.modify("web", (spec) => ({ ...spec, Labels: { ...spec.Labels, tier: "front" } }))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const modify = (
  id: string,
  f: (spec: Models.ServiceSpec) => Models.ServiceSpec,
  options: Omit<UpdateOptions, "version"> = {}
): Effect.Effect<Models.ServiceUpdateResponse, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  retryOutOfSequence(
    Effect.flatMap(
      inspect(id),
      (service) =>
        Api.serviceUpdate({ ...options, id, version: versionIndex(service.Version), body: f(service.Spec ?? {}) })
    )
  )

/**
 * Sets the number of replicas of a replicated service (inspects it for its spec and version, then updates it).
 *
 * @example
 * ```ts
 * import { Services } from "effect-docker"
 * const scaled = Services.scale("web", 3)
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const scale = (
  id: string,
  replicas: number
): Effect.Effect<Models.ServiceUpdateResponse, Docker.CallError<400 | 404 | 500 | 503>, Docker.Docker> =>
  modify(
    id,
    (spec) => ({ ...spec, Mode: { ...spec.Mode, Replicated: { ...spec.Mode?.Replicated, Replicas: replicas } } })
  )

/**
 * Removes a service (its tasks are shut down).
 *
 * @example
 * ```ts
 * import { Services } from "effect-docker"
 * const removed = Services.remove("web")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (id: string): Effect.Effect<void, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.serviceDelete({ id })

/**
 * Options of {@link logs}: the daemon's (stdout and stderr default to on) plus `tty`, which says whether the
 * service's containers have a TTY (their output is then not multiplexed). When `tty` is absent the service is
 * inspected once to find out.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogsOptions extends Omit<Operations.ServiceLogsInput, "id"> {
  readonly tty?: boolean
}

/** The logs of a TTY service: raw bytes, not multiplexed frames. */
const rawLogs = /*#__PURE__*/ rawOutput(Operations.ServiceLogs)

/**
 * The output of all the service's tasks as frames tagged stdout/stderr. Works with the `json-file`, `local` and
 * `journald` logging drivers. With `follow: true` the stream stays open until it is interrupted.
 *
 * @example
 * ```ts
 * import { Demux, Services } from "effect-docker"
 * const lines = Services.logs("web", { tail: "50", timestamps: true }).pipe(Demux.toLines)
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logs = (
  id: string,
  options: LogsOptions = {}
): Stream.Stream<
  Demux.Frame,
  Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500 | 503>,
  Docker.Docker
> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const { tty, ...query } = options
      const isTty = tty ?? (yield* inspect(id)).Spec?.TaskTemplate?.ContainerSpec?.TTY === true
      const input = { stdout: true, stderr: true, ...query, id }
      return isTty ? Demux.rawStream(Docker.callPlain(rawLogs)(input)) : Api.serviceLogs(input)
    })
  )

/**
 * The service's output so far, as text per stream.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Services } from "effect-docker"
 * const out = Services.logsText("web").pipe(Effect.map(({ stdout }) => stdout))
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logsText = (
  id: string,
  options: Omit<LogsOptions, "follow"> = {}
): Effect.Effect<
  { readonly stdout: string; readonly stderr: string },
  Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500 | 503>,
  Docker.Docker
> => Demux.toStrings(logs(id, options))
