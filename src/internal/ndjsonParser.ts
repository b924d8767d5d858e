/**
 * A pure, I/O-free NDJSON decoder.
 *
 * - Lines end at `\n`; a `\r` before it is dropped. A last line without a newline is parsed at `end()`.
 * - Each chunk is decoded with one streaming `TextDecoder` call, so a UTF-8 character split across chunks survives
 *   (`\n` never occurs inside a multi-byte character). Invalid UTF-8 becomes U+FFFD, as in `TextDecoder`'s default
 *   mode. A leading byte order mark is skipped.
 * - Blank lines (empty or whitespace only) are skipped but counted: line numbers are 1-based physical lines.
 * - Values are parsed with `parseJsonLine`, `parseJson` tuned for short texts (big integers become `bigint`, `null`
 *   properties are dropped). After a line that it had to hand to `parseJson` (a big integer nested deeper than the
 *   root), the next 63 lines go to `parseJson` directly: streams are made of lines of one shape.
 * - `maxLineBytes` bounds one line's UTF-8 bytes (without its terminator): a line above it fails with `LineTooLong`,
 *   as soon as the bytes buffered for it pass the bound when it spans chunks. The outcome does not depend on how the
 *   input is chunked.
 *
 * @internal
 */
import * as Json from "./json.ts"

/** @internal */
export type NdjsonFailure =
  | {
    readonly _tag: "InvalidJson"
    readonly line: number
    /** The start of the line, at most 200 characters. */
    readonly snippet: string
    /** The `SyntaxError` message. */
    readonly message: string
  }
  | {
    readonly _tag: "LineTooLong"
    readonly line: number
    /** Bytes seen for the line when it was rejected (a lower bound when it was still incomplete). */
    readonly bytes: number
    readonly maxLineBytes: number
  }

/** @internal */
export interface NdjsonParserOptions {
  /** Largest accepted line in UTF-8 bytes; default 16 MiB. */
  readonly maxLineBytes?: number | undefined
}

/** @internal */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024

/** @internal */
export const SNIPPET_LENGTH = 200

/** Cuts `text` to at most 200 characters, marking the cut with an ellipsis. @internal */
export const snippet = (text: string): string =>
  text.length <= SNIPPET_LENGTH ? text : text.slice(0, SNIPPET_LENGTH - 1) + "…"

/** UTF-8 length of a string produced by `TextDecoder` (so without lone surrogates). */
const utf8Length = (text: string): number => {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

const isBlank = (text: string): boolean => /^[ \t\r]*$/.test(text)

/**
 * NDJSON decoder state machine. `write(chunk, out, lines)` pushes each value completed by `chunk` to `out` (and its
 * line number to `lines` when given) and returns a failure on a bad line, after pushing the values before it. After a
 * failure the parser keeps returning it.
 *
 * @internal
 */
export class NdjsonParser {
  readonly maxLineBytes: number
  private readonly decoder = new TextDecoder()
  /** Decoded text of the unfinished line. */
  private pending = ""
  /** Its UTF-8 bytes, including bytes still held by the decoder. */
  private pendingBytes = 0
  /** Lines completed so far. */
  private line = 0
  private failure: NdjsonFailure | undefined = undefined
  /** Lines left to parse with `parseJson` before `parseJsonLine` is tried again. */
  private scanLines = 0

  constructor(options?: NdjsonParserOptions) {
    this.maxLineBytes = options?.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  }

  write(chunk: Uint8Array, out: Array<unknown>, lines?: Array<number>): NdjsonFailure | undefined {
    if (this.failure !== undefined) return this.failure
    if (chunk.length === 0) return undefined
    const max = this.maxLineBytes
    const firstNl = chunk.indexOf(10)
    if (firstNl < 0) {
      this.pendingBytes += chunk.length
      // One byte of slack: a trailing `\r` is not part of the line.
      if (this.pendingBytes > max + 1) return this.tooLong(this.pendingBytes)
      this.pending += this.decoder.decode(chunk, { stream: true })
      return undefined
    }
    const text = this.decoder.decode(chunk, { stream: true })
    let nl = text.indexOf("\n")
    // The first line: the pending text plus the start of this chunk.
    let firstBytes = this.pendingBytes + firstNl
    let first = this.pending + text.slice(0, nl)
    if (first.charCodeAt(first.length - 1) === 13) {
      first = first.slice(0, -1)
      firstBytes--
    }
    this.pending = ""
    this.pendingBytes = 0
    if (firstBytes > max) return this.tooLong(firstBytes)
    let failure = this.parseLine(first, out, lines)
    if (failure !== undefined) return failure
    let start = nl + 1
    const maxChars = Math.floor(max / 3)
    nl = text.indexOf("\n", start)
    while (nl >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      const line = text.slice(start, end)
      // A UTF-8 byte takes at most 3 bytes per UTF-16 unit, so the exact count is only needed for long lines.
      if (line.length > maxChars) {
        const bytes = utf8Length(line)
        if (bytes > max) return this.tooLong(bytes)
      }
      failure = this.parseLine(line, out, lines)
      if (failure !== undefined) return failure
      start = nl + 1
      nl = text.indexOf("\n", start)
    }
    const lastNl = chunk.lastIndexOf(10)
    this.pendingBytes = chunk.length - lastNl - 1
    if (start < text.length) this.pending = text.slice(start)
    if (this.pendingBytes > max + 1) return this.tooLong(this.pendingBytes)
    return undefined
  }

  /** Feeds several chunks in order; stops at the first failure. */
  writeAll(chunks: ReadonlyArray<Uint8Array>, out: Array<unknown>, lines?: Array<number>): NdjsonFailure | undefined {
    for (let i = 0; i < chunks.length; i++) {
      const failure = this.write(chunks[i]!, out, lines)
      if (failure !== undefined) return failure
    }
    return undefined
  }

  /** Parses the last line if the input did not end with a newline. */
  end(out: Array<unknown>, lines?: Array<number>): NdjsonFailure | undefined {
    if (this.failure !== undefined) return this.failure
    let last = this.pending + this.decoder.decode()
    const bytes = this.pendingBytes
    this.pending = ""
    this.pendingBytes = 0
    if (bytes === 0) return undefined
    let lineBytes = bytes
    if (last.charCodeAt(last.length - 1) === 13) {
      last = last.slice(0, -1)
      lineBytes--
    }
    if (lineBytes > this.maxLineBytes) return this.tooLong(lineBytes)
    return this.parseLine(last, out, lines)
  }

  private parseLine(text: string, out: Array<unknown>, lines: Array<number> | undefined): NdjsonFailure | undefined {
    const line = ++this.line
    if (text.length === 0) return undefined
    let value: unknown
    try {
      if (this.scanLines > 0) {
        this.scanLines--
        value = Json.parseJson(text)
      } else {
        value = Json.parseJsonLine(text)
        if (Json.lineFellBack) this.scanLines = 63
      }
    } catch (error) {
      if (isBlank(text)) return undefined
      return this.fail({
        _tag: "InvalidJson",
        line,
        snippet: snippet(text),
        message: error instanceof Error ? error.message : String(error)
      })
    }
    out.push(value)
    if (lines !== undefined) lines.push(line)
    return undefined
  }

  private tooLong(bytes: number): NdjsonFailure {
    return this.fail({ _tag: "LineTooLong", line: this.line + 1, bytes, maxLineBytes: this.maxLineBytes })
  }

  private fail(failure: NdjsonFailure): NdjsonFailure {
    this.failure = failure
    this.pending = ""
    this.pendingBytes = 0
    return failure
  }
}
