/**
 * The seed example, `docker run busybox echo hello world`, with the SDK against the local engine: the image is
 * pulled from the local registry (127.0.0.1:5000, filled by scripts/engine.sh) with a progress bar, then run with
 * `Run.run` — create, attach, start, wait, remove — and its output printed.
 *
 *   npm run demo
 */
import * as Effect from "effect/Effect"
import { Images, Progress, Run } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"

const image = process.env["DEMO_IMAGE"] ?? "127.0.0.1:5000/effect-docker/busybox:demo"

const program = Effect.gen(function*() {
  // Start from a clean slate so the pull really transfers the layers.
  yield* Effect.ignore(Images.remove(image, { force: true }))
  const draw = Progress.drawer((text) => process.stderr.write(text), { tty: process.stderr.isTTY === true })
  const pulled = yield* Images.pull(image, { onProgress: (progress) => Effect.sync(() => draw(progress)) })
  process.stderr.write(`pulled ${image} (${pulled.digest ?? "no digest"})\n`)
  const result = yield* Run.run({ image, cmd: ["echo", "hello world"] })
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  return result.exitCode
})

const exitCode = await Effect.runPromise(program.pipe(Effect.provide(DockerNode.layerFromEnv)))
process.exitCode = exitCode
