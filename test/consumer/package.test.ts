/**
 * The packed tarball: what it holds, and that plain Node 24 loads every sub-path of it with no loader (ES modules and
 * require), without adding globals, with `effect-docker/internal/*` closed.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { type Artifact, artifact, bin, runIn } from "./artifact.ts"

let packed: Artifact
const installed = (path: string) => join(packed.app, "node_modules/effect-docker", path)

describe("the packed tarball", () => {
  it("is made once for the current sources", async () => {
    packed = await artifact()
    expect(packed.tarball).toMatch(/effect-docker-\d+\.\d+\.\d+\.tgz$/)
  }, 180_000)

  it("holds the build, the sources its maps point at, README, LICENSE, CHANGELOG and package.json only", () => {
    const top = new Set(packed.files.map((file) => file.split("/")[0]))
    expect([...top].sort()).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "dist", "mod.ts", "package.json", "src"])
    expect(packed.files.filter((file) => file.endsWith(".tgz"))).toEqual([])
    expect(packed.files.filter((file) => file.startsWith("src/") && !file.endsWith(".ts"))).toEqual([])
    for (const file of ["dist/mod.js", "dist/mod.d.ts", "dist/mod.js.map", "dist/mod.d.ts.map"]) {
      expect(packed.files).toContain(file)
    }
    // every compiled module comes with its declarations and both maps
    for (const js of packed.files.filter((file) => file.startsWith("dist/") && file.endsWith(".js"))) {
      const base = js.slice(0, -3)
      expect(packed.files, js).toEqual(expect.arrayContaining([`${js}.map`, `${base}.d.ts`, `${base}.d.ts.map`]))
    }
  })

  it("every source map and declaration map points at a source in the tarball; declarations import .js", () => {
    const maps = packed.files.filter((file) => file.endsWith(".map"))
    expect(maps.length).toBeGreaterThan(100)
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(installed(map), "utf8")) as { sources: Array<string> }
      const dir = map.split("/").slice(0, -1)
      for (const source of sources) {
        const resolved = join(...dir, source)
        expect(packed.files, `${map} → ${source}`).toContain(resolved)
      }
    }
    for (const dts of packed.files.filter((file) => file.endsWith(".d.ts"))) {
      expect(readFileSync(installed(dts), "utf8"), dts).not.toMatch(/from "\.\.?\/[^"]*\.ts"|import\("\.[^"]*\.ts"\)/)
    }
  })

  it("the compiled modules keep every pure annotation of the sources (bundlers need them to drop unused code)", () => {
    const pure = /\/\*\s*[#@]__PURE__\s*\*\//g
    for (const js of packed.files.filter((file) => file.startsWith("dist/") && file.endsWith(".js"))) {
      const source = js.replace(/^dist\//, "").replace(/\.js$/, ".ts")
      const count = (file: string) => readFileSync(installed(file), "utf8").match(pure)?.length ?? 0
      expect(count(js), js).toBe(count(source))
    }
  })

  it("plain Node 24 imports every sub-path with no loader, adds no globals, keeps internal/* closed", () => {
    const result = JSON.parse(runIn(packed.app, bin("node"), ["imports.mjs"])) as {
      loaded: Array<{ specifier: string; exports: number; url: string }>
      added: Array<string>
      internal: string
    }
    const manifest = JSON.parse(readFileSync(installed("package.json"), "utf8")) as { exports: Record<string, unknown> }
    expect(result.loaded.length).toBe(Object.keys(manifest.exports).length - 2)
    for (const { specifier, exports, url } of result.loaded) {
      expect(exports, specifier).toBeGreaterThan(0)
      expect(url, specifier).toMatch(/\/node_modules\/effect-docker\/dist\/.*\.js$/)
    }
    expect(result.added).toEqual([])
    expect(result.internal).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })

  it("CommonJS loads it with require()", () => {
    expect(JSON.parse(runIn(packed.app, bin("node"), ["require.cjs"]))).toEqual({
      systemPing: "function",
      NotFound: "function",
      layer: "function"
    })
  })
})
