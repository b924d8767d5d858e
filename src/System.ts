/**
 * The daemon itself: ping, version, info, with ergonomic names over the generated operations (`Api`).
 *
 * @since 0.1.0
 */
import * as Api from "./generated/api.ts"

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
export const ping = () => Api.systemPing()

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
export const version = () => Api.systemVersion()

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
export const info = () => Api.systemInfo()
