/**
 * The daemon's event stream (`GET /events`), typed by object type and action, with typed filters and `since` /
 * `until` as dates.
 *
 * Without `until` the stream stays open and yields events as they happen; interrupting it (e.g. `Stream.take`,
 * `Stream.takeUntil`) closes the connection. With `until` it ends once the daemon reaches that time.
 *
 * @since 0.1.0
 */
import * as Stream from "effect/Stream"
import type * as Docker from "./Docker.ts"
import * as Api from "./generated/api.ts"
import type * as Models from "./generated/schemas.ts"
import type * as Ndjson from "./Ndjson.ts"

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
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  readonly since?: Date | number | string
  readonly until?: Date | number | string
  readonly filters?: Filters
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
 * The event stream.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Events } from "effect-docker"
 * const deaths = Events.stream({ filters: { type: ["container"], event: ["die"] } }).pipe(
 *   Stream.map((e) => `${e.Actor.ID} exited with ${e.Actor.Attributes?.["exitCode"]}`)
 * )
 * ```
 * @since 0.1.0
 * @category streams
 */
export const stream = (
  options: StreamOptions = {}
): Stream.Stream<Event<Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500>, Docker.Docker> => {
  const { filters, since, until } = options
  const cleaned = filters === undefined ? undefined : Object.fromEntries(
    Object.entries(filters).filter(([, values]) => values !== undefined && values.length > 0)
  ) as Record<string, ReadonlyArray<string>>
  return Api.systemEvents({
    ...(since === undefined ? {} : { since: timeParameter(since) }),
    ...(until === undefined ? {} : { until: timeParameter(until) }),
    ...(cleaned === undefined || Object.keys(cleaned).length === 0 ? {} : { filters: cleaned })
  }).pipe(Stream.map(toEvent))
}

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
export const is = <T extends Type>(type: T, ...actions: ReadonlyArray<Actions[T]>) => (event: Event): event is Event<T> =>
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
