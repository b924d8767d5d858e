/**
 * A loop of sequential pings or inspects on Deno or Bun, the SDK on the runtime's own transport or the runtime's raw
 * `fetch`, for a CPU profile of the request path (as `bench/profile-requests.ts` does on Node):
 *
 *   deno run -A bench/profile-requests-runtimes.ts ping|inspect [sdk|raw]   # writes prof/deno-….cpuprofile
 *   bun --cpu-prof-md --cpu-prof-dir=prof bench/profile-requests-runtimes.ts ping|inspect [sdk|raw]
 *
 * Deno 2.9 has no `--cpu-prof` flag: on Deno the script profiles itself through `node:inspector` and prints the
 * functions with the most self time and the self time per origin (Effect, the SDK, Deno's own code, native).
 */
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs"
import * as process from "node:process"
import { Api } from "../mod.ts"
import * as DockerBun from "../src/platform/bun.ts"
import * as DockerDeno from "../src/platform/deno.ts"
import { createContainer, removeContainer, SOCKET } from "./request-rounds.ts"

interface DenoGlobal {
  createHttpClient(options: { proxy: { transport: "unix"; path: string } }): { close(): void }
}
const Deno = (globalThis as { Deno?: DenoGlobal }).Deno

const what = process.argv[2] ?? "ping"
const which = process.argv[3] ?? "sdk"
const N = 6000

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Self time per function and per origin, in % of the profile's samples (idle excluded). */
const summarizeProfile = (profile: Profile): void => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<ProfileNode, number>()
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!
    self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const busy = [...self].filter(([node]) => node.callFrame.functionName !== "(idle)")
  const total = busy.reduce((sum, [, t]) => sum + t, 0)
  const origin = (url: string) =>
    url.includes("/node_modules/effect/")
      ? "effect"
      : url.includes("/src/")
      ? "SDK"
      : url.startsWith("ext:") || url.startsWith("node:")
      ? "Deno runtime (ext:, node:)"
      : url === ""
      ? "native / GC / program"
      : "other"
  const grouped = new Map<string, number>()
  const byFunction = new Map<string, number>()
  for (const [node, t] of busy) {
    const { functionName, lineNumber, url } = node.callFrame
    grouped.set(origin(url), (grouped.get(origin(url)) ?? 0) + t)
    const key = `${functionName || "(anonymous)"} ${url.replace(/^.*\/(node_modules|src)\//, "$1/")}:${lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + t)
  }
  const percent = (t: number) => `${(t / total * 100).toFixed(1)}%`
  console.log(`busy ${(total / 1000).toFixed(0)} ms; self time by origin:`)
  for (const [name, t] of [...grouped].sort((a, b) => b[1] - a[1])) console.log(`  ${percent(t).padStart(6)} ${name}`)
  console.log("top functions by self time:")
  for (const [name, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${percent(t).padStart(6)} ${name}`)
  }
}

const denoClient = Deno?.createHttpClient({ proxy: { transport: "unix", path: SOCKET } })
const rawInit = Deno ? ({ client: denoClient } as RequestInit) : ({ unix: SOCKET } as RequestInit)
const rawGet = (path: string) => fetch(`http://localhost${path}`, rawInit).then((res) => res.text())
const runtime = ManagedRuntime.make(Deno ? DockerDeno.layer() : DockerBun.layer())
const id = createContainer()

const loop = async (n: number) => {
  if (which === "raw") {
    for (let i = 0; i < n; i++) {
      if (what === "ping") await rawGet("/v1.41/_ping")
      else JSON.parse(await rawGet(`/v1.41/containers/${id}/json`))
    }
  } else {
    await runtime.runPromise(Effect.gen(function*() {
      for (let i = 0; i < n; i++) {
        if (what === "ping") yield* Api.systemPing()
        else yield* Api.containerInspect({ id })
      }
    }))
  }
}

try {
  await loop(300)
  if (Deno === undefined) {
    const start = performance.now()
    await loop(N)
    console.log(`${which} ${what}: ${(N / (performance.now() - start) * 1000).toFixed(0)}/s`)
  } else {
    const inspector = await import("node:inspector")
    const session = new inspector.Session()
    session.connect()
    const post = (method: string) =>
      new Promise<any>((resolve, reject) =>
        session.post(method, {}, (error, result) => (error ? reject(error) : resolve(result)))
      )
    await post("Profiler.enable")
    await post("Profiler.start")
    const start = performance.now()
    await loop(N)
    const elapsed = performance.now() - start
    const { profile } = await post("Profiler.stop")
    session.disconnect()
    console.log(`${which} ${what}: ${(N / elapsed * 1000).toFixed(0)}/s`)
    fs.mkdirSync("prof", { recursive: true })
    const file = `prof/deno-${what}-${which}-${Date.now()}.cpuprofile`
    fs.writeFileSync(file, JSON.stringify(profile))
    console.log(`wrote ${file}`)
    summarizeProfile(profile)
  }
} finally {
  await runtime.dispose()
  denoClient?.close()
  removeContainer(id)
}
