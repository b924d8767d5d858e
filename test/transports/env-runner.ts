/**
 * Resolves the configuration from the real environment with the runtime's own reader (`DOCKER_CONFIG`,
 * `DOCKER_CONTEXT`, … set by `env.test.ts`) and pings the daemon through `layerFromEnv`. Prints one JSON line.
 */
import * as Effect from "effect/Effect"
import * as Docker from "../../src/Docker.ts"
import * as DockerEnv from "../../src/DockerEnv.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as DockerAuto from "../../src/platform/auto.ts"

const platform: { readonly environment: Effect.Effect<DockerEnv.Environment> } = await (DockerAuto.runtime() === "deno"
  ? import("../../src/platform/deno.ts")
  : DockerAuto.runtime() === "bun"
  ? import("../../src/platform/bun.ts")
  : import("../../src/platform/node.ts"))

const program = Effect.gen(function*() {
  const resolved = yield* Effect.flatMap(platform.environment, DockerEnv.resolve)
  const ping = yield* Docker.call(Ops.SystemPing)().pipe(Effect.provide(DockerAuto.layerFromEnv))
  const version = yield* Docker.Docker.use((docker) => docker.apiVersion).pipe(Effect.provide(DockerAuto.layerFromEnv))
  return { context: resolved.context, source: resolved.source, host: resolved.host, ping, version }
})

console.log(JSON.stringify(
  await Effect.runPromise(program.pipe(
    Effect.catch((error) => Effect.succeed({ error: error._tag, message: error.message }))
  ))
))
