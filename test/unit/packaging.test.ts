import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const readJson = (file: string) => JSON.parse(readFileSync(root + file, "utf8")) as { exports: Record<string, string> }

describe("packaging", () => {
  it("package.json and deno.json export the same sub-paths", () => {
    const npm = readJson("package.json").exports
    const deno = readJson("deno.json").exports
    expect(Object.keys(deno).sort()).toEqual(Object.keys(npm).sort())
    for (const key of Object.keys(npm)) expect(deno[key]).toBe(npm[key])
  })

  it("the browser-safe core bundles for the browser with no node:, Deno or Bun", async () => {
    const result = await esbuild.build({
      entryPoints: [root + "mod.ts"],
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
    const ownSources = inputs.filter((file) => !file.includes("node_modules"))
    expect(ownSources.length).toBeGreaterThan(5)
    for (const file of ownSources) {
      const text = readFileSync(root + file, "utf8")
      expect(text, file).not.toMatch(/from "node:|\bDeno\.|\bBun\./)
    }
  })
})
