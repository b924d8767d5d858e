/**
 * JSON parsing for every daemon response.
 *
 * `parseJson(text)` is `JSON.parse` with two changes:
 *
 * 1. **Big integers are exact.** An integer literal beyond `Number.MAX_SAFE_INTEGER` (in absolute value) becomes a
 *    `bigint` instead of a rounded `number` (Docker sends int64/uint64 counters and sizes). Number literals written
 *    with a fraction or an exponent stay numbers, as do safe integers.
 * 2. **`null` object properties are dropped.** The SDK treats a `null` property like an absent one, so schemas can use
 *    optional keys for both (`{"Labels": null}` parses as `{}`). `null` array elements stay, and a top-level `null`
 *    parses as `null`.
 *
 * How (the same way on every runtime, without a reviver: its per-value callback made `JSON.parse` 5-9x slower):
 *
 * - A text without `null` and without 16 digits in a row goes straight to `JSON.parse` (the common case).
 * - `null`: after `JSON.parse`, one walk over the result drops the `null` properties.
 * - 16 digits in a row: a scan outside strings finds the integer literals in value position that are beyond the safe
 *   range. Each is rewritten as a string holding a marker (U+0085, a C1 control character that real text does not use,
 *   and one that keeps the text in V8's fast one-byte form) followed by the digits; the text is parsed and the walk
 *   turns marked strings into bigints.
 * - If the text already contains U+0085 (raw or escaped), the marker would be ambiguous: the text is parsed with a
 *   `JSON.parse` reviver reading `context.source` (`parseJsonReviver`; every server runtime the SDK supports passes it,
 *   checked on each, and so do recent browsers) or, where the runtime does not pass it, with the small exact parser
 *   `parseJsonExact`.
 *
 * No path ever returns a rounded integer.
 *
 * The walk recurses once per nesting level; a document nested deeper than the call stack allows throws a
 * `RangeError` (only when it also holds `null` or a big integer).
 *
 * Invalid JSON throws a `SyntaxError`, as `JSON.parse` does.
 *
 * @internal
 */

const INTEGER_LITERAL = /^-?\d+$/

interface ReviverContext {
  readonly source?: string
}

/** Whether this runtime passes `context.source` to `JSON.parse` revivers. @internal */
export const hasSourceAccess: boolean = (() => {
  let seen = false
  try {
    JSON.parse("[1]", function(_key: string, value: unknown, context?: ReviverContext) {
      if (context !== undefined && context.source === "1") seen = true
      return value
    } as (key: string, value: unknown) => unknown)
  } catch {
    return false
  }
  return seen
})()

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39

/**
 * Whether `text` holds 16 digits in a row (every integer literal beyond 2^53 does). Looks at every 16th character
 * while there are no digits, so it is much cheaper than a regular expression on typical text.
 */
const hasLongDigitRun = (text: string): boolean => {
  const length = text.length
  let i = 15
  while (i < length) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 16
      continue
    }
    let j = i - 1
    while (j > i - 16 && isDigit(text.charCodeAt(j))) j--
    if (j === i - 16) return true
    // the next run of 16 must start after j
    i = j + 16
  }
  return false
}

/**
 * Start and end offsets of the integer literals beyond the safe range, outside strings and in value position. Strings
 * are skipped with `indexOf`; a number token is read whole, and only integer tokens (no fraction, no exponent, no
 * leading zero) of 16+ characters are checked. Tracking the position (after `:`, `[`, `,` in an array, or at the start)
 * guarantees that turning these tokens into strings keeps invalid JSON invalid.
 */
const unsafeIntegerLiterals = (text: string): Array<number> => {
  const found: Array<number> = []
  const inArray: Array<boolean> = []
  const length = text.length
  let previous = -1
  let i = 0
  while (i < length) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++
    } else if (c === 0x22) {
      // skip the string: find a quote preceded by an even number of backslashes
      let end = text.indexOf("\"", i + 1)
      while (end > 0) {
        let slashes = 0
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++
        if ((slashes & 1) === 0) break
        end = text.indexOf("\"", end + 1)
      }
      if (end < 0) return found
      i = end + 1
      previous = c
    } else if (c === 0x2d || isDigit(c)) {
      const start = i
      let integer = true
      i++
      while (i < length) {
        const d = text.charCodeAt(i)
        if (isDigit(d)) i++
        else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          integer = false
          i++
        } else break
      }
      if (
        integer && i - start >= 16 &&
        (previous === -1 || previous === 0x3a || previous === 0x5b || (previous === 0x2c && inArray.at(-1) === true)) &&
        text.charCodeAt(c === 0x2d ? start + 1 : start) !== 0x30 && isDigit(text.charCodeAt(start + 1)) &&
        !Number.isSafeInteger(Number(text.slice(start, i)))
      ) {
        found.push(start, i)
      }
      previous = 0x30
    } else {
      if (c === 0x7b || c === 0x5b) inArray.push(c === 0x5b)
      else if (c === 0x7d || c === 0x5d) inArray.pop()
      previous = c
      i++
    }
  }
  return found
}

/** Marks a big integer turned into a string before `JSON.parse` (U+0085, NEXT LINE). */
const MARKER = "\u0085"
const MARKER_CODE = 0x85
const ESCAPED_MARKER = /\\u0085/

/**
 * Drops `null` object properties and turns marked strings into bigints, in place (arrays) or by rebuilding an
 * object that had a `null`.
 */
const fixUp = (value: unknown, markers: boolean): unknown => {
  if (typeof value === "string") {
    return markers && value.charCodeAt(0) === MARKER_CODE ? BigInt(value.slice(1)) : value
  }
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fixUp(value[i], markers)
    return value
  }
  const object = value as Record<string, unknown>
  const keys = Object.keys(object)
  let hasNull = false
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const item = object[key]
    if (item === null) hasNull = true
    else if (typeof item === "object" || (markers && typeof item === "string")) object[key] = fixUp(item, markers)
  }
  if (!hasNull) return object
  const rebuilt: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const item = object[key]
    if (item === null) continue
    if (key === "__proto__") {
      Object.defineProperty(rebuilt, key, { value: item, writable: true, enumerable: true, configurable: true })
    } else rebuilt[key] = item
  }
  return rebuilt
}

/**
 * Parses JSON text; see the module documentation for big integers and `null` properties. Throws a `SyntaxError` on
 * invalid JSON.
 *
 * @internal
 */
export const parseJson = (text: string): unknown => {
  const hasNull = text.indexOf("null") !== -1
  let big: Array<number> | undefined = undefined
  if (hasLongDigitRun(text)) {
    big = unsafeIntegerLiterals(text)
    if (big.length === 0) big = undefined
  }
  if (big === undefined) {
    const value: unknown = JSON.parse(text)
    return hasNull ? fixUp(value, false) : value
  }
  if (text.indexOf(MARKER) !== -1 || ESCAPED_MARKER.test(text)) {
    // The text already holds the marker: fall back to a path that does not need it.
    return hasSourceAccess ? parseJsonReviver(text) : parseJsonExact(text)
  }
  let marked = ""
  let last = 0
  for (let i = 0; i < big.length; i += 2) {
    marked += text.slice(last, big[i]) + "\"" + MARKER + text.slice(big[i]!, big[i + 1]) + "\""
    last = big[i + 1]!
  }
  marked += text.slice(last)
  let value: unknown
  try {
    value = JSON.parse(marked)
  } catch (error) {
    // report the error against the original text
    JSON.parse(text)
    throw error
  }
  return fixUp(value, true)
}

function reviveWithSource(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (value === null) return Array.isArray(this) ? null : undefined
  if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    const source = context?.source
    if (source !== undefined && INTEGER_LITERAL.test(source)) return BigInt(source)
  }
  return value
}

/**
 * The same result through a `JSON.parse` reviver reading `context.source` (only where `hasSourceAccess`).
 *
 * @internal
 */
export const parseJsonReviver = (text: string): unknown => {
  const result: unknown = JSON.parse(text, reviveWithSource as (key: string, value: unknown) => unknown)
  return result === undefined ? null : result
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

/**
 * An exact recursive-descent JSON parser with the same output as `parseJson`. Only run on text that `JSON.parse`
 * accepted, so it checks structure loosely; recursion depth is the nesting depth of the document.
 *
 * @internal
 */
export const parseJsonExact = (text: string): unknown => {
  let i = 0
  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++
      else break
    }
  }
  const fail = (): never => {
    throw new SyntaxError(`Unexpected character at position ${i} in JSON`)
  }
  const expect = (code: number): void => {
    skipSpace()
    if (text.charCodeAt(i) !== code) fail()
    i++
  }
  const readString = (): string => {
    const start = i
    i++
    let escaped = false
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) escaped = true
      else if (c === 0x22) break
      i++
      if (c === 0x5c) i++
    }
    if (i >= text.length) fail()
    i++
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1)
  }
  const readValue = (): unknown => {
    skipSpace()
    const c = text.charCodeAt(i)
    if (c === 0x7b) {
      i++
      const object: Record<string, unknown> = {}
      skipSpace()
      if (text.charCodeAt(i) === 0x7d) {
        i++
        return object
      }
      while (true) {
        skipSpace()
        if (text.charCodeAt(i) !== 0x22) fail()
        const key = readString()
        expect(0x3a)
        const value = readValue()
        if (value === null) delete object[key]
        else Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
        skipSpace()
        const next = text.charCodeAt(i++)
        if (next === 0x7d) return object
        if (next !== 0x2c) fail()
      }
    }
    if (c === 0x5b) {
      i++
      const array: Array<unknown> = []
      skipSpace()
      if (text.charCodeAt(i) === 0x5d) {
        i++
        return array
      }
      while (true) {
        array.push(readValue())
        skipSpace()
        const next = text.charCodeAt(i++)
        if (next === 0x5d) return array
        if (next !== 0x2c) fail()
      }
    }
    if (c === 0x22) return readString()
    if (text.startsWith("true", i)) {
      i += 4
      return true
    }
    if (text.startsWith("false", i)) {
      i += 5
      return false
    }
    if (text.startsWith("null", i)) {
      i += 4
      return null
    }
    NUMBER.lastIndex = i
    const match = NUMBER.exec(text)
    if (match === null) return fail()
    i += match[0].length
    const value = Number(match[0])
    return match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(value) ? BigInt(match[0]) : value
  }
  const value = readValue()
  skipSpace()
  if (i !== text.length) fail()
  return value
}
