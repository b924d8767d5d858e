/**
 * Containers: create, start, inspect, stop, remove, logs, stats, attach, archives and the rest, with ergonomic names
 * over the generated operations (`Api`). Every function needs the `Docker` service; errors are typed per operation.
 *
 * Streaming calls return Effect `Stream`s that are back-pressured (nothing is read from the connection faster than
 * the consumer pulls) and interruptible (interrupting the stream, e.g. with `Stream.take` or a timeout, closes its
 * connection).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Demux from "./Demux.ts"
import * as Docker from "./Docker.ts"
import * as Errors from "./Errors.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { fromBase64 } from "./internal/base64.ts"
import { makeBatchChannel } from "./internal/batchChannel.ts"
import { type HijackedStdio, makeHijackedStdio } from "./internal/hijack.ts"
import { LogEntrySplitter, type RawLogEntry } from "./internal/logEntrySplitter.ts"
import { rawOutput } from "./internal/rawOutput.ts"
import { type ByteSource, withBodyEffect } from "./internal/streamingBody.ts"
import * as Tar from "./internal/streamingTar.ts"
import type * as Ndjson from "./Ndjson.ts"
import * as Operation from "./Operation.ts"

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
export const list = (
  options: Operations.ContainerListInput = {}
): Effect.Effect<Models.ContainerListResponse, Docker.CallError<400 | 500>, Docker.Docker> => Api.containerList(options)

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
): Effect.Effect<Models.ContainerCreateResponse, Docker.CallError<400 | 404 | 409 | 500>, Docker.Docker> => {
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
export const inspect = (
  id: string,
  options: Options<Operations.ContainerInspectInput> = {}
): Effect.Effect<Models.ContainerInspectResponse, Docker.CallError<404 | 500>, Docker.Docker> =>
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
export const start = (
  id: string,
  options: Options<Operations.ContainerStartInput> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.containerStart({ ...options, id })

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
export const stop = (
  id: string,
  options: Options<Operations.ContainerStopInput> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.containerStop({ ...options, id })

/**
 * Restarts a container, killing it after `t` seconds if it does not stop.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const restarted = Containers.restart("web", { t: 2 })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const restart = (
  id: string,
  options: Options<Operations.ContainerRestartInput> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.containerRestart({ ...options, id })

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
export const kill = (
  id: string,
  options: Options<Operations.ContainerKillInput> = {}
): Effect.Effect<void, Docker.CallError<404 | 409 | 500>, Docker.Docker> => Api.containerKill({ ...options, id })

/**
 * Pauses all processes of a container (cgroup freezer).
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const paused = Containers.pause("web")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const pause = (id: string): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerPause({ id })

/**
 * Resumes a paused container.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const resumed = Containers.unpause("web")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const unpause = (id: string): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerUnpause({ id })

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
export const remove = (
  id: string,
  options: Options<Operations.ContainerDeleteInput> = {}
): Effect.Effect<void, Docker.CallError<400 | 404 | 409 | 500>, Docker.Docker> =>
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
export const wait = (
  id: string,
  options: Options<Operations.ContainerWaitInput> = {}
): Effect.Effect<Models.ContainerWaitResponse, Docker.CallError<400 | 404 | 500>, Docker.Docker> =>
  Api.containerWait({ ...options, id })

/**
 * The failures of {@link wait}.
 *
 * @since 0.1.0
 * @category models
 */
export type WaitError = Docker.CallError<400 | 404 | 500>

/**
 * Changes a container's resource limits and restart policy while it runs.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const limited = Containers.update("web", { Memory: 256 * 1024 * 1024, RestartPolicy: { Name: "on-failure" } })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const update = (
  id: string,
  body: Models.ContainerUpdateBody
): Effect.Effect<Models.ContainerUpdateResponse, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerUpdate({ id, body })

/**
 * Renames a container.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const renamed = Containers.rename("web", "web-old")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const rename = (
  id: string,
  name: string
): Effect.Effect<void, Docker.CallError<404 | 409 | 500>, Docker.Docker> => Api.containerRename({ id, name })

/**
 * Removes stopped containers, optionally filtered by `until` and `label`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const reclaimed = Containers.prune({ filters: { label: ["ci=1"] } }).pipe(Effect.map((r) => r.SpaceReclaimed))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const prune = (
  options: Operations.ContainerPruneInput = {}
): Effect.Effect<Models.ContainerPruneResponse, Docker.CallError<500>, Docker.Docker> => Api.containerPrune(options)

/**
 * The processes running in a container, as `ps` shows them (`ps_args` passes options to `ps`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const processes = Containers.top("web").pipe(Effect.map((t) => t.Processes ?? []))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const top = (
  id: string,
  options: Options<Operations.ContainerTopInput> = {}
): Effect.Effect<Models.ContainerTopResponse, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerTop({ ...options, id })

/**
 * The files changed in a container's filesystem since it was created (`Kind` 0 modified, 1 added, 2 deleted).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const added = Containers.changes("web").pipe(Effect.map((list) => list.filter((c) => c.Kind === 1)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const changes = (
  id: string
): Effect.Effect<Models.ContainerChangesResponse, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerChanges({ id })

/**
 * Resizes the TTY of a container (`h` rows, `w` columns).
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const resized = Containers.resize("shell", { h: 40, w: 120 })
 * ```
 * @since 0.1.0
 * @category attach
 */
export const resize = (
  id: string,
  size: { readonly h: number; readonly w: number }
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.containerResize({ id, h: size.h, w: size.w })

// -----------------------------------------------------------------------------
// logs
// -----------------------------------------------------------------------------

/**
 * Options of the log streams: the daemon's (stdout and stderr default to on; `since`/`until` take seconds since
 * the epoch, fractions allowed, or a `Date`; `tail` a line count or `"all"`) plus `tty`, which says whether the
 * container has a TTY (its output is then not multiplexed). When `tty` is absent the container is inspected once
 * to find out: the response's content type cannot tell. `coalesce` (default `false`) hands out each stream's bytes
 * instead of frames: consecutive frames of one stream that arrive together come out as one `Frame` (see
 * `Demux.DemuxOptions`), which is much cheaper for many short lines; use it for logs to a file or terminal.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogsOptions extends Omit<Options<Operations.ContainerLogsInput>, "since" | "until" | "tail"> {
  readonly since?: number | Date
  readonly until?: number | Date
  readonly tail?: number | string
  readonly tty?: boolean
  /** @since 0.2.0 */
  readonly coalesce?: boolean
}

/** The logs of a TTY container: raw bytes, not multiplexed frames. */
const rawLogs = /*#__PURE__*/ rawOutput(Operations.ContainerLogs)

const seconds = (value: number | Date): number => typeof value === "number" ? value : value.getTime() / 1000

/**
 * `GET /containers/{id}/json` read only for what {@link logs} needs, whether the container has a TTY. It is
 * described here rather than derived from `Operations.ContainerInspect`, whose response schema (every field of an
 * inspect answer) would otherwise come into the bundle of any program that reads logs.
 */
const inspectTty = /*#__PURE__*/ Docker.callJson(
  /*#__PURE__*/ Operation.make<
    { readonly id: string },
    Operation.Json<{ readonly Config?: { readonly Tty?: boolean } }>,
    404 | 500
  >({
    id: "ContainerInspect",
    method: "GET",
    path: "/containers/{id}/json",
    tag: "Container",
    params: [{ name: "id", key: "id", in: "path", style: "string", required: true, pathValue: "segment" }],
    response: /*#__PURE__*/ Operation.json(
      /*#__PURE__*/ Schema.Struct({
        Config: /*#__PURE__*/ Schema.optionalKey(
          /*#__PURE__*/ Schema.Struct({ Tty: /*#__PURE__*/ Schema.optionalKey(Schema.Boolean) })
        )
      })
    ),
    errors: [404, 500]
  })
)

const resolveTty = (id: string, tty: boolean | undefined) =>
  tty === undefined ? Effect.map(inspectTty({ id }), (c) => c.Config?.Tty === true) : Effect.succeed(tty)

const logsQuery = (id: string, options: LogsOptions) => {
  const { coalesce: _coalesce, since, tail, tty: _tty, until, ...rest } = options
  return {
    stdout: true,
    stderr: true,
    ...rest,
    ...(since === undefined ? {} : { since: seconds(since) }),
    ...(until === undefined ? {} : { until: seconds(until) }),
    ...(tail === undefined ? {} : { tail: String(tail) }),
    id
  }
}

/**
 * A container's output as frames tagged stdout/stderr, demultiplexed (or passed through for a TTY container).
 * With `follow: true` the stream stays open until the container stops or the stream is interrupted, which closes
 * the connection.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers } from "effect-docker"
 * const last10 = Containers.logs("web", { follow: true, tail: 100 }).pipe(Stream.take(10))
 * // each stream's bytes, consecutive frames of one stream merged
 * const bytes = Containers.logs("web", { coalesce: true }).pipe(Stream.map((f) => f.payload))
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logs = (
  id: string,
  options: LogsOptions = {}
): Stream.Stream<
  Demux.Frame,
  Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500>,
  Docker.Docker
> =>
  options.coalesce === true ? coalescedLogs(id, options) : Stream.unwrap(
    Effect.map(resolveTty(id, options.tty), (isTty) => {
      const query = logsQuery(id, options)
      return isTty ? Demux.rawStream(Docker.callPlain(rawLogs)(query)) : Api.containerLogs(query)
    })
  )

/**
 * {@link logs} with `coalesce`, on its own so that {@link logsText} does not carry the frame-by-frame reader of the
 * default path ({@link logLines} splits the coalesced bytes into lines in the same step).
 */
const coalescedLogs = (id: string, options: LogsOptions) =>
  Stream.unwrap(
    Effect.map(resolveTty(id, options.tty), (isTty) => {
      const body = Docker.callPlain(rawLogs)(logsQuery(id, options))
      // the body's chunks belong to this stream alone, so the demuxer may move payloads inside them
      return isTty ? Demux.rawStream(body) : Demux.coalesced(body)
    })
  )

/**
 * A container's output as UTF-8 lines tagged with their stream (`"stdout"` / `"stderr"`), without line terminators.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Containers } from "effect-docker"
 * const errors = Containers.logLines("web", { tail: 200 }).pipe(
 *   Stream.filter((l) => l.stream === "stderr"),
 *   Stream.map((l) => l.line)
 * )
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logLines = (
  id: string,
  options: LogsOptions = {}
): Stream.Stream<Demux.Line, Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500>, Docker.Docker> =>
  Stream.unwrap(
    Effect.map(
      resolveTty(id, options.tty),
      // the body's chunks belong to this stream alone, so the demuxer may move payloads inside them
      (isTty) => Demux.bytesToLines(Docker.callPlain(rawLogs)(logsQuery(id, options)), isTty)
    )
  )

/**
 * One line of a container's log with the time the daemon recorded it: `timestamp` (millisecond precision) and
 * `nanos`, the exact nanoseconds since the epoch from the daemon's RFC 3339 timestamp.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogEntry {
  readonly stream: "stdout" | "stderr"
  readonly timestamp: Date
  readonly nanos: bigint
  readonly line: string
}

const entries = <E>(tty: boolean) =>
  makeBatchChannel<Demux.Frame, LogEntry, never, E>(() => {
    const splitter = new LogEntrySplitter(tty)
    const raw: Array<RawLogEntry> = []
    let lastDate = new Date(0)
    let lastNanos = 0n
    const finish = (out: Array<LogEntry>): undefined => {
      for (const entry of raw) {
        if (entry.timestamp !== undefined) {
          lastDate = entry.timestamp.date
          lastNanos = entry.timestamp.nanos
        }
        out.push({ stream: entry.stream, timestamp: lastDate, nanos: lastNanos, line: entry.line })
      }
      raw.length = 0
      return undefined
    }
    return {
      step: (frames, out) => {
        for (const frame of frames) splitter.write(frame.stream, frame.payload, raw)
        return finish(out)
      },
      flush: (out) => {
        splitter.end(raw)
        return finish(out)
      }
    }
  })

/**
 * A container's log as {@link LogEntry} values: timestamps are turned on and the daemon's RFC 3339 prefix of each
 * line is parsed. A long line that the logging driver stored in parts keeps the time of its first part.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers } from "effect-docker"
 * const recent = Containers.logEntries("web", { since: new Date(Date.now() - 60_000) }).pipe(
 *   Stream.map((e) => `${e.timestamp.toISOString()} [${e.stream}] ${e.line}`)
 * )
 * ```
 * @since 0.1.0
 * @category logs
 */
export const logEntries = (
  id: string,
  options: Omit<LogsOptions, "timestamps" | "coalesce"> = {}
): Stream.Stream<LogEntry, Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500>, Docker.Docker> =>
  Stream.unwrap(
    Effect.map(
      resolveTty(id, options.tty),
      // each frame starts with its timestamp: frames are not coalesced
      (tty) =>
        logs(id, { ...options, tty, timestamps: true, coalesce: false }).pipe(Stream.pipeThroughChannel(entries(tty)))
    )
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
export const logsText = (
  id: string,
  options: Omit<LogsOptions, "follow"> = {}
): Effect.Effect<
  { readonly stdout: string; readonly stderr: string },
  Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500>,
  Docker.Docker
> => Demux.toStrings(coalescedLogs(id, options))

// -----------------------------------------------------------------------------
// stats
// -----------------------------------------------------------------------------

/**
 * Live resource usage samples of a running container, one per second (the first one arrives after about two
 * seconds, once the daemon has a previous sample for `precpu_stats`). Use the `Stats` module to compute the CPU and
 * memory percentages the docker CLI shows.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers, Stats } from "effect-docker"
 * const cpu = Containers.stats("web").pipe(Stream.take(5), Stream.map(Stats.cpuPercent))
 * ```
 * @since 0.1.0
 * @category stats
 */
export const stats = (
  id: string
): Stream.Stream<Models.ContainerStatsResponse, Ndjson.NdjsonError | Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerStats({ id, stream: true })

/**
 * One resource usage sample. By default the daemon waits for a second sample so `precpu_stats` is filled in (as
 * `docker stats --no-stream` does); `oneShot: true` answers at once with an empty `precpu_stats`, so the CPU
 * percentage computed from it is an average over the container's whole life, not a current rate.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Stats } from "effect-docker"
 * const memory = Containers.statsOnce("web").pipe(Effect.map(Stats.memoryPercent))
 * ```
 * @since 0.1.0
 * @category stats
 */
export const statsOnce = (
  id: string,
  options: { readonly oneShot?: boolean } = {}
): Effect.Effect<Models.ContainerStatsResponse, Ndjson.NdjsonError | Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerStats({ id, stream: false, ...(options.oneShot === true ? { "one-shot": true } : {}) }).pipe(
    Stream.runHead,
    Effect.flatMap((head) =>
      head._tag === "Some"
        ? Effect.succeed(head.value)
        : Effect.fail(
          new Errors.ResponseDecodeError({
            operation: "ContainerStats",
            reason: "the daemon sent no sample",
            snippet: ""
          })
        )
    )
  )

// -----------------------------------------------------------------------------
// attach
// -----------------------------------------------------------------------------

/**
 * Options of {@link attach}. `stdout` and `stderr` default to on, `stdin` to off; `logs` replays the output so far
 * before the live output; `tty` says whether the container has a TTY (inspected when absent).
 *
 * @since 0.1.0
 * @category models
 */
export interface AttachOptions {
  readonly stdin?: boolean
  readonly stdout?: boolean
  readonly stderr?: boolean
  readonly logs?: boolean
  readonly detachKeys?: string
  readonly tty?: boolean
}

/**
 * An attached container:
 *
 * - `output`: its output as frames (demultiplexed, or raw stdout frames for a TTY); it can be run once and ends
 *   when the container's output closes;
 * - `stdin`: a Sink writing to the container's stdin; when its input ends the write side of the connection is
 *   half-closed, so the process sees the end of its input (give the container `OpenStdin` and `StdinOnce`);
 * - `write` / `closeStdin`: the same, one call at a time; a write after stdin was closed (by `closeStdin` or by
 *   the end of the Sink's input) fails with `Errors.StdinClosed`;
 * - `resize`: resizes the container's TTY.
 *
 * The connection closes when the scope that attached closes.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttachSession extends HijackedStdio {
  readonly id: string
  readonly resize: (size: { readonly h: number; readonly w: number }) => Effect.Effect<
    void,
    Errors.NotFound | Errors.ServerError | Errors.CommonError
  >
}

/**
 * Attaches to a container over a hijacked connection (`POST /containers/{id}/attach`), in the current scope. Attach
 * before starting the container to see all of its output; a closed scope closes the connection.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Containers, Demux } from "effect-docker"
 * const echoed = Effect.scoped(Effect.gen(function*() {
 *   const { Id } = yield* Containers.create({ Image: "busybox", Cmd: ["cat"], OpenStdin: true, StdinOnce: true })
 *   const session = yield* Containers.attach(Id, { stdin: true })
 *   yield* Containers.start(Id)
 *   yield* Stream.make("hello\n").pipe(Stream.run(session.stdin))
 *   return yield* Demux.toStrings(session.output) // { stdout: "hello\n", stderr: "" }
 * }))
 * ```
 * @since 0.1.0
 * @category attach
 */
export const attach = (
  id: string,
  options: AttachOptions = {}
): Effect.Effect<
  AttachSession,
  Errors.HijackNotSupported | Docker.CallError<400 | 404 | 500>,
  Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const tty = yield* resolveTty(id, options.tty)
    const socket = yield* Docker.hijack(Operations.ContainerAttach, {
      id,
      stream: true,
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      ...(options.logs === undefined ? {} : { logs: options.logs }),
      ...(options.detachKeys === undefined ? {} : { detachKeys: options.detachKeys })
    })
    const session = yield* makeHijackedStdio(socket, {
      tty,
      operation: "ContainerAttach",
      target: docker.connection.target
    })
    const attached: AttachSession = {
      ...session,
      id,
      resize: (size) => Effect.provideService(resize(id, size), Docker.Docker, docker)
    }
    return attached
  })

// -----------------------------------------------------------------------------
// archives
// -----------------------------------------------------------------------------

/**
 * The container's whole filesystem as a tar byte stream (`docker export`).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers } from "effect-docker"
 * const size = Containers.exportFilesystem("web").pipe(Stream.runFold(() => 0, (n, chunk) => n + chunk.length))
 * ```
 * @since 0.1.0
 * @category archives
 */
export const exportFilesystem = (id: string): Stream.Stream<Uint8Array, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.containerExport({ id })

/**
 * A file or folder of the container as a tar byte stream (`docker cp CONTAINER:PATH -`).
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const etc = Containers.getArchive("web", "/etc")
 * ```
 * @since 0.1.0
 * @category archives
 */
export const getArchive = (
  id: string,
  path: string
): Stream.Stream<Uint8Array, Docker.CallError<400 | 404 | 500>, Docker.Docker> => Api.containerArchive({ id, path })

/**
 * Extracts a tar archive (bytes or a byte Stream, optionally compressed) into a folder of the container.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Containers } from "effect-docker"
 * declare const tar: Stream.Stream<Uint8Array>
 * const copied = Containers.putArchive("web", "/srv", tar)
 * ```
 * @since 0.1.0
 * @category archives
 */
export const putArchive = <E = never, R = never>(
  id: string,
  path: string,
  tar: ByteSource<E, R>,
  options: Omit<Operations.PutContainerArchiveInput, "id" | "path" | "body"> = {}
): Effect.Effect<void, Docker.CallError<400 | 403 | 404 | 500>, R | Docker.Docker> =>
  withBodyEffect(tar, (body) => Api.putContainerArchive({ ...options, id, path, body }))

/**
 * What the daemon says about a path in a container (from the `X-Docker-Container-Path-Stat` header). `mode` is
 * Go's `os.FileMode`: permission bits plus type bits (`isDirectory`, `isSymlink` read them).
 *
 * @since 0.1.0
 * @category models
 */
export interface PathStat {
  readonly name: string
  readonly size: number
  readonly mode: number
  readonly mtime: string
  readonly linkTarget: string
  readonly isDirectory: boolean
  readonly isSymlink: boolean
}

/**
 * Describes a path in a container without transferring it (`HEAD /containers/{id}/archive`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const isDir = Containers.archiveInfo("web", "/etc").pipe(Effect.map((s) => s.isDirectory))
 * ```
 * @since 0.1.0
 * @category archives
 */
export const archiveInfo = (
  id: string,
  path: string
): Effect.Effect<PathStat, Docker.CallError<400 | 404 | 500>, Docker.Docker> =>
  Effect.gen(function*() {
    const headers = yield* Api.containerArchiveInfo({ id, path })
    const header = headers["x-docker-container-path-stat"]
    const parsed = ((): Record<string, unknown> | undefined => {
      try {
        const value = header === undefined ? undefined : JSON.parse(fromBase64(header)) as unknown
        return typeof value === "object" && value !== null ? value as Record<string, unknown> : undefined
      } catch {
        return undefined
      }
    })()
    if (parsed === undefined) {
      return yield* new Errors.ResponseDecodeError({
        operation: "ContainerArchiveInfo",
        reason: "missing or malformed X-Docker-Container-Path-Stat header",
        snippet: (header ?? "").slice(0, 200)
      })
    }
    const mode = Number(parsed["mode"] ?? 0)
    const stat: PathStat = {
      name: String(parsed["name"] ?? ""),
      size: Number(parsed["size"] ?? 0),
      mode,
      mtime: String(parsed["mtime"] ?? ""),
      linkTarget: String(parsed["linkTarget"] ?? ""),
      isDirectory: (mode & 0x80000000) !== 0,
      isSymlink: (mode & 0x08000000) !== 0
    }
    return stat
  })

/**
 * One entry of a tar archive read by {@link readArchive}; `data` holds a file's bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ArchiveEntry {
  readonly name: string
  readonly type: "file" | "directory" | "symlink" | "link" | "other"
  readonly size: number
  readonly mode: number
  readonly mtime: number
  readonly linkname: string
  readonly data: Uint8Array
}

/**
 * Reads a file or folder of the container into memory, as the entries of its tar archive. Meant for small files
 * (configuration, results); stream {@link getArchive} for large ones.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * const hostname = Containers.readArchive("web", "/etc/hostname").pipe(
 *   Effect.map(([file]) => new TextDecoder().decode(file?.data))
 * )
 * ```
 * @since 0.1.0
 * @category archives
 */
export const readArchive = (
  id: string,
  path: string
): Effect.Effect<ReadonlyArray<ArchiveEntry>, Docker.CallError<400 | 404 | 500>, Docker.Docker> =>
  Effect.flatMap(Stream.mkUint8Array(getArchive(id, path)), (bytes) =>
    Effect.try({
      try: (): ReadonlyArray<ArchiveEntry> => Tar.unpack(bytes),
      catch: (cause) =>
        new Errors.ResponseDecodeError({
          operation: "ContainerArchive",
          reason: cause instanceof Error ? cause.message : String(cause),
          snippet: ""
        })
    }))

/**
 * Writes files (text as UTF-8, or bytes) into a folder of the container, packing them as a tar archive in memory
 * (modification time now, mode 0644 unless `mode`). Names may contain `/` to make subfolders.
 *
 * @example
 * ```ts
 * import { Containers } from "effect-docker"
 * const written = Containers.writeFiles("web", "/srv", {
 *   "index.html": "<h1>hi</h1>",
 *   "data/blob.bin": new Uint8Array([1, 2])
 * })
 * ```
 * @since 0.1.0
 * @category archives
 */
export const writeFiles = (
  id: string,
  path: string,
  files: Readonly<Record<string, string | Uint8Array>>,
  options: { readonly mode?: number } = {}
): Effect.Effect<void, Docker.CallError<400 | 403 | 404 | 500>, Docker.Docker> =>
  putArchive(
    id,
    path,
    Tar.pack(
      Object.entries(files).map(([name, data]) => ({
        name,
        data,
        mtime: Math.floor(Date.now() / 1000),
        ...(options.mode === undefined ? {} : { mode: options.mode })
      }))
    )
  )
