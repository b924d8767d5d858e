/**
 * Swarm tasks (a service's containers as the scheduler sees them): list, inspect and read logs, with ergonomic
 * names over the generated operations (`Api`). Needs a swarm manager: elsewhere calls fail with
 * `ServiceUnavailable`.
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

/**
 * Lists tasks, e.g. those of one service or in one desired state.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tasks } from "effect-docker"
 * const states = Tasks.list({ filters: { service: ["web"], "desired-state": ["running"] } }).pipe(
 *   Effect.map((l) => l.map((t) => t.Status?.State))
 * )
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.TaskListInput = {}
): Effect.Effect<Models.TaskListResponse, Docker.CallError<500 | 503>, Docker.Docker> => Api.taskList(options)

/**
 * Inspects a task by id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tasks } from "effect-docker"
 * const containerId = Tasks.inspect("x7rbh…").pipe(Effect.map((t) => t.Status?.ContainerStatus?.ContainerID))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (id: string): Effect.Effect<Models.Task, Docker.CallError<404 | 500 | 503>, Docker.Docker> =>
  Api.taskInspect({ id })

/**
 * Options of {@link logs}: the daemon's (stdout and stderr default to on) plus `tty`, which says whether the
 * task's container has a TTY (its output is then not multiplexed). When `tty` is absent the task is inspected
 * once to find out.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogsOptions extends Omit<Operations.TaskLogsInput, "id"> {
  readonly tty?: boolean
}

/** The logs of a TTY task: raw bytes, not multiplexed frames. */
const rawLogs = /*#__PURE__*/ rawOutput(Operations.TaskLogs)

/**
 * A task's output as frames tagged stdout/stderr. Works with the `json-file`, `local` and `journald` logging
 * drivers. With `follow: true` the stream stays open until it is interrupted.
 *
 * @example
 * ```ts
 * import { Demux, Tasks } from "effect-docker"
 * const lines = Tasks.logs("x7rbh…", { tail: "20" }).pipe(Demux.toLines)
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
      const isTty = tty ?? (yield* inspect(id)).Spec?.ContainerSpec?.TTY === true
      const input = { stdout: true, stderr: true, ...query, id }
      return isTty ? Demux.rawStream(Docker.callPlain(rawLogs)(input)) : Api.taskLogs(input)
    })
  )

/**
 * A task's output so far, as text per stream.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Tasks } from "effect-docker"
 * const out = Tasks.logsText("x7rbh…").pipe(Effect.map(({ stdout }) => stdout))
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
