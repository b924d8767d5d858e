/**
 * Reads of a hijacked connection follow the consumer, run by `back-pressure.test.ts` under Node, Deno and Bun with
 * each runtime's own transport: attaches through the test's fake daemon (`BACK_PRESSURE_SOCKET`), reads one frame,
 * then stops reading until the file `BACK_PRESSURE_GO` exists (the test creates it once the fake daemon's writes
 * have stalled, or once it wrote everything), then reads the rest. Prints one JSON line: the bytes received.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { existsSync } from "node:fs"
import * as Containers from "../../src/Containers.ts"
import * as DockerAuto from "../../src/platform/auto.ts"

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
const socket = env["BACK_PRESSURE_SOCKET"]!
const go = env["BACK_PRESSURE_GO"]!

const program = Effect.gen(function*() {
  const session = yield* Containers.attach("fake", { tty: false })
  let received = 0
  let first = true
  yield* session.output.pipe(
    Stream.runForEach((frame) =>
      Effect.gen(function*() {
        received += frame.payload.length
        if (first) {
          first = false
          yield* Effect.sync(() => existsSync(go)).pipe(
            Effect.repeat({ until: (exists) => exists, schedule: Schedule.spaced("20 millis") })
          )
        }
      })
    )
  )
  console.log(JSON.stringify({ received }))
})

await Effect.runPromise(
  program.pipe(Effect.scoped, Effect.provide(DockerAuto.layer({ host: `unix://${socket}`, apiVersion: "1.41" })))
)
