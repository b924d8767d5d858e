/**
 * A loop of 6,000 sequential pings or inspects for a CPU profile of the request path:
 *
 *   node --cpu-prof --cpu-prof-dir=prof bench/profile-requests.ts ping|inspect [sdk|raw]
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { execFileSync } from "node:child_process"
import * as http from "node:http"
import { Api } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"
import { getText } from "./rawHttp.ts"

const what = process.argv[2] ?? "ping"
const client = process.argv[3] ?? "sdk"
const N = 6000
const id = execFileSync("docker", ["create", "effect-docker/busybox:latest", "true"], { encoding: "utf8" }).trim()
const agent = new http.Agent({ keepAlive: true, socketPath: "/var/run/docker.sock" } as http.AgentOptions)
const rawGet = (path: string) => getText({ agent, path, host: "localhost" })
const runtime = ManagedRuntime.make(DockerNode.layer())
await runtime.runPromise(Api.systemPing())
const start = performance.now()
if (client === "raw") {
  for (let i = 0; i < N; i++) {
    if (what === "ping") await rawGet("/v1.41/_ping")
    else JSON.parse(await rawGet(`/v1.41/containers/${id}/json`))
  }
} else {
  await runtime.runPromise(Effect.gen(function*() {
    for (let i = 0; i < N; i++) {
      if (what === "ping") yield* Api.systemPing()
      else yield* Api.containerInspect({ id })
    }
  }))
}
const cpu = process.cpuUsage()
console.log(
  `${client} ${what}: ${(N / (performance.now() - start) * 1000).toFixed(0)}/s, ${
    ((cpu.user + cpu.system) / N).toFixed(0)
  } µs CPU per call (whole process)`
)
await runtime.dispose()
agent.destroy()
execFileSync("docker", ["rm", "-f", id])
