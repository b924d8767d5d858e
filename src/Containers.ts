/**
 * Containers: create, start, inspect, stop, remove, logs and the rest, with ergonomic names over the generated
 * operations (`Api`). Every function needs the `Docker` service; errors are typed per operation.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Demux from "./Demux.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"

type Options<I, Omitted extends keyof I = never> = Omit<I, "id" | Omitted>

/**
 * Lists containers (running ones unless `all`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const names = Containers.list({ all: true, filters: { label: ["app=web"] } }).pipe(
 *   Effect.map((list) => list.map((c) => c.Names))
 * )
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (options: Operations.ContainerListInput = {}) => Api.containerList(options)

/**
 * Creates a container from a configuration (`Image`, `Cmd`, `HostConfig`, …); `name` and `platform` are optional.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const created = Containers.create({ Image: "busybox", Cmd: ["echo", "hi"], name: "greeter" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  config: Models.ContainerCreateBody & { readonly name?: string; readonly platform?: string }
) => {
  const { name, platform, ...body } = config
  return Api.containerCreate({
    body,
    ...(name === undefined ? {} : { name }),
    ...(platform === undefined ? {} : { platform })
  })
}

/**
 * Inspects a container by id or name.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const running = Containers.inspect("web").pipe(Effect.map((c) => c.State?.Running === true))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (id: string, options: Options<Operations.ContainerInspectInput> = {}) =>
  Api.containerInspect({ ...options, id })

/**
 * Starts a container. Starting a running container succeeds (the daemon's 304).
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const started = Containers.start("web")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const start = (id: string, options: Options<Operations.ContainerStartInput> = {}) =>
  Api.containerStart({ ...options, id })

/**
 * Stops a container, killing it after `t` seconds. Stopping a stopped container succeeds (the daemon's 304).
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const stopped = Containers.stop("web", { t: 5 })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const stop = (id: string, options: Options<Operations.ContainerStopInput> = {}) =>
  Api.containerStop({ ...options, id })

/**
 * Sends a signal (default `SIGKILL`) to a container.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const hup = Containers.kill("web", { signal: "SIGHUP" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const kill = (id: string, options: Options<Operations.ContainerKillInput> = {}) =>
  Api.containerKill({ ...options, id })

/**
 * Removes a container; `force` kills it first, `v` removes its anonymous volumes.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const removed = Containers.remove("web", { force: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (id: string, options: Options<Operations.ContainerDeleteInput> = {}) =>
  Api.containerDelete({ ...options, id })

/**
 * Waits until a container stops (or meets `condition`) and gives its exit code.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const exitCode = Containers.wait("job").pipe(Effect.map((r) => r.StatusCode))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const wait = (id: string, options: Options<Operations.ContainerWaitInput> = {}) =>
  Api.containerWait({ ...options, id })

/**
 * Options of {@link logs}: the daemon's (stdout and stderr default to on) plus `tty`, which says whether the
 * container has a TTY (its output is then not multiplexed). When `tty` is absent the container is inspected once
 * to find out: the response's content type cannot tell.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogsOptions extends Options<Operations.ContainerLogsInput> {
  readonly tty?: boolean
}

/**
 * A container's output as frames tagged stdout/stderr, demultiplexed (or passed through for a TTY container).
 * With `follow: true` the stream stays open until the container stops or the stream is interrupted, which closes
 * the connection.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers, Demux } from "effect-docker"
 * const lines = Containers.logs("web", { tail: "100" }).pipe(Demux.toLines)
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logs = (id: string, options: LogsOptions = {}) =>
  Stream.unwrap(
    Effect.gen(function*() {
      const { tty, ...query } = options
      const isTty = tty ?? (yield* inspect(id)).Config?.Tty === true
      const bytes = Api.containerLogs({ stdout: true, stderr: true, ...query, id })
      return isTty ? Demux.rawStream(bytes) : Demux.demuxStream(bytes)
    })
  )

/**
 * The whole output of a container so far, as text per stream.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const out = Containers.logsText("job").pipe(Effect.map(({ stdout }) => stdout))
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logsText = (id: string, options: Omit<LogsOptions, "follow"> = {}) => Demux.toStrings(logs(id, options))
