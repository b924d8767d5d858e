/**
 * `.dockerignore` rules as the docker CLI applies them to a build context: the file's syntax (comments, `!`
 * exceptions, cleaned paths, a leading `/` dropped), patterns per Go's `filepath.Match` plus `**`, and the walk's
 * decisions (a pattern matches a path or one of its parent folders; the last matching pattern wins; an excluded
 * folder is still entered when an exception pattern may re-include something inside it). Pure: no I/O, no Effect.
 *
 * @internal
 */
import { cleanPath } from "./goPath.ts"

/** A pattern the rules reject (an unclosed `[`, a trailing `\`, a lone `!`, …). @internal */
export class BadPattern extends Error {
  readonly pattern: string
  constructor(pattern: string, reason: string) {
    super(`bad .dockerignore pattern ${JSON.stringify(pattern)}: ${reason}`)
    this.pattern = pattern
  }
}

/**
 * Reads a `.dockerignore` file into patterns: a UTF-8 BOM and lines starting with `#` are dropped, each line is
 * trimmed, a `!` prefix kept, the rest cleaned and a leading `/` removed.
 *
 * @internal
 */
export const parse = (text: string): Array<string> => {
  const patterns: Array<string> = []
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/)
  for (const line of lines) {
    if (line.startsWith("#")) continue
    let pattern = line.trim()
    if (pattern === "") continue
    const invert = pattern.startsWith("!")
    if (invert) pattern = pattern.slice(1).trim()
    if (pattern.length > 0) {
      pattern = cleanPath(pattern)
      if (pattern.length > 1 && pattern.startsWith("/")) pattern = pattern.slice(1)
    }
    patterns.push(invert ? `!${pattern}` : pattern)
  }
  return patterns
}

/** Checks the syntax Go's `filepath.Match` accepts: escapes complete, character classes closed and not empty. */
const validate = (pattern: string): void => {
  const chars = Array.from(pattern)
  const bad = (reason: string) => new BadPattern(pattern, reason)
  // One class member: a character that is not `-` or `]`, or an escaped character; something must follow it.
  const member = (at: number): number => {
    const c = chars[at]
    if (c === undefined || c === "-" || c === "]") throw bad("malformed character class")
    let next = at + 1
    if (c === "\\") {
      if (chars[next] === undefined) throw bad("malformed character class")
      next++
    }
    if (chars[next] === undefined) throw bad("unclosed character class")
    return next
  }
  let i = 0
  while (i < chars.length) {
    const c = chars[i]!
    if (c === "\\") {
      if (i + 1 >= chars.length) throw bad("trailing backslash")
      i += 2
    } else if (c === "[") {
      i++
      if (chars[i] === "^") i++
      let ranges = 0
      for (;;) {
        if (chars[i] === "]" && ranges > 0) {
          i++
          break
        }
        i = member(i)
        if (chars[i] === "-") i = member(i + 1)
        ranges++
      }
    } else {
      i++
    }
  }
}

const escapeLiteral = (c: string): string => /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c
const escapeInClass = (c: string): string => c === "-" ? "\\-" : escapeLiteral(c)

/** Any character but a newline, as `.` in Go's regular expressions. */
const ANY = "[^\\n]"

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "7"
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c)
const codePoint = (n: number): string => `\\u{${n.toString(16)}}`

/**
 * The CLI hands `\` and the character after it to Go's regular expressions unchanged, so the pair means what it
 * means there: punctuation is literal, `\a` `\f` `\t` `\n` `\r` `\v` are control characters, `\d` `\s` `\w` (and
 * capitals) ASCII classes, `\b` `\B` `\A` `\z` assertions (not inside a class), octal and `\xHH` hex codes; any
 * other letter or digit, and any non-ASCII character, is a syntax error. Returns the JavaScript source for the
 * escape starting at `chars[at]` (the character after `\`) and the index after it.
 */
const translateEscape = (
  chars: ReadonlyArray<string>,
  at: number,
  inClass: boolean,
  bad: (reason: string) => BadPattern
): [string, number] => {
  const c = chars[at]!
  if (c.codePointAt(0)! < 0x80 && !/[0-9A-Za-z]/.test(c)) {
    return [inClass ? escapeInClass(c) : escapeLiteral(c), at + 1]
  }
  const simple: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 }
  if (c in simple) return [codePoint(simple[c]!), at + 1]
  const perl: Record<string, string> = { d: "0-9", s: "\\t\\n\\f\\r ", w: "0-9A-Za-z_" }
  if (c in perl) return [inClass ? perl[c]! : `[${perl[c]!}]`, at + 1]
  const lower = c.toLowerCase()
  if (lower in perl && c !== lower) {
    if (inClass) throw bad(`\\${c} inside a character class is not supported`)
    return [`[^${perl[lower]!}]`, at + 1]
  }
  if (!inClass) {
    const assertion: Record<string, string> = { b: "\\b", B: "\\B", A: "^", z: "$" }
    if (c in assertion) return [assertion[c]!, at + 1]
  }
  if (c === "0" || (isOctal(c) && isOctal(chars[at + 1]))) {
    let end = at + 1
    while (end < at + 3 && isOctal(chars[end])) end++
    return [codePoint(parseInt(chars.slice(at, end).join(""), 8)), end]
  }
  if (c === "x" && isHex(chars[at + 1]) && isHex(chars[at + 2])) {
    return [codePoint(parseInt(chars.slice(at + 1, at + 3).join(""), 16)), at + 3]
  }
  throw bad(`invalid escape \\${c}`)
}

type Kind = "exact" | "prefix" | "suffix" | "regexp"

/**
 * One compiled pattern. The kinds mirror the CLI's matcher: a pattern without wildcards compares the path exactly,
 * `foo**` compares a prefix, `**foo` a suffix (so `**foo` also matches `xfoo`, and `**\/foo` matches `foo`); the rest
 * is a regular expression where `*` and `?` never cross `/` and `**` crosses any number of folders.
 *
 * @internal
 */
export interface Pattern {
  readonly text: string
  readonly exclusion: boolean
  readonly kind: Kind
  readonly matches: (path: string) => boolean
}

/**
 * Compiles one pattern (as {@link parse} returns it, `!` prefix included). Throws {@link BadPattern}.
 *
 * @internal
 */
export const compile = (raw: string): Pattern => {
  let text = raw.trim()
  if (text === "") throw new BadPattern(raw, "empty pattern")
  text = cleanPath(text)
  const exclusion = text.startsWith("!")
  if (exclusion) {
    if (text.length === 1) throw new BadPattern(raw, `illegal exclusion pattern: "!"`)
    text = text.slice(1)
  }
  validate(text)
  const chars = Array.from(text)
  const bad = (reason: string) => new BadPattern(raw, reason)
  let kind: Kind = "exact"
  let source = "^"
  // The CLI translates the pattern character by character without tracking character classes, then hands the
  // result to Go's regular expressions: inside `[…]`, `*` becomes `[^/]*`, whose `]` ends the class early (so
  // `[a*]` is "any run of `a`, `[`, `^` or `/`, then `]`"), `?` becomes `[^/]` the same way, and `**` adds the
  // characters `(.*/)?` to the class. `inClass` follows where Go's parser is; `first` is true right after `[` or
  // `[^`, where a `]` is a member rather than the end.
  let inClass = false
  let first = false
  let i = 0
  let index = 0
  while (i < chars.length) {
    const c = chars[i]!
    if (c === "*") {
      if (chars[i + 1] === "*") {
        i += 2
        if (chars[i] === "/") i++
        if (inClass) {
          source += "\\(\\.\\*\\/\\)\\?"
          first = false
        } else if (i >= chars.length) {
          if (kind === "exact") kind = "prefix"
          else {
            source += `${ANY}*`
            kind = "regexp"
          }
        } else {
          source += `(?:${ANY}*/)?`
          kind = "regexp"
        }
        if (index === 0) kind = "suffix"
        else if (inClass) kind = "regexp"
      } else {
        source += inClass ? "\\[\\^\\/]*" : "[^/]*"
        inClass = false
        kind = "regexp"
        i++
      }
    } else if (c === "?") {
      source += inClass ? "\\[\\^\\/]" : "[^/]"
      inClass = false
      kind = "regexp"
      i++
    } else if (c === "\\") {
      // `validate` guarantees a following character.
      const [escape, next] = translateEscape(chars, i + 1, inClass, bad)
      source += escape
      first = false
      kind = "regexp"
      i = next
    } else if (inClass) {
      if (c === "]" && !first) {
        source += "]"
        inClass = false
      } else {
        source += c === "-" && !first && chars[i + 1] !== "]" ? "-" : escapeInClass(c)
      }
      first = false
      i++
    } else if (c === "[") {
      source += "["
      inClass = true
      first = true
      i++
      if (chars[i] === "^") {
        source += "^"
        i++
      }
      kind = "regexp"
    } else if (c === "]") {
      source += "\\]"
      kind = "regexp"
      i++
    } else if (c === "^") {
      // The CLI hands `^` to its regular expression unescaped: an anchor, which never matches inside a path.
      source += "^"
      i++
    } else {
      source += escapeLiteral(c)
      i++
    }
    index++
  }
  if (inClass) throw bad("missing closing ] in the regular expression")
  let matches: (path: string) => boolean
  switch (kind) {
    case "exact":
      matches = (path) => path === text
      break
    case "prefix": {
      const prefix = text.slice(0, -2)
      matches = (path) => path.startsWith(prefix)
      break
    }
    case "suffix": {
      const suffix = text.slice(2)
      matches = (path) => path.endsWith(suffix) || (suffix.startsWith("/") && path === suffix.slice(1))
      break
    }
    case "regexp": {
      let regexp: RegExp
      try {
        regexp = new RegExp(`${source}$`, "u")
      } catch (cause) {
        throw new BadPattern(raw, String(cause))
      }
      matches = (path) => regexp.test(path)
    }
  }
  return { text, exclusion, kind, matches }
}

/**
 * What the matcher decided for one path, and per pattern whether it matched the path (or a parent), for the
 * entries below a folder.
 *
 * @internal
 */
export interface Decision {
  readonly excluded: boolean
  readonly matched: ReadonlyArray<boolean>
}

/**
 * A compiled `.dockerignore`.
 *
 * @internal
 */
export interface Matcher {
  readonly patterns: ReadonlyArray<Pattern>
  /** Whether some pattern is an exception (`!…`). */
  readonly exceptions: boolean
  /**
   * Decides for a slash-separated path relative to the context; `parent` is the decision for its folder (absent
   * at the top level). The last pattern that matches the path, or that matched one of its parent folders, wins.
   */
  readonly decide: (path: string, parent: Decision | undefined) => Decision
  /** Whether an excluded folder must still be entered because an exception pattern may re-include its content. */
  readonly mustEnter: (folder: string) => boolean
}

/**
 * Compiles patterns (as {@link parse} returns them) into a {@link Matcher}. Throws {@link BadPattern}.
 *
 * @internal
 */
export const matcher = (lines: ReadonlyArray<string>): Matcher => {
  const patterns = lines.filter((line) => line.trim() !== "").map(compile)
  const exceptions = patterns.some((pattern) => pattern.exclusion)
  const decide = (path: string, parent: Decision | undefined): Decision => {
    const slash = path.lastIndexOf("/")
    const parentDirs = slash < 0 ? [] : path.slice(0, slash).split("/")
    const matched: Array<boolean> = Array.from({ length: patterns.length }, () => false)
    let excluded = false
    patterns.forEach((pattern, i) => {
      let match = parent?.matched[i] ?? false
      if (!match) {
        // Skipped: an inclusion once the path is already excluded, an exception while it is not.
        if (pattern.exclusion !== excluded) return
        match = pattern.matches(path)
        if (!match && parent === undefined) {
          for (let n = 1; n <= parentDirs.length && !match; n++) {
            match = pattern.matches(parentDirs.slice(0, n).join("/"))
          }
        }
      }
      matched[i] = match
      if (match) excluded = !pattern.exclusion
    })
    return { excluded, matched }
  }
  const mustEnter = (folder: string): boolean =>
    patterns.some((pattern) => pattern.exclusion && `${pattern.text}/`.startsWith(`${folder}/`))
  return { patterns, exceptions, decide, mustEnter }
}

/**
 * Whether `path` is excluded, judged alone (the last pattern matching it or one of its parent folders wins), as
 * the CLI judges the Dockerfile and `.dockerignore` before the walk.
 *
 * @internal
 */
export const excludes = (m: Matcher, path: string): boolean => m.decide(cleanPath(path), undefined).excluded

/**
 * The patterns with exceptions appended for the Dockerfile and `.dockerignore` when the patterns exclude them: the
 * daemon needs both in the context (and leaves them out of the image itself).
 *
 * @internal
 */
export const keepBuildFiles = (lines: ReadonlyArray<string>, dockerfile: string): Array<string> => {
  const out = [...lines]
  if (excludes(matcher(out), ".dockerignore")) out.push("!.dockerignore")
  const file = dockerfile.replaceAll("\\", "/")
  if (excludes(matcher(out), file)) out.push(`!${file}`)
  return out
}
