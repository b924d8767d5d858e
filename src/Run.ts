/**
 * `docker run` as Effects: pull the image if it is missing (with progress), create the container, start it, stream
 * its output or leave it running, wait for its exit code, and remove it. The container's lifetime is a `Scope`:
 * it is removed (forced, with its anonymous volumes) when the scope closes, whether the program succeeded, failed
 * or was interrupted. The exception is {@link start} (`docker run -d`): its container outlives the program.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Containers from "./Containers.ts"
import type * as Credentials from "./Credentials.ts"
import * as Demux from "./Demux.ts"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import type * as Models from "./generated/schemas.ts"
import * as Images from "./Images.ts"
import type * as Ndjson from "./Ndjson.ts"
import type * as Progress from "./Progress.ts"

/**
 * What to run: the image and command, any container configuration (`Env`, `HostConfig`, `Tty`, `OpenStdin`, …),
 * and how to get the image:
 *
 * - `pull`: `"missing"` (default) pulls only when the image is not there, `"always"` pulls first, `"never"` fails
 *   on a missing image (the daemon's `NotFound` from create);
 * - `auth`: registry credentials for the pull;
 * - `onPullProgress`: sees the aggregated pull progress (see `Progress.drawer` to draw it).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions<R = never> extends Omit<Models.ContainerCreateBody, "Image" | "Cmd"> {
  readonly image: string
  readonly cmd?: ReadonlyArray<string>
  readonly name?: string
  readonly platform?: string
  readonly pull?: "missing" | "always" | "never"
  readonly auth?: Images.RegistryAuth
  readonly onPullProgress?: (progress: Progress.Progress) => Effect.Effect<void, never, R>
}

/**
 * Makes sure the image is there, following `pull` (see {@link RunOptions}). Gives whether it pulled.
 *
 * @example
 * ```ts
 * import { Run } from "effect-docker"
 * const pulled = Run.ensureImage({ image: "127.0.0.1:5000/busybox:v1" })
 * ```
 * @since 0.1.0
 * @category images
 */
export const ensureImage = <R = never>(
  options: Pick<RunOptions<R>, "image" | "pull" | "auth" | "onPullProgress" | "platform">
): Effect.Effect<
  boolean,
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  R | Docker.Docker
> => {
  const pull = Images.pull(options.image, {
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    ...(options.onPullProgress === undefined ? {} : { onProgress: options.onPullProgress })
  }).pipe(Effect.as(true))
  switch (options.pull ?? "missing") {
    case "never":
      return Effect.succeed(false)
    case "always":
      return pull
    case "missing":
      return Images.inspect(options.image).pipe(
        Effect.as(false),
        Effect.catchTag("NotFound", () => pull)
      )
  }
}

/**
 * Creates the container in the current scope: it is removed (forced) when the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Run } from "effect-docker"
 * const id = Effect.scoped(Run.create({ image: "busybox", cmd: ["sleep", "60"] }))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const create = <R = never>(
  options: RunOptions<R>
): Effect.Effect<
  string,
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<400 | 404 | 409 | 500>,
  R | Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    yield* ensureImage(options)
    const docker = yield* Docker.Docker
    const created = yield* Effect.acquireRelease(
      createContainer(options),
      (container) =>
        Containers.remove(container.Id, { force: true, v: true }).pipe(
          Effect.provideService(Docker.Docker, docker),
          Effect.ignore
        )
    )
    return created.Id
  })

const createContainer = <R>(options: RunOptions<R>) => {
  const { auth: _auth, cmd, image, name, onPullProgress: _progress, platform, pull: _pull, ...config } = options
  return Containers.create({
    ...config,
    Image: image,
    ...(cmd === undefined ? {} : { Cmd: cmd }),
    ...(name === undefined ? {} : { name }),
    ...(platform === undefined ? {} : { platform })
  })
}

/**
 * `docker run -d`: pulls the image if needed (see {@link RunOptions}), creates and starts the container, and gives
 * its id. Unlike {@link detached}, nothing removes it: it keeps running after the program ends, until something
 * stops and removes it (`Containers.stop`, `Containers.remove`; set `HostConfig.AutoRemove` to have the daemon
 * remove it when it exits). A container that was created but could not start is removed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Run } from "effect-docker"
 * const id = Run.start({ image: "busybox", cmd: ["httpd", "-f"], name: "web" })
 * // later, maybe in another program:
 * const cleanup = Containers.remove("web", { force: true })
 * ```
 * @since 0.2.0
 * @category running
 */
export const start = <R = never>(
  options: RunOptions<R>
): Effect.Effect<
  string,
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<400 | 404 | 409 | 500>,
  R | Docker.Docker
> =>
  Effect.gen(function*() {
    yield* ensureImage(options)
    const { Id } = yield* createContainer(options)
    yield* Containers.start(Id).pipe(
      Effect.onError(() => Effect.ignore(Containers.remove(Id, { force: true, v: true })))
    )
    return Id
  })

/**
 * A container started by {@link detached}: `wait` gives its exit code once it stops.
 *
 * @since 0.1.0
 * @category models
 */
export interface Running {
  readonly id: string
  readonly wait: Effect.Effect<number, Containers.WaitError>
}

/**
 * Pulls if needed, creates and starts the container and leaves it running for the current scope: it is removed
 * (forced) when the scope closes. For a container that outlives the program (`docker run -d`), see {@link start}.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Run } from "effect-docker"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const web = yield* Run.detached({ image: "busybox", cmd: ["httpd", "-f"] })
 *   return yield* Containers.inspect(web.id)
 * })) // the container is gone here
 * ```
 * @since 0.1.0
 * @category running
 */
export const detached = <R = never>(
  options: RunOptions<R>
): Effect.Effect<
  Running,
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<400 | 404 | 409 | 500>,
  R | Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const id = yield* create(options)
    yield* Containers.start(id)
    const running: Running = { id, wait: Effect.provideService(waitExitCode(id), Docker.Docker, docker) }
    return running
  })

const waitExitCode = (id: string) => Effect.map(Containers.wait(id), (result) => Number(result.StatusCode))

/**
 * A container started by {@link attached}: its session (output, and stdin when `OpenStdin`) and `wait` for its
 * exit code.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attached extends Containers.AttachSession {
  readonly wait: Effect.Effect<number, Containers.WaitError>
}

/**
 * Pulls if needed, creates the container, attaches to it (stdin too when `OpenStdin` is set) and starts it, in the
 * current scope: all of its output is in `output`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Demux, Run } from "effect-docker"
 * const lines = Effect.scoped(Effect.gen(function*() {
 *   const job = yield* Run.attached({ image: "busybox", cmd: ["sh", "-c", "seq 3"] })
 *   const out = yield* Demux.toLines(job.output).pipe(Stream.map((l) => l.line), Stream.runCollect)
 *   return { out, exitCode: yield* job.wait }
 * }))
 * ```
 * @since 0.1.0
 * @category running
 */
export const attached = <R = never>(
  options: RunOptions<R>
): Effect.Effect<
  Attached,
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Errors.HijackNotSupported
  | Docker.CallError<400 | 404 | 409 | 500>,
  R | Docker.Docker | Scope.Scope
> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const id = yield* create(options)
    const session = yield* Containers.attach(id, { stdin: options.OpenStdin === true, tty: options.Tty === true })
    yield* Containers.start(id)
    const result: Attached = { ...session, wait: Effect.provideService(waitExitCode(id), Docker.Docker, docker) }
    return result
  })

/**
 * What a finished container left: its exit code and its output per stream (a TTY container's output is all in
 * `stdout`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly id: string
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a container to its end and removes it (`docker run --rm`): pulls if needed, creates, attaches, starts,
 * collects the output (also handing each frame to `onOutput`, to stream it somewhere), waits for the exit code. A
 * non-zero exit code is a result, not a failure. Interrupting the run removes the container too.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Run } from "effect-docker"
 * const hello = Run.run({ image: "busybox", cmd: ["echo", "hello"] }).pipe(Effect.map((r) => r.stdout)) // "hello\n"
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = <R = never, R2 = never>(
  options: RunOptions<R> & { readonly onOutput?: (frame: Demux.Frame) => Effect.Effect<void, never, R2> }
): Effect.Effect<
  Result,
  | Demux.DaemonStreamError
  | Demux.DemuxError
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Errors.HijackNotSupported
  | Docker.CallError<400 | 404 | 409 | 500>,
  Docker.Docker | Exclude<R, Scope.Scope> | Exclude<R2, Scope.Scope>
> =>
  Effect.scoped(
    Effect.gen(function*() {
      const { onOutput, ...runOptions } = options
      const job = yield* attached(runOptions)
      const output = onOutput === undefined ? job.output : job.output.pipe(Stream.tap(onOutput))
      const { stderr, stdout } = yield* Demux.toStrings(output)
      const result: Result = { id: job.id, exitCode: yield* job.wait, stdout, stderr }
      return result
    })
  )
