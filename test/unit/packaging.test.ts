import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const readJson = <A>(file: string) => JSON.parse(readFileSync(root + file, "utf8")) as A

type Conditions = { readonly types: string; readonly default: string }
const npm = readJson<{ exports: Record<string, Conditions | string | null>; files: ReadonlyArray<string> }>(
  "package.json"
)
const deno = readJson<{ exports: Record<string, string> }>("deno.json")

/** The entry points both registries publish. */
const entryPoints = [".", "./node", "./deno", "./bun", "./fetch", "./auto", "./dvp", "./proxy"]

/** Where the npm build writes a source file: `./src/Docker.ts` → `./dist/src/Docker` (then `.js` / `.d.ts`). */
const distOf = (source: string) => source.replace(/^\.\//, "./dist/").replace(/\.ts$/, "")
/** The source a dist file was compiled from: `./dist/src/Docker.js` → `./src/Docker.ts`. */
const sourceOf = (dist: string) => dist.replace(/^\.\/dist\//, "./").replace(/\.(d\.ts|js)$/, ".ts")

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
    expect(readFileSync(root + file, "utf8"), file).not.toMatch(
      /from "node:|\bDeno\.|\bBun\.|\bprocess\.env|\bBuffer\.from/
    )
  }
  return own
}

describe("packaging", () => {
  // The rule between the two registries: every sub-path of deno.json is in package.json, pointing at the build of the
  // same source (types and default); the entry points are in both. package.json may add one sub-path per public
  // module (`./Containers`, …: npm consumers need them to name types in emitted declarations); deno.json may list
  // them too, and then they must agree.
  it("every deno.json sub-path is a package.json sub-path built from the same source", () => {
    for (const key of entryPoints) expect(Object.keys(deno.exports)).toContain(key)
    for (const [key, source] of Object.entries(deno.exports)) {
      expect(npm.exports[key], key).toEqual({ types: `${distOf(source)}.d.ts`, default: `${distOf(source)}.js` })
    }
  })

  it("package.json: types and default for every sub-path, from an existing source; internal closed", () => {
    for (const [key, target] of Object.entries(npm.exports)) {
      if (key === "./internal/*") {
        expect(target).toBeNull()
        continue
      }
      if (key === "./package.json") {
        expect(target).toBe("./package.json")
        continue
      }
      const conditions = target as Conditions
      expect(Object.keys(conditions), key).toEqual(["types", "default"])
      expect(conditions.types, key).toMatch(/^\.\/dist\/.*\.d\.ts$/)
      expect(sourceOf(conditions.default), key).toBe(sourceOf(conditions.types))
      expect(existsSync(root + sourceOf(conditions.types)), key).toBe(true)
      // a per-module sub-path is named after its module
      if (!entryPoints.includes(key)) expect(key).toMatch(/^\.\/[A-Z]\w*$/)
    }
  })

  it("every public module (each src/*.ts and the generated Api, Models, Operations) has a sub-path", () => {
    const reachable = new Set(
      Object.values(npm.exports).flatMap((t) => (t !== null && typeof t === "object" ? [sourceOf(t.types)] : []))
    )
    const modules = readdirSync(root + "src").filter((file) => file.endsWith(".ts")).map((file) => `./src/${file}`)
    for (const module of modules) expect(reachable.has(module), module).toBe(true)
    for (const name of ["Api", "Models", "Operations"]) expect(Object.keys(npm.exports)).toContain(`./${name}`)
    // and the root barrel re-exports each of them under the same name
    const barrel = readFileSync(root + "mod.ts", "utf8")
    for (const key of Object.keys(npm.exports).filter((k) => /^\.\/[A-Z]/.test(k))) {
      expect(barrel, key).toContain(`export * as ${key.slice(2)} from `)
    }
  })

  it("files ships the build, the sources its maps point at and the docs, nothing else", () => {
    expect(npm.files).toEqual(["dist", "src/**/*.ts", "mod.ts", "CHANGELOG.md"])
  })

  it("the browser-safe core bundles for the browser with no node:, Deno or Bun", async () => {
    const own = await browserBundle("mod.ts")
    expect(own).toContain("src/Docker.ts")
    expect(own.some((file) => file.startsWith("src/platform/"))).toBe(false)
    // the DVP client is only at effect-docker/dvp
    expect(own.filter((file) => file === "src/Dvp.ts" || file.startsWith("src/dvp/"))).toEqual([])
  })

  it("the DVP client bundles for the browser on its own, needing nothing else of the SDK", async () => {
    const own = await browserBundle("src/Dvp.ts")
    expect([...own].sort()).toEqual([
      "src/Dvp.ts",
      "src/dvp/internal/auth.ts",
      "src/dvp/internal/client.ts",
      "src/dvp/internal/csv.ts",
      "src/dvp/internal/decode.ts",
      "src/dvp/internal/errors.ts",
      "src/dvp/internal/gzip.ts",
      "src/dvp/internal/http.ts",
      "src/dvp/internal/records.ts",
      "src/dvp/internal/schemas.ts",
      "src/dvp/internal/stream.ts"
    ])
  })
})
