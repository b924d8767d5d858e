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
 * How big integers are read:
 *
 * - Where `JSON.parse` passes the source text to the reviver (`context.source`: V8 / Node 21+ / Deno, Bun 1.4,
 *   Firefox 135, Safari 18.4), the reviver turns the literal's source into a `bigint`.
 * - Elsewhere the reviver cannot see the digits, so when it meets an integer value beyond the safe range it drops the
 *   result and parses the text again with the small exact parser below (`parseJsonExact`). This is slower, but only
 *   for documents that hold such a number, and it never returns a rounded value.
 *
 * Texts without `null` and without a run of 16 digits cannot need either change, so they go straight to `JSON.parse`
 * with no reviver (the common case, and the fast one).
 *
 * Invalid JSON throws a `SyntaxError`, as `JSON.parse` does.
 *
 * @internal
 */

/** A run of 16 digits: every integer literal beyond 2^53 has one. */
const SIXTEEN_DIGITS = /\d{16}/
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

const isUnsafeInteger = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)

function reviveWithSource(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (value === null) return Array.isArray(this) ? null : undefined
  if (isUnsafeInteger(value)) {
    const source = context?.source
    if (source !== undefined && INTEGER_LITERAL.test(source)) return BigInt(source)
  }
  return value
}

/** Set by `reviveWithoutSource` when a value may have been rounded. */
let sawUnsafeInteger = false

function reviveWithoutSource(this: unknown, _key: string, value: unknown): unknown {
  if (value === null) return Array.isArray(this) ? null : undefined
  if (isUnsafeInteger(value)) sawUnsafeInteger = true
  return value
}

/**
 * Parses JSON text; see the module documentation for big integers and `null` properties. Throws a `SyntaxError` on
 * invalid JSON.
 *
 * @internal
 */
export const parseJson = (text: string): unknown => {
  if (text.indexOf("null") === -1 && !SIXTEEN_DIGITS.test(text)) return JSON.parse(text)
  if (hasSourceAccess) {
    const result: unknown = JSON.parse(text, reviveWithSource as (key: string, value: unknown) => unknown)
    return result === undefined ? null : result
  }
  return parseWithoutSourceAccess(text)
}

/**
 * The path for runtimes without `context.source`, exported to be tested on every runtime.
 *
 * @internal
 */
export const parseWithoutSourceAccess = (text: string): unknown => {
  sawUnsafeInteger = false
  const result: unknown = JSON.parse(text, reviveWithoutSource)
  if (sawUnsafeInteger) {
    sawUnsafeInteger = false
    return parseJsonExact(text)
  }
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
