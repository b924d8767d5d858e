/**
 * The seed example, `docker run busybox echo hello world`, with the SDK against the local engine: create a
 * container from the offline test image, start it, wait for it, print its output, remove it.
 *
 *   npm run demo
 */
import * as Effect from "effect/Effect"
import { Containers } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"

const image = process.env["DEMO_IMAGE"] ?? "effect-docker/busybox:latest"

const program = Effect.gen(function*() {
  const { Id } = yield* Containers.create({ Image: image, Cmd: ["echo", "hello world"] })
  return yield* Effect.gen(function*() {
    yield* Containers.start(Id)
    const { StatusCode } = yield* Containers.wait(Id)
    const { stdout, stderr } = yield* Containers.logsText(Id)
    process.stdout.write(stdout)
    process.stderr.write(stderr)
    return StatusCode
  }).pipe(Effect.ensuring(Effect.ignore(Containers.remove(Id, { force: true }))))
})

const exitCode = await Effect.runPromise(program.pipe(Effect.provide(DockerNode.layerFromEnv)))
process.exitCode = Number(exitCode)
