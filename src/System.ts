/**
 * The daemon itself: ping, version, info, disk usage, registry login and events, with ergonomic names over the
 * generated operations (`Api`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as Credentials from "./Credentials.ts"
import * as Docker from "./Docker.ts"
import * as Events from "./Events.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import type * as Ndjson from "./Ndjson.ts"
import * as Operation from "./Operation.ts"

/** A ping read for its headers (`Api-Version`, `Server`, `Libpod-API-Version`, …). */
const pingHeaders = /*#__PURE__*/ Docker.callPlain(Operation.withResponse(Operations.SystemPing, { _tag: "Headers" }))

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
 * const status = System.auth({
 *   username: "testuser",
 *   password: Redacted.make("testpassword"),
 *   serverAddress: "127.0.0.1:5001"
 * }).pipe(Effect.map((r) => r.Status)) // "Login Succeeded"
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

/**
 * Which engine answers: Docker Engine, or Podman through its Docker-compatible API.
 *
 * @since 0.2.0
 * @category models
 */
export interface Engine {
  /** `"podman"` when the daemon says it is Podman (ping headers or `/version` components), else `"docker"`. */
  readonly name: "docker" | "podman"
  /** The engine's own version: Docker's `Version`, or the `Podman Engine` component's. */
  readonly version: string | undefined
  /** The Docker API version the daemon speaks (`API-Version` of the ping, else `/version`'s `ApiVersion`). */
  readonly apiVersion: string | undefined
  /** Podman's own (libpod) API version, from the `Libpod-Api-Version` ping header. */
  readonly libpodApiVersion: string | undefined
  /** The ping's `Server` header (`Libpod/4.3.1 (linux)` on Podman, `Docker/…` on Docker), when sent. */
  readonly server: string | undefined
  /** The names and versions of `/version`'s `Components`. */
  readonly components: ReadonlyArray<{ readonly name: string; readonly version: string }>
}

/**
 * Tells the engine from a ping's headers (lower-case names) and the `/version` answer; pure.
 *
 * @example
 * ```ts
 * import { System } from "effect-docker"
 * const engine = System.engineFrom({ "api-version": "1.41", "libpod-api-version": "4.3.1" }, { Version: "4.3.1" })
 * engine.name // "podman"
 * ```
 * @since 0.2.0
 * @category identity
 */
export const engineFrom = (
  headers: Readonly<Record<string, string | undefined>>,
  version: Models.SystemVersion
): Engine => {
  const components = (version.Components ?? []).map((c) => ({ name: c.Name, version: c.Version }))
  const podmanComponent = components.find((c) => /^podman( engine)?$/i.test(c.name))
  const libpodApiVersion = headers["libpod-api-version"]
  const server = headers["server"]
  const isPodman = libpodApiVersion !== undefined || podmanComponent !== undefined || /^libpod\//i.test(server ?? "")
  return {
    name: isPodman ? "podman" : "docker",
    version: podmanComponent?.version ?? version.Version,
    apiVersion: headers["api-version"] ?? version.ApiVersion,
    libpodApiVersion,
    server,
    components
  }
}

/**
 * Which engine the client talks to (Docker or Podman), from one ping (its headers) and `/version`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * const onPodman = System.engine().pipe(Effect.map((engine) => engine.name === "podman"))
 * ```
 * @since 0.2.0
 * @category identity
 */
export const engine = (): Effect.Effect<Engine, Docker.CallError<500>, Docker.Docker> =>
  Effect.gen(function*() {
    const headers = yield* pingHeaders()
    return engineFrom(headers, yield* version())
  })
