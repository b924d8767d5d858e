/**
 * A folder as a tar byte Stream, written while it is read: one folder listing at a time, one file at a time, each
 * file's bytes streamed from the `FileSystem` service into the archive. Nothing holds the whole context.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import type * as Ignore from "./dockerignore.ts"
import * as Tar from "./streamingTar.ts"

const ZERO_CHUNK = 64 * 1024

/** `size` zero bytes in chunks of at most 64 KiB (to pad a file that shrank while it was read). */
const zeros = (size: number): Stream.Stream<Uint8Array> =>
  Stream.fromIterable({
    *[Symbol.iterator]() {
      for (let left = size; left > 0; left -= ZERO_CHUNK) yield new Uint8Array(Math.min(left, ZERO_CHUNK))
    }
  })

/** Exactly `size` bytes of the file (the size its header announced), then the padding to a whole block. @internal */
export const fileData = (
  fs: FileSystem.FileSystem,
  path: string,
  size: number
): Stream.Stream<Uint8Array, PlatformError.PlatformError> => {
  if (size === 0) return Stream.empty
  return Stream.suspend(() => {
    let read = 0
    return fs.stream(path, { bytesToRead: size }).pipe(
      Stream.map((chunk) => {
        const part = chunk.length <= size - read ? chunk : chunk.subarray(0, size - read)
        read += part.length
        return part
      }),
      Stream.filter((chunk) => chunk.length > 0),
      Stream.concat(Stream.suspend(() => zeros(size - read))),
      Stream.concat(Stream.sync(() => Tar.dataPadding(size)).pipe(Stream.filter((p) => p.length > 0)))
    )
  })
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
  /**
   * Files written whole after the folder's entries (before the trailer), in place of the folder's entries of the
   * same names (relative to the folder), e.g. a Dockerfile from outside a build context.
   */
  readonly append?: ReadonlyArray<AppendedFile> | undefined
}

/** A file given whole to {@link directoryTar}. @internal */
export interface AppendedFile {
  readonly name: string
  readonly data: Uint8Array
  readonly mode: number
  /** Seconds since the epoch. */
  readonly mtime: number
}

/** The identity of a file with more than one hard link (device and inode), when the FileSystem tells. */
const linkKey = (info: FileSystem.File.Info): string | undefined =>
  Option.match(Option.all([info.ino, info.nlink]), {
    onNone: () => undefined,
    onSome: ([ino, nlink]) => nlink > 1n ? `${info.dev}:${ino}` : undefined
  })

/**
 * The tar archive of the folder `root`'s content, names relative to it, entries in name order (folders before their
 * content), regular files, folders and symbolic links (links not followed); sockets, FIFOs and devices left out. A
 * file with several hard links in the folder is written once, at its first name in that order; its other names are
 * hard link entries to that name (as the docker CLI writes them), when the FileSystem gives inodes.
 *
 * @internal
 */
export const directoryTar = (
  root: string,
  options: DirectoryTarOptions = {}
): Stream.Stream<Uint8Array, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const { matcher, prefix } = options
    const owner = { uid: options.uid ?? 0, gid: options.gid ?? 0 }
    const absolute = (rel: string) => rel === "" ? root : `${root.replace(/\/+$/, "")}/${rel}`
    const named = (rel: string) => prefix === undefined || prefix === "" ? rel : `${prefix}/${rel}`
    const appended = options.append ?? []
    const replaced = new Set(appended.map((file) => file.name))
    // the first name written of each file that has several hard links: only such files are remembered
    const firstNames = new Map<string, string>()

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
        if (replaced.has(rel)) return Stream.empty
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
        const key = linkKey(info)
        const first = key === undefined ? undefined : firstNames.get(key)
        if (first !== undefined) {
          return Stream.succeed(Tar.entryHeader({
            name: named(rel),
            type: "link",
            linkname: named(first),
            mode,
            mtime: seconds(info),
            size: 0,
            ...owner
          }))
        }
        if (key !== undefined) firstNames.set(key, rel)
        const size = Number(info.size)
        const header = Tar.entryHeader({ name: named(rel), type: "file", mode, mtime: seconds(info), size, ...owner })
        return Stream.concat(Stream.succeed(header), fileData(fs, absolute(rel), size))
      }))

    const appendedEntries = Stream.fromIterable(appended).pipe(
      Stream.flatMap((file) =>
        Stream.make(
          Tar.entryHeader({
            name: named(file.name),
            type: "file",
            mode: file.mode,
            mtime: file.mtime,
            size: file.data.length,
            ...owner
          }),
          file.data,
          Tar.dataPadding(file.data.length)
        ).pipe(Stream.filter((bytes) => bytes.length > 0))
      )
    )
    return folder("", undefined).pipe(Stream.concat(appendedEntries), Stream.concat(Stream.sync(Tar.trailer)))
  }))
