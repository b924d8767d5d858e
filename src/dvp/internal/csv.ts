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
 * - A record with more than `maxFieldsPerRecord` fields, or longer than `maxRecordLength` characters (its fields'
 *   text plus one per separator), is an error, found as soon as the bound is crossed: a line of millions of empty
 *   fields fails after `maxFieldsPerRecord + 1` of them instead of building them all.
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
  /** The most fields one record may have. Default 4096. */
  readonly maxFieldsPerRecord?: number | undefined
  /** The longest record accepted, in UTF-16 code units of its fields plus one per separator. Default 4 Mi. */
  readonly maxRecordLength?: number | undefined
}

/** @internal */
export const defaultMaxFieldLength = 1024 * 1024
/** @internal */
export const defaultMaxFieldsPerRecord = 4096
/** @internal */
export const defaultMaxRecordLength = 4 * 1024 * 1024

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
  private readonly maxFieldsPerRecord: number
  private readonly maxRecordLength: number
  /** Characters of the current record's completed fields, plus one per field for its separator. */
  private recordLength = 0

  constructor(options: CsvParserOptions = {}) {
    this.nullToken = "nullToken" in options ? options.nullToken : "\\N"
    this.maxFieldLength = options.maxFieldLength ?? defaultMaxFieldLength
    this.maxFieldsPerRecord = options.maxFieldsPerRecord ?? defaultMaxFieldsPerRecord
    this.maxRecordLength = options.maxRecordLength ?? defaultMaxRecordLength
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
            const error = this.pushField("", false)
            if (error !== undefined) return this.failIn(state, error)
            start = i + 1
          } else if (c === LF || c === CR) {
            // an empty line ends nothing; "a,\n" ends a record whose last field is empty
            if (this.record.length > 0) {
              const error = this.pushField("", false)
              if (error !== undefined) return this.failIn(state, error)
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
          const error = this.pushField(this.take(text, start, j), false)
          if (error !== undefined) return this.failIn(state, error)
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
            const error = this.pushField(this.take(text, 0, 0), true)
            if (error !== undefined) return this.failIn(state, error)
            state = State.FieldStart
          } else if (c === LF || c === CR) {
            const error = this.pushField(this.take(text, 0, 0), true)
            if (error !== undefined) return this.failIn(state, error)
            this.endRecord(out)
            state = c === CR ? State.AfterCr : State.FieldStart
          } else {
            return this.failIn(state, `unexpected character ${JSON.stringify(text[i])} after a closing quote`)
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
        return this.failIn(state, `a field is longer than ${this.maxFieldLength} characters`)
      }
      if (this.recordLength + this.carry.length > this.maxRecordLength) {
        return this.failIn(state, `a record is longer than ${this.maxRecordLength} characters`)
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
      case State.QuoteInQuoted: {
        const error = this.pushField(this.take("", 0, 0), this.state === State.QuoteInQuoted)
        if (error !== undefined) return this.fail(error)
        this.endRecord(out)
        break
      }
      case State.FieldStart:
        if (this.record.length > 0) {
          const error = this.pushField("", false)
          if (error !== undefined) return this.fail(error)
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

  /** Adds a field to the current record; returns why it cannot when a bound is crossed. */
  private pushField(value: string, quoted: boolean): string | undefined {
    if (this.record.length >= this.maxFieldsPerRecord) {
      return `a record has more than ${this.maxFieldsPerRecord} fields`
    }
    if (value.length > this.maxFieldLength) return `a field is longer than ${this.maxFieldLength} characters`
    this.recordLength += value.length + 1
    if (this.recordLength - 1 > this.maxRecordLength) {
      return `a record is longer than ${this.maxRecordLength} characters`
    }
    this.record.push(!quoted && value === this.nullToken ? null : value)
    return undefined
  }

  private endRecord(out: Array<CsvRecord>): void {
    out.push(this.record)
    this.record = []
    this.recordLength = 0
    this.records++
  }

  private failIn(state: State, reason: string): CsvSyntaxError {
    this.state = state
    return this.fail(reason)
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
