/**
 * The JSR package: `deno publish --dry-run` (without `--allow-slow-types`) must pass, and the files it would publish
 * are the sources and the package's documents only. Runs offline: npm packages resolve from the local node_modules
 * (`nodeModulesDir: "manual"` in deno.json).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

interface DenoJson {
  readonly name: string
  readonly version: string
  readonly exports: Record<string, string>
  readonly imports: Record<string, string>
}

const denoJson = JSON.parse(readFileSync(root + "deno.json", "utf8")) as DenoJson

/** Runs `deno publish --dry-run` once and gives its exit status, its whole output and the files it lists. */
const dryRun = (() => {
  let result: { readonly status: number | null; readonly output: string; readonly files: ReadonlyArray<string> }
  return () => {
    if (result !== undefined) return result
    const run = spawnSync(`${root}node_modules/.bin/deno`, ["publish", "--dry-run", "--allow-dirty"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 180_000
    })
    const output = `${run.stdout}\n${run.stderr}`
    const files = [...output.matchAll(/^\s+file:\/\/(\S+) \(/gm)].map((match) => match[1]!.slice(root.length))
    result = { status: run.status, output, files }
    return result
  }
})()

describe("JSR package (deno.json)", () => {
  it("passes deno publish --dry-run without --allow-slow-types", () => {
    const { output, status } = dryRun()
    expect({ status, output }).toMatchObject({ status: 0 })
    expect(output).toContain(`Simulating publish of ${denoJson.name}@${denoJson.version}`)
    expect(output).toContain("Success Dry run complete")
    expect(output).toContain("Checking for slow types in the public API")
    expect(output).not.toMatch(/^(error|warning)\b/m)
  }, 180_000)

  it("publishes the sources and the package documents only: no tests, specs, scripts, benches or lock files", () => {
    const { files, output } = dryRun()
    expect(files.length, output).toBeGreaterThan(0)
    const allowed = (file: string) =>
      ["mod.ts", "deno.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(file) ||
      (file.startsWith("src/") && (file.endsWith(".ts") || file.endsWith(".md")))
    expect(files.filter((file) => !allowed(file))).toEqual([])
    expect(files.filter((file) => /\.(test|spec|bench)\.ts$|(^|\/)(test|spec|scripts|bench)\/|\.lock$/.test(file)))
      .toEqual([])
    for (const target of Object.values(denoJson.exports)) expect(files).toContain(target.replace(/^\.\//, ""))
    expect(files).toContain("src/generated/schemas.ts")
  }, 180_000)

  it("maps effect-docker and each of its sub-paths to the file JSR exports under the same sub-path", () => {
    const selfImports = Object.entries(denoJson.imports).filter(([key]) => key.split("/")[0] === "effect-docker")
    const mapped = Object.fromEntries(selfImports.map(([key, file]) => [key.replace(/^effect-docker/, "."), file]))
    expect(mapped).toEqual(denoJson.exports)
  })
})
