/**
 * Runs `cross-runtime.ts` (the DVP test server and client in one process) under Node, Deno and Bun and checks the
 * three outputs are identical and right.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type Runtime, runtimeCommand } from "../support/runtimes.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const scenario = "test/dvp/cross-runtime.ts"
const run = (runtime: Runtime) => {
  const [command, ...args] = runtimeCommand(runtime, scenario)
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 180_000 })
  if (result.status !== 0) {
    throw new Error(`${runtime} failed (${result.status ?? result.signal}):\n${result.stderr}\n${result.stdout}`)
  }
  return result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { step: string; value: any })
}

describe("DVP client on Node, Deno and Bun", () => {
  it("gives identical, correct output on the three runtimes", { timeout: 600_000 }, () => {
    const node = run("node")
    const value = (step: string) => node.find((line) => line.step === step)?.value
    expect(value("2fa login, namespaces")).toEqual({ namespaces: ["acme"] })
    expect(value("renewals")).toBe(2)
    expect(value("repos pulls")).toEqual({ repos: 120, requests: 3 })
    expect(value("429 then 503 then 200")).toEqual({ statuses: [429, 503, 200], waitedAtLeastRetryAfter: true })
    expect(value("large raw export").count).toBe(100_000)
    const byEncoding = value("gzip sniffing") as Record<string, unknown>
    const sniffed = Object.values(byEncoding)
    expect(sniffed.length).toBe(5)
    for (const s of sniffed) expect(s).toEqual(sniffed[0])
    const hostile = value("hostile files") as Record<string, any>
    expect(hostile["gzip-members"]).toEqual(byEncoding.plain)
    expect(hostile["zlib"]).toEqual(byEncoding.plain)
    expect(hostile["deflate-raw"]).toEqual({
      error: "DvpCsvError",
      message: "the data is not UTF-8 text, gzip or zlib (raw deflate and other compressions are not read)"
    })
    expect(hostile["wide-record"]).toEqual({ error: "DvpCsvError", message: "a record has more than 4096 fields" })
    expect(hostile["proto-columns"]).toEqual([[["__proto__", "a"], ["constructor", "b"], ["toString", "c"]]])
    expect(value("spec violations")).toEqual([])
    expect(node.length).toBe(23)
    expect(run("deno")).toEqual(node)
    expect(run("bun")).toEqual(node)
  })
})
