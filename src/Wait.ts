/**
 * Waiting until a started container is ready, with strategies that are plain values: describe what "ready" means
 * once (`forLogLine`, `forHealthy`, `forListeningPort(s)`, `forHttp`), combine them (`all`, `any`), bound them
 * (`withTimeout`), and run them against a container with {@link run}. A wait that runs out of time fails with
 * {@link WaitTimeout}; one that can no longer succeed (the container stopped, its healthcheck says unhealthy) fails
 * at once with {@link WaitFailed}. Both carry the strategy's description and the container's last log lines.
 *
 * How each strategy checks:
 * - `forLogLine` follows the container's log (one `follow` stream, from the first line: a line printed before the
 *   wait began counts; or from `since`) and counts matching lines; it never reads the log again.
 * - `forHealthy` reads the container's health (`State.Health`) from inspect every `interval`.
 * - `forListeningPort` (and `forListeningPorts`, for every exposed TCP port) looks inside the container: it runs
 *   `cat /proc/net/tcp /proc/net/tcp6` there (an exec; the image needs `cat`, the transport must support exec)
 *   and looks for a socket listening on the port. A
 *   connection from the host would not tell: the daemon's port proxy accepts connections on a published port even
 *   when nothing listens in the container, and a browser cannot open TCP connections.
 * - `forHttp` sends requests with `fetch` (every runtime, browsers included) to the published port (see `Ports`)
 *   until one answers with the expected status.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Containers from "./Containers.ts"
import type * as Docker from "./Docker.ts"
import * as Exec from "./Exec.ts"
import { listensOn } from "./internal/procNet.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"
import * as Ports from "./Ports.ts"

/**
 * What both wait failures carry.
 *
 * @since 0.2.0
 * @category models
 */
export interface WaitErrorFields {
  /** The container's id or name, as given to {@link run}. */
  readonly container: string
  /** The description of the strategy that failed (for a composite, the part that failed). */
  readonly strategy: string
  /** The container's last log lines (stdout and stderr, oldest first), when {@link run} could read them. */
  readonly logs: ReadonlyArray<string>
  readonly message: string
}

const WaitTimeoutBase: TaggedErrorClass<"WaitTimeout"> = /*#__PURE__*/ Data.TaggedError("WaitTimeout")

/**
 * The container was not ready in time.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Wait } from "effect-docker"
 * const ready = Wait.run("db", Wait.forLogLine(/ready to accept connections/), { timeout: "30 seconds" }).pipe(
 *   Effect.catchTag("WaitTimeout", (e) => Effect.die(`${e.message}\n${e.logs.join("\n")}`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class WaitTimeout extends WaitTimeoutBase<
  WaitErrorFields & {
    /** The time allowed, in milliseconds. */
    readonly timeoutMillis: number
  }
> {}

const WaitFailedBase: TaggedErrorClass<"WaitFailed"> = /*#__PURE__*/ Data.TaggedError("WaitFailed")

/**
 * The strategy can no longer succeed: the container stopped, its healthcheck reports unhealthy, it has no
 * healthcheck, a port is not published, or the daemon refused a call the check needs (`cause`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Wait } from "effect-docker"
 * const ready = Wait.run("db", Wait.forHealthy()).pipe(
 *   Effect.catchTag("WaitFailed", (e) => Effect.succeed(e.reason))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class WaitFailed extends WaitFailedBase<
  WaitErrorFields & {
    /** Why the strategy gave up. */
    readonly reason: string
    /** The underlying failure, when a call failed. */
    readonly cause?: unknown
  }
> {}

/**
 * A wait strategy: a description (used in errors) and a check that succeeds once the container is ready. A check
 * may run until it is interrupted; {@link run} bounds it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Strategy {
  readonly description: string
  readonly check: (container: string) => Effect.Effect<void, WaitTimeout | WaitFailed, Docker.Docker>
}

/**
 * Builds a strategy from a description and a check (e.g. a query against the database the container serves).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec, Wait } from "effect-docker"
 * const pgReady = Wait.make("pg_isready", (id) =>
 *   Exec.run(id, ["pg_isready"]).pipe(
 *     Effect.repeat({ until: (r) => r.exitCode === 0 }),
 *     Effect.asVoid,
 *     Effect.mapError((cause) => Wait.failed(id, "pg_isready", "exec failed", cause))
 *   ))
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  description: string,
  check: (container: string) => Effect.Effect<void, WaitTimeout | WaitFailed, Docker.Docker>
): Strategy => ({ description, check })

/**
 * A {@link WaitFailed} for a custom strategy's check (the logs are filled in by {@link run}).
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const error = Wait.failed("db", "pg_isready", "the database refused connections")
 * ```
 * @since 0.2.0
 * @category errors
 */
export const failed = (container: string, strategy: string, reason: string, cause?: unknown): WaitFailed =>
  new WaitFailed({
    container,
    strategy,
    reason,
    logs: [],
    message: `waiting for ${strategy} on ${container}: ${reason}`,
    ...(cause === undefined ? {} : { cause })
  })

const describeCause = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "message" in cause && typeof cause.message === "string"
    ? cause.message
    : String(cause)

/**
 * Options of {@link forLogLine}.
 *
 * @since 0.2.0
 * @category models
 */
export interface LogLineOptions {
  /** How many matching lines to wait for (default 1). */
  readonly times?: number | undefined
  /** Only lines of this stream count (default: both). */
  readonly stream?: "stdout" | "stderr" | undefined
  /**
   * Only lines the daemon recorded at or after this time count, and earlier ones are not read (the daemon's
   * `since`, in seconds since the epoch or as a `Date`). Default: the log's first line.
   */
  readonly since?: number | Date | undefined
}

/**
 * Ready once `times` lines of the container's log match `pattern` (a `RegExp`, or a string the line must contain).
 * Lines printed before the wait began count, unless `since` says from when. Fails with {@link WaitFailed} when the
 * log ends (the container stopped) before enough lines matched.
 *
 * How it reads: one `follow` request for the log (after one inspect that tells whether the container has a TTY),
 * from the log's first line or from `since`; lines are counted as they arrive and the request is closed once enough
 * matched. It never polls and never reads the log a second time, however long the wait. On a container that has
 * already written a large log, `since` spares reading what came before.
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const started = Wait.forLogLine(/database system is ready to accept connections/, { times: 2 })
 * // a container that runs already: only a reload from now on counts
 * const reloaded = Wait.forLogLine("configuration reloaded", { since: new Date() })
 * ```
 * @since 0.2.0
 * @category strategies
 */
export const forLogLine = (pattern: RegExp | string, options: LogLineOptions = {}): Strategy => {
  const times = Math.max(1, options.times ?? 1)
  // without `g`/`y`, `test` keeps no state between lines
  const regex = typeof pattern === "string" ? undefined : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))
  const matches = (line: string) => regex === undefined ? line.includes(pattern as string) : regex.test(line)
  const description = `log line ${regex === undefined ? JSON.stringify(pattern) : String(regex)}${
    times === 1 ? "" : ` ×${times}`
  }${options.stream === undefined ? "" : ` on ${options.stream}`}${
    options.since === undefined
      ? ""
      : ` since ${(typeof options.since === "number" ? new Date(options.since * 1000) : options.since).toISOString()}`
  }`
  return make(description, (container) =>
    Effect.suspend(() => {
      let seen = 0
      const since = options.since === undefined ? {} : { since: options.since }
      return Containers.logLines(container, { follow: true, ...since }).pipe(
        Stream.filter((l) => (options.stream === undefined || l.stream === options.stream) && matches(l.line)),
        Stream.take(times),
        Stream.runForEach(() => Effect.sync(() => seen++)),
        Effect.mapError((cause) =>
          failed(container, description, `reading the log failed: ${describeCause(cause)}`, cause)
        ),
        Effect.flatMap(() =>
          seen >= times
            ? Effect.void
            : Effect.fail(
              failed(container, description, `the log ended (the container stopped) after ${seen} of ${times}`)
            )
        )
      )
    }))
}

/**
 * Options of the polling strategies.
 *
 * @since 0.2.0
 * @category models
 */
export interface PollOptions {
  /** Time between two checks (default 100 ms). */
  readonly interval?: Duration.Input | undefined
}

const poll = <E>(
  interval: Duration.Input | undefined,
  attempt: Effect.Effect<boolean, E, Docker.Docker>
): Effect.Effect<void, E, Docker.Docker> =>
  attempt.pipe(
    Effect.repeat({ until: (done) => done, schedule: Schedule.spaced(interval ?? "100 millis") }),
    Effect.asVoid
  )

const stoppedReason = (state: { readonly Status?: string; readonly ExitCode?: number } | undefined) =>
  `the container is ${state?.Status ?? "not running"}${
    state?.ExitCode === undefined ? "" : ` (exit code ${state.ExitCode})`
  }`

/**
 * Ready once the container's healthcheck reports `healthy`. Fails with {@link WaitFailed} when it reports
 * `unhealthy` (with the last probe's output), when the container has no healthcheck, or when it stops.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Wait } from "effect-docker"
 * const started = Containers.create({
 *   Image: "redis:7",
 *   Healthcheck: { Test: ["CMD-SHELL", "redis-cli ping | grep PONG"], Interval: 500_000_000 }
 * }).pipe(Effect.tap((c) => Containers.start(c.Id)), Effect.tap((c) => Wait.run(c.Id, Wait.forHealthy())))
 * ```
 * @since 0.2.0
 * @category strategies
 */
export const forHealthy = (options: PollOptions = {}): Strategy => {
  const description = "healthy"
  return make(description, (container) =>
    poll(
      options.interval,
      Effect.flatMap(
        Effect.mapError(Containers.inspect(container), (cause) =>
          failed(container, description, `inspect failed: ${describeCause(cause)}`, cause)),
        (inspected) => {
          const state = inspected.State
          const health = state?.Health
          if (state?.Running !== true) {
            return Effect.fail(failed(container, description, stoppedReason(state)))
          }
          if (health === undefined || health.Status === undefined || health.Status === "none") {
            return Effect.fail(failed(container, description, "the container has no healthcheck"))
          }
          if (health.Status === "unhealthy") {
            const last = health.Log?.[health.Log.length - 1]
            return Effect.fail(failed(
              container,
              description,
              `unhealthy${last === undefined ? "" : `: exit ${last.ExitCode}: ${(last.Output ?? "").trim()}`}`
            ))
          }
          return Effect.succeed(health.Status === "healthy")
        }
      )
    ))
}

/**
 * Ready once a TCP socket listens on `port` inside the container (see the module's notes: read from
 * `/proc/net/tcp` by an exec of `cat`, so it works for unpublished ports too).
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const listening = Wait.forListeningPort(6379)
 * ```
 * @since 0.2.0
 * @category strategies
 */
export const forListeningPort = (port: number, options: PollOptions = {}): Strategy => {
  const description = `port ${port}/tcp listening`
  return make(
    description,
    (container) =>
      poll(options.interval, Effect.map(socketTable(container, description), (table) => listensOn(table, port)))
  )
}

/** The container's TCP socket tables, read by an exec of `cat`. */
const socketTable = (container: string, description: string): Effect.Effect<string, WaitFailed, Docker.Docker> =>
  Exec.run(container, ["cat", "/proc/net/tcp", "/proc/net/tcp6"]).pipe(
    Effect.mapError((cause) => failed(container, description, `exec failed: ${describeCause(cause)}`, cause)),
    // a missing /proc/net/tcp6 (no IPv6) fails `cat` after the first table; a missing `cat` leaves no table, and
    // the daemon may write its own error to the output
    Effect.flatMap((result) =>
      result.exitCode !== 0 && !result.stdout.includes("local_address")
        ? Effect.fail(
          failed(
            container,
            description,
            `cannot read /proc/net/tcp with cat (exit code ${result.exitCode}): ${
              `${result.stdout} ${result.stderr}`.trim()
            }`
          )
        )
        : Effect.succeed(result.stdout)
    )
  )

/**
 * Options of {@link forListeningPorts}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListeningPortsOptions extends PollOptions {
  /** The TCP ports to wait for; default: every TCP port the container exposes. */
  readonly ports?: ReadonlyArray<number> | undefined
  /**
   * What to do when the socket tables cannot be read (an image without `cat`, such as a distroless one, or a
   * transport without exec): `"fail"` (default) fails with {@link WaitFailed} saying why; `"ready"` takes the
   * container as ready at once, as if no wait had been given (what `Resources` does for its default wait).
   */
  readonly unreadable?: "fail" | "ready" | undefined
}

/**
 * Ready once a TCP socket listens inside the container on every TCP port it exposes (`ExposedPorts`, which
 * includes the ports published by `Resources`), or on `ports` when given, as testcontainers'
 * `Wait.forListeningPorts()` does; checked as {@link forListeningPort} checks one port, with one exec per round
 * for all of them. A container that exposes no TCP port is ready at once.
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const ready = Wait.all(Wait.forLogLine("ready"), Wait.forListeningPorts())
 * const both = Wait.forListeningPorts({ ports: [5432, 8080] })
 * const distroless = Wait.forListeningPorts({ unreadable: "ready" })
 * ```
 * @since 0.2.0
 * @category strategies
 */
export const forListeningPorts = (options: ListeningPortsOptions = {}): Strategy => {
  const given = options.ports
  const description = given === undefined
    ? "exposed TCP ports listening"
    : `ports ${given.map((port) => `${port}/tcp`).join(", ")} listening`
  const exposed = (container: string) =>
    Containers.inspect(container).pipe(
      Effect.mapError((cause) => failed(container, description, `inspect failed: ${describeCause(cause)}`, cause)),
      Effect.map((inspected) =>
        Object.keys(inspected.Config?.ExposedPorts ?? {}).flatMap((key) => {
          const match = /^(\d+)\/tcp$/.exec(key)
          return match === null ? [] : [Number(match[1])]
        })
      )
    )
  return make(description, (container) =>
    Effect.flatMap(
      given === undefined ? exposed(container) : Effect.succeed(given),
      (ports) =>
        ports.length === 0 ? Effect.void : poll(
          options.interval,
          Effect.map(
            options.unreadable === "ready"
              ? Effect.catch(socketTable(container, description), () => Effect.succeed(undefined))
              : socketTable(container, description),
            (table) => table === undefined || ports.every((port) => listensOn(table, port))
          )
        )
    ))
}

/**
 * Options of {@link forHttp}.
 *
 * @since 0.2.0
 * @category models
 */
export interface HttpOptions extends PollOptions {
  /** The container port the server listens on; it must be published. */
  readonly port: Ports.ContainerPort
  /** The path (and query) to request, default `/`. */
  readonly path?: string | undefined
  /** The expected status (default 200), or a test of it. */
  readonly status?: number | ((status: number) => boolean) | undefined
  /** `http` (default) or `https`. */
  readonly scheme?: "http" | "https" | undefined
  /** The method, default `GET`. */
  readonly method?: string | undefined
  /** How long one request may take (default 2 s). */
  readonly requestTimeout?: Duration.Input | undefined
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * Ready once an HTTP request to the published port answers with the expected status. Refused connections and other
 * statuses are retried every `interval`; a port that is not published fails with {@link WaitFailed}.
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const serving = Wait.forHttp({ port: 8080, path: "/health", status: (s) => s < 500 })
 * ```
 * @since 0.2.0
 * @category strategies
 */
export const forHttp = (options: HttpOptions): Strategy => {
  const path = options.path === undefined ? "/" : options.path.startsWith("/") ? options.path : `/${options.path}`
  const expected = options.status ?? 200
  const accepts = typeof expected === "number" ? (s: number) => s === expected : expected
  const description = `HTTP ${options.method ?? "GET"} ${path} on ${Ports.portKey(options.port)}${
    typeof expected === "number" ? ` answering ${expected}` : ""
  }`
  const requestMillis = Duration.toMillis(Duration.fromInputUnsafe(options.requestTimeout ?? "2 seconds"))
  return make(description, (container) =>
    Effect.gen(function*() {
      const endpoint = yield* Effect.mapError(Ports.endpoint(container, options.port), (cause) =>
        failed(container, description, describeCause(cause), cause))
      const url = `${options.scheme ?? "http"}://${Ports.hostPort(endpoint)}${path}`
      const send = Effect.tryPromise({
        try: async (signal) => {
          const timer = AbortSignal.timeout(requestMillis)
          const response = await (options.fetch ?? globalThis.fetch)(url, {
            method: options.method ?? "GET",
            redirect: "manual",
            signal: AbortSignal.any([signal, timer])
          })
          await response.body?.cancel()
          return accepts(response.status)
        },
        catch: () =>
          false as const
      }).pipe(Effect.catch(() => Effect.succeed(false)))
      yield* poll(options.interval, send)
    }))
}

/**
 * Ready once every strategy is (they are checked concurrently); fails as soon as one fails.
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const ready = Wait.all(Wait.forLogLine("started"), Wait.forHttp({ port: 8080 }))
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const all = (...strategies: ReadonlyArray<Strategy>): Strategy =>
  make(
    `all of (${strategies.map((s) => s.description).join(", ")})`,
    (container) => Effect.asVoid(Effect.all(strategies.map((s) => s.check(container)), { concurrency: "unbounded" }))
  )

/**
 * Ready once any strategy is (they are checked concurrently; the others are then interrupted); fails when every
 * one has failed, with the last failure.
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const ready = Wait.any(Wait.forHealthy(), Wait.forLogLine(/listening on/))
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const any = (...strategies: ReadonlyArray<Strategy>): Strategy => {
  const description = `any of (${strategies.map((s) => s.description).join(", ")})`
  return make(description, (container) =>
    strategies.length === 0
      ? Effect.fail(failed(container, description, "no strategy to wait for"))
      : Effect.raceAll(strategies.map((s) => s.check(container))))
}

/**
 * Bounds a strategy: past `timeout` it fails with {@link WaitTimeout} naming it (inside {@link all} or
 * {@link any}, a part can have its own bound).
 *
 * @example
 * ```ts
 * import { Wait } from "effect-docker"
 * const ready = Wait.all(Wait.withTimeout(Wait.forLogLine("migrations done"), "2 minutes"), Wait.forHttp({ port: 80 }))
 * ```
 * @since 0.2.0
 * @category combinators
 */
export const withTimeout = (strategy: Strategy, timeout: Duration.Input): Strategy => {
  const millis = Duration.toMillis(Duration.fromInputUnsafe(timeout))
  return make(strategy.description, (container) =>
    Effect.timeoutOrElse(strategy.check(container), {
      duration: timeout,
      orElse: () =>
        Effect.fail(
          new WaitTimeout({
            container,
            strategy: strategy.description,
            timeoutMillis: millis,
            logs: [],
            message: `${container} was not ready within ${
              Duration.format(Duration.millis(millis))
            }: ${strategy.description}`
          })
        )
    }))
}

/**
 * Options of {@link run}.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  /** The time allowed (default 60 s). */
  readonly timeout?: Duration.Input | undefined
  /** How many of the container's last log lines a failure carries (default 50). */
  readonly logLines?: number | undefined
}

const lastLogs = (container: string, count: number): Effect.Effect<ReadonlyArray<string>, never, Docker.Docker> =>
  count <= 0 ? Effect.succeed([]) : Containers.logLines(container, { tail: count }).pipe(
    Stream.map((l) => l.line),
    Stream.runCollect,
    Effect.orElseSucceed((): ReadonlyArray<string> => [])
  )

/**
 * Waits until the container is ready by `strategy`, within `timeout`. On failure the error carries the
 * container's last log lines (read once, with `tail`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Wait } from "effect-docker"
 * const web = Effect.gen(function*() {
 *   const { Id } = yield* Containers.create({ Image: "nginx", HostConfig: { PublishAllPorts: true } })
 *   yield* Containers.start(Id)
 *   yield* Wait.run(Id, Wait.forHttp({ port: 80 }), { timeout: "30 seconds" })
 *   return Id
 * })
 * ```
 * @since 0.2.0
 * @category running
 */
export const run = (
  container: string,
  strategy: Strategy,
  options: RunOptions = {}
): Effect.Effect<void, WaitTimeout | WaitFailed, Docker.Docker> =>
  withTimeout(strategy, options.timeout ?? "60 seconds").check(container).pipe(
    Effect.catch((error) =>
      Effect.flatMap(lastLogs(container, options.logLines ?? 50), (logs) =>
        Effect.fail(
          error._tag === "WaitTimeout"
            ? new WaitTimeout({
              container: error.container,
              strategy: error.strategy,
              timeoutMillis: error.timeoutMillis,
              logs,
              message: error.message
            })
            : new WaitFailed({
              container: error.container,
              strategy: error.strategy,
              reason: error.reason,
              logs,
              message: error.message,
              ...(error.cause === undefined ? {} : { cause: error.cause })
            })
        ))
    )
  )
