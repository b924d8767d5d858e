/**
 * Helpers of the streaming tests against the real engine: containers without networking (the tests never need
 * it, and it keeps them independent of the daemon's bridge), the docker CLI as an oracle, and process-level
 * resource readings (open file descriptors, RSS with a forced collection).
 */
import * as Effect from "effect/Effect"
import { execFile } from "node:child_process"
import { readdirSync } from "node:fs"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Containers, type Models } from "../../mod.ts"
import { ENGINE_HOST, TEST_IMAGE } from "../support/engine.ts"

export { DockerLive, TEST_IMAGE } from "../support/engine.ts"

/** A label on every container and image the streaming tests create, to find leftovers. */
export const LABEL = "effect-docker-streaming-test"

/** Creates a container (no network, test label) and removes it, forced, when the scope closes. */
export const container = (config: Omit<Models.ContainerCreateBody, "Image"> & { readonly Image?: string }) =>
  Effect.acquireRelease(
    Containers.create({
      Image: TEST_IMAGE,
      ...config,
      Labels: { [LABEL]: "1", ...config.Labels },
      HostConfig: { NetworkMode: "none", ...config.HostConfig }
    }).pipe(Effect.map((created) => created.Id)),
    (id) => Effect.ignore(Containers.remove(id, { force: true, v: true }))
  )

/** Runs the docker CLI against this run's engine; stdout and stderr are kept apart, as bytes. */
export const dockerCli = (args: ReadonlyArray<string>) =>
  Effect.callback<{ readonly stdout: Buffer; readonly stderr: Buffer; readonly code: number }>((resume) => {
    const options = {
      encoding: "buffer" as const,
      maxBuffer: 256 * 1024 * 1024,
      // the CLI talks to this run's engine: Podman's Docker-compatible API serves the docker CLI too
      env: { ...process.env, DOCKER_HOST: ENGINE_HOST }
    }
    const child = execFile("docker", [...args], options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resume(Effect.succeed({ stdout, stderr, code }))
    })
    return Effect.sync(() => {
      child.kill()
    })
  })

/** The number of open file descriptors of this process (sockets included). */
export const openFds = (): number => readdirSync("/proc/self/fd").length

let gcFunction: (() => void) | undefined

/** A full garbage collection (V8's `gc`, exposed at runtime). */
export const collectGarbage = (): void => {
  if (gcFunction === undefined) {
    setFlagsFromString("--expose-gc")
    gcFunction = runInNewContext("gc") as () => void
  }
  gcFunction()
}

/**
 * Samples the process RSS every `everyMs` after a full collection, while `effect` runs: the peak growth over the
 * RSS at the start, in bytes. Collecting first makes the reading about memory that is kept, not about garbage V8
 * has not collected yet.
 */
export const peakRssGrowth = <A, E, R>(effect: Effect.Effect<A, E, R>, everyMs = 100) =>
  Effect.gen(function*() {
    collectGarbage()
    const start = process.memoryUsage().rss
    let peak = start
    let peakWithoutCollection = start
    const timer = setInterval(() => {
      peakWithoutCollection = Math.max(peakWithoutCollection, process.memoryUsage().rss)
      collectGarbage()
      peak = Math.max(peak, process.memoryUsage().rss)
    }, everyMs)
    const result = yield* Effect.ensuring(effect, Effect.sync(() => clearInterval(timer)))
    return { result, growth: peak - start, growthWithoutCollection: peakWithoutCollection - start }
  })
