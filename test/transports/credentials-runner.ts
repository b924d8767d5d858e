/**
 * A program as a new user writes it, run under Node, Deno and Bun by `credentials.test.ts` on `effect-docker/auto`
 * with the environment's `DOCKER_CONFIG` (set by the test: `auths`, `credHelpers` or `credsStore`). Prints one JSON
 * line.
 *
 * - `CRED_MODE=pull`: pulls `CRED_IMAGE` from the registry that needs a login with no credentials in code, then
 *   again with resolution turned off (`Credentials.layerNone`), which the registry refuses.
 * - `CRED_MODE=start`: starts a container detached (`Run.start`) and exits, leaving it running.
 */
import * as Effect from "effect/Effect"
import * as Credentials from "../../src/Credentials.ts"
import type * as Docker from "../../src/Docker.ts"
import * as Images from "../../src/Images.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as Run from "../../src/Run.ts"

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env
const image = env["CRED_IMAGE"]!

const pull = Effect.gen(function*() {
  yield* Effect.ignore(Images.remove(image, { force: true }))
  const pulled = yield* Images.pull(image)
  yield* Effect.ignore(Images.remove(image, { force: true }))
  const without = yield* Images.pull(image).pipe(
    Effect.provide(Credentials.layerNone),
    Effect.flip,
    Effect.map((error) => error._tag)
  )
  return { status: pulled.status?.replace(/ for .*/, ""), without }
})

const start = Effect.map(
  Run.start({
    image,
    cmd: ["sleep", "300"],
    Labels: { "effect-docker-test": "1" },
    HostConfig: { NetworkMode: "none" }
  }),
  (id) => ({ id })
)

const program = Effect.gen(function*(): Effect.fn.Return<object, unknown, Docker.Docker> {
  return env["CRED_MODE"] === "start" ? yield* start : yield* pull
})

console.log(JSON.stringify(await Effect.runPromise(Effect.provide(program, DockerAuto.layerFromEnv))))
