/**
 * Closing stdin on a hijacked connection half-closes it, and every byte written afterwards arrives: runs
 * `half-close-runner.ts` under Node, Deno and Bun (each with its own transport) against the real engine.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { root, type Runtime, runtimeCommand } from "../support/runtimes.ts"

const runner = "test/cross-runtime/half-close-runner.ts"

interface CaseResult {
  readonly stdoutLength: number
  readonly expectedLength: number
  readonly identical: boolean
  readonly firstDifference: number
  readonly stderr: string
  readonly exitCode: number
}

const run = (runtime: Runtime) =>
  new Promise<Record<string, CaseResult>>((resolve, reject) => {
    const [command, ...args] = runtimeCommand(runtime, runner)
    const env = { ...process.env }
    delete env["DOCKER_HOST"]
    delete env["DOCKER_CONTEXT"]
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text))
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text))
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (code !== 0) return reject(new Error(`${runtime} failed (${code ?? signal}):\n${stderr}\n${stdout}`))
      const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as { step: string; value: CaseResult })
      resolve(Object.fromEntries(lines.map(({ step, value }) => [step, value])))
    })
  })

const success = (length: number): CaseResult => ({
  stdoutLength: length,
  expectedLength: length,
  identical: true,
  firstDifference: -1,
  stderr: "",
  exitCode: 0
})

describe("hijacked connections after the end of stdin", () => {
  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: 1 MiB through cat, then 'cat; echo done' by exec and by attach, byte for byte`, {
      timeout: 150_000
    }, async () => {
      const results = await run(runtime)
      expect(results).toEqual({
        "exec-cat": success(1024 * 1024),
        "exec-sh": success(14 * 20_000 + 5),
        "attach-sh": success(14 * 20_000 + 5)
      })
    })
  }
})
