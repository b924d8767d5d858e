/**
 * Starts the allow-list proxy (`effect-docker/proxy`) under the runtime it runs on (Node, Deno or Bun), twice, with
 * the read-only preset plus `ContainerAttach`: in front of the real daemon (`/var/run/docker.sock`) and in front of
 * the recording fake daemon at `PROXY_FAKE` (a unix socket). Prints one JSON line `{ runtime, real, fake }` (the
 * two base URLs) and serves until its stdin ends, then closes both; `proxy.test.ts` is the client.
 */
import * as Effect from "effect/Effect"
import * as Ops from "../../src/generated/operations.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as Proxy from "../../src/platform/proxy.ts"
import * as ProxyPolicy from "../../src/ProxyPolicy.ts"

interface Process {
  readonly env: Record<string, string | undefined>
  readonly stdin: { on: (event: "end", f: () => void) => void; resume: () => void }
}
const process = (globalThis as unknown as { process: Process }).process

const policy = [...ProxyPolicy.readOnly, Ops.ContainerAttach]

const program = Effect.scoped(Effect.gen(function*() {
  const real = yield* Proxy.serve({ policy, host: { _tag: "Unix", path: "/var/run/docker.sock" } })
  const fake = yield* Proxy.serve({ policy, host: { _tag: "Unix", path: process.env["PROXY_FAKE"]! } })
  console.log(JSON.stringify({ runtime: DockerAuto.runtime(), real: real.url, fake: fake.url }))
  yield* Effect.callback<void>((resume) => {
    process.stdin.on("end", () => resume(Effect.void))
    process.stdin.resume()
  })
}))

await Effect.runPromise(program)
console.log(JSON.stringify({ closed: true }))
