/**
 * A folder as a tar byte Stream, written while it is read: one folder listing at a time, one file at a time, each
 * file's bytes streamed from the `FileSystem` service into the archive in chunks of at most 64 KiB, one chunk per
 * pull (so the consumer's back-pressure reaches the file reads). Nothing holds the whole context, and memory does
 * not grow with the folder: see `bench/buildContext.ts`.
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as PlatformError from "effect/PlatformError"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Pool } from "./bufferPool.ts"
import type * as Ignore from "./dockerignore.ts"
import * as Tar from "./streamingTar.ts"

/** Bytes read per chunk. */
const CHUNK = 64 * 1024

/**
 * Reads one open file as tar data: each call gives the next chunk of exactly `size` bytes (the size its header
 * announced: zeros when the file shrank while it was read, its first `size` bytes when it grew), then the padding
 * to a whole block, then `undefined`. Chunks are at most 64 KiB; with a `pool` they are buffers of the pool, lent to
 * the consumer (see `bufferPool.ts`), without one each chunk is a fresh buffer.
 */
const fileReader = (
  file: FileSystem.File,
  size: number,
  pool: Pool | undefined
): Effect.Effect<Uint8Array | undefined, PlatformError.PlatformError> => {
  let left = size
  let padded = false
  let eof = false
  const next: Effect.Effect<Uint8Array | undefined, PlatformError.PlatformError> = Effect.suspend(() => {
    if (left === 0) {
      if (padded) return Effect.undefined
      padded = true
      const padding = Tar.dataPadding(size)
      return padding.length === 0 ? Effect.undefined : Effect.succeed(padding)
    }
    const want = Math.min(CHUNK, left)
    if (eof) {
      left -= want
      return Effect.succeed(new Uint8Array(want))
    }
    const buffer = pool === undefined ? new Uint8Array(want) : pool.take()
    const target = buffer.length === want ? buffer : buffer.subarray(0, want)
    return Effect.flatMap(file.read(target), (n) => {
      if (n === 0) {
        eof = true
        pool?.give(buffer)
        return next
      }
      left -= n
      const chunk = n === target.length ? target : target.subarray(0, n)
      return Effect.succeed(pool === undefined ? chunk : pool.lend(chunk, buffer))
    })
  })
  return next
}

/**
 * Exactly `size` bytes of the file, then the padding to a whole block (see `fileReader`), in chunks of at most 64
 * KiB. The file is open only while the stream runs.
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
    const next = fileReader(file, size, pool)
    const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, PlatformError.PlatformError | Cause.Done> = Effect
      .flatMap(next, (chunk) => chunk === undefined ? Cause.done() : Effect.succeed([chunk]))
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
  /**
   * Writes each entry's own host owner (a symbolic link's own, not its target's) where `uid`/`gid` are not given;
   * 0 where the FileSystem does not tell.
   */
  readonly keepOwner?: boolean | undefined
  /** Prefix of every name in the archive (no trailing `/`), e.g. a folder's own name. */
  readonly prefix?: string | undefined
  /**
   * Files written whole after the folder's entries (before the trailer), in place of the folder's entries of the
   * same names (relative to the folder), e.g. a Dockerfile from outside a build context.
   */
  readonly append?: ReadonlyArray<AppendedFile> | undefined
  /**
   * Where file chunks come from (see `fileReader`); absent: fresh buffers. Only for an archive whose chunks go to
   * a consumer that releases them and to nobody else (see `bufferPool.ts`).
   */
  readonly pool?: Pool | undefined
}

/** A file given whole to {@link directoryTar}. @internal */
export interface AppendedFile {
  readonly name: string
  readonly data: Uint8Array
  readonly mode: number
  /** Seconds since the epoch. */
  readonly mtime: number
}

/** The owner written for an entry whose host information is `info`. @internal */
export const entryOwner = (
  info: FileSystem.File.Info,
  options: {
    readonly uid?: number | undefined
    readonly gid?: number | undefined
    readonly keepOwner?: boolean | undefined
  }
): { readonly uid: number; readonly gid: number } => ({
  uid: options.uid ?? (options.keepOwner === true ? Option.getOrElse(info.uid, () => 0) : 0),
  gid: options.gid ?? (options.keepOwner === true ? Option.getOrElse(info.gid, () => 0) : 0)
})

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
    // the stream's own scope: each file is opened in a child scope, closed after its last chunk (or with the stream)
    const scope = yield* Effect.scope
    const { matcher, pool, prefix } = options
    const owner = { uid: options.uid ?? 0, gid: options.gid ?? 0 }
    const keepOwner = options.keepOwner === true
    const absolute = (rel: string) => rel === "" ? root : `${root.replace(/\/+$/, "")}/${rel}`
    const named = (rel: string) => prefix === undefined || prefix === "" ? rel : `${prefix}/${rel}`
    const appended = options.append ?? []
    const replaced = new Set(appended.map((file) => file.name))
    // the first name written of each file that has several hard links: only such files are remembered
    const firstNames = new Map<string, string>()

    // One pull walks the whole tree: a stack of folders being listed (each read when first reached) and at most one
    // open file. No Stream per entry: the walk allocates little per file, so the heap stays small however many
    // files there are.
    const stack: Array<Folder> = [{ rel: "", parent: undefined, entries: undefined, index: 0 }]
    let file: { readonly next: Effect.Effect<Uint8Array | undefined, PlatformError.PlatformError> } | undefined
    let fileScope: Scope.Closeable | undefined
    let ended = false
    let appendedIndex = 0
    const appendedEntry = (file: AppendedFile): Arr.NonEmptyReadonlyArray<Uint8Array> => {
      const header = Tar.entryHeader({
        name: named(file.name),
        type: "file",
        mode: file.mode,
        mtime: file.mtime,
        size: file.data.length,
        ...owner
      })
      const padding = Tar.dataPadding(file.data.length)
      return [header, ...[file.data, padding].filter((bytes) => bytes.length > 0)]
    }

    /** The header of one entry, or `undefined` when it is left out; a folder is pushed, a file opened. */
    const visit = (
      rel: string,
      listed: FileSystem.File.Type,
      parent: Ignore.Decision | undefined
    ): Effect.Effect<Uint8Array | undefined, PlatformError.PlatformError> =>
      Effect.gen(function*() {
        if (replaced.has(rel)) return undefined
        const decision = matcher?.decide(rel, parent)
        const excluded = decision?.excluded ?? false
        if (listed === "SymbolicLink") {
          if (excluded) return undefined
          const target = yield* fs.readLink(absolute(rel))
          return Tar.entryHeader({
            name: named(rel),
            type: "symlink",
            linkname: target,
            mode: 0o777,
            size: 0,
            ...(keepOwner ? entryOwner(yield* fs.lstat(absolute(rel)), options) : owner)
          })
        }
        if (excluded && listed !== "Directory" && listed !== "Unknown") return undefined
        const info = yield* fs.stat(absolute(rel))
        const mode = info.mode & 0o7777
        const own = keepOwner ? entryOwner(info, options) : owner
        if (info.type === "Directory") {
          if (excluded) {
            if (matcher !== undefined && matcher.exceptions && matcher.mustEnter(rel)) {
              stack.push({ rel, parent: decision, entries: undefined, index: 0 })
            }
            return undefined
          }
          stack.push({ rel, parent: decision, entries: undefined, index: 0 })
          return Tar.entryHeader({ name: named(rel), type: "directory", mode, mtime: seconds(info), size: 0, ...own })
        }
        if (excluded || info.type !== "File") return undefined
        const key = linkKey(info)
        const first = key === undefined ? undefined : firstNames.get(key)
        if (first !== undefined) {
          return Tar.entryHeader({
            name: named(rel),
            type: "link",
            linkname: named(first),
            mode,
            mtime: seconds(info),
            size: 0,
            ...own
          })
        }
        if (key !== undefined) firstNames.set(key, rel)
        const size = Number(info.size)
        const header = Tar.entryHeader({ name: named(rel), type: "file", mode, mtime: seconds(info), size, ...own })
        if (size > 0) {
          const child = yield* Scope.fork(scope)
          fileScope = child
          file = { next: fileReader(yield* Scope.provide(fs.open(absolute(rel), { flag: "r" }), child), size, pool) }
        }
        return header
      })

    const closeFile = Effect.suspend(() => {
      const child = fileScope
      file = undefined
      fileScope = undefined
      return child === undefined ? Effect.void : Scope.close(child, Exit.void)
    })

    const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, PlatformError.PlatformError | Cause.Done> = Effect
      .suspend(() => {
        if (file !== undefined) {
          return Effect.flatMap(
            file.next,
            (chunk) => chunk === undefined ? Effect.andThen(closeFile, pull) : Effect.succeed([chunk])
          )
        }
        const folder = stack.at(-1)
        if (folder === undefined) {
          const next = appended[appendedIndex++]
          if (next !== undefined) return Effect.succeed(appendedEntry(next))
          if (ended) return Cause.done()
          ended = true
          return Effect.succeed([Tar.trailer()])
        }
        if (folder.entries === undefined) {
          return Effect.flatMap(fs.readDirectoryEntries(absolute(folder.rel)), (entries) => {
            folder.entries = [...entries].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
            return pull
          })
        }
        const entry = folder.entries[folder.index++]
        if (entry === undefined) {
          stack.pop()
          return pull
        }
        const rel = folder.rel === "" ? entry.name : `${folder.rel}/${entry.name}`
        return Effect.flatMap(
          visit(rel, entry.type, folder.parent),
          (header) => header === undefined ? pull : Effect.succeed([header])
        )
      })
    return Stream.fromPull(Effect.succeed(pull))
  }))

/** A folder of the walk: its entries in name order once listed, and the next one to visit. */
interface Folder {
  readonly rel: string
  /** The folder's own `.dockerignore` decision, passed to its entries. */
  readonly parent: Ignore.Decision | undefined
  entries: ReadonlyArray<FileSystem.DirectoryEntry> | undefined
  index: number
}
