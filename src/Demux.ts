/**
 * Demultiplexing of Docker's stdout/stderr stream.
 *
 * When a container runs without a TTY, `attach`, `logs` and `exec` responses interleave stdout and stderr in frames:
 * an 8-byte header (stream type, three zero bytes, big-endian uint32 payload size) followed by the payload. This
 * module turns such a byte stream into `Frame`s, lines or strings, with typed errors for malformed input.
 *
 * Payloads are zero-copy views of the input chunks whenever a frame lies inside one chunk, so do not reuse an input
 * buffer after handing it to the demuxer.
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Channel from "effect/Channel"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"
import { makeBatchChannel } from "./internal/batchChannel.ts"
import * as internal from "./internal/demuxParser.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * A demultiplexed frame: `stream` is 0 (stdin), 1 (stdout) or 2 (stderr); `payload` is never empty (zero-length
 * frames are skipped). By default a frame is whole; with `partialFrames` it may be a piece of one; with `coalesce` it
 * may hold the bytes of several consecutive frames of one stream.
 *
 * @example
 * ```ts
 * import type { Demux } from "effect-docker"
 * const frame: Demux.Frame = { stream: 1, payload: new TextEncoder().encode("hi\n") }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Frame {
  readonly stream: 0 | 1 | 2
  readonly payload: Uint8Array
}

/**
 * One line of output, decoded as UTF-8, without its line terminator.
 *
 * @example
 * ```ts
 * import type { Demux } from "effect-docker"
 * const line: Demux.Line = { stream: "stderr", line: "warning: low disk" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Line {
  readonly stream: "stdout" | "stderr"
  readonly line: string
}

const DemuxErrorBase: TaggedErrorClass<"DemuxError"> = /*#__PURE__*/ Data.TaggedError("DemuxError")

/**
 * The byte stream is not a valid multiplexed stream:
 *
 * - `UnknownStreamType`: a header's first byte is above 3 or bytes 1-3 are not zero (`header` holds the 8 bytes);
 * - `Truncated`: the input ended inside a header or a payload (`missing` bytes were still expected);
 * - `FrameTooLarge`: a header announced a payload above `maxFrameSize` (`size`).
 *
 * `offset` is the position of the offending frame header from the start of the stream.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const program = Demux.demuxStream(Stream.make(new Uint8Array([9, 0, 0, 0, 0, 0, 0, 1, 65]))).pipe(
 *   Stream.runCollect,
 *   Effect.catchTag("DemuxError", (e) => Effect.succeed(e.reason)) // "UnknownStreamType"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DemuxError extends DemuxErrorBase<{
  readonly reason: "UnknownStreamType" | "Truncated" | "FrameTooLarge"
  readonly offset: number
  readonly message: string
  readonly header?: Uint8Array | undefined
  readonly missing?: number | undefined
  readonly size?: number | undefined
}> {}

const DaemonStreamErrorBase: TaggedErrorClass<"DaemonStreamError"> = /*#__PURE__*/ Data.TaggedError("DaemonStreamError")

/**
 * The daemon sent a system-error frame (stream type 3); `message` is its payload decoded as UTF-8 (or, for an empty
 * frame, "the daemon sent a system-error frame without a message"). Any such frame ends the stream, as Moby's
 * `stdcopy` does, even an empty one.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const bytes = Demux.encodeFrame(3, new TextEncoder().encode("exec failed"))
 * const program = Demux.demuxStream(Stream.make(bytes)).pipe(
 *   Stream.runDrain,
 *   Effect.catchTag("DaemonStreamError", (e) => Effect.succeed(e.message)) // "exec failed"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DaemonStreamError extends DaemonStreamErrorBase<{
  readonly message: string
  readonly offset: number
}> {}

/**
 * Options of the demuxer.
 *
 * @example
 * ```ts
 * import { Demux } from "effect-docker"
 * const options: Demux.DemuxOptions = { maxFrameSize: 16 * 1024 * 1024 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DemuxOptions {
  /** Largest accepted payload in bytes (default 256 MiB); a larger header fails with `FrameTooLarge`. */
  readonly maxFrameSize?: number | undefined
  /**
   * Emit each frame's bytes as they arrive instead of whole frames (default `false`). A frame that spans input chunks
   * then comes out as several `Frame`s of the same stream, each a view of an input chunk: nothing is copied and a
   * large frame is never buffered. Use it when only the byte streams matter (logs, `toLines`, `toStrings`, piping),
   * not where each frame was one write of the process.
   */
  readonly partialFrames?: boolean | undefined
  /**
   * Hand out each stream's bytes rather than frames (default `false`; implies `partialFrames`): the payloads of
   * consecutive frames of one stream within an input chunk come out as one `Frame`, so a chunk of many small frames
   * gives a few `Frame`s (one per run of one stream) instead of one per frame. Each stream's bytes and their order
   * are the same as frame by frame; a `Frame` never mixes streams, but two `Frame`s in a row may have the same stream.
   * The payloads are moved together inside the input chunk, which is overwritten: use it only on chunks nobody else
   * reads (a response body, as `Containers.logs` with `coalesce` does). Use it for logs to a file or terminal,
   * `toLines` or `toStrings`, not where each frame was one write of the process.
   *
   * @since 0.2.0
   */
  readonly coalesce?: boolean | undefined
}

const hexHeader = (header: Uint8Array): string =>
  Array.from(header, (byte) => byte.toString(16).padStart(2, "0")).join(" ")

const emptySystemErrorMessage = "the daemon sent a system-error frame without a message"

const toError = (failure: internal.DemuxFailure): DemuxError | DaemonStreamError => {
  switch (failure._tag) {
    case "UnknownStreamType":
      return new DemuxError({
        reason: "UnknownStreamType",
        offset: failure.offset,
        header: failure.header,
        message: `Unknown stream type in frame header at byte ${failure.offset}: ${hexHeader(failure.header)}`
      })
    case "Truncated":
      return new DemuxError({
        reason: "Truncated",
        offset: failure.offset,
        missing: failure.missing,
        message: failure.inHeader
          ? `Input ended inside the frame header at byte ${failure.offset}: ${failure.missing} header bytes missing`
          : `Input ended inside the frame at byte ${failure.offset}: ${failure.missing} payload bytes missing`
      })
    case "FrameTooLarge":
      return new DemuxError({
        reason: "FrameTooLarge",
        offset: failure.offset,
        size: failure.size,
        message:
          `Frame at byte ${failure.offset} announces ${failure.size} bytes, above maxFrameSize ${failure.maxFrameSize}`
      })
    case "SystemError":
      return new DaemonStreamError({
        message: failure.message === "" ? emptySystemErrorMessage : failure.message,
        offset: failure.offset
      })
  }
}

/**
 * A channel from byte chunks to frames. Each input batch gives at most one output batch, so there is no per-frame
 * overhead. Fails with `DemuxError` on malformed input and `DaemonStreamError` on a system-error frame, after
 * emitting the frames before it.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const frames = Stream.make(Demux.encodeFrame(1, new TextEncoder().encode("hi\n"))).pipe(
 *   Stream.pipeThroughChannel(Demux.demux())
 * )
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const demux = <E = never>(
  options?: DemuxOptions
): Channel.Channel<
  NonEmptyReadonlyArray<Frame>,
  E | DemuxError | DaemonStreamError,
  void,
  NonEmptyReadonlyArray<Uint8Array>,
  E,
  unknown
> => parserChannel<E>(() => internal.makeDemuxParser(options))

/** The channel around a parser; `demux` chooses the parser by its options, {@link coalesced} has its own. */
const parserChannel = <E>(make: () => internal.DemuxParserBase) =>
  makeBatchChannel<Uint8Array, Frame, DemuxError | DaemonStreamError, E>(() => {
    const parser = make()
    return {
      step: (chunks, out) => {
        const failure = parser.writeAll(chunks, out)
        return failure === undefined ? undefined : toError(failure)
      },
      flush: () => {
        const failure = parser.end()
        return failure === undefined ? undefined : toError(failure)
      }
    }
  })

/**
 * Demultiplexes a byte stream (a non-TTY `attach`, `logs` or `exec` body) into frames.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const bytes = Stream.make(Demux.encodeFrame(2, new TextEncoder().encode("oops\n")))
 * const frames = Demux.demuxStream(bytes) // or bytes.pipe(Demux.demuxStream())
 * // each stream's bytes, consecutive frames of one stream merged (overwrites the input chunks)
 * const perStream = Demux.demuxStream(Stream.make(Demux.encodeFrame(1, new TextEncoder().encode("a\n"))), {
 *   coalesce: true
 * })
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const demuxStream: {
  (
    options?: DemuxOptions
  ): <E, R>(bytes: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Frame, E | DemuxError | DaemonStreamError, R>
  <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>,
    options?: DemuxOptions
  ): Stream.Stream<Frame, E | DemuxError | DaemonStreamError, R>
} = /*#__PURE__*/ dual(
  (args) => Stream.isStream(args[0]),
  <E, R>(
    bytes: Stream.Stream<Uint8Array, E, R>,
    options?: DemuxOptions
  ): Stream.Stream<Frame, E | DemuxError | DaemonStreamError, R> => Stream.pipeThroughChannel(bytes, demux<E>(options))
)

/**
 * `demuxStream(bytes, { coalesce: true })` without the frame-by-frame parser, for callers that always coalesce
 * (`Containers.logLines`, `logsText`): `demuxStream` chooses its parser at run time, so a bundle that uses it keeps
 * both.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const frames = Demux.coalesced(Stream.make(Demux.encodeFrame(1, new TextEncoder().encode("a\n"))))
 * ```
 * @since 0.2.0
 * @internal
 */
export const coalesced = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<Frame, E | DemuxError | DaemonStreamError, R> =>
  Stream.pipeThroughChannel(bytes, parserChannel<E>(() => new internal.CoalescingParser()))

/**
 * `toLines(coalesced(bytes))`, or `toLines(rawStream(bytes))` when `raw` (a TTY session's body), in one channel: the
 * parsed frames go straight to the line splitter. The lines and the failures are those of the two steps in a row
 * (a failure comes after the lines before it, and the last line of a stream without its newline is not emitted).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const lines = Demux.bytesToLines(Stream.make(Demux.encodeFrame(2, new TextEncoder().encode("oops\n"))), false)
 * ```
 * @since 0.2.0
 * @internal
 */
export const bytesToLines = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  raw: boolean
): Stream.Stream<Line, E | DemuxError | DaemonStreamError, R> =>
  Stream.pipeThroughChannel(
    bytes,
    makeBatchChannel<Uint8Array, Line, DemuxError | DaemonStreamError, E>(() => {
      const parser = raw ? undefined : new internal.CoalescingParser()
      const splitter = new internal.LineSplitter()
      const frames: Array<internal.RawFrame> = []
      return {
        step: (chunks, out) => {
          if (parser === undefined) {
            for (let i = 0; i < chunks.length; i++) splitter.write(1, chunks[i]!, out)
            return undefined
          }
          const failure = parser.writeAll(chunks, frames)
          for (let i = 0; i < frames.length; i++) splitter.write(frames[i]!.stream, frames[i]!.payload, out)
          frames.length = 0
          return failure === undefined ? undefined : toError(failure)
        },
        flush: (out) => {
          const failure = parser?.end()
          if (failure !== undefined) return toError(failure)
          splitter.end(out)
          return undefined
        }
      }
    })
  )

/**
 * Wraps the body of a TTY session, which is not multiplexed, as stdout frames (empty chunks are dropped).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const frames = Demux.rawStream(Stream.make(new TextEncoder().encode("$ ")))
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const rawStream = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Frame, E, R> =>
  Stream.pipeThroughChannel(bytes, rawFrames<E>())

// the batch channel the demuxer uses rather than `Stream.filter` and `Stream.mapArray`, which only this would bring
const rawFrames = <E>() =>
  makeBatchChannel<Uint8Array, Frame, never, E>(() => ({
    step: (chunks, out) => {
      for (let i = 0; i < chunks.length; i++) if (chunks[i]!.length > 0) out.push({ stream: 1, payload: chunks[i]! })
      return undefined
    },
    flush: () => undefined
  }))

/**
 * A channel from frames to lines: one streaming UTF-8 decoder per stream, lines split on `\n` (a `\r` before it is
 * dropped), and the last line of each stream emitted at the end even without a newline. Stdin frames count as
 * stdout.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const frame: Demux.Frame = { stream: 1, payload: new TextEncoder().encode("a\nb") }
 * const lines = Stream.make(frame).pipe(
 *   Stream.pipeThroughChannel(Demux.lines())
 * ) // { stream: "stdout", line: "a" }, { stream: "stdout", line: "b" }
 * ```
 *
 * @since 0.1.0
 * @category channels
 */
export const lines = <E = never>(): Channel.Channel<
  NonEmptyReadonlyArray<Line>,
  E,
  void,
  NonEmptyReadonlyArray<Frame>,
  E,
  unknown
> =>
  makeBatchChannel<Frame, Line, never, E>(() => {
    const splitter = new internal.LineSplitter()
    return {
      step: (frames, out) => {
        for (let i = 0; i < frames.length; i++) splitter.write(frames[i]!.stream, frames[i]!.payload, out)
        return undefined
      },
      flush: (out) => {
        splitter.end(out)
        return undefined
      }
    }
  })

/**
 * Turns a stream of frames into lines tagged with their stream (see {@link lines}).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const out = Demux.toLines(Demux.demuxStream(Stream.make(Demux.encodeFrame(1, new TextEncoder().encode("a\n")))))
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const toLines = <E, R>(frames: Stream.Stream<Frame, E, R>): Stream.Stream<Line, E, R> =>
  Stream.pipeThroughChannel(frames, lines<E>())

/**
 * Collects a finite stream of frames into the full stdout and stderr text (each decoded as UTF-8 on its own).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Demux } from "effect-docker"
 * const bytes = Stream.make(Demux.encodeFrame(1, new TextEncoder().encode("out")))
 * const { stderr, stdout } = await Effect.runPromise(Demux.toStrings(Demux.demuxStream(bytes)))
 * ```
 *
 * @since 0.1.0
 * @category streams
 */
export const toStrings = <E, R>(
  frames: Stream.Stream<Frame, E, R>
): Effect.Effect<{ readonly stdout: string; readonly stderr: string }, E, R> =>
  Effect.suspend(() => {
    const decoders = [new TextDecoder(), new TextDecoder()] as const
    const parts: [Array<string>, Array<string>] = [[], []]
    return Stream.runForEachArray(frames, (batch) =>
      Effect.sync(() => {
        for (let i = 0; i < batch.length; i++) {
          const frame = batch[i]!
          const index = frame.stream === 2 ? 1 : 0
          parts[index].push(decoders[index].decode(frame.payload, { stream: true }))
        }
      })).pipe(
        Effect.map(() => ({
          stdout: parts[0].join("") + decoders[0].decode(),
          stderr: parts[1].join("") + decoders[1].decode()
        }))
      )
  })

/**
 * Encodes one frame as the daemon does: useful to build fakes and fixtures. Stream 3 is a system-error frame.
 *
 * @example
 * ```ts
 * import { Demux } from "effect-docker"
 * const bytes = Demux.encodeFrame(1, new TextEncoder().encode("hi")) // [1,0,0,0,0,0,0,2,104,105]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const encodeFrame: (stream: 0 | 1 | 2 | 3, payload: Uint8Array) => Uint8Array = internal.encodeFrame
