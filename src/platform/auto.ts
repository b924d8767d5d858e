/**
 * Picks the transport for the runtime the program runs on: Deno's (`effect-docker/deno`) under Deno, Bun's
 * (`effect-docker/bun`) under Bun, Node's (`effect-docker/node`) otherwise. Only the chosen module is loaded. Its
 * layers also provide the runtime's registry-credential resolver (`config.json` and credential helpers, as the
 * docker CLI finds them), so a runtime-neutral program pulls private images after `docker login` on all three.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Credentials from "../Credentials.ts"
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
  readonly layer: (
    options?: DockerEnv.ClientOptions
  ) => Layer.Layer<Docker.Docker | Credentials.Credentials, Host.InvalidHost>
  readonly layerFromEnv: Layer.Layer<
    Docker.Docker | Credentials.Credentials,
    Host.InvalidHost | DockerEnv.DockerConfigError
  >
  readonly environment: Effect.Effect<DockerEnv.Environment>
  readonly credentialHelper: Credentials.HelperRunner
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
 * const layer = DockerAuto.layer({ host: "unix:///var/run/docker.sock" })
 * await Effect.runPromise(Api.systemPing().pipe(Effect.provide(layer)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: DockerEnv.ClientOptions = {}
): Layer.Layer<Docker.Docker | Credentials.Credentials, Host.InvalidHost> =>
  Layer.unwrap(Effect.map(load(), (platform) => platform.layer(options)))

/**
 * The runtime's own transport, configured from the environment as the docker CLI would be. Fresh: each provide
 * reads the environment again.
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
export const layerFromEnv: Layer.Layer<
  Docker.Docker | Credentials.Credentials,
  Host.InvalidHost | DockerEnv.DockerConfigError
> = Layer.fresh(Layer.unwrap(Effect.map(load(), (platform) => platform.layerFromEnv)))

/**
 * What the runtime's `layerFromEnv` reads (its environment variables, home folder and files).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * import * as DockerAuto from "effect-docker/auto"
 * const resolved = Effect.flatMap(DockerAuto.environment, DockerEnv.resolve)
 * ```
 * @since 0.2.0
 * @category environment
 */
export const environment: Effect.Effect<DockerEnv.Environment> = Effect.flatMap(
  load(),
  (platform) => platform.environment
)

/**
 * The runtime's way of running a docker credential helper (`docker-credential-NAME get`).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerAuto from "effect-docker/auto"
 * const layer = Credentials.layerFromEnvironment(DockerAuto.environment, DockerAuto.credentialHelper)
 * ```
 * @since 0.2.0
 * @category credentials
 */
export const credentialHelper: Credentials.HelperRunner = (helper, serverAddress) =>
  Effect.flatMap(load(), (platform) => platform.credentialHelper(helper, serverAddress))
