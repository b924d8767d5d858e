/**
 * TypeScript consumers of the installed package, each with its own tsconfig, compiled by tsc from node_modules with
 * `skipLibCheck: false`: NodeNext and Bundler resolution, each strict and loose (`strict: false`, `lib: ES2020`,
 * `noPropertyAccessFromIndexSignature`). The SDK must reach them only as declarations. A library with
 * `declaration: true` exporting helpers with inferred types must emit its declarations, naming the SDK's types
 * through its public sub-paths.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Artifact, artifact, bin, runIn } from "./artifact.ts"

let packed: Artifact

/** The files of the SDK in a consumer's program, from `tsc --listFilesOnly`. */
const sdkFiles = (project: string): Array<string> =>
  runIn(packed.app, bin("tsc"), ["-p", project, "--listFilesOnly"])
    .split("\n")
    .filter((file) => file.includes("/node_modules/effect-docker/"))

describe("TypeScript consumers of the installed package", () => {
  beforeAll(async () => {
    packed = await artifact()
  }, 180_000)

  for (const project of ["ts-nodenext-strict", "ts-bundler-strict", "ts-nodenext-loose", "ts-bundler-loose"]) {
    it(`${project}: 0 errors, the SDK seen only through .d.ts files`, () => {
      const files = sdkFiles(project)
      expect(files.some((file) => file.endsWith("/effect-docker/dist/mod.d.ts"))).toBe(true)
      expect(files.filter((file) => !file.endsWith(".d.ts"))).toEqual([])
      expect(runIn(packed.app, bin("tsc"), ["-p", project]).trim()).toBe("")
    })
  }

  it("a library with declaration: true re-exports inferred helpers (scoped container, log stream, attach)", () => {
    const out = mkdtempSync(join(tmpdir(), "effect-docker-lib-"))
    try {
      expect(sdkFiles("lib").filter((file) => !file.endsWith(".d.ts"))).toEqual([])
      expect(runIn(packed.app, bin("tsc"), ["-p", "lib", "--outDir", out]).trim()).toBe("")
      const declarations = readFileSync(join(out, "index.d.ts"), "utf8")
      for (const name of ["scopedContainer", "scopedCreate", "follow", "head", "runOnce", "inspectAll", "attachTo"]) {
        expect(declarations).toContain(`export declare const ${name}:`)
      }
      // the SDK's types are named through its public sub-paths, never through files inside the package
      expect(declarations).toContain(`import("effect-docker/Docker").Docker`)
      expect(declarations).not.toMatch(/node_modules|effect-docker\/(dist|src|internal)/)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
