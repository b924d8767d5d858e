/**
 * docs/testing.md puts the runnable example next to the same test written with testcontainers-node and states how
 * many lines each takes. Here: the doc's first block and the README's are `examples/testing.test.ts` (with the
 * package's import paths), and the counts the doc states are the counts of its blocks (lines that are neither blank
 * nor only a comment, imports included).
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const read = (file: string) => readFileSync(root + file, "utf8")

/** The ```ts blocks of a markdown text, in order (`ignore` ones included). */
const blocks = (markdown: string): Array<string> =>
  [...markdown.matchAll(/^```ts[^\n]*\n([\s\S]*?)^```$/gm)].map((match) => match[1]!)

/** Lines that are neither blank nor only a comment (a line with code and a trailing comment counts). */
const codeLines = (code: string): number => {
  let inBlockComment = false
  let count = 0
  for (const raw of code.split("\n")) {
    const line = raw.trim()
    if (inBlockComment) {
      if (line.includes("*/")) inBlockComment = false
      continue
    }
    if (line === "" || line.startsWith("//")) continue
    if (line.startsWith("/*")) {
      inBlockComment = !line.includes("*/")
      continue
    }
    count++
  }
  return count
}

/** The example as a user writes it: without its file comment, importing the package by name. */
const example = (): string => {
  const source = read("examples/testing.test.ts")
  return source.slice(source.indexOf("import "))
    .replace(`"../mod.ts"`, `"effect-docker"`)
    .replace(`"../src/platform/node.ts"`, `"effect-docker/node"`)
}

describe("docs/testing.md", () => {
  const doc = read("docs/testing.md")
  const [ours, theirs] = blocks(doc.slice(doc.indexOf("## effect-docker\n")))

  it("shows examples/testing.test.ts, and so does the README", () => {
    expect(ours).toBe(example())
    const readme = read("README.md")
    expect(blocks(readme.slice(readme.indexOf("## Containers for tests")))[0]).toBe(example())
  })

  it("states the line counts of its two blocks", () => {
    const stated = /\*\*(\d+)\*\* for `Resources`, \*\*(\d+)\*\* for testcontainers-node/.exec(doc)
    expect(stated).not.toBeNull()
    expect([codeLines(ours!), codeLines(theirs!)]).toEqual([Number(stated![1]), Number(stated![2])])
    expect(codeLines(ours!)).toBeLessThan(codeLines(theirs!))
  })

  it("counts lines that are neither blank nor only a comment", () => {
    expect(codeLines("import x\n\n// note\n/* a\n b */\n/** c */\nconst y = 1 // trailing\n  \n}")).toBe(3)
  })
})
