/**
 * Pulls `CRED_IMAGE` from the registry that needs a login, with credentials found by the runtime's own credential
 * helper runner (`DOCKER_CONFIG` names `docker-credential-testhelper`, which the test puts on PATH); then without
 * credentials. Prints one JSON line; run under Node, Deno and Bun by `credentials.test.ts`.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Credentials from "../../src/Credentials.ts"
import * as Docker from "../../src/Docker.ts"
import type * as DockerEnv from "../../src/DockerEnv.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as Ops from "../../src/generated/operations.ts"

const image = (globalThis as unknown as { process: { env: Record<string, string> } }).process.env["CRED_IMAGE"]!
const [repo, tag] = [image.slice(0, image.lastIndexOf(":")), image.slice(image.lastIndexOf(":") + 1)]

interface Platform {
  readonly environment: Effect.Effect<DockerEnv.Environment>
  readonly credentialHelper: Credentials.HelperRunner
}
const platform: Platform = await (DockerAuto.runtime() === "deno"
  ? import("../../src/platform/deno.ts")
  : DockerAuto.runtime() === "bun"
  ? import("../../src/platform/bun.ts")
  : import("../../src/platform/node.ts"))

const pull = (header: Redacted.Redacted<string> | undefined) =>
  Stream.runCollect(Docker.call(Ops.ImageCreate)({
    fromImage: repo,
    tag,
    ...(header === undefined ? {} : { "X-Registry-Auth": Redacted.value(header) })
  })).pipe(
    Effect.map((events) => ({ ok: true, last: (events.at(-1)?.status ?? "").replace(/ for .*/, "") })),
    Effect.catch((error) => Effect.succeed({ ok: false, tag: error._tag }))
  )

const program = Effect.gen(function*() {
  yield* Effect.ignore(Docker.call(Ops.ImageDelete)({ name: image, force: true }))
  const credentials = yield* Credentials.Credentials
  const auth = yield* credentials.get("127.0.0.1:5001")
  const header = yield* credentials.authHeader(image)
  const withCredentials = yield* pull(header)
  yield* Effect.ignore(Docker.call(Ops.ImageDelete)({ name: image, force: true }))
  const without = yield* pull(undefined)
  console.log(JSON.stringify({ username: auth?.username, withCredentials, without }))
}).pipe(
  Effect.provide(Credentials.layerFromEnvironment(platform.environment, platform.credentialHelper)),
  Effect.provide(DockerAuto.layer())
)

await Effect.runPromise(program)
