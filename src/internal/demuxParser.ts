/**
 * A pure, I/O-free parser for Docker's multiplexed stdout/stderr stream.
 *
 * Each frame is an 8-byte header followed by its payload:
 *
 * ```text
 * byte 0     stream type: 0 stdin, 1 stdout, 2 stderr, 3 system error
 * bytes 1-3  zero
 * bytes 4-7  payload size, big-endian uint32
 * ```
 *
 * The parser keeps a list of the input chunks it has not consumed yet (with an offset into the first one) and never
 * concatenates them. A payload that lies inside one chunk is handed out as a `subarray` view of that chunk (zero
 * copy); a payload that spans chunks is copied once into a `Uint8Array` of its exact size when its last byte arrives.
 * Headers split across chunks are read byte by byte from the pending chunks. Frames are parsed in a loop, so any
 * number of frames in one chunk is fine.
 *
 * Zero-length frames advance the state and emit nothing, except a system-error frame (type 3), which fails the stream
 * whatever its length, as Moby's `stdcopy` does.
 *
 * With `partialFrames`, the bytes of a frame are emitted as they arrive (one view per input chunk) and nothing but
 * split headers and system-error frames is ever buffered or copied.
 *
 * With `coalesce` (which implies `partialFrames`), the payloads of consecutive frames of one stream inside an input
 * chunk are moved together in place with `copyWithin`, over the headers between them (already read), and come out as
 * one view: one object per run of one stream instead of one per frame. This overwrites the input chunk.
 *
 * Because payloads may be views of the input, callers must not reuse or mutate an input chunk after handing it over.
 *
 * @internal
 */

/** Stream types a frame may carry. @internal */
export type FrameStream = 0 | 1 | 2

/** One demultiplexed frame. @internal */
export interface RawFrame {
  readonly stream: FrameStream
  readonly payload: Uint8Array
}

/**
 * Why the parser stopped. Plain data; the public adapter turns it into a tagged error.
 *
 * @internal
 */
export type DemuxFailure =
  | {
    readonly _tag: "UnknownStreamType"
    /** Offset of the bad header from the start of the stream. */
    readonly offset: number
    /** The 8 header bytes as read. */
    readonly header: Uint8Array
  }
  | {
    readonly _tag: "Truncated"
    /** Offset of the header of the incomplete frame. */
    readonly offset: number
    /** Bytes that were still expected when the input ended (a lower bound when the header itself is incomplete). */
    readonly missing: number
    /** Whether the input ended inside the 8-byte header. */
    readonly inHeader: boolean
  }
  | {
    readonly _tag: "FrameTooLarge"
    readonly offset: number
    readonly size: number
    readonly maxFrameSize: number
  }
  | {
    readonly _tag: "SystemError"
    readonly offset: number
    /** The frame payload, decoded as UTF-8. */
    readonly message: string
  }

/** @internal */
export interface DemuxParserOptions {
  /** Largest accepted payload in bytes; a header announcing more fails with `FrameTooLarge`. */
  readonly maxFrameSize?: number | undefined
  /**
   * Emit the part of a frame that has arrived instead of waiting for the whole frame: a frame spanning chunks comes
   * out as several frames of the same stream, each a view of an input chunk (no copy, no buffering). System-error
   * frames are still read whole.
   */
  readonly partialFrames?: boolean | undefined
  /**
   * Implies `partialFrames`; also merges the payloads of consecutive frames of one stream within an input chunk into
   * one output frame, by moving them together inside the input chunk, which is overwritten.
   */
  readonly coalesce?: boolean | undefined
}

/** @internal */
export const HEADER_SIZE = 8

/** @internal */
export const DEFAULT_MAX_FRAME_SIZE = 256 * 1024 * 1024

/** Placeholder that releases a consumed chunk from the pending list. */
const RELEASED = new Uint8Array(0)
const utf8 = new TextDecoder()

/**
 * What both parsers share: the pending chunks, the slow path over them (headers and frames that span chunks) and the
 * end of input. Each parser adds its fast path (`fast`), which reads frames straight from a chunk when nothing is
 * pending. Two classes rather than one with a mode, so a program that uses one mode does not carry the other's code.
 *
 * `write(chunk, out)` appends every frame completed by `chunk` to `out` and returns a failure if the stream is
 * invalid; frames before the failing one are still appended. After a failure, the parser keeps returning it.
 *
 * @internal
 */
export abstract class DemuxParserBase {
  readonly maxFrameSize: number
  readonly partialFrames: boolean
  /** Pending input chunks; `chunks[first]` is read from offset `head`. */
  protected chunks: Array<Uint8Array> = []
  protected first = 0
  protected head = 0
  /** Unread bytes across the pending chunks. */
  protected buffered = 0
  /** Stream offset of the first unread byte. */
  protected consumed = 0
  /**
   * -1 while waiting for a header, else the payload size of the current frame (with `partialFrames`, what is left of
   * it to emit).
   */
  protected size = -1
  protected stream = 0
  protected frameOffset = 0
  protected failure: DemuxFailure | undefined = undefined
  private readonly scratch = new Uint8Array(HEADER_SIZE)

  constructor(options: DemuxParserOptions | undefined, partialFrames: boolean) {
    this.maxFrameSize = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
    this.partialFrames = partialFrames
  }

  /** Reads frames straight from `chunk` while nothing is pending; keeps what is left. */
  protected abstract fast(chunk: Uint8Array, out: Array<RawFrame>): DemuxFailure | undefined

  /** Feeds one chunk; pushes the completed frames to `out`. */
  write(chunk: Uint8Array, out: Array<RawFrame>): DemuxFailure | undefined {
    if (this.failure !== undefined) return this.failure
    if (chunk.length === 0) return undefined
    if (this.buffered === 0) return this.fast(chunk, out)
    this.chunks.push(chunk)
    this.buffered += chunk.length
    return this.drain(out)
  }

  /** Feeds several chunks in order; stops at the first failure. */
  writeAll(chunks: ReadonlyArray<Uint8Array>, out: Array<RawFrame>): DemuxFailure | undefined {
    for (let i = 0; i < chunks.length; i++) {
      const failure = this.write(chunks[i]!, out)
      if (failure !== undefined) return failure
    }
    return undefined
  }

  /** Signals the end of input; fails with `Truncated` when a frame is incomplete. */
  end(): DemuxFailure | undefined {
    if (this.failure !== undefined) return this.failure
    if (this.size >= 0) {
      return this.fail({
        _tag: "Truncated",
        offset: this.frameOffset,
        missing: this.size - this.buffered,
        inHeader: false
      })
    }
    if (this.buffered > 0) {
      const missing = HEADER_SIZE - this.buffered
      return this.fail({ _tag: "Truncated", offset: this.consumed, missing, inHeader: true })
    }
    return undefined
  }

  protected fail(failure: DemuxFailure): DemuxFailure {
    this.failure = failure
    this.chunks = []
    this.first = 0
    this.head = 0
    this.buffered = 0
    return failure
  }

  protected keep(chunk: Uint8Array, pos: number): undefined {
    if (pos < chunk.length) {
      this.chunks = [chunk]
      this.first = 0
      this.head = pos
      this.buffered = chunk.length - pos
    } else {
      this.chunks = []
      this.first = 0
      this.head = 0
      this.buffered = 0
    }
    return undefined
  }

  protected emit(payload: Uint8Array, out: Array<RawFrame>): DemuxFailure | undefined {
    if (this.stream === 3) {
      return this.fail({ _tag: "SystemError", offset: this.frameOffset, message: utf8.decode(payload) })
    }
    out.push({ stream: this.stream as FrameStream, payload })
    return undefined
  }

  /** Slow path: parse frames from the pending chunk list. */
  private drain(out: Array<RawFrame>): DemuxFailure | undefined {
    const max = this.maxFrameSize
    while (true) {
      if (this.size < 0) {
        if (this.buffered < HEADER_SIZE) break
        // Once the pending list holds a single chunk, the fast path can take over.
        if (this.chunks.length - this.first === 1) {
          const chunk = this.chunks[this.first]!
          const head = this.head
          this.chunks = []
          this.first = 0
          this.head = 0
          this.buffered = 0
          const rest = head === 0 ? chunk : chunk.subarray(head)
          return this.fast(rest, out)
        }
        const header = this.readHeader()
        const type = header[0]!
        if (type > 3 || header[1] !== 0 || header[2] !== 0 || header[3] !== 0) {
          return this.fail({ _tag: "UnknownStreamType", offset: this.consumed, header: header.slice() })
        }
        const size = ((header[4]! << 24) | (header[5]! << 16) | (header[6]! << 8) | header[7]!) >>> 0
        if (size > max) {
          return this.fail({ _tag: "FrameTooLarge", offset: this.consumed, size, maxFrameSize: max })
        }
        this.frameOffset = this.consumed
        this.consumed += HEADER_SIZE
        this.stream = type
        this.size = size
      }
      const size = this.size
      if (this.partialFrames && this.stream !== 3) {
        // All pending bytes are in the newest chunk here, so `take` returns a view.
        const n = Math.min(this.buffered, size)
        if (n > 0) out.push({ stream: this.stream as FrameStream, payload: this.take(n) })
        this.consumed += n
        if (n < size) {
          this.size = size - n
          break
        }
        this.size = -1
        continue
      }
      if (this.buffered < size) break
      if (size > 0) {
        const failure = this.emit(this.take(size), out)
        if (failure !== undefined) return failure
      } else if (this.stream === 3) {
        return this.fail({ _tag: "SystemError", offset: this.frameOffset, message: "" })
      }
      this.consumed += size
      this.size = -1
    }
    if (this.buffered === 0) {
      this.chunks = []
      this.first = 0
      this.head = 0
    } else if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first)
      this.first = 0
    }
    return undefined
  }

  /** Reads the 8 header bytes (which may span chunks) and consumes them. */
  private readHeader(): Uint8Array {
    const scratch = this.scratch
    let filled = 0
    while (filled < HEADER_SIZE) {
      const chunk = this.chunks[this.first]!
      const n = Math.min(HEADER_SIZE - filled, chunk.length - this.head)
      for (let i = 0; i < n; i++) scratch[filled + i] = chunk[this.head + i]!
      filled += n
      this.advance(chunk, n)
    }
    return scratch
  }

  /** Takes `n <= buffered` bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Uint8Array {
    const chunk = this.chunks[this.first]!
    const available = chunk.length - this.head
    if (available >= n) {
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset + this.head, n)
      this.advance(chunk, n)
      return view
    }
    const result = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const current = this.chunks[this.first]!
      const count = Math.min(n - filled, current.length - this.head)
      result.set(
        this.head === 0 && count === current.length ? current : current.subarray(this.head, this.head + count),
        filled
      )
      filled += count
      this.advance(current, count)
    }
    return result
  }

  private advance(chunk: Uint8Array, n: number): void {
    this.buffered -= n
    this.head += n
    if (this.head === chunk.length) {
      this.chunks[this.first] = RELEASED
      this.first++
      this.head = 0
    }
  }
}

/**
 * The frame-by-frame parser: whole frames, or with `partialFrames` the bytes of each frame as they arrive.
 *
 * @internal
 */
export class DemuxParser extends DemuxParserBase {
  constructor(options?: Omit<DemuxParserOptions, "coalesce">) {
    super(options, options?.partialFrames === true)
  }

  /**
   * Fast path: nothing is pending, so frames are read straight from `chunk` with a local cursor. Whatever is left
   * becomes the single pending chunk.
   */
  protected fast(chunk: Uint8Array, out: Array<RawFrame>): DemuxFailure | undefined {
    const length = chunk.length
    let pos = 0
    let size = this.size
    const buffer = chunk.buffer
    const byteOffset = chunk.byteOffset
    if (size >= 0) {
      if (this.partialFrames && this.stream !== 3) {
        // The rest of a frame whose start was already emitted.
        const n = Math.min(size, length)
        if (n > 0) out.push({ stream: this.stream as FrameStream, payload: new Uint8Array(buffer, byteOffset, n) })
        this.consumed += n
        if (n < size) {
          this.size = size - n
          return this.keep(chunk, length)
        }
        pos = n
        this.size = size = -1
      } else {
        // A header ended exactly at the previous chunk boundary.
        if (length < size) return this.keep(chunk, pos)
        if (size > 0) {
          const failure = this.emit(new Uint8Array(buffer, byteOffset, size), out)
          if (failure !== undefined) return failure
        }
        pos = size
        this.consumed += size
        this.size = size = -1
      }
    }
    const max = this.maxFrameSize
    while (length - pos >= HEADER_SIZE) {
      const type = chunk[pos]!
      if (type > 3 || chunk[pos + 1] !== 0 || chunk[pos + 2] !== 0 || chunk[pos + 3] !== 0) {
        return this.fail({ _tag: "UnknownStreamType", offset: this.consumed, header: chunk.slice(pos, pos + 8) })
      }
      size = ((chunk[pos + 4]! << 24) | (chunk[pos + 5]! << 16) | (chunk[pos + 6]! << 8) | chunk[pos + 7]!) >>> 0
      if (size > max) {
        return this.fail({ _tag: "FrameTooLarge", offset: this.consumed, size, maxFrameSize: max })
      }
      const start = pos + HEADER_SIZE
      const end = start + size
      if (end > length) {
        this.stream = type
        this.frameOffset = this.consumed
        this.consumed += HEADER_SIZE
        if (this.partialFrames && type !== 3) {
          const n = length - start
          if (n > 0) out.push({ stream: type as FrameStream, payload: new Uint8Array(buffer, byteOffset + start, n) })
          this.consumed += n
          this.size = size - n
          return this.keep(chunk, length)
        }
        this.size = size
        return this.keep(chunk, start)
      }
      if (size > 0) {
        if (type === 3) {
          this.frameOffset = this.consumed
          const message = utf8.decode(chunk.subarray(start, end))
          return this.fail({ _tag: "SystemError", offset: this.consumed, message })
        }
        // `new Uint8Array(buffer, offset, length)` is a view like `subarray`, but cheaper to create in V8.
        out.push({ stream: type as FrameStream, payload: new Uint8Array(buffer, byteOffset + start, size) })
      } else if (type === 3) {
        return this.fail({ _tag: "SystemError", offset: this.consumed, message: "" })
      }
      this.consumed += end - pos
      pos = end
    }
    return this.keep(chunk, pos)
  }
}

/**
 * The parser of the `coalesce` mode (which implies `partialFrames`): the payloads of consecutive frames of one stream
 * within an input chunk come out as one frame (see the module's description).
 *
 * @internal
 */
export class CoalescingParser extends DemuxParserBase {
  constructor(options?: { readonly maxFrameSize?: number | undefined }) {
    super(options, true)
  }

  /**
   * The fast path with `coalesce`. The current run of one stream lies at `[runStart, runEnd)` of `chunk`; a payload of
   * the same stream is moved to `runEnd` (always before its own position, since at least its header lies between), a
   * payload of another stream ends the run and starts the next one where it lies, so a frame alone in its run is not
   * moved. The bytes after `pos` are never written, so a split header kept for the next chunk is intact.
   */
  protected fast(chunk: Uint8Array, out: Array<RawFrame>): DemuxFailure | undefined {
    let size = this.size
    // A system-error frame whose header came in an earlier chunk is read whole, as without `coalesce`.
    if (size >= 0 && this.stream === 3) {
      return chunk.length < size ? this.keep(chunk, 0) : this.emit(chunk.subarray(0, size), out)
    }
    const length = chunk.length
    const buffer = chunk.buffer
    const byteOffset = chunk.byteOffset
    let pos = 0
    let runStream = size >= 0 ? this.stream : -1
    let runStart = 0
    let runEnd = 0
    if (size >= 0) {
      // The rest of a frame whose start was already emitted.
      runEnd = Math.min(size, length)
      this.consumed += runEnd
      if (runEnd < size) {
        this.size = size - runEnd
        pushRun(out, runStream, buffer, byteOffset, runEnd)
        return this.keep(chunk, length)
      }
      pos = runEnd
      this.size = -1
    }
    const max = this.maxFrameSize
    while (length - pos >= HEADER_SIZE) {
      const type = chunk[pos]!
      if (type > 3 || chunk[pos + 1] !== 0 || chunk[pos + 2] !== 0 || chunk[pos + 3] !== 0) {
        pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
        return this.fail({ _tag: "UnknownStreamType", offset: this.consumed, header: chunk.slice(pos, pos + 8) })
      }
      size = ((chunk[pos + 4]! << 24) | (chunk[pos + 5]! << 16) | (chunk[pos + 6]! << 8) | chunk[pos + 7]!) >>> 0
      if (size > max) {
        pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
        return this.fail({ _tag: "FrameTooLarge", offset: this.consumed, size, maxFrameSize: max })
      }
      const start = pos + HEADER_SIZE
      const end = start + size
      if (type === 3) {
        pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
        this.frameOffset = this.consumed
        if (end > length) {
          this.stream = type
          this.consumed += HEADER_SIZE
          this.size = size
          return this.keep(chunk, start)
        }
        const message = size > 0 ? utf8.decode(chunk.subarray(start, end)) : ""
        return this.fail({ _tag: "SystemError", offset: this.consumed, message })
      }
      const stop = end > length ? length : end
      if (stop > start) {
        if (type === runStream) {
          chunk.copyWithin(runEnd, start, stop)
          runEnd += stop - start
        } else {
          pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
          runStream = type
          runStart = start
          runEnd = stop
        }
      }
      if (end > length) {
        pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
        this.stream = type
        this.frameOffset = this.consumed
        this.consumed += length - pos
        this.size = end - length
        return this.keep(chunk, length)
      }
      this.consumed += end - pos
      pos = end
    }
    pushRun(out, runStream, buffer, byteOffset + runStart, runEnd - runStart)
    return this.keep(chunk, pos)
  }
}

/**
 * The parser for `options`: a {@link CoalescingParser} with `coalesce`, else a {@link DemuxParser}.
 *
 * @internal
 */
export const makeDemuxParser = (options?: DemuxParserOptions): DemuxParserBase =>
  options?.coalesce === true ? new CoalescingParser(options) : new DemuxParser(options)

/** Appends a run of one stream's bytes, if not empty, as a view. */
const pushRun = (
  out: Array<RawFrame>,
  stream: number,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number
): void => {
  if (length > 0) out.push({ stream: stream as FrameStream, payload: new Uint8Array(buffer, byteOffset, length) })
}

/**
 * Encodes one frame (header and payload) as Docker does.
 *
 * @internal
 */
export const encodeFrame = (stream: 0 | 1 | 2 | 3, payload: Uint8Array): Uint8Array => {
  const bytes = new Uint8Array(HEADER_SIZE + payload.length)
  bytes[0] = stream
  const size = payload.length
  bytes[4] = size >>> 24
  bytes[5] = (size >>> 16) & 0xff
  bytes[6] = (size >>> 8) & 0xff
  bytes[7] = size & 0xff
  bytes.set(payload, HEADER_SIZE)
  return bytes
}

/** A line of demultiplexed output. @internal */
export interface RawLine {
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

/**
 * Splits demultiplexed frames into lines, with one streaming UTF-8 decoder and one partial line per stream, so a
 * character or a line split across frames of one stream survives frames of the other stream in between.
 *
 * Lines end at `\n`; a `\r` right before it is dropped. A bare `\r` stays in the line. Stdin frames (type 0) count as
 * stdout, as Docker's own `stdcopy` does.
 *
 * @internal
 */
export class LineSplitter {
  private readonly decoders = [new TextDecoder(), new TextDecoder()] as const
  private readonly pending = ["", ""]

  write(stream: FrameStream, payload: Uint8Array, out: Array<RawLine>): void {
    const index = stream === 2 ? 1 : 0
    const name = index === 1 ? "stderr" : "stdout"
    const text = this.decoders[index].decode(payload, { stream: true })
    let start = 0
    let nl = text.indexOf("\n")
    if (nl < 0) {
      this.pending[index] += text
      return
    }
    let head = this.pending[index]!
    while (nl >= 0) {
      const end = nl > start ? (text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl) : nl
      let line = text.slice(start, end)
      if (head.length > 0) {
        line = head + line
        // `\r` at the end of the previous piece and `\n` at the start of this one.
        if (nl === start && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1)
        head = ""
      }
      out.push({ stream: name, line })
      start = nl + 1
      nl = text.indexOf("\n", start)
    }
    this.pending[index] = start < text.length ? text.slice(start) : ""
  }

  /** Flushes both decoders and emits the last line of each stream if it did not end with a newline. */
  end(out: Array<RawLine>): void {
    for (const index of [0, 1] as const) {
      let rest = this.pending[index]! + this.decoders[index].decode()
      this.pending[index] = ""
      if (rest.length > 0) {
        if (rest.charCodeAt(rest.length - 1) === 13) rest = rest.slice(0, -1)
        out.push({ stream: index === 1 ? "stderr" : "stdout", line: rest })
      }
    }
  }
}
