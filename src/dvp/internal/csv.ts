/**
 * An incremental RFC 4180 CSV parser: no Effect, no I/O. Feed it text with `write` as it arrives (chunks may split a
 * field, a quote pair or a `\r\n` anywhere) and call `end` once; complete records are pushed to the caller's array.
 *
 * - Fields are separated by `,`, records by `\n`, `\r\n` or a lone `\r`.
 * - A field in double quotes may hold `,`, `\r`, `\n` and `""` (one literal quote).
 * - An unquoted field equal to the null token (`\N` by default) is read as `null`; a quoted `"\N"` stays a string.
 * - Empty lines are skipped, so a record with a single empty field must be written as `""`.
 * - Text after a closing quote (`"a"b`) and a quote left open at the end are syntax errors.
 * - A field longer than `maxFieldLength` characters is an error, so a missing closing quote cannot buffer a whole file.
 *
 * @internal
 */

/** @internal */
export type CsvField = string | null

/** @internal */
export type CsvRecord = Array<CsvField>

/** @internal */
export interface CsvParserOptions {
  /** The unquoted field text read as `null`. Default `\N`; `undefined` keeps every field a string. */
  readonly nullToken?: string | undefined
  /** The longest field accepted, in UTF-16 code units. Default 1 Mi. */
  readonly maxFieldLength?: number | undefined
}

/** @internal */
export class CsvSyntaxError {
  /** The 1-based number of the record (the header is record 1) the error is in. */
  readonly record: number
  readonly reason: string
  constructor(record: number, reason: string) {
    this.record = record
    this.reason = reason
  }
}

const COMMA = 44
const QUOTE = 34
const LF = 10
const CR = 13

const State = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  QuoteInQuoted: 3,
  AfterCr: 4
} as const
type State = typeof State[keyof typeof State]

/** @internal */
export class CsvParser {
  private state: State = State.FieldStart
  /** Text of the current field gathered from earlier chunks (or before an escaped quote). */
  private carry = ""
  private record: CsvRecord = []
  private records = 0
  private failed: CsvSyntaxError | undefined
  private readonly nullToken: string | undefined
  private readonly maxFieldLength: number

  constructor(options: CsvParserOptions = {}) {
    this.nullToken = "nullToken" in options ? options.nullToken : "\\N"
    this.maxFieldLength = options.maxFieldLength ?? 1024 * 1024
  }

  /** The number of records completed so far. */
  get recordCount(): number {
    return this.records
  }

  /** Parses `text`, pushing every record it completes to `out`. Returns an error once the input is invalid. */
  write(text: string, out: Array<CsvRecord>): CsvSyntaxError | undefined {
    if (this.failed !== undefined) return this.failed
    const n = text.length
    let state: State = this.state
    let start = 0
    let i = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      switch (state) {
        case State.AfterCr: {
          state = State.FieldStart
          if (c === LF) {
            i++
            start = i
            continue
          }
          // any other character starts the next record: look at it again as FieldStart
          continue
        }
        case State.FieldStart: {
          if (c === QUOTE) {
            state = State.Quoted
            start = i + 1
          } else if (c === COMMA) {
            this.pushField("", false)
            start = i + 1
          } else if (c === LF || c === CR) {
            // an empty line ends nothing; "a,\n" ends a record whose last field is empty
            if (this.record.length > 0) {
              this.pushField("", false)
              this.endRecord(out)
            }
            state = c === CR ? State.AfterCr : State.FieldStart
            start = i + 1
          } else {
            state = State.Unquoted
            start = i
          }
          i++
          continue
        }
        case State.Unquoted: {
          // scan to the end of the field in one go
          let j = i
          let d = c
          while (d !== COMMA && d !== LF && d !== CR) {
            j++
            if (j === n) break
            d = text.charCodeAt(j)
          }
          if (j === n) {
            i = n
            continue
          }
          this.pushField(this.take(text, start, j), false)
          if (d === COMMA) {
            state = State.FieldStart
          } else {
            this.endRecord(out)
            state = d === CR ? State.AfterCr : State.FieldStart
          }
          i = j + 1
          start = i
          continue
        }
        case State.Quoted: {
          const q = text.indexOf("\"", i)
          if (q === -1) {
            i = n
            continue
          }
          this.carry += text.slice(start, q)
          state = State.QuoteInQuoted
          i = q + 1
          start = i
          continue
        }
        case State.QuoteInQuoted: {
          if (c === QUOTE) {
            // "" inside quotes is one literal quote; the field goes on
            this.carry += "\""
            state = State.Quoted
          } else if (c === COMMA) {
            this.pushField(this.take(text, 0, 0), true)
            state = State.FieldStart
          } else if (c === LF || c === CR) {
            this.pushField(this.take(text, 0, 0), true)
            this.endRecord(out)
            state = c === CR ? State.AfterCr : State.FieldStart
          } else {
            this.state = state
            return this.fail(`unexpected character ${JSON.stringify(text[i])} after a closing quote`)
          }
          i++
          start = i
          continue
        }
      }
    }
    if (state === State.Unquoted || state === State.Quoted) {
      this.carry += text.slice(start)
      if (this.carry.length > this.maxFieldLength) {
        this.state = state
        return this.fail(`a field is longer than ${this.maxFieldLength} characters`)
      }
    }
    this.state = state
    return undefined
  }

  /** Ends the input, pushing the last record if it had no line break after it. */
  end(out: Array<CsvRecord>): CsvSyntaxError | undefined {
    if (this.failed !== undefined) return this.failed
    switch (this.state) {
      case State.Quoted:
        return this.fail("a quoted field is not closed at the end of the input")
      case State.Unquoted:
        this.pushField(this.take("", 0, 0), false)
        this.endRecord(out)
        break
      case State.QuoteInQuoted:
        this.pushField(this.take("", 0, 0), true)
        this.endRecord(out)
        break
      case State.FieldStart:
        if (this.record.length > 0) {
          this.pushField("", false)
          this.endRecord(out)
        }
        break
      case State.AfterCr:
        break
    }
    this.state = State.FieldStart
    return undefined
  }

  private take(text: string, from: number, to: number): string {
    const carry = this.carry
    if (carry.length === 0) return text.slice(from, to)
    this.carry = ""
    return from === to ? carry : carry + text.slice(from, to)
  }

  private pushField(value: string, quoted: boolean): void {
    this.record.push(!quoted && value === this.nullToken ? null : value)
  }

  private endRecord(out: Array<CsvRecord>): void {
    out.push(this.record)
    this.record = []
    this.records++
  }

  private fail(reason: string): CsvSyntaxError {
    this.failed = new CsvSyntaxError(this.records + 1, reason)
    return this.failed
  }
}

/**
 * Writes one field as CSV, quoting it when it has to be (or when `forceQuote`); `null` becomes the bare null token.
 *
 * @internal
 */
export const formatField = (value: CsvField, forceQuote = false, nullToken = "\\N"): string => {
  if (value === null) return nullToken
  if (forceQuote || value === nullToken || value === "" || /[",\r\n]/.test(value)) {
    return `"${value.replaceAll("\"", "\"\"")}"`
  }
  return value
}
