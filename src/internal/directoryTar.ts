/**
 * A folder as a tar byte Stream, written while it is read: one folder listing at a time, one file at a time, each
 * file's bytes streamed from the `FileSystem` service into the archive. Nothing holds the whole context.
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import type { Pool } from "./bufferPool.ts"
import type * as Ignore from "./dockerignore.ts"
import * as Tar from "./streamingTar.ts"

/** Bytes read per chunk. */
const CHUNK = 64 * 1024

/**
 * Exactly `size` bytes of the file (the size its header announced: zeros when it shrank while it was read, its
 * first `size` bytes when it grew), then the padding to a whole block, read in chunks of at most 64 KiB. The file
 * is open only while the stream runs. With a `pool`, the chunks are buffers of the pool, lent to the consumer (see
 * `bufferPool.ts`); without, each chunk is a fresh buffer.
 *
 * @internal
 */
export const fileData = (
  fs: FileSystem.FileSystem,
  path: string,
  size: number,
  pool?: Pool | undefined
): Stream.Stream<Uint8Array, PlatformError.PlatformError> => {
  if (size === 0) return Stream.empty
  return Stream.unwrap(Effect.map(fs.open(path, { flag: "r" }), (file) => {
    let left = size
    let padded = false
    let eof = false
    const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, PlatformError.PlatformError | Cause.Done> = Effect
      .suspend(() => {
        if (left === 0) {
          if (padded) return Cause.done()
          padded = true
          const padding = Tar.dataPadding(size)
          return padding.length === 0 ? Cause.done() : Effect.succeed([padding])
        }
        const want = Math.min(CHUNK, left)
        if (eof) {
          left -= want
          return Effect.succeed([new Uint8Array(want)])
        }
        const buffer = pool === undefined ? new Uint8Array(want) : pool.take()
        const target = buffer.length === want ? buffer : buffer.subarray(0, want)
        return Effect.flatMap(file.read(target), (n) => {
          if (n === 0) {
            eof = true
            pool?.give(buffer)
            return pull
          }
          left -= n
          const chunk = n === target.length ? target : target.subarray(0, n)
          return Effect.succeed([pool === undefined ? chunk : pool.lend(chunk, buffer)])
        })
      })
    return Stream.fromPull(Effect.succeed(pull))
  }))
}

const seconds = (info: FileSystem.File.Info): number =>
  Option.match(info.mtime, { onNone: () => 0, onSome: (date) => Math.floor(date.getTime() / 1000) })

/** Options of {@link directoryTar}. @internal */
export interface DirectoryTarOptions {
  /** Decides which entries to leave out; absent: none. */
  readonly matcher?: Ignore.Matcher | undefined
  /** Owner written in every header (the docker CLI writes 0:0). */
  readonly uid?: number | undefined
  readonly gid?: number | undefined
  /** Prefix of every name in the archive (no trailing `/`), e.g. a folder's own name. */
  readonly prefix?: string | undefined
  /** Where file chunks come from (see `fileData`); absent: fresh buffers. */
  readonly pool?: Pool | undefined
}

/**
 * The tar archive of the folder `root`'s content, names relative to it, entries in name order (folders before their
 * content), regular files, folders and symbolic links (links not followed); sockets, FIFOs and devices left out.
 *
 * @internal
 */
export const directoryTar = (
  root: string,
  options: DirectoryTarOptions = {}
): Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { matcher, pool, prefix } = options
    const owner = { uid: options.uid ?? 0, gid: options.gid ?? 0 }
    const absolute = (rel: string) => rel === "" ? root : `${root.replace(/\/+$/, "")}/${rel}`
    const named = (rel: string) => prefix === undefined || prefix === "" ? rel : `${prefix}/${rel}`

    const folder = (
      rel: string,
      parent: Ignore.Decision | undefined
    ): Stream.Stream<Uint8Array, PlatformError.PlatformError> =>
      Stream.unwrap(
        Effect.map(fs.readDirectoryEntries(absolute(rel)), (entries) =>
          Stream.fromIterable([...entries].sort((a, b) =>
            a.name < b.name ? -1 : a.name > b.name ? 1 : 0
          )).pipe(
            Stream.flatMap((entry) => one(rel === "" ? entry.name : `${rel}/${entry.name}`, entry.type, parent))
          ))
      )

    const one = (
      rel: string,
      listed: FileSystem.File.Type,
      parent: Ignore.Decision | undefined
    ): Stream.Stream<Uint8Array, PlatformError.PlatformError> =>
      Stream.unwrap(Effect.gen(function*() {
        const decision = matcher?.decide(rel, parent)
        const excluded = decision?.excluded ?? false
        if (listed === "SymbolicLink") {
          if (excluded) return Stream.empty
          const target = yield* fs.readLink(absolute(rel))
          return Stream.succeed(
            Tar.entryHeader({ name: named(rel), type: "symlink", linkname: target, mode: 0o777, size: 0, ...owner })
          )
        }
        if (excluded && listed !== "Directory" && listed !== "Unknown") return Stream.empty
        const info = yield* fs.stat(absolute(rel))
        const mode = info.mode & 0o7777
        if (info.type === "Directory") {
          if (excluded) {
            return matcher !== undefined && matcher.exceptions && matcher.mustEnter(rel)
              ? folder(rel, decision)
              : Stream.empty
          }
          const header = Tar.entryHeader({
            name: named(rel),
            type: "directory",
            mode,
            mtime: seconds(info),
            size: 0,
            ...owner
          })
          return Stream.concat(Stream.succeed(header), folder(rel, decision))
        }
        if (excluded || info.type !== "File") return Stream.empty
        const size = Number(info.size)
        const header = Tar.entryHeader({ name: named(rel), type: "file", mode, mtime: seconds(info), size, ...owner })
        return Stream.concat(Stream.succeed(header), fileData(fs, absolute(rel), size, pool))
      }))

    return Stream.concat(folder("", undefined), Stream.sync(Tar.trailer))
  }))
