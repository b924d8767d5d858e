/**
 * The daemon's event stream (`GET /events`), typed by object type and action, with typed filters and `since` /
 * `until` as dates.
 *
 * Without `until` the stream stays open and yields events as they happen; interrupting it (e.g. `Stream.take`,
 * `Stream.takeUntil`) closes the connection. With `until` it ends once the daemon reaches that time.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"
import * as Ndjson from "./Ndjson.ts"

/**
 * The kinds of objects that emit events.
 *
 * @since 0.1.0
 * @category models
 */
export type Type = NonNullable<Models.EventMessage["Type"]>

/**
 * The actions the daemon reports per object type (as of API 1.55). Some actions carry details after a colon, e.g.
 * `"exec_start: sh -c ls"` or `"health_status: healthy"`: {@link actionName} gives the part before it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Actions {
  readonly builder: "prune"
  readonly config: "create" | "update" | "remove"
  readonly container:
    | "attach"
    | "commit"
    | "copy"
    | "create"
    | "destroy"
    | "detach"
    | "die"
    | "exec_create"
    | "exec_detach"
    | "exec_die"
    | "exec_start"
    | "export"
    | "health_status"
    | "kill"
    | "oom"
    | "pause"
    | "rename"
    | "resize"
    | "restart"
    | "start"
    | "stop"
    | "top"
    | "unpause"
    | "update"
    | "prune"
  readonly daemon: "reload"
  readonly image: "create" | "delete" | "import" | "load" | "pull" | "push" | "save" | "tag" | "untag" | "prune"
  readonly network: "create" | "connect" | "disconnect" | "destroy" | "update" | "remove" | "prune"
  readonly node: "create" | "update" | "remove"
  readonly plugin: "enable" | "disable" | "install" | "remove"
  readonly secret: "create" | "update" | "remove"
  readonly service: "create" | "update" | "remove"
  readonly volume: "create" | "destroy" | "mount" | "unmount" | "prune"
}

/**
 * An event: the daemon's `EventMessage` with `Type`, `Action` and `Actor` always present (empty when the daemon
 * left them out). `Event<"container">` is an event about a container.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event<T extends Type = Type> extends Models.EventMessage {
  readonly Type: T
  readonly Action: Actions[T] | (string & {})
  readonly Actor: Models.EventActor
}

/**
 * Filters of the event stream; several values of one filter are alternatives, different filters must all match.
 *
 * @since 0.1.0
 * @category models
 */
export interface Filters {
  readonly type?: ReadonlyArray<Type>
  readonly event?: ReadonlyArray<string>
  readonly container?: ReadonlyArray<string>
  readonly image?: ReadonlyArray<string>
  readonly label?: ReadonlyArray<string>
  readonly network?: ReadonlyArray<string>
  readonly volume?: ReadonlyArray<string>
  readonly daemon?: ReadonlyArray<string>
  readonly plugin?: ReadonlyArray<string>
  readonly node?: ReadonlyArray<string>
  readonly service?: ReadonlyArray<string>
  readonly secret?: ReadonlyArray<string>
  readonly config?: ReadonlyArray<string>
  readonly scope?: ReadonlyArray<"local" | "swarm">
}

/**
 * Options of {@link stream}: `since` replays past events from that time, `until` ends the stream at that time.
 * A `Date` or seconds since the epoch (fractions allowed), or the daemon's own syntax as a string (`"10m"`, RFC 3339).
 * `reconnect` keeps the stream going across lost connections and daemon restarts (see {@link ReconnectOptions}).
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  readonly since?: Date | number | string
  readonly until?: Date | number | string
  readonly filters?: Filters
  /**
   * Reconnect after the connection drops or the daemon restarts, resuming where the stream was.
   *
   * @since 0.2.0
   */
  readonly reconnect?: ReconnectOptions
}

/**
 * How {@link stream} reconnects. After the connection is lost (the daemon closed it, restarted, or the network cut
 * it) the stream connects again, waiting between attempts as `schedule` says (by default 100 ms doubling up to
 * 2 seconds), and asks the daemon for the events since the last one it delivered. Events the daemon replays that
 * were already delivered are dropped by identity (time in nanoseconds, type, action, actor id), so each event
 * arrives once. When no connection succeeds within `giveUpAfter` (30 seconds unless set) of the loss, or when the
 * schedule ends, the stream fails with {@link EventsUnreachable}. Status errors (a bad filter) and malformed
 * messages fail the stream at once, as without `reconnect`.
 *
 * What the daemon can replay is its limit: it keeps the last 256 events in memory, and a restarted daemon has
 * none of the events from before its restart. Events that happened while the connection was down are delivered
 * when the daemon still holds them. An open connection on which nothing arrives is not a lost one: a network that
 * drops packets silently is noticed only when the operating system gives up on the connection.
 *
 * @example
 * ```ts
 * import { Schedule, Stream } from "effect"
 * import { Events } from "effect-docker"
 * const deaths = Events.stream({
 *   filters: { type: ["container"], event: ["die"] },
 *   reconnect: { giveUpAfter: "1 minute", schedule: Schedule.spaced("1 second") }
 * }).pipe(Stream.map((e) => e.Actor.ID))
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ReconnectOptions {
  /** How long the daemon may stay unreachable, counted from the loss of the connection (default 30 seconds). */
  readonly giveUpAfter?: Duration.Input
  /** The delays between connection attempts; its input is the attempt's error. */
  readonly schedule?: Schedule.Schedule<unknown, Errors.TransportError | Errors.Timeout>
}

const EventsUnreachableBase: TaggedErrorClass<"EventsUnreachable"> = /*#__PURE__*/ Data.TaggedError("EventsUnreachable")

/**
 * The daemon stayed unreachable for longer than a reconnecting {@link stream} allows (or its schedule ended):
 * `attempts` connections were tried over `unreachableFor`, the last one failing with `cause`. `lastEventTime`
 * is the time (nanoseconds since the epoch) of the last event delivered, to resume from with `since`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Events } from "effect-docker"
 * const events = Events.stream({ reconnect: { giveUpAfter: "10 seconds" } }).pipe(
 *   Stream.runForEach((e) => Effect.log(e.Action)),
 *   Effect.catchTag("EventsUnreachable", (e) => Effect.logError(e.message))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class EventsUnreachable extends EventsUnreachableBase<{
  /** What was tried, e.g. `unix:///var/run/docker.sock`. */
  readonly target: string
  /** How long connections were tried for, from the loss of the connection. */
  readonly unreachableFor: Duration.Duration
  readonly attempts: number
  readonly lastEventTime: bigint | undefined
  /** The last attempt's error. */
  readonly cause: Errors.TransportError | Errors.Timeout | undefined
}> {
  override get message(): string {
    const reason = this.cause === undefined ? "" : `: ${this.cause.message}`
    return `the Docker daemon at ${this.target} stayed unreachable for ${Duration.format(this.unreachableFor)} ` +
      `(${this.attempts} attempts)${reason}`
  }
}

/**
 * The time parameter as the daemon reads it: seconds with a fraction for dates and numbers.
 *
 * @example
 * ```ts
 * import { Events } from "effect-docker"
 * Events.timeParameter(new Date(1_700_000_000_250)) // "1700000000.250"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const timeParameter = (value: Date | number | string): string => {
  if (typeof value === "string") return value
  const millis = typeof value === "number" ? value * 1000 : value.getTime()
  const whole = Math.floor(millis / 1000)
  const fraction = Math.round(millis - whole * 1000)
  return `${whole}.${String(fraction).padStart(3, "0")}`
}

const toEvent = (message: Models.EventMessage): Event =>
  ({ ...message, Type: message.Type ?? "daemon", Action: message.Action ?? "", Actor: message.Actor ?? {} }) as Event

/**
 * The event stream. With `reconnect` it survives lost connections and daemon restarts (see
 * {@link ReconnectOptions}) and fails with {@link EventsUnreachable} only when the daemon stays away.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Events } from "effect-docker"
 * const deaths = Events.stream({ filters: { type: ["container"], event: ["die"] } }).pipe(
 *   Stream.map((e) => `${e.Actor.ID} exited with ${e.Actor.Attributes?.["exitCode"]}`)
 * )
 * const lasting = Events.stream({ filters: { type: ["container"] }, reconnect: { giveUpAfter: "30 seconds" } })
 * ```
 * @since 0.1.0
 * @category streams
 */
export function stream(
  options: StreamOptions & { readonly reconnect: ReconnectOptions }
): Stream.Stream<Event<Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500> | EventsUnreachable, Docker.Docker>
export function stream(
  options?: StreamOptions & { readonly reconnect?: undefined }
): Stream.Stream<Event<Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500>, Docker.Docker>
export function stream(
  options?: StreamOptions
): Stream.Stream<Event<Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500> | EventsUnreachable, Docker.Docker>
export function stream(
  options: StreamOptions = {}
): Stream.Stream<Event<Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500> | EventsUnreachable, Docker.Docker> {
  const { filters, since, until, reconnect } = options
  const cleaned = filters === undefined ? undefined : Object.fromEntries(
    Object.entries(filters).filter(([, values]) => values !== undefined && values.length > 0)
  ) as Record<string, ReadonlyArray<string>>
  const query: Operations.SystemEventsInput = {
    ...(since === undefined ? {} : { since: timeParameter(since) }),
    ...(until === undefined ? {} : { until: timeParameter(until) }),
    ...(cleaned === undefined || Object.keys(cleaned).length === 0 ? {} : { filters: cleaned })
  }
  return reconnect === undefined
    ? Api.systemEvents(query).pipe(Stream.map(toEvent))
    : reconnecting(query, since, reconnect)
}

// -----------------------------------------------------------------------------
// reconnecting
// -----------------------------------------------------------------------------

/** Nanoseconds since the epoch as the daemon reads `since`: seconds and nine fraction digits. */
const nanosParameter = (nanos: bigint): string =>
  `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, "0")}`

const nanosOf = (event: Models.EventMessage): bigint =>
  event.timeNano !== undefined ? BigInt(event.timeNano) : BigInt(event.time ?? 0) * 1_000_000_000n

/** What tells two events apart: the same object, action and nanosecond is the same event. */
const identity = (event: Event, nanos: bigint): string =>
  `${nanos} ${event.Type} ${event.Action} ${event.Actor.ID ?? ""}`

/**
 * How far before the last delivered event a reconnection asks the daemon to replay. The daemon stamps an event
 * before it queues it, so two events of one instant can be queued out of order; replaying a second back and
 * dropping what was delivered (by identity) catches an event queued late, just before the connection was lost.
 */
const overlapNanos = 1_000_000_000n

const defaultSchedule: Schedule.Schedule<unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, Duration.seconds(2))))
)

const isDisconnect = (error: unknown): error is Errors.TransportError | Errors.Timeout =>
  typeof error === "object" && error !== null &&
  ((error as { _tag?: unknown })._tag === "TransportError" || (error as { _tag?: unknown })._tag === "Timeout")

/** The end of a stream with `until`, as opposed to a lost connection. */
const finished: unique symbol = Symbol("effect-docker/Events/finished")

/** The start of a `since` given as a Date or seconds, in nanoseconds; undefined for the daemon's own syntax. */
const sinceNanos = (since: Date | number | string | undefined): bigint | undefined => {
  if (since === undefined || typeof since === "string") return undefined
  const millis = typeof since === "number" ? since * 1000 : since.getTime()
  return Number.isFinite(millis) ? BigInt(Math.round(millis * 1000)) * 1000n : undefined
}

const reconnecting = (
  query: Operations.SystemEventsInput,
  since: Date | number | string | undefined,
  options: ReconnectOptions
): Stream.Stream<Event, Ndjson.NdjsonError | Docker.CallError<400 | 500> | EventsUnreachable, Docker.Docker> =>
  Stream.unwrap(Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const target = docker.connection.target
    const giveUpAfter = Duration.fromInputUnsafe(options.giveUpAfter ?? "30 seconds")
    const schedule = options.schedule ?? defaultSchedule
    /** Delivered events no older than `overlapNanos` before the newest, by identity, oldest first. */
    const recent = new Map<string, bigint>()
    let newest: bigint | undefined
    /** Where the stream starts: the caller's `since`, else its first event, else its first connection's time. */
    let floor = sinceNanos(since)
    let connected = false

    const fresh = (event: Event): boolean => {
      const nanos = nanosOf(event)
      const key = identity(event, nanos)
      if (recent.has(key) || (floor !== undefined && nanos < floor)) return false
      recent.set(key, nanos)
      if (floor === undefined) floor = nanos
      if (newest === undefined || nanos > newest) {
        newest = nanos
        for (const [known, at] of recent) {
          if (at >= newest - overlapNanos) break
          recent.delete(known)
        }
      }
      return true
    }

    const resumeQuery = (): Operations.SystemEventsInput => {
      if (newest === undefined && floor === undefined) return query
      const from = newest === undefined ? floor! : newest - overlapNanos
      return { ...query, since: nanosParameter(floor !== undefined && floor > from ? floor : from) }
    }

    const connectOnce = Effect.suspend(() => docker.execute(Operations.SystemEvents, resumeQuery()))
    const connect = Effect.gen(function*() {
      let attempts = 0
      let last: Errors.TransportError | Errors.Timeout | undefined
      const unreachable = () =>
        new EventsUnreachable({ target, unreachableFor: giveUpAfter, attempts, lastEventTime: newest, cause: last })
      const response = yield* connectOnce.pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            attempts++
            if (isDisconnect(error)) last = error
          })
        ),
        Effect.retry({ schedule: schedule as Schedule.Schedule<unknown, unknown>, while: isDisconnect }),
        Effect.timeoutOrElse({ duration: giveUpAfter, orElse: () => Effect.fail(unreachable()) }),
        Effect.catchIf(isDisconnect, () => Effect.fail(unreachable()))
      )
      if (!connected && floor === undefined) {
        // no `since` and nothing delivered yet: a later connection resumes from the daemon's time of this one
        const date = Date.parse(response.headers["date"] ?? "")
        floor = BigInt(Number.isFinite(date) ? date : Date.now()) * 1_000_000n
      }
      connected = true
      return response
    })

    const connection: Stream.Stream<
      Event | typeof finished,
      Ndjson.NdjsonError | Docker.CallError<400 | 500> | EventsUnreachable
    > = Stream.unwrap(Effect.map(connect, (response) =>
      response.stream.pipe(
        Stream.pipeThroughChannel(
          Ndjson.decodeSchema<typeof Operations.SystemEvents.response.schema, Errors.TransportError | Errors.Timeout>(
            Operations.SystemEvents.response.schema
          )
        ),
        Stream.map(toEvent),
        Stream.filter(fresh),
        // without `until` the daemon never ends the stream: an end is a lost connection
        Stream.concat<typeof finished, never, never>(
          query.until === undefined ? Stream.empty : Stream.succeed(finished)
        ),
        Stream.catchIf(isDisconnect, () => Stream.empty)
      )))
    return Stream.forever(connection).pipe(
      Stream.takeWhile((item): item is Event => item !== finished)
    )
  }))

/**
 * The action without its details: `"exec_start: sh -c ls"` gives `"exec_start"`.
 *
 * @example
 * ```ts
 * import { Events } from "effect-docker"
 * declare const event: Events.Event
 * const name = Events.actionName(event)
 * ```
 * @since 0.1.0
 * @category reading
 */
export const actionName = (event: Event): string => {
  const colon = event.Action.indexOf(":")
  return colon < 0 ? event.Action : event.Action.slice(0, colon)
}

/**
 * A refinement: the event is of `type` and, when `actions` are given, one of them (compared with
 * {@link actionName}).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Events } from "effect-docker"
 * const destroyed = Events.stream().pipe(Stream.filter(Events.is("container", "destroy")))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const is =
  <T extends Type>(type: T, ...actions: ReadonlyArray<Actions[T]>) => (event: Event): event is Event<T> =>
    event.Type === type && (actions.length === 0 || (actions as ReadonlyArray<string>).includes(actionName(event)))

/**
 * When the event happened, from `timeNano` (or `time`).
 *
 * @example
 * ```ts
 * import { Events } from "effect-docker"
 * declare const event: Events.Event
 * const when = Events.time(event).toISOString()
 * ```
 * @since 0.1.0
 * @category reading
 */
export const time = (event: Event): Date =>
  event.timeNano !== undefined
    ? new Date(Number(BigInt(event.timeNano) / 1_000_000n))
    : new Date(Number(event.time ?? 0) * 1000)
