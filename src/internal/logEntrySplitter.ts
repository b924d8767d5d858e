/**
 * The splitter that turns the frames of the logs endpoint, written with `timestamps=true`, into timestamped lines.
 * No Effect and no I/O here.
 *
 * @internal
 */
import { maxPrefixBytes, parseTimestamp, splitTimestamp, type Timestamp } from "./timestamp.ts"

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
