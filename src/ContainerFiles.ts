/**
 * Files in and out of a container: copy text, bytes, a host file or a host folder to a path in the container, and
 * read a file or folder back as a Stream of entries or of bytes. Archives are written while they are sent and read
 * while they arrive (one entry's header at a time; a host file's bytes streamed from disk), never held whole.
 *
 * - Writing keeps what the entries say: permission bits (setuid/setgid/sticky included), owner (`uid`/`gid`, 0:0
 *   unless given) and modification time. Host files and folders keep their permission bits and modification times;
 *   their owner is 0:0 (as the docker CLI's build context) unless `uid`/`gid` are given, or each entry's own
 *   host owner with `keepOwner: true`.
 * - Paths in the container are absolute. Missing folders on the way are created (mode 0755, owner 0:0), symbolic
 *   links on the way are followed inside the container, and an existing file at the path is replaced.
 * - Reading gives the daemon's archive names: the base name of the path first (`/etc/hostname` is `hostname`,
 *   `/srv/site` is `site`, `site/index.html`, …).
 *
 * Text, bytes and entries need only the `Docker` service (browser-safe); host files and folders are read through
 * Effect's `FileSystem` service, as `BuildContext` does (`NodeFileSystem.layer` on Node, Bun and Deno).
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import * as Containers from "./Containers.ts"
import type * as Docker from "./Docker.ts"
import * as Errors from "./Errors.ts"
import { concatBytes } from "./internal/bytes.ts"
import { directoryTar, entryOwner, fileData } from "./internal/directoryTar.ts"
import * as Tar from "./internal/streamingTar.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"
import { type TarEvent, TarReader } from "./internal/tarReader.ts"

const InvalidPathBase: TaggedErrorClass<"InvalidPath"> = /*#__PURE__*/ Data.TaggedError("InvalidPath")

/**
 * A container path that cannot name a file: empty, `/`, or ending in `.` or `..`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerFiles } from "effect-docker"
 * const copied = ContainerFiles.copyContent("web", "/", "x").pipe(
 *   Effect.catchTag("InvalidPath", (e) => Effect.succeed(e.reason))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class InvalidPath extends InvalidPathBase<{
  readonly path: string
  readonly reason: string
  readonly message: string
}> {}

const NotAFileBase: TaggedErrorClass<"NotAFile"> = /*#__PURE__*/ Data.TaggedError("NotAFile")

/**
 * {@link bytes} or {@link text} was asked for a path that is not a regular file (a folder, a symbolic link, …).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ContainerFiles } from "effect-docker"
 * const hosts = ContainerFiles.text("web", "/etc").pipe(
 *   Effect.catchTag("NotAFile", (e) => Effect.succeed(`a ${e.type}`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class NotAFile extends NotAFileBase<{
  readonly container: string
  readonly path: string
  readonly type: Entry["type"] | "empty"
  readonly message: string
}> {}

/**
 * The failures of copying into a container.
 *
 * @since 0.2.0
 * @category errors
 */
export type CopyError = InvalidPath | Docker.CallError<400 | 403 | 404 | 500>

/**
 * The failures of reading from a container (a malformed archive is a `ResponseDecodeError`).
 *
 * @since 0.2.0
 * @category errors
 */
export type ReadError = Docker.CallError<400 | 404 | 500>

/**
 * What every written entry may set. `mode` is the permission bits (default `0o644` for a file, `0o755` for a
 * folder); `mtime` a `Date` or seconds since the epoch (default: now); owner 0:0 by default.
 *
 * @since 0.2.0
 * @category models
 */
export interface Attributes {
  readonly mode?: number | undefined
  readonly uid?: number | undefined
  readonly gid?: number | undefined
  readonly mtime?: Date | number | undefined
}

/**
 * One entry to write: a file (with `content`), a folder, or a symbolic link (`linkname`). `path` is relative to
 * the folder the entries are copied into, `/`-separated.
 *
 * @since 0.2.0
 * @category models
 */
export type EntryInput =
  & Attributes
  & (
    | { readonly type?: "file" | undefined; readonly path: string; readonly content: string | Uint8Array }
    | { readonly type: "directory"; readonly path: string }
    | { readonly type: "symlink"; readonly path: string; readonly linkname: string }
  )

/**
 * One entry read back: its header (name, type, permission bits, owner, modification time in seconds, link target)
 * and, for a file, its bytes.
 *
 * @since 0.2.0
 * @category models
 */
export interface Entry {
  readonly name: string
  readonly type: "file" | "directory" | "symlink" | "link" | "other"
  readonly size: number
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly mtime: number
  readonly linkname: string
  readonly data: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const seconds = (mtime: Date | number | undefined): number =>
  mtime === undefined
    ? Math.floor(Date.now() / 1000)
    : typeof mtime === "number"
    ? Math.floor(mtime)
    : Math.floor(mtime.getTime() / 1000)

const attributes = (a: Attributes) => ({
  mtime: seconds(a.mtime),
  uid: a.uid ?? 0,
  gid: a.gid ?? 0,
  ...(a.mode === undefined ? {} : { mode: a.mode & 0o7777 })
})

/**
 * A tar archive of the entries as a byte Stream, one entry written at a time as the stream is pulled.
 *
 * @example
 * ```ts
 * import { ContainerFiles, Containers } from "effect-docker"
 * const archive = ContainerFiles.tar([
 *   { type: "directory", path: "conf", mode: 0o750, uid: 1000, gid: 1000 },
 *   { path: "conf/app.json", content: "{}", mode: 0o640, uid: 1000, gid: 1000 }
 * ])
 * const copied = Containers.putArchive("web", "/etc", archive)
 * ```
 * @since 0.2.0
 * @category archives
 */
export const tar = (entries: Iterable<EntryInput>): Stream.Stream<Uint8Array> =>
  Stream.concat(
    Stream.flatMap(Stream.fromIterable(entries), (entry) =>
      Stream.fromIterable({
        *[Symbol.iterator]() {
          const base = { name: entry.path.replace(/^\/+/, ""), ...attributes(entry) }
          if (entry.type === "directory") {
            yield Tar.entryHeader({ ...base, type: "directory", size: 0 })
          } else if (entry.type === "symlink") {
            yield Tar.entryHeader({ ...base, type: "symlink", linkname: entry.linkname, mode: 0o777, size: 0 })
          } else {
            const data = typeof entry.content === "string" ? encoder.encode(entry.content) : entry.content
            yield Tar.entryHeader({ ...base, type: "file", size: data.length })
            if (data.length > 0) {
              yield data
              const pad = Tar.dataPadding(data.length)
              if (pad.length > 0) yield pad
            }
          }
        }
      })),
    Stream.sync(Tar.trailer)
  )

/** A container path as an archive name relative to `/` (absolute, no `.`/`..` segments, no NUL). */
const archiveName = (path: string): Effect.Effect<string, InvalidPath> => {
  const invalid = (reason: string) =>
    Effect.fail(new InvalidPath({ path, reason, message: `${JSON.stringify(path)}: ${reason}` }))
  if (!path.startsWith("/")) return invalid("is not absolute")
  if (path.includes("\u0000")) return invalid("holds a NUL byte")
  const segments = path.split("/").filter((s) => s !== "")
  if (segments.length === 0) return invalid("names no file")
  if (segments.some((s) => s === "." || s === "..")) return invalid("has a . or .. segment")
  return Effect.succeed(segments.join("/"))
}

/**
 * Copies entries into a folder of the container (created when missing), as one archive written on the fly. An
 * entry's path may not hold `.` or `..` segments ({@link InvalidPath}); a leading `/` is ignored.
 *
 * @example
 * ```ts
 * import { ContainerFiles } from "effect-docker"
 * const copied = ContainerFiles.copyEntries("web", "/srv", [
 *   { type: "directory", path: "site" },
 *   { path: "site/index.html", content: "<h1>hi</h1>" },
 *   { type: "symlink", path: "site/home.html", linkname: "index.html" }
 * ])
 * ```
 * @since 0.2.0
 * @category copying in
 */
export const copyEntries = (
  container: string,
  folder: string,
  entries: Iterable<EntryInput>
): Effect.Effect<void, CopyError, Docker.Docker> =>
  Effect.gen(function*() {
    const base = /^\/+$/.test(folder) ? "" : yield* archiveName(folder)
    const placed: Array<EntryInput> = []
    for (const entry of entries) {
      // an entry's path is relative to the folder: checked as if it were absolute
      const name = yield* archiveName(`/${entry.path}`)
      placed.push({ ...entry, path: base === "" ? name : `${base}/${name}` })
    }
    yield* Containers.putArchive(container, "/", tar(placed))
  })

/**
 * Writes text (as UTF-8) or bytes to a file of the container at `path`, with the given mode, owner and time.
 *
 * @example
 * ```ts
 * import { ContainerFiles } from "effect-docker"
 * const written = ContainerFiles.copyContent("db", "/docker-entrypoint-initdb.d/init.sql", "create table t (x int);", {
 *   mode: 0o600,
 *   uid: 999,
 *   gid: 999
 * })
 * ```
 * @since 0.2.0
 * @category copying in
 */
export const copyContent = (
  container: string,
  path: string,
  content: string | Uint8Array,
  options: Attributes = {}
): Effect.Effect<void, CopyError, Docker.Docker> =>
  Effect.flatMap(
    archiveName(path),
    (name) => Containers.putArchive(container, "/", tar([{ ...options, path: name, content }]))
  )

/**
 * Options of {@link copyFile} and {@link copyDirectory}: the owner of every entry (0:0 by default); for a file,
 * `mode` replaces its permission bits.
 *
 * `keepOwner: true` writes each entry's own host owner instead: the file's, the folder's and every entry's in it
 * (a symbolic link's own owner, not its target's), 0 where the `FileSystem` does not tell (as on Windows). A `uid`
 * or `gid` given still replaces the kept one. The default stays 0:0, the owner `docker cp`'s documentation
 * promises for files copied into a container ("created with UID:GID of the root user"; its `--archive` flag
 * promises to "copy all uid/gid information"). The docker CLI itself writes the host owner into the archive it
 * sends, so `keepOwner: true` is what `docker cp` does in practice (docker/cli#6870). The daemon writes the
 * numbers as given: they are not mapped to the container's users.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { ContainerFiles } from "effect-docker"
 * // ./data is owned by 1000:1000 on the host: so is /srv/data and all it holds in the container
 * const copied = ContainerFiles.copyDirectory("db", "./data", "/srv/data", { keepOwner: true }).pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category models
 */
export interface HostCopyOptions {
  readonly uid?: number | undefined
  readonly gid?: number | undefined
  readonly mode?: number | undefined
  /** Each entry's own host owner in place of 0:0 (`uid`/`gid`, when given, still win). Default `false`. */
  readonly keepOwner?: boolean | undefined
}

const mtimeOf = (info: FileSystem.File.Info): number =>
  Option.match(info.mtime, { onNone: () => 0, onSome: (date) => Math.floor(date.getTime() / 1000) })

/**
 * Copies a host file to `path` in the container, its bytes streamed from disk into the archive; its permission
 * bits and modification time are kept, and its owner with `keepOwner: true` (0:0 by default; see
 * {@link HostCopyOptions}). A missing host file fails with a `PlatformError` before any request.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { ContainerFiles } from "effect-docker"
 * const copied = ContainerFiles.copyFile("web", "./nginx.conf", "/etc/nginx/nginx.conf").pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * // owned in the container as on the host
 * const kept = ContainerFiles.copyFile("web", "./key.pem", "/etc/ssl/key.pem", { keepOwner: true }).pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category copying in
 */
export const copyFile = (
  container: string,
  hostPath: string,
  path: string,
  options: HostCopyOptions = {}
): Effect.Effect<void, CopyError | PlatformError.PlatformError, Docker.Docker | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const name = yield* archiveName(path)
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(hostPath)
    if (info.type !== "File") {
      return yield* new InvalidPath({ path: hostPath, reason: "is not a file", message: `${hostPath}: not a file` })
    }
    const size = Number(info.size)
    const header = Tar.entryHeader({
      name,
      type: "file",
      size,
      mode: (options.mode ?? info.mode) & 0o7777,
      mtime: mtimeOf(info),
      ...entryOwner(info, options)
    })
    const archive = Stream.succeed(header).pipe(
      Stream.concat(fileData(fs, hostPath, size)),
      Stream.concat(Stream.sync(Tar.trailer))
    )
    yield* Containers.putArchive(container, "/", archive)
  })

/**
 * Copies a host folder to `path` in the container: the folder itself (permission bits and time kept) and all it
 * holds, streamed one file at a time (symbolic links copied as links; sockets and FIFOs left out). Every entry is
 * owned by 0:0 (or `uid`/`gid`), or by its own host owner with `keepOwner: true` (see {@link HostCopyOptions}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { ContainerFiles } from "effect-docker"
 * const copied = ContainerFiles.copyDirectory("web", "./public", "/srv/site", { uid: 101, gid: 101 }).pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category copying in
 */
export const copyDirectory = (
  container: string,
  hostPath: string,
  path: string,
  options: Omit<HostCopyOptions, "mode"> = {}
): Effect.Effect<void, CopyError | PlatformError.PlatformError, Docker.Docker | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const name = yield* archiveName(path)
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(hostPath)
    if (info.type !== "Directory") {
      return yield* new InvalidPath({ path: hostPath, reason: "is not a folder", message: `${hostPath}: not a folder` })
    }
    const root = Tar.entryHeader({
      name,
      type: "directory",
      mode: info.mode & 0o7777,
      mtime: mtimeOf(info),
      size: 0,
      ...entryOwner(info, options)
    })
    const archive = Stream.concat(
      Stream.succeed(root),
      directoryTar(hostPath, { uid: options.uid, gid: options.gid, keepOwner: options.keepOwner, prefix: name }).pipe(
        Stream.provideService(FileSystem.FileSystem, fs)
      )
    )
    yield* Containers.putArchive(container, "/", archive)
  })

const malformed = (cause: unknown) =>
  new Errors.ResponseDecodeError({
    operation: "ContainerArchive",
    reason: cause instanceof Error ? cause.message : String(cause),
    snippet: ""
  })

/** The archive's events, parsed as the bytes arrive. */
const events = (container: string, path: string): Stream.Stream<TarEvent, ReadError, Docker.Docker> =>
  Stream.suspend(() => {
    const reader = new TarReader()
    const step = (f: (out: Array<TarEvent>) => void) =>
      Effect.try({
        try: () => {
          const out: Array<TarEvent> = []
          f(out)
          return out
        },
        catch: malformed
      })
    return Containers.getArchive(container, path).pipe(
      Stream.takeWhile(() => !reader.finished),
      Stream.mapEffect((chunk) => step((out) => reader.write(chunk, out))),
      Stream.concat(Stream.fromEffect(step((out) => reader.end(out)))),
      Stream.flattenIterable
    )
  })

interface Gathering {
  readonly header: Entry | undefined
  readonly parts: Array<Uint8Array>
}

/**
 * A file or folder of the container as a Stream of its archive's entries, read as they arrive; each file's bytes
 * are gathered into its entry (so memory holds one file at a time: stream a large file with {@link bytes}).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ContainerFiles } from "effect-docker"
 * const names = ContainerFiles.entries("web", "/etc/nginx").pipe(
 *   Stream.map((e) => `${e.type} ${e.name} ${e.mode.toString(8)} ${e.uid}:${e.gid}`),
 *   Stream.runCollect
 * )
 * ```
 * @since 0.2.0
 * @category reading out
 */
export const entries = (container: string, path: string): Stream.Stream<Entry, ReadError, Docker.Docker> =>
  events(container, path).pipe(
    Stream.mapAccum(
      (): Gathering => ({ header: undefined, parts: [] }),
      (state: Gathering, event: TarEvent): readonly [Gathering, ReadonlyArray<Entry>] => {
        switch (event._tag) {
          case "Header":
            return [{ header: { ...event.header, data: new Uint8Array(0) }, parts: [] }, []]
          case "Data":
            state.parts.push(event.bytes.slice())
            return [state, []]
          case "EntryEnd": {
            if (state.header === undefined) return [state, []]
            return [{ header: undefined, parts: [] }, [{ ...state.header, data: concatBytes(state.parts) }]]
          }
        }
      }
    )
  )

/**
 * A file of the container as a byte Stream, streamed as it arrives (never gathered). Fails with {@link NotAFile}
 * when the path is a folder, a symbolic link or anything but a regular file.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { ContainerFiles } from "effect-docker"
 * const size = ContainerFiles.bytes("db", "/var/lib/data/dump.bin").pipe(
 *   Stream.runFold(() => 0, (n, chunk) => n + chunk.length)
 * )
 * ```
 * @since 0.2.0
 * @category reading out
 */
export const bytes = (
  container: string,
  path: string
): Stream.Stream<Uint8Array, ReadError | NotAFile, Docker.Docker> =>
  Stream.suspend(() => {
    let first = true
    const notAFile = (type: NotAFile["type"]) =>
      new NotAFile({
        container,
        path,
        type,
        message: `${path} is ${type === "empty" ? "missing from the archive" : `a ${type}`}`
      })
    return events(container, path).pipe(
      Stream.takeWhile((event) => event._tag !== "EntryEnd"),
      Stream.mapEffect((event): Effect.Effect<Uint8Array | undefined, NotAFile> => {
        if (event._tag === "Header") {
          first = false
          return event.header.type === "file" ? Effect.succeed(undefined) : Effect.fail(notAFile(event.header.type))
        }
        return event._tag === "Data" ? Effect.succeed(event.bytes.slice()) : Effect.succeed(undefined)
      }),
      Stream.concat(Stream.suspend(() => first ? Stream.fail(notAFile("empty")) : Stream.empty)),
      Stream.filter((chunk): chunk is Uint8Array => chunk !== undefined && chunk.length > 0)
    )
  })

/**
 * A file of the container as text (UTF-8).
 *
 * @example
 * ```ts
 * import { ContainerFiles } from "effect-docker"
 * const hostname = ContainerFiles.text("web", "/etc/hostname")
 * ```
 * @since 0.2.0
 * @category reading out
 */
export const text = (container: string, path: string): Effect.Effect<string, ReadError | NotAFile, Docker.Docker> =>
  Effect.map(Stream.mkUint8Array(bytes(container, path)), (all) => decoder.decode(all))
