/**
 * Running commands in containers: create an exec instance, start it over a hijacked connection (output as a
 * demultiplexed Stream, or raw for a TTY; stdin as a Sink that half-closes the connection when its input ends),
 * resize its TTY, and read its exit code from its inspection.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Demux from "./Demux.ts"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { concatBytes } from "./internal/bytes.ts"
import { type HijackedStdio, makeHijackedStdio } from "./internal/hijack.ts"
import * as Operation from "./Operation.ts"

/**
 * Creates an exec instance in a running container (`Cmd` is required; attach stdout/stderr to see the output).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const id = Exec.create("web", { Cmd: ["ls", "/"], AttachStdout: true, AttachStderr: true })
 *   .pipe(Effect.map((r) => r.Id))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = (
  containerId: string,
  config: Models.ExecConfig
): Effect.Effect<Models.IDResponse, Docker.CallError<404 | 409 | 500>, Docker.Docker> =>
  Api.containerExec({ id: containerId, body: config })

/**
 * Inspects an exec instance: whether it runs, its exit code, its process.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const exitCode = Exec.inspect("3f2a…").pipe(Effect.map((e) => e.ExitCode))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (
  id: string
): Effect.Effect<Models.ExecInspectResponse, Docker.CallError<404 | 500>, Docker.Docker> => Api.execInspect({ id })

/**
 * Resizes the TTY of an exec instance (`h` rows, `w` columns).
 *
 * @example
 * ```ts
 * import { Exec } from "effect-docker"
 * const resized = Exec.resize("3f2a…", { h: 40, w: 120 })
 * ```
 * @since 0.1.0
 * @category attach
 */
export const resize = (
  id: string,
  size: { readonly h: number; readonly w: number }
): Effect.Effect<void, Docker.CallError<400 | 404 | 500>, Docker.Docker> => Api.execResize({ id, h: size.h, w: size.w })

/**
 * Waits until an exec instance has stopped and gives its exit code (polling its inspection every 50 ms; the
 * daemon records the code shortly after the output ends).
 *
 * @example
 * ```ts
 * import { Exec } from "effect-docker"
 * const code = Exec.exitCode("3f2a…")
 * ```
 * @since 0.1.0
 * @category reading
 */
export const exitCode = (id: string): Effect.Effect<number, Docker.CallError<404 | 500>, Docker.Docker> =>
  inspect(id).pipe(
    Effect.repeat({ until: (state) => state.Running !== true, schedule: Schedule.spaced("50 millis") }),
    Effect.map((state) => state.ExitCode ?? -1)
  )

/**
 * A started exec instance (see `Containers.AttachSession` for `output`, `stdin`, `write` and `closeStdin`), with
 * `resize` for its TTY and `exitCode`, which waits for the command's end. The connection closes when the scope
 * that started it closes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecSession extends HijackedStdio {
  readonly id: string
  readonly resize: (size: { readonly h: number; readonly w: number }) => Effect.Effect<
    void,
    Errors.BadRequest | Errors.NotFound | Errors.ServerError | Errors.CommonError
  >
  readonly exitCode: Effect.Effect<number, Errors.NotFound | Errors.ServerError | Errors.CommonError>
}

/**
 * Options of {@link start}: `tty` must match the exec's creation (read from its inspection when absent), as it
 * decides whether the output is multiplexed; `consoleSize` is `[rows, columns]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  readonly tty?: boolean
  readonly consoleSize?: readonly [number, number]
}

/**
 * Starts an exec instance attached, in the current scope: the hijacked connection carries its stdin and output.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demux, Exec } from "effect-docker"
 * const listing = Effect.scoped(Effect.gen(function*() {
 *   const { Id } = yield* Exec.create("web", { Cmd: ["ls", "/"], AttachStdout: true, AttachStderr: true })
 *   const session = yield* Exec.start(Id)
 *   const { stdout } = yield* Demux.toStrings(session.output)
 *   return { stdout, exitCode: yield* session.exitCode }
 * }))
 * ```
 * @since 0.1.0
 * @category running
 */
export const start = (
  id: string,
  options: StartOptions = {}
): Effect.Effect<
  ExecSession,
  Errors.HijackNotSupported | Docker.CallError<404 | 409 | 500>,
  Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const tty = options.tty ?? (yield* inspect(id)).ProcessConfig?.tty === true
    const socket = yield* Docker.hijack(Operations.ExecStart, {
      id,
      body: {
        Detach: false,
        Tty: tty,
        ...(options.consoleSize === undefined ? {} : { ConsoleSize: options.consoleSize })
      }
    })
    const session = yield* makeHijackedStdio(socket, { tty, operation: "ExecStart", target: docker.connection.target })
    const started: ExecSession = {
      ...session,
      id,
      resize: (size) => Effect.provideService(resize(id, size), Docker.Docker, docker),
      exitCode: Effect.provideService(exitCode(id), Docker.Docker, docker)
    }
    return started
  })

/**
 * Starts an exec instance detached: the command runs in the background; read its end with {@link exitCode}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const background = Exec.create("web", { Cmd: ["sh", "-c", "sleep 5; touch /done"] }).pipe(
 *   Effect.flatMap(({ Id }) => Exec.startDetached(Id))
 * )
 * ```
 * @since 0.1.0
 * @category running
 */
export const startDetached = (id: string): Effect.Effect<void, Docker.CallError<404 | 409>, Docker.Docker> =>
  startWithoutHijack({ id, body: { Detach: true } })

/** `ExecStart` with `Detach: true` answers with an empty body instead of upgrading the connection. */
const startWithoutHijack = /*#__PURE__*/ Docker.callPlain(
  Operation.withResponse(Operations.ExecStart, { _tag: "Empty" })
)

/**
 * Options of {@link spawn}: the exec configuration besides `Cmd`, plus `stdin` to attach it and `tty`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpawnOptions
  extends Pick<Models.ExecConfig, "Env" | "User" | "WorkingDir" | "Privileged" | "DetachKeys" | "ConsoleSize">
{
  readonly stdin?: boolean
  readonly tty?: boolean
}

/**
 * Creates and starts a command in a running container, in the current scope: stdout and stderr are attached,
 * stdin when `stdin: true`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Demux, Exec } from "effect-docker"
 * const upper = Effect.scoped(Effect.gen(function*() {
 *   const proc = yield* Exec.spawn("web", ["tr", "a-z", "A-Z"], { stdin: true })
 *   yield* Stream.make("hello\n").pipe(Stream.run(proc.stdin))
 *   return (yield* Demux.toStrings(proc.output)).stdout // "HELLO\n"
 * }))
 * ```
 * @since 0.1.0
 * @category running
 */
export const spawn = (
  containerId: string,
  cmd: ReadonlyArray<string>,
  options: SpawnOptions = {}
): Effect.Effect<
  ExecSession,
  Errors.HijackNotSupported | Docker.CallError<404 | 409 | 500>,
  Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    const { stdin, tty, ...config } = options
    const created = yield* create(containerId, {
      ...config,
      Cmd: cmd,
      AttachStdin: stdin === true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty === true
    })
    return yield* start(created.Id, { tty: tty === true })
  })

/**
 * Options of {@link run}: the exec configuration (`Env`, `User`, `WorkingDir`, `Privileged`) and the bytes or text
 * to send to the command's stdin.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions extends Pick<Models.ExecConfig, "Env" | "User" | "WorkingDir" | "Privileged"> {
  readonly stdin?: string | Uint8Array
}

/**
 * What a finished command left: its exit code and its output per stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command in a running container and waits for it: stdin (if given) is written and closed, stdout and
 * stderr are collected, and the exit code is read back. A non-zero exit code is a result, not a failure.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const echoed = Exec.run("my-container", ["cat"], { stdin: "hello\n" }).pipe(Effect.map((r) => r.stdout)) // "hello\n"
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = (
  containerId: string,
  cmd: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<
  RunResult,
  Demux.DaemonStreamError | Demux.DemuxError | Errors.HijackNotSupported | Docker.CallError<404 | 409 | 500>,
  Docker.Docker
> =>
  runCollecting(containerId, cmd, options, Demux.toStrings).pipe(
    Effect.map(({ exitCode, output }): RunResult => ({ exitCode, ...output }))
  )

/**
 * What a finished command left, as bytes: its exit code and its output per stream, exactly as the command wrote it
 * (binary output, or text in an encoding other than UTF-8).
 *
 * @since 0.2.0
 * @category models
 */
export interface RunBytesResult {
  readonly exitCode: number
  readonly stdout: Uint8Array
  readonly stderr: Uint8Array
}

/**
 * {@link run} with the output as bytes instead of text: for binary output (an archive, an image) or output that is
 * not UTF-8.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const archive = Exec.runBytes("my-container", ["tar", "-cf", "-", "/etc/hostname"]).pipe(Effect.map((r) => r.stdout))
 * ```
 * @since 0.2.0
 * @category running
 */
export const runBytes = (
  containerId: string,
  cmd: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<
  RunBytesResult,
  Demux.DaemonStreamError | Demux.DemuxError | Errors.HijackNotSupported | Docker.CallError<404 | 409 | 500>,
  Docker.Docker
> =>
  runCollecting(containerId, cmd, options, toBytes).pipe(
    Effect.map(({ exitCode, output }): RunBytesResult => ({ exitCode, ...output }))
  )

/** One chunk is handed out as it is; more are copied into one array. */
const joined = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => chunks.length === 1 ? chunks[0]! : concatBytes(chunks)

const toBytes = <E, R>(
  frames: Stream.Stream<Demux.Frame, E, R>
): Effect.Effect<{ readonly stdout: Uint8Array; readonly stderr: Uint8Array }, E, R> =>
  Effect.suspend(() => {
    const parts: [Array<Uint8Array>, Array<Uint8Array>] = [[], []]
    return Stream.runForEach(frames, (frame) =>
      Effect.sync(() => {
        const index = frame.stream === 2 ? 1 : 0
        parts[index].push(frame.payload)
      })).pipe(
        Effect.map(() => ({ stdout: joined(parts[0]), stderr: joined(parts[1]) }))
      )
  })

const runCollecting = <A, E2>(
  containerId: string,
  cmd: ReadonlyArray<string>,
  options: RunOptions,
  collect: (frames: Effect.Success<ReturnType<typeof spawn>>["output"]) => Effect.Effect<A, E2>
) =>
  Effect.scoped(
    Effect.gen(function*() {
      const { stdin, ...config } = options
      const session = yield* spawn(containerId, cmd, { ...config, stdin: stdin !== undefined })
      const output = yield* Effect.forkChild(collect(session.output))
      // the session's stdin is fresh here, so it cannot be closed yet: StdinClosed would be a bug of the SDK
      if (stdin !== undefined) {
        yield* Stream.run(Stream.make(stdin), session.stdin).pipe(Effect.catchTag("StdinClosed", Effect.die))
      }
      const collected = yield* Fiber.join(output)
      return { exitCode: yield* session.exitCode, output: collected }
    })
  )
