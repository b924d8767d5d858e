/**
 * Pure helpers of the streaming endpoints: RFC 3339 timestamps of log lines, the splitter that turns timestamped
 * log frames into lines, the errors the daemon reports inside an HTTP 200 JSON stream, and registry credentials
 * encoded for the `X-Registry-Auth` header. No Effect and no I/O here.
 *
 * @internal
 */

/** A parsed RFC 3339 timestamp: the `Date` (millisecond precision) and the exact nanoseconds since the epoch. */
export interface Timestamp {
  readonly date: Date
  readonly nanos: bigint
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/**
 * Parses an RFC 3339 timestamp with up to nine fraction digits (`2024-05-01T10:00:00.123456789Z`, `…+02:00`), as the
 * daemon writes before each log line when `timestamps` is on. Undefined when the text is not one.
 *
 * @internal
 */
export const parseTimestamp = (text: string): Timestamp | undefined => {
  const match = timestampPattern.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second, fraction, zone] = match
  let millis = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second))
  if (Number.isNaN(millis)) return undefined
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1 : 1
    const offsetMinutes = Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))
    millis -= sign * offsetMinutes * 60_000
  }
  const fractionNanos = fraction === undefined ? 0n : BigInt(fraction.padEnd(9, "0"))
  const nanos = BigInt(millis) * 1_000_000n + fractionNanos
  return { date: new Date(millis + Number(fractionNanos / 1_000_000n)), nanos }
}

/** The longest timestamp prefix the daemon writes: `2006-01-02T15:04:05.000000000+07:00 `. */
const maxPrefixBytes = 36

/**
 * Splits a payload that starts with `<timestamp> ` into the timestamp and the rest (a view). Undefined when the
 * payload does not start with a timestamp.
 *
 * @internal
 */
export const splitTimestamp = (payload: Uint8Array): { readonly timestamp: Timestamp; readonly rest: Uint8Array } | undefined => {
  const limit = Math.min(payload.length, maxPrefixBytes)
  for (let i = 0; i < limit; i++) {
    if (payload[i] === 0x20) {
      let text = ""
      for (let k = 0; k < i; k++) text += String.fromCharCode(payload[k]!)
      const timestamp = parseTimestamp(text)
      return timestamp === undefined ? undefined : { timestamp, rest: payload.subarray(i + 1) }
    }
  }
  return undefined
}

/** One log line with the time the daemon recorded it. @internal */
export interface RawLogEntry {
  readonly stream: "stdout" | "stderr"
  readonly timestamp: Timestamp | undefined
  readonly line: string
}

interface PendingLine {
  readonly decoder: TextDecoder
  text: string
  /** Whether bytes of an unfinished line arrived (the decoder may hold part of a character). */
  open: boolean
  timestamp: Timestamp | undefined
}

const newPending = (): PendingLine => ({ decoder: new TextDecoder(), text: "", open: false, timestamp: undefined })

/**
 * Turns log frames written with `timestamps=true` into lines. Each frame of the logs endpoint is one log message and
 * starts with its timestamp; a long line that the logging driver split into several messages continues in the next
 * frames, whose timestamps are dropped (the line keeps the time of its first part). For a TTY (`perLine`), the
 * output is not framed, so the timestamp is read at the start of each line instead.
 *
 * @internal
 */
export class LogEntrySplitter {
  private readonly pending: [PendingLine, PendingLine] = [newPending(), newPending()]
  private readonly perLine: boolean
  constructor(perLine: boolean) {
    this.perLine = perLine
  }

  write(stream: 0 | 1 | 2, payload: Uint8Array, out: Array<RawLogEntry>): void {
    const index = stream === 2 ? 1 : 0
    const pending = this.pending[index]
    let bytes = payload
    let frameTimestamp: Timestamp | undefined = undefined
    if (!this.perLine) {
      const split = splitTimestamp(payload)
      if (split !== undefined) {
        bytes = split.rest
        frameTimestamp = split.timestamp
      }
    }
    if (bytes.length === 0) return
    if (!pending.open) {
      pending.open = true
      pending.timestamp = frameTimestamp
    }
    const text = pending.decoder.decode(bytes, { stream: true })
    let start = 0
    for (;;) {
      const newline = text.indexOf("\n", start)
      if (newline < 0) break
      this.emit(index, pending, pending.text + text.slice(start, newline), out)
      pending.text = ""
      // the bytes after the newline belong to this frame's message
      pending.timestamp = frameTimestamp
      start = newline + 1
    }
    pending.text += text.slice(start)
    if (bytes[bytes.length - 1] === 0x0a) {
      pending.open = false
      pending.timestamp = undefined
    }
  }

  end(out: Array<RawLogEntry>): void {
    for (let index = 0; index < 2; index++) {
      const pending = this.pending[index]!
      const rest = pending.text + pending.decoder.decode()
      if (pending.open) this.emit(index, pending, rest, out)
      pending.text = ""
      pending.open = false
    }
  }

  private emit(index: number, pending: PendingLine, raw: string, out: Array<RawLogEntry>): void {
    const stream = index === 1 ? "stderr" : "stdout"
    let line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    let timestamp = pending.timestamp
    if (this.perLine) {
      const space = line.indexOf(" ")
      const parsed = space > 0 && space <= maxPrefixBytes ? parseTimestamp(line.slice(0, space)) : undefined
      if (parsed !== undefined) {
        timestamp = parsed
        line = line.slice(space + 1)
      }
    }
    out.push({ stream, timestamp, line })
  }
}

/** The fields every JSON progress message may carry. @internal */
export interface JsonMessage {
  readonly errorDetail?: { readonly code?: number; readonly message?: string }
  readonly error?: string
}

/**
 * The error a JSON progress message reports (`errorDetail.message`, or the older `error`), if any.
 *
 * @internal
 */
export const messageError = (message: JsonMessage): { readonly message: string; readonly code?: number } | undefined => {
  const detail = message.errorDetail
  if (detail !== undefined && (detail.message !== undefined || message.error !== undefined)) {
    const text = detail.message ?? message.error ?? ""
    return detail.code === undefined ? { message: text } : { message: text, code: detail.code }
  }
  if (message.error !== undefined) return { message: message.error }
  return undefined
}

/**
 * Base64url (RFC 4648 §5, with padding) of the UTF-8 bytes of `text`, as the docker CLI encodes `X-Registry-Auth`.
 *
 * @internal
 */
export const base64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_")
}

/**
 * Decodes standard or URL-safe base64 to text (the daemon's `X-Docker-Container-Path-Stat` header).
 *
 * @internal
 */
export const fromBase64 = (text: string): string => {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return new TextDecoder().decode(bytes)
}
