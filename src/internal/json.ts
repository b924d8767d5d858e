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
 *    parses as `null`. With `keepNulls`, a text without big integers keeps them (the caller reads a `null` property
 *    as absent: the response decoder does, and saves the walk that drops them).
 *
 * How (the same way on every runtime, without a reviver: its per-value callback made `JSON.parse` 5-9x slower):
 *
 * - A text without `null` and without a run of 16 digits that could be an integer literal beyond the safe range (judged
 *   from the run's neighbours: `candidateLiterals`, which looks at every 16th character while there are no digits) goes
 *   straight to `JSON.parse` (the common case).
 * - `null`: after `JSON.parse`, one walk over the result drops the `null` properties.
 * - Candidate literals are rewritten as strings holding a marker (U+0085, a C1 control character that real text does
 *   not use, and one that keeps the text in V8's fast one-byte form) followed by the digits; the text is parsed and the
 *   walk turns marked strings into bigints. When a candidate was not a literal in value position (inside a string, or
 *   a key), the marked text fails to parse or a mark is left unconverted; then a scan of the whole text outside
 *   strings finds the real literals (`unsafeIntegerLiterals`) and the text is marked again.
 * - If the text already contains U+0085 (raw or escaped), the marker would be ambiguous: the text is parsed with a
 *   `JSON.parse` reviver reading `context.source` (`parseJsonReviver`; every server runtime the SDK supports passes it,
 *   checked on each, and so do recent browsers) or, where the runtime does not pass it, with the small exact parser
 *   `parseJsonExact`.
 *
 * No path ever returns a rounded integer.
 *
 * `parseJsonLine` gives the same result for short texts with few values (NDJSON lines) without rewriting the text:
 * `JSON.parse` of the original text, a walk over the result for integers beyond the safe range, and, when each is a
 * member of the root object, their exact values read from the end of the text; see its documentation.
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
    JSON.parse(
      "[1]",
      function(_key: string, value: unknown, context?: ReviverContext) {
        if (context !== undefined && context.source === "1") seen = true
        return value
      } as (key: string, value: unknown) => unknown
    )
  } catch {
    return false
  }
  return seen
})()

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39

/**
 * The integer literals beyond the safe range judged from their neighbours only (no scan of the whole text): each run of
 * 16+ digits whose previous character (before an optional `-` and whitespace) is `:`, `[`, `,` or the start, that does
 * not start with `0` and is not followed by a fraction or an exponent. Returns start and end offsets.
 *
 * A run inside a string can pass these checks (`"a:12345678901234567890"`), and so can a run in key position after
 * a `,` (invalid JSON). `parseJson` catches both: marking a run inside a string closes the string before the marker,
 * which then stands outside any string, so `JSON.parse` throws; a marked key is not turned into a bigint, so the count
 * of bigints made differs from the count of marks. Either way it falls back to the full scan `unsafeIntegerLiterals`.
 */
const candidateLiterals = (text: string): Array<number> => {
  const found: Array<number> = []
  const length = text.length
  let i = 15
  while (i < length) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 16
      continue
    }
    let j = i - 1
    while (j > i - 16 && isDigit(text.charCodeAt(j))) j--
    if (j !== i - 16) {
      // the next run of 16 must start after j
      i = j + 16
      continue
    }
    let start = i - 15
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--
    let end = i + 1
    while (end < length && isDigit(text.charCodeAt(end))) end++
    {
      const next = end < length ? text.charCodeAt(end) : -1
      let before = start - 1
      if (before >= 0 && text.charCodeAt(before) === 0x2d) before--
      while (before >= 0 && isSpace(text.charCodeAt(before))) before--
      const previous = before >= 0 ? text.charCodeAt(before) : -1
      const literalStart = text.charCodeAt(start - 1) === 0x2d ? start - 1 : start
      if (
        (previous === -1 || previous === 0x3a || previous === 0x5b || previous === 0x2c) &&
        text.charCodeAt(start) !== 0x30 && next !== 0x2e && next !== 0x65 && next !== 0x45 &&
        !Number.isSafeInteger(Number(text.slice(literalStart, end)))
      ) {
        found.push(literalStart, end)
      }
    }
    i = end + 16
  }
  return found
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09

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

/** Marked strings turned into bigints by the last `fixUp`. */
let converted = 0

/**
 * Drops `null` object properties and turns marked strings into bigints, in place (arrays) or by rebuilding an
 * object that had a `null`.
 */
const fixUp = (value: unknown, markers: boolean): unknown => {
  if (typeof value === "string") {
    if (!markers || value.charCodeAt(0) !== MARKER_CODE) return value
    converted++
    return BigInt(value.slice(1))
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
  return hasNull ? withoutNulls(object) : object
}

/**
 * Drops `null` object properties (no markers): `fixUp` without the string checks, iterating keys with `for … in`
 * (no key array), the common case of a body with `null`s and without big integers. An object is rebuilt only when
 * it has a `null` (rebuilding is cheaper than `delete`, which leaves the object in V8's slow dictionary mode).
 *
 * @internal
 */
export const dropNulls = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "object" && item !== null) value[i] = dropNulls(item)
    }
    return value
  }
  const object = value as Record<string, unknown>
  let nulls = false
  for (const key in object) {
    const item = object[key]
    if (item === null) nulls = true
    else if (typeof item === "object") object[key] = dropNulls(item)
  }
  return nulls ? withoutNulls(object) : object
}

/**
 * A copy of the object without its `null` properties (its own level only).
 *
 * @internal
 */
export const withoutNulls = (object: Record<string, unknown>): Record<string, unknown> => {
  const rebuilt: Record<string, unknown> = {}
  for (const key in object) {
    const item = object[key]
    if (item === null) continue
    if (key === "__proto__") {
      Object.defineProperty(rebuilt, key, { value: item, writable: true, enumerable: true, configurable: true })
    } else rebuilt[key] = item
  }
  return rebuilt
}

/**
 * Turns marked strings into bigints (counting them in `converted`) in a value without `null`, stopping once `expected`
 * are converted. Each object or array is first searched at its own level, then its children, so a big integer near
 * the top (as `timeNano` of `/events`) is found without walking the nested values.
 */
const fixMarkers = (value: unknown, expected: number): unknown => {
  if (typeof value === "string") {
    if (value.charCodeAt(0) !== MARKER_CODE) return value
    converted++
    return BigInt(value.slice(1))
  }
  if (typeof value !== "object" || value === null) return value
  const object = value as Record<string, unknown>
  const keys = Array.isArray(value) ? undefined : Object.keys(object)
  const length = keys === undefined ? (value as Array<unknown>).length : keys.length
  let nested = false
  for (let i = 0; i < length; i++) {
    const key = keys === undefined ? i : keys[i]!
    const item = object[key]
    if (typeof item === "string" && item.charCodeAt(0) === MARKER_CODE) {
      converted++
      object[key] = BigInt(item.slice(1))
      if (converted === expected) return value
    } else if (typeof item === "object") nested = true
  }
  if (!nested) return value
  for (let i = 0; i < length && converted < expected; i++) {
    const item = object[keys === undefined ? i : keys[i]!]
    if (typeof item === "object" && item !== null) fixMarkers(item, expected)
  }
  return value
}

/**
 * Parses JSON text; see the module documentation for big integers and `null` properties (`keepNulls`: they may stay).
 * Throws a `SyntaxError` on invalid JSON.
 *
 * @internal
 */
export const parseJson = (text: string, keepNulls = false): unknown => {
  const candidates = candidateLiterals(text)
  if (candidates.length === 0) {
    // every unsafe integer literal is a candidate, so there is none
    const value: unknown = JSON.parse(text)
    return keepNulls || text.indexOf("null") === -1 ? value : dropNulls(value)
  }
  const hasNull = text.indexOf("null") !== -1
  if (text.indexOf(MARKER) !== -1 || ESCAPED_MARKER.test(text)) {
    // The text already holds the marker: fall back to a path that does not need it.
    return hasSourceAccess ? parseJsonReviver(text) : parseJsonExact(text)
  }
  let value: unknown
  try {
    value = JSON.parse(mark(text, candidates))
  } catch {
    // a candidate was inside a string: find the literals with the full scan
    return parseScanned(text, hasNull)
  }
  const expected = candidates.length >> 1
  converted = 0
  if (hasNull) value = fixUp(value, true)
  else value = fixMarkers(value, expected)
  // a candidate in key position (invalid JSON) was not converted
  return converted === expected ? value : parseScanned(text, hasNull)
}

const isUnsafeInteger = (value: number): boolean => Number.isInteger(value) && !Number.isSafeInteger(value)

/** Keys of the root object's members that are unsafe integer numbers. */
const rootUnsafe: Array<string> = []
/** Whether `findUnsafe` met a `null` object property. */
let sawNull = false

/**
 * Walks a parsed value looking for numbers that are integers beyond the safe range and for `null` object properties
 * (setting `sawNull`). The unsafe numbers that are members of the root object go to `rootUnsafe`; returns false at the
 * first one elsewhere (nested deeper, or in an array).
 */
const findUnsafe = (value: object, root: boolean): boolean => {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === "number") {
        if (isUnsafeInteger(item)) return false
      } else if (typeof item === "object" && item !== null && !findUnsafe(item, false)) return false
    }
    return true
  }
  const object = value as Record<string, unknown>
  for (const key in object) {
    const item = object[key]
    if (typeof item === "number") {
      if (isUnsafeInteger(item)) {
        if (!root) return false
        rootUnsafe.push(key)
      }
    } else if (typeof item === "object") {
      if (item === null) sawNull = true
      else if (!findUnsafe(item, false)) return false
    }
  }
  return true
}

/** Whether the quote at `quote` is escaped (preceded by an odd number of backslashes). */
const isEscaped = (text: string, quote: number): boolean => {
  let slashes = 0
  while (text.charCodeAt(quote - 1 - slashes) === 0x5c) slashes++
  return (slashes & 1) === 1
}

/** The opening quote of the string whose closing quote is at `close`, in text that `JSON.parse` accepted. */
const openingQuote = (text: string, close: number): number => {
  let open = text.lastIndexOf("\"", close - 1)
  while (isEscaped(text, open)) open = text.lastIndexOf("\"", open - 1)
  return open
}

/**
 * The exact value of a number token: a `bigint` for an integer literal, else the parsed number. (The regex is cheaper
 * than a `charCodeAt` loop here: the token is a slice of a slice.)
 */
const exactNumber = (token: string, parsed: unknown): unknown => INTEGER_LITERAL.test(token) ? BigInt(token) : parsed

/**
 * Replaces the members of the root object listed in `wanted` (unsafe integer numbers in `object`, which
 * `JSON.parse(text)` returned) by their exact values, reading their tokens from the end of `text` backwards.
 *
 * Scanning backwards from the end of valid JSON, outside strings, the first quote met closes a string, whose opening
 * quote is the previous quote not preceded by an odd number of backslashes (outside strings there are no
 * backslashes, inside a string an unescaped quote would have ended it). Closing brackets minus opening brackets give
 * the nesting depth, so at depth 1 each `,` or the root's closing brace ends one root member and each `:` follows
 * its key. `JSON.parse` keeps the last member of a duplicated key: the first one met backwards; once a key is resolved
 * it leaves `wanted`, so earlier duplicates are ignored. A member whose token is an integer literal becomes a
 * `bigint`; one written with a fraction or an exponent stays the number it is. The scan stops when `wanted` is empty;
 * returns whether it is (always, for text that `JSON.parse` accepted and the value it returned).
 */
const fixRootMembers = (text: string, object: Record<string, unknown>, wanted: Array<string>): boolean => {
  let depth = 0
  let memberEnd = -1
  let i = text.length - 1
  // The last member first, without a scan, when its value is an integer literal (as `timeNano` of `/events`): with
  // only spaces and digits between the last colon and the root's closing brace, that colon is outside strings (a
  // string would end in a quote after it) and in the root (no bracket after it).
  let end = i
  while (isSpace(text.charCodeAt(end))) end--
  const colon = text.lastIndexOf(":", end)
  if (colon > 0) {
    const token = trimmed(text, colon + 1, end)
    if (INTEGER_LITERAL.test(token) && resolveMember(text, object, wanted, colon, token, true)) return true
  }
  while (i >= 0) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      i = openingQuote(text, i) - 1
      continue
    }
    if (c === 0x7d || c === 0x5d) {
      if (depth === 0) memberEnd = i
      depth++
    } else if (c === 0x7b || c === 0x5b) {
      if (--depth === 0) return false
    } else if (depth === 1) {
      if (c === 0x2c) memberEnd = i
      else if (c === 0x3a) {
        if (resolveMember(text, object, wanted, i, trimmed(text, i + 1, memberEnd), false)) return true
        // skip the key
        let close = i - 1
        while (isSpace(text.charCodeAt(close))) close--
        i = openingQuote(text, close) - 1
        continue
      }
    }
    i--
  }
  return false
}

/** `text.slice(start, end)` without leading and trailing JSON whitespace. */
const trimmed = (text: string, start: number, end: number): string => {
  while (start < end && isSpace(text.charCodeAt(start))) start++
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--
  return text.slice(start, end)
}

/**
 * Resolves the object member whose colon is at `colon` and whose value token is `token` (`integer` when the caller
 * knows it is an integer literal) if its key (the string before the colon) is wanted; true when none is left.
 */
const resolveMember = (
  text: string,
  object: Record<string, unknown>,
  wanted: Array<string>,
  colon: number,
  token: string,
  integer: boolean
): boolean => {
  let close = colon - 1
  while (isSpace(text.charCodeAt(close))) close--
  const open = openingQuote(text, close)
  const raw = text.slice(open + 1, close)
  const key = raw.indexOf("\\") === -1 ? raw : (JSON.parse(text.slice(open, close + 1)) as string)
  const at = wanted.indexOf(key)
  if (at === -1) return false
  // the key as the walk found it: an internalized string, a fast property key (a fresh slice is not)
  const name = wanted[at]!
  wanted.splice(at, 1)
  const value = integer ? BigInt(token) : exactNumber(token, object[name])
  if (name === "__proto__") {
    Object.defineProperty(object, name, { value, writable: true, enumerable: true, configurable: true })
  } else object[name] = value
  return wanted.length === 0
}

/**
 * `parseJson` for short texts with few values, such as NDJSON lines: the same result, found from the parsed value
 * instead of a scan of the text. The original text goes to `JSON.parse`; a walk over the result looks for integers
 * beyond the safe range. Without one, the result is exact: an integer literal beyond the safe range that survives in
 * the result is such a number. When each one is a member of the root object (as `timeNano` of `/events`), the
 * members' tokens are read from the end of the text backwards (`fixRootMembers`) and turned into bigints; when one is
 * nested deeper or in an array, the text goes through `parseJson`.
 *
 * Response bodies keep `parseJson`: on a body without `null` and without 16 digits in a row it costs one `JSON.parse`
 * and a scan that skips 16 characters at a time, where this walks every value.
 *
 * @internal
 */
export const parseJsonLine = (text: string): unknown => {
  lineFellBack = false
  let value: unknown = JSON.parse(text)
  if (typeof value !== "object" || value === null) {
    return typeof value === "number" && isUnsafeInteger(value) ? exactNumber(text.trim(), value) : value
  }
  rootUnsafe.length = 0
  sawNull = false
  try {
    if (findUnsafe(value as object, true)) {
      if (sawNull) value = dropNulls(value)
      if (rootUnsafe.length === 0 || fixRootMembers(text, value as Record<string, unknown>, rootUnsafe)) return value
    }
  } catch {
    // nested deeper than the call stack allows (`JSON.parse` is not recursive): `parseJson` walks only when it must
  }
  lineFellBack = true
  return parseJson(text)
}

/**
 * Whether the last `parseJsonLine` call went through `parseJson` (a big integer nested deeper than the root, as
 * `memory_stats.limit` of `/stats`), paying `JSON.parse` twice. A stream of such lines is cheaper with `parseJson`.
 *
 * @internal
 */
export let lineFellBack = false

/** Rewrites each literal between `big[i]` and `big[i + 1]` as a string holding the marker and its digits. */
const mark = (text: string, big: ReadonlyArray<number>): string => {
  let marked = ""
  let last = 0
  for (let i = 0; i < big.length; i += 2) {
    marked += text.slice(last, big[i]) + "\"" + MARKER + text.slice(big[i]!, big[i + 1]) + "\""
    last = big[i + 1]!
  }
  return marked + text.slice(last)
}

/** The slow path: the literals found by a scan of the whole text outside strings. */
const parseScanned = (text: string, hasNull: boolean): unknown => {
  const big = unsafeIntegerLiterals(text)
  if (big.length === 0) {
    const value: unknown = JSON.parse(text)
    return hasNull ? fixUp(value, false) : value
  }
  let value: unknown
  try {
    value = JSON.parse(mark(text, big))
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
