/**
 * Picks the transport for the runtime the program runs on: Deno's (`effect-docker/deno`) under Deno, Bun's
 * (`effect-docker/bun`) under Bun, Node's (`effect-docker/node`) otherwise. Only the chosen module is loaded.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Docker from "../Docker.ts"
import type * as DockerEnv from "../DockerEnv.ts"
import type * as Host from "../Host.ts"

/**
 * The runtime the program runs on.
 *
 * @example
 * ```ts
 * import * as DockerAuto from "effect-docker/auto"
 * DockerAuto.runtime() // "node" | "deno" | "bun"
 * ```
 * @since 0.1.0
 * @category runtime
 */
export const runtime = (): "node" | "deno" | "bun" => {
  const global = globalThis as { Deno?: unknown; Bun?: unknown }
  return global.Deno !== undefined ? "deno" : global.Bun !== undefined ? "bun" : "node"
}

interface PlatformModule {
  readonly layer: (options?: DockerEnv.ClientOptions) => Layer.Layer<Docker.Docker, Host.InvalidHost>
  readonly layerFromEnv: Layer.Layer<Docker.Docker, Host.InvalidHost | DockerEnv.DockerConfigError>
}

const load = (): Effect.Effect<PlatformModule> =>
  Effect.promise((): Promise<PlatformModule> => {
    switch (runtime()) {
      case "deno":
        return import("./deno.ts")
      case "bun":
        return import("./bun.ts")
      case "node":
        return import("./node.ts")
    }
  })

/**
 * The runtime's own transport with explicit options.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerAuto from "effect-docker/auto"
 * await Effect.runPromise(Api.systemPing().pipe(Effect.provide(DockerAuto.layer({ host: "unix:///var/run/docker.sock" }))))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: DockerEnv.ClientOptions = {}): Layer.Layer<Docker.Docker, Host.InvalidHost> =>
  Layer.unwrap(Effect.map(load(), (platform) => platform.layer(options)))

/**
 * The runtime's own transport, configured from the environment as the docker CLI would be.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerAuto from "effect-docker/auto"
 * await Effect.runPromise(Api.systemVersion().pipe(Effect.provide(DockerAuto.layerFromEnv)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<Docker.Docker, Host.InvalidHost | DockerEnv.DockerConfigError> = Layer.unwrap(
  Effect.map(load(), (platform) => platform.layerFromEnv)
)
