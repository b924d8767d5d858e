/**
 * The daemon itself: ping, version, info, disk usage, registry login and events, with ergonomic names over the
 * generated operations (`Api`).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as Credentials from "./Credentials.ts"
import type * as Docker from "./Docker.ts"
import * as Events from "./Events.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import type * as Ndjson from "./Ndjson.ts"

/**
 * Pings the daemon: `"OK"` when it answers.
 *
 * @example
 * ```ts
 * import { System } from "effect-docker"
 * const ok = System.ping()
 * ```
 * @since 0.1.0
 * @category reading
 */
export const ping = (): Effect.Effect<string, Docker.CallError<500>, Docker.Docker> => Api.systemPing()

/**
 * Pings the daemon with a `HEAD` request (no body; the answer's headers carry the API version).
 *
 * @example
 * ```ts
 * import { System } from "effect-docker"
 * const reachable = System.pingHead()
 * ```
 * @since 0.1.0
 * @category reading
 */
export const pingHead = (): Effect.Effect<string, Docker.CallError<500>, Docker.Docker> => Api.systemPingHead()

/**
 * The daemon's version, API version, OS and architecture.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * const api = System.version().pipe(Effect.map((v) => v.ApiVersion))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const version = (): Effect.Effect<Models.SystemVersion, Docker.CallError<500>, Docker.Docker> =>
  Api.systemVersion()

/**
 * System-wide information: containers, images, storage driver, swarm state, ….
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * const running = System.info().pipe(Effect.map((i) => i.ContainersRunning))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const info = (): Effect.Effect<Models.SystemInfo, Docker.CallError<500>, Docker.Docker> => Api.systemInfo()

/**
 * Disk usage of images, containers, volumes and the build cache (`docker system df`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * const images = System.dataUsage().pipe(Effect.map((df) => df.Images?.length))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const dataUsage = (
  options: Operations.SystemDataUsageInput = {}
): Effect.Effect<Models.SystemDataUsageResponse, Docker.CallError<500>, Docker.Docker> => Api.systemDataUsage(options)

/**
 * Same as {@link dataUsage}, named after `docker system df`.
 *
 * @example
 * ```ts
 * import { System } from "effect-docker"
 * const usage = System.df()
 * ```
 * @since 0.1.0
 * @category reading
 */
export const df = dataUsage

/**
 * Checks registry credentials with the daemon (`docker login`); a registry that issues identity tokens returns one
 * in `IdentityToken`. Wrong credentials fail with `Unauthorized`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { System } from "effect-docker"
 * const auth = { username: "testuser", password: Redacted.make("testpassword"), serverAddress: "127.0.0.1:5001" }
 * const status = System.auth(auth)
 *   .pipe(Effect.map((r) => r.Status)) // "Login Succeeded"
 * ```
 * @since 0.1.0
 * @category registry
 */
export const auth = (
  credentials: Credentials.AuthConfig
): Effect.Effect<Models.AuthResponse, Docker.CallError<401 | 500>, Docker.Docker> =>
  Api.systemAuth({ body: Credentials.toDaemonJson(credentials) })

/**
 * The daemon's events as a typed Stream (see the `Events` module for filters and refinements).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Events, System } from "effect-docker"
 * const started = System.events({ since: new Date(), filters: { type: ["container"] } }).pipe(
 *   Stream.filter(Events.is("container", "start"))
 * )
 * ```
 * @since 0.1.0
 * @category events
 */
export const events = (
  options: Omit<Events.StreamOptions, "reconnect"> = {}
): Stream.Stream<Events.Event<Events.Type>, Ndjson.NdjsonError | Docker.CallError<400 | 500>, Docker.Docker> =>
  Events.stream(options)
