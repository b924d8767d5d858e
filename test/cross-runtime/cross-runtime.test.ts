/**
 * Runs `scenario.ts` under Node, Deno and Bun (each with its own transport, picked by `src/platform/auto.ts`)
 * against the real engine (Docker, or Podman with EFFECT_DOCKER_ENGINE=podman) and checks that the three outputs are
 * identical and right.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { ENGINE_HOST, isPodman } from "../support/engine.ts"
import { type Runtime, runtimeCommand } from "../support/runtimes.ts"
import { expected } from "./expected.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const scenario = "test/cross-runtime/scenario.ts"
const run = (runtime: Runtime) => {
  const [command, ...args] = runtimeCommand(runtime, scenario)
  const env = { ...process.env }
  delete env["DOCKER_HOST"]
  delete env["DOCKER_CONTEXT"]
  // Docker through the default socket (discovery), Podman through DOCKER_HOST
  if (isPodman) env["DOCKER_HOST"] = ENGINE_HOST
  const result = spawnSync(command, args, { cwd: root, env, encoding: "utf8", timeout: 120_000 })
  if (result.status !== 0) {
    throw new Error(`${runtime} failed (${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`)
  }
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { step: string; value: unknown })
}

describe("cross-runtime scenario", () => {
  it("gives identical, correct output on Node, Deno and Bun", { timeout: 400_000 }, () => {
    execFileSync("bash", [`${root}scripts/push-progress-image.sh`], { stdio: ["ignore", "pipe", "inherit"] })
    // one runtime at a time: each pulls (and removes) the same image
    const outputs = { node: run("node"), deno: run("deno"), bun: run("bun") }
    expect(outputs.node).toEqual(expected)
    expect(outputs.deno).toEqual(outputs.node)
    expect(outputs.bun).toEqual(outputs.node)
  })
})
