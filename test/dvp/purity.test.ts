/** The DVP client is part of the browser-safe core: it bundles for the browser with nothing platform-specific. */
import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("DVP core purity", () => {
  it("src/Dvp.ts bundles for the browser with no node:, Deno or Bun", async () => {
    const result = await esbuild.build({
      entryPoints: [root + "src/Dvp.ts"],
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
    expect(own.sort()).toEqual([
      "src/Dvp.ts",
      "src/dvp/auth.ts",
      "src/dvp/client.ts",
      "src/dvp/decode.ts",
      "src/dvp/errors.ts",
      "src/dvp/internal/csv.ts",
      "src/dvp/internal/http.ts",
      "src/dvp/internal/records.ts",
      "src/dvp/internal/stream.ts",
      "src/dvp/schemas.ts"
    ])
    for (const file of own) {
      expect(readFileSync(root + file, "utf8"), file).not.toMatch(/from "node:|\bDeno\b|\bBun\b|\bprocess\.|\bBuffer\b/)
    }
  })
})
