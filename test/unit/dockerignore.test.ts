import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as Ignore from "../../src/internal/dockerignore.ts"

/**
 * A straightforward reference of the pattern rules, by backtracking over characters: `*` any run without `/`,
 * `?` one character but `/`, `**` any number of whole folders (`**` at the end: anything), the rest literal; a
 * pattern with no wildcard compares exactly, and `**rest` with no wildcard in `rest` compares a suffix (the CLI's
 * shortcut: `**a` matches `ba`).
 */
const reference = (pattern: string, path: string): boolean => {
  if (!/[*?]/.test(pattern)) return path === pattern
  if (pattern.startsWith("**") && !/[*?]/.test(pattern.slice(2))) {
    const suffix = pattern.slice(2)
    return path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1))
  }
  const go = (p: ReadonlyArray<string>, s: ReadonlyArray<string>): boolean => {
    if (p.length === 0) return s.length === 0
    if (p[0] === "*" && p[1] === "*") {
      let rest = p.slice(2)
      if (rest[0] === "/") rest = rest.slice(1)
      if (rest.length === 0) return true
      if (go(rest, s)) return true
      return s.some((c, k) => c === "/" && go(rest, s.slice(k + 1)))
    }
    if (p[0] === "*") {
      for (let k = 0;; k++) {
        if (go(p.slice(1), s.slice(k))) return true
        if (k === s.length || s[k] === "/") return false
      }
    }
    if (p[0] === "?") return s.length > 0 && s[0] !== "/" && go(p.slice(1), s.slice(1))
    return s.length > 0 && s[0] === p[0] && go(p.slice(1), s.slice(1))
  }
  return go(Array.from(pattern), Array.from(path))
}

const segment = (alphabet: ReadonlyArray<string>) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(""))
    .filter((s) => s !== "." && s !== "..")
const patternArb = fc.array(segment(["a", "b", "é", ".", "*", "?"]), { minLength: 1, maxLength: 4 }).map((s) =>
  s.join("/")
)
const pathArb = fc.array(segment(["a", "b", "é", "."]), { minLength: 1, maxLength: 5 }).map((s) => s.join("/"))

describe(".dockerignore rules", () => {
  it("property: a compiled pattern agrees with the reference matcher (seed 16, 2,000 runs)", () => {
    fc.assert(
      fc.property(patternArb, pathArb, (pattern, path) => {
        expect(Ignore.compile(pattern).matches(path)).toBe(reference(pattern, path))
      }),
      { seed: 16, numRuns: 2000 }
    )
  })

  it("property: a leading `/` or `./` and inner `./` do not change what a line excludes (seed 17, 1,000 runs)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), patternArb), { minLength: 1, maxLength: 4 }),
        pathArb,
        (lines, path) => {
          const text = (prefix: string) => lines.map(([not, p]) => `${not ? "!" : ""}${prefix}${p.replace("/", "/./")}`)
          const plain = Ignore.excludes(
            Ignore.matcher(Ignore.parse(lines.map(([n, p]) => `${n ? "!" : ""}${p}`).join("\n"))),
            path
          )
          for (const prefix of ["/", "./", "  "]) {
            expect(Ignore.excludes(Ignore.matcher(Ignore.parse(text(prefix).join("\n"))), path)).toBe(plain)
          }
        }
      ),
      { seed: 17, numRuns: 1000 }
    )
  })

  it("reads the file as the CLI does: BOM, comments, blank lines, trimming, cleaning, `!`", () => {
    expect(Ignore.parse("\uFEFF# c\n\n  a/../b  \r\n! /c/\n/\n!./d\n #not a comment\n")).toEqual([
      "b",
      "!c",
      "/",
      "!d",
      "#not a comment"
    ])
  })

  it("escapes, classes and characters that are special in regular expressions", () => {
    expect(Ignore.compile("a\\[b].txt").matches("a[b].txt")).toBe(true)
    expect(Ignore.compile("a[b].txt").matches("ab.txt")).toBe(true)
    expect(Ignore.compile("a[b].txt").matches("a[b].txt")).toBe(false)
    expect(Ignore.compile("[^a-c]x").matches("dx")).toBe(true)
    expect(Ignore.compile("[^a-c]x").matches("bx")).toBe(false)
    expect(Ignore.compile("[a\\-c]").matches("-")).toBe(true)
    expect(Ignore.compile("f(1)+{2}|$.txt*").matches("f(1)+{2}|$.txt~")).toBe(true)
    expect(Ignore.compile("*.txt").matches("a/b.txt")).toBe(false)
    expect(Ignore.compile("**/*.txt").matches("b.txt")).toBe(true)
    expect(Ignore.compile("**").matches("any/thing")).toBe(true)
    expect(Ignore.compile("??").matches("日本")).toBe(true)
  })

  it("`*`, `?` and `**` inside a class end it early, as in the CLI's Go regular expression", () => {
    // `[a*]` is the Go expression `[a[^/]*]`: any run of `a`, `[`, `^` or `/` (crossing folders), then `]`.
    const star = Ignore.compile("[a*]")
    for (const path of ["]", "a]", "aa]", "[]", "a[/a]"]) expect(star.matches(path), path).toBe(true)
    for (const path of ["a", "b]", "a?]", "a["]) expect(star.matches(path), path).toBe(false)
    // `[a?]` is `[a[^/]]`: one of `a`, `[`, `^`, `/`, then `]`.
    const question = Ignore.compile("[a?]")
    for (const path of ["a]", "[]", "^]"]) expect(question.matches(path), path).toBe(true)
    for (const path of ["a", "?", "]", "aa]", "b]"]) expect(question.matches(path), path).toBe(false)
    const negated = Ignore.compile("[^?]")
    for (const path of ["a]", "b]", "(]"]) expect(negated.matches(path), path).toBe(true)
    for (const path of ["[]", "]", "a"]) expect(negated.matches(path), path).toBe(false)
    // `[**]` is `[(.*/)?]`: one of those six characters.
    const double = Ignore.compile("[**]")
    for (const path of ["(", "*", "?", ".", ")"]) expect(double.matches(path), path).toBe(true)
    for (const path of ["a", "**", "(*"]) expect(double.matches(path), path).toBe(false)
    // `[*[]` leaves `[]` open in the Go expression: the CLI refuses it.
    expect(() => Ignore.compile("[*[]")).toThrow(Ignore.BadPattern)
  })

  it("`\\` before a letter or digit means what it means in Go's regular expressions", () => {
    expect(Ignore.compile("x\\a").matches("x\u0007")).toBe(true)
    expect(Ignore.compile("x\\a").matches("xa")).toBe(false)
    expect(Ignore.compile("x\\t").matches("x\t")).toBe(true)
    expect(Ignore.compile("x\\d").matches("x7")).toBe(true)
    expect(Ignore.compile("x\\d").matches("xd")).toBe(false)
    expect(Ignore.compile("x\\D").matches("xd")).toBe(true)
    expect(Ignore.compile("x\\w").matches("x_")).toBe(true)
    expect(Ignore.compile("x\\s").matches("x ")).toBe(true)
    expect(Ignore.compile("x\\s").matches("x\u00a0")).toBe(false)
    expect(Ignore.compile("x\\S").matches("x\u00a0")).toBe(true)
    expect(Ignore.compile("x\\141").matches("xa")).toBe(true)
    expect(Ignore.compile("x\\x61").matches("xa")).toBe(true)
    expect(Ignore.compile("x\\0").matches("x\u0000")).toBe(true)
    expect(Ignore.compile("[\\d]").matches("5")).toBe(true)
    expect(Ignore.compile("[\\a]").matches("\u0007")).toBe(true)
    // Assertions: `x\b` matches `x` alone, `\Ax` and `x\z` anchor.
    expect(Ignore.compile("x\\b").matches("x")).toBe(true)
    expect(Ignore.compile("x\\b").matches("xb")).toBe(false)
    expect(Ignore.compile("\\Ax\\z").matches("x")).toBe(true)
    // Punctuation stays literal.
    expect(Ignore.compile("x\\*").matches("x*")).toBe(true)
    expect(Ignore.compile("x\\*").matches("xa")).toBe(false)
    for (const bad of ["x\\q", "x\\1", "x\\8", "x\\é", "x\\xg", "[\\b]", "x\\C"]) {
      expect(() => Ignore.compile(bad), bad).toThrow(Ignore.BadPattern)
    }
  })

  it("refuses malformed patterns as the CLI does", () => {
    for (const bad of ["[", "[a-", "[]", "a\\", "[-a]", "!", "[z-a]"]) {
      expect(() => Ignore.compile(bad), bad).toThrow(Ignore.BadPattern)
    }
  })

  it("a folder matched by a pattern excludes its content; the last matching line wins; exceptions re-enter", () => {
    const m = Ignore.matcher(["build", "!build/keep/**", "*.tmp", "!x.tmp"])
    const build = m.decide("build", undefined)
    expect(build.excluded).toBe(true)
    expect(m.mustEnter("build")).toBe(true)
    expect(m.mustEnter("other")).toBe(false)
    const keep = m.decide("build/keep", build)
    expect(m.decide("build/keep/a", keep).excluded).toBe(false)
    expect(m.decide("build/other", build).excluded).toBe(true)
    expect(Ignore.excludes(m, "x.tmp")).toBe(false)
    expect(Ignore.excludes(m, "y.tmp")).toBe(true)
  })

  it("keeps the Dockerfile and .dockerignore when the patterns exclude them", () => {
    expect(Ignore.keepBuildFiles(["*"], "Dockerfile")).toEqual(["*", "!.dockerignore", "!Dockerfile"])
    expect(Ignore.keepBuildFiles(["docker/"], "docker/Dockerfile")).toEqual(["docker/", "!docker/Dockerfile"])
    expect(Ignore.keepBuildFiles(["a"], "Dockerfile")).toEqual(["a"])
  })
})
