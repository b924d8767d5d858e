/**
 * Docs are tests: every ```ts block of README.md and docs/*.md, and every `@example` of mod.ts and src/, type-checks
 * against the package's entry points. `deno check --doc-only` checks them, with `effect-docker` and its sub-paths
 * mapped to the local sources by the `imports` of deno.json (the names an npm user writes; a JSR user maps
 * `effect-docker` to `jsr:@effect-docker/sdk` the same way).
 *
 * A block that is deliberately partial is fenced ```ts ignore, and is then skipped by name; every other ```ts block
 * must be one that deno checks (the test counts them), so nothing is skipped by accident.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

const walk = (dir: string): Array<string> =>
  readdirSync(root + dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`]
  )

const markdown = ["README.md", ...walk("docs").filter((file) => file.endsWith(".md"))].sort()
const sources = ["mod.ts", ...walk("src").filter((file) => file.endsWith(".ts"))].sort()

/** The languages a block may have besides `ts`, none of them TypeScript (`""` holds text quoted from the spec). */
const otherLanguages = new Set(["", "sh", "json", "text", "go", "yaml"])

interface Fence {
  readonly file: string
  readonly line: number
  readonly info: string
}

/** The opening fences of a file's code blocks (in a source file, those inside JSDoc comments). */
const fences = (file: string): Array<Fence> => {
  const lines = readFileSync(root + file, "utf8").split("\n")
  const prefix = file.endsWith(".md") ? /^\s*/ : /^\s*\*\s?/
  const result: Array<Fence> = []
  let open = false
  lines.forEach((text, index) => {
    const line = text.replace(prefix, "")
    if (!line.startsWith("```")) return
    if (!open) result.push({ file, line: index + 1, info: line.slice(3).trim() })
    open = !open
  })
  return result
}

const isChecked = (fence: Fence) => /^(ts|typescript)(\s|$)/.test(fence.info) && !/\bignore\b/.test(fence.info)

/** Runs deno's check of every block once: its exit status, output, the blocks it checked and its diagnostics. */
const check = (() => {
  let result: {
    readonly status: number | null
    readonly output: string
    readonly checked: ReadonlyArray<string>
    readonly diagnostics: ReadonlyArray<{ readonly file: string; readonly text: string }>
  }
  return () => {
    if (result !== undefined) return result
    const run = spawnSync(`${root}node_modules/.bin/deno`, ["check", "--doc-only", ...markdown, ...sources], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
      timeout: 300_000,
      maxBuffer: 64 * 1024 * 1024
    })
    const output = `${run.stdout}\n${run.stderr}`
    const checked = [...output.matchAll(/^Check (\S+#\d+-\d+\.\w+)$/gm)].map((match) => match[1]!)
    const diagnostics = output.split(/\n(?=TS\d+ \[ERROR\])/).filter((text) => /^TS\d+ \[ERROR\]/.test(text)).map(
      (text) => ({ file: /at file:\/\/([^#\s]+)#/.exec(text)?.[1]?.slice(root.length) ?? "?", text })
    )
    result = { status: run.status, output, checked, diagnostics }
    return result
  }
})()

describe("docs are tests", () => {
  it("every code block is TypeScript that deno checks, ```ts ignore, or a language that is not TypeScript", () => {
    const unknown = [...markdown, ...sources].flatMap(fences).filter((fence) =>
      !isChecked(fence) && !/^(ts|typescript)\s+ignore\b/.test(fence.info) &&
      !otherLanguages.has(fence.info.split(/\s/)[0]!)
    )
    expect(unknown).toEqual([])
  })

  it("deno check --doc-only passes over README.md, docs/ and the @example of every source file", () => {
    const { output, status } = check()
    expect({ status, output }).toMatchObject({ status: 0 })
  }, 300_000)

  it("checks every block that is not ignored, so none is skipped by accident", () => {
    const { checked } = check()
    for (const file of [...markdown, ...sources]) {
      const expected = fences(file).filter(isChecked).length
      expect(checked.filter((block) => block.startsWith(`${file}#`)).length, file).toBe(expected)
    }
    expect(checked.length).toBeGreaterThan(800)
  }, 300_000)

  it.each([...markdown, ...sources])("%s: its examples type-check", (file) => {
    const { diagnostics } = check()
    expect(diagnostics.filter((diagnostic) => diagnostic.file === file).map((diagnostic) => diagnostic.text))
      .toEqual([])
  }, 300_000)
})
