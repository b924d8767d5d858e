import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const readJson = (file: string) => JSON.parse(readFileSync(root + file, "utf8")) as { exports: Record<string, string> }

/** Bundles an entry for the browser and gives the project's own files in it, checked free of runtime APIs. */
const browserBundle = async (entry: string): Promise<ReadonlyArray<string>> => {
  const result = await esbuild.build({
    entryPoints: [root + entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    logLevel: "silent",
    metafile: true
  })
  expect(result.errors).toEqual([])
  const inputs = Object.keys(result.metafile.inputs)
  expect(inputs.filter((file) => file.startsWith("node:") || file.includes("platform-node"))).toEqual([])
  const own = inputs.filter((file) => !file.includes("node_modules"))
  for (const file of own) {
    expect(readFileSync(root + file, "utf8"), file).not.toMatch(/from "node:|\bDeno\.|\bBun\.|\bprocess\.env|\bBuffer\.from/)
  }
  return own
}

describe("packaging", () => {
  it("package.json and deno.json export the same sub-paths", () => {
    const npm = readJson("package.json").exports
    const deno = readJson("deno.json").exports
    expect(Object.keys(deno).sort()).toEqual(Object.keys(npm).sort())
    for (const key of Object.keys(npm)) expect(deno[key]).toBe(npm[key])
  })

  it("the browser-safe core bundles for the browser with no node:, Deno or Bun", async () => {
    const own = await browserBundle("mod.ts")
    expect(own).toContain("src/Docker.ts")
    expect(own.some((file) => file.startsWith("src/platform/"))).toBe(false)
  })

  it("the DVP client bundles for the browser on its own, needing nothing else of the SDK", async () => {
    const own = await browserBundle("src/Dvp.ts")
    expect([...own].sort()).toEqual([
      "src/Dvp.ts",
      "src/dvp/auth.ts",
      "src/dvp/client.ts",
      "src/dvp/decode.ts",
      "src/dvp/errors.ts",
      "src/dvp/internal/csv.ts",
      "src/dvp/internal/gzip.ts",
      "src/dvp/internal/http.ts",
      "src/dvp/internal/records.ts",
      "src/dvp/internal/stream.ts",
      "src/dvp/schemas.ts"
    ])
  })
})
