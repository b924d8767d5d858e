/**
 * Build contexts from a folder: a tar archive of the folder streamed while it is read (one file at a time, never
 * the whole context in memory), honouring `.dockerignore` with the docker CLI's rules. The folder is read through
 * Effect's `FileSystem` service, so the same code runs wherever a `FileSystem` layer exists (Node, Bun and Deno
 * with `@effect/platform-node`'s `NodeFileSystem.layer`); the archive can also be given to `Images.build`.
 *
 * `.dockerignore` rules, as the docker CLI applies them:
 * - one pattern a line; lines starting with `#` are comments; blank lines are skipped; each line is trimmed;
 * - patterns follow Go's `filepath.Match` (`*` and `?` never cross `/`, `[a-z]` classes, `\` escapes) plus `**`,
 *   which matches any number of folders (`**` alone matches everything, `**\/x` matches `x` at any depth);
 * - a pattern is cleaned as a path (`./a` is `a`, `a/../b` is `b`) and a leading `/` is dropped (patterns are
 *   always relative to the context's root);
 * - a pattern that matches a folder excludes all it holds; `!pattern` re-includes what earlier lines excluded, and
 *   the last line that matches a path (or one of its parent folders) decides;
 * - the Dockerfile and `.dockerignore` are always sent (the daemon needs them, and leaves them out of the image
 *   when the patterns exclude them); a Dockerfile outside the folder is sent under a generated name
 *   ({@link prepare}).
 *
 * Entries are written as the CLI writes them: owner 0:0, modes and modification times kept, symbolic links not
 * followed, a file with several hard links once (the other names as hard link entries).
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import type * as PlatformError from "effect/PlatformError"
import * as Stream from "effect/Stream"
import { Pool } from "./internal/bufferPool.ts"
import { directoryTar } from "./internal/directoryTar.ts"
import * as Ignore from "./internal/dockerignore.ts"
import { cleanPath } from "./internal/goPath.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

const DockerignoreErrorBase: TaggedErrorClass<"DockerignoreError"> = /*#__PURE__*/ Data.TaggedError("DockerignoreError")

/**
 * A `.dockerignore` pattern is malformed (an unclosed `[`, a trailing `\`, a lone `!`); the docker CLI refuses it
 * too.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BuildContext } from "effect-docker"
 * const matcher = BuildContext.ignoreMatcher(["[a-"]).pipe(
 *   Effect.catchTag("DockerignoreError", (e) => Effect.succeed(e.pattern))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class DockerignoreError extends DockerignoreErrorBase<{
  readonly pattern: string
  readonly message: string
}> {}

/**
 * Reads `.dockerignore` text into its patterns (comments and blank lines dropped, each pattern cleaned, a leading
 * `/` removed, a `!` prefix kept).
 *
 * @example
 * ```ts
 * import { BuildContext } from "effect-docker"
 * const patterns = BuildContext.parseIgnore("# logs\n**\/*.log\n!keep.log\n/build/\n")
 * // ["**\/*.log", "!keep.log", "build"]
 * ```
 * @since 0.2.0
 * @category ignore
 */
export const parseIgnore = (text: string): Array<string> => Ignore.parse(text)

/**
 * Decides, for paths relative to the context, whether `.dockerignore` patterns leave them out.
 *
 * @since 0.2.0
 * @category ignore
 */
export interface IgnoreMatcher {
  /** The patterns, as given. */
  readonly patterns: ReadonlyArray<string>
  /**
   * Whether a slash-separated path is left out when judged alone: the last pattern that matches it or one of its
   * parent folders decides.
   */
  readonly excludes: (path: string) => boolean
}

/**
 * Compiles `.dockerignore` patterns (as {@link parseIgnore} returns them); fails with {@link DockerignoreError} on a
 * malformed pattern.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { BuildContext } from "effect-docker"
 * const ignored = BuildContext.ignoreMatcher(["**\/*.log", "!keep.log"]).pipe(
 *   Effect.map((m) => [m.excludes("a/b.log"), m.excludes("keep.log")]) // [true, false]
 * )
 * ```
 * @since 0.2.0
 * @category ignore
 */
export const ignoreMatcher = (patterns: ReadonlyArray<string>): Effect.Effect<IgnoreMatcher, DockerignoreError> =>
  Effect.map(compile(patterns), (m): IgnoreMatcher => ({
    patterns: [...patterns],
    excludes: (path) => Ignore.excludes(m, path)
  }))

const compile = (patterns: ReadonlyArray<string>): Effect.Effect<Ignore.Matcher, DockerignoreError> =>
  Effect.try({
    try: () => Ignore.matcher(patterns),
    catch: (cause) =>
      cause instanceof Ignore.BadPattern
        ? new DockerignoreError({ pattern: cause.pattern, message: cause.message })
        : new DockerignoreError({ pattern: "", message: String(cause) })
  })

/**
 * Options of {@link fromDirectory}.
 *
 * @since 0.2.0
 * @category models
 */
export interface FromDirectoryOptions {
  /**
   * The Dockerfile's path relative to the folder (slash-separated), always sent; default `Dockerfile`. A path that
   * leaves the folder (`../Dockerfile`, `../docker/Dockerfile`, or an absolute path outside it) is read and sent
   * inside the archive under a generated name, as the docker CLI does with `-f` (see {@link prepare}).
   */
  readonly dockerfile?: string | undefined
  /**
   * Patterns to use instead of the folder's `.dockerignore` file (which is read when this is absent; a missing file
   * means no patterns).
   */
  readonly ignore?: ReadonlyArray<string> | undefined
}

/**
 * A folder prepared as a build context by {@link prepare}: the archive, and the Dockerfile's name inside it (the
 * `dockerfile` to give `Images.build`).
 *
 * @since 0.2.0
 * @category models
 */
export interface Prepared {
  readonly context: Stream.Stream<Uint8Array, PlatformError.PlatformError>
  readonly dockerfile: string
}

const inFolder = (folder: string, name: string) => `${folder.replace(/\/+$/, "")}/${name}`

/**
 * The Dockerfile's path relative to the folder, or `undefined` when it is outside the folder: a relative path is
 * taken from the folder (`../ctx/Dockerfile` from `ctx` is inside), an absolute one is compared with the folder's
 * path (only an absolute folder can hold it).
 */
const insidePath = (folder: string, dockerfile: string): string | undefined => {
  const file = dockerfile.replaceAll("\\", "/")
  const root = cleanPath(folder.replaceAll("\\", "/"))
  const joined = cleanPath(file.startsWith("/") || root === "." ? file : `${root}/${file}`)
  if (root === ".") return joined === ".." || joined.startsWith("../") || joined.startsWith("/") ? undefined : joined
  const prefix = root === "/" ? "/" : `${root}/`
  return joined.startsWith(prefix) && joined.length > prefix.length ? joined.slice(prefix.length) : undefined
}

const randomDockerfileName = (): string => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(10))
  return `.dockerfile.${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}

/**
 * Prepares a folder as a build context, as {@link directory} does, and tells the Dockerfile's name in the archive.
 * That is `options.dockerfile` (cleaned) when the Dockerfile is inside the folder. When it is outside, it is sent as
 * the docker CLI sends it with `docker build -f ../Dockerfile dir`: read whole, written at the end of the archive
 * as `.dockerfile.` and 20 random hex digits (mode 0600), and that name is added to the archive's `.dockerignore`
 * (the folder's, or one that lists `.dockerignore` itself), so that the daemon leaves both out of the image.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { BuildContext, Images } from "effect-docker"
 * const built = BuildContext.prepare("./app", { dockerfile: "../docker/app.Dockerfile" }).pipe(
 *   Effect.flatMap(({ context, dockerfile }) => Images.build(context, { t: "app:dev", dockerfile })),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const prepare = (
  folder: string,
  options: FromDirectoryOptions = {}
): Effect.Effect<Prepared, DockerignoreError | PlatformError.PlatformError, FileSystem.FileSystem> =>
  preparing(folder, options, undefined)

const preparing = (
  folder: string,
  options: FromDirectoryOptions,
  pool: Pool | undefined
): Effect.Effect<Prepared, DockerignoreError | PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const given = options.dockerfile === undefined || options.dockerfile === "" ? "Dockerfile" : options.dockerfile
    const inside = insidePath(folder, given)
    const ignoreFile = inFolder(folder, ".dockerignore")
    const ignoreText = options.ignore !== undefined && inside !== undefined
      ? undefined
      : (yield* fs.exists(ignoreFile))
      ? yield* fs.readFileString(ignoreFile)
      : undefined
    const patterns = options.ignore ?? (ignoreText === undefined ? [] : Ignore.parse(ignoreText))
    const dockerfile = inside ?? randomDockerfileName()
    const matcher = patterns.length === 0
      ? undefined
      : yield* compile(
        yield* Effect.try({
          try: () => Ignore.keepBuildFiles(patterns, dockerfile),
          catch: (cause) =>
            new DockerignoreError({
              pattern: cause instanceof Ignore.BadPattern ? cause.pattern : "",
              message: cause instanceof Error ? cause.message : String(cause)
            })
        })
      )
    if (inside !== undefined) {
      const context = directoryTar(folder, { matcher, pool }).pipe(Stream.provideService(FileSystem.FileSystem, fs))
      return { context, dockerfile }
    }
    const source = given.startsWith("/") ? given : inFolder(folder, given)
    const mtime = Math.floor(Date.now() / 1000)
    const encoder = new TextEncoder()
    const append = [
      { name: dockerfile, data: yield* fs.readFile(source), mode: 0o600, mtime },
      {
        name: ".dockerignore",
        data: encoder.encode(`${ignoreText ?? ".dockerignore"}\n${dockerfile}\n`),
        mode: 0o600,
        mtime
      }
    ]
    const context = directoryTar(folder, { matcher, append, pool }).pipe(
      Stream.provideService(FileSystem.FileSystem, fs)
    )
    return { context, dockerfile }
  })

/**
 * Prepares a folder as a build context: reads its `.dockerignore` (or takes `options.ignore`) and checks the
 * patterns up front, so a malformed pattern fails here with {@link DockerignoreError}, before any request; then
 * gives the archive as a byte Stream that reads the folder only when it runs (see {@link fromDirectory}). With a
 * Dockerfile outside the folder, use {@link prepare}, which also gives the name it is sent under. The archive's
 * chunks are fresh buffers the caller may keep; `Images.buildFromDirectory`, whose chunks nobody else sees, reuses
 * a few buffers instead and so needs less memory for a large folder.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { BuildContext, Images } from "effect-docker"
 * const built = BuildContext.directory("./app", { dockerfile: "docker/Dockerfile" }).pipe(
 *   Effect.flatMap((context) => Images.build(context, { t: "app:dev", dockerfile: "docker/Dockerfile" })),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const directory = (
  folder: string,
  options: FromDirectoryOptions = {}
): Effect.Effect<
  Stream.Stream<Uint8Array, PlatformError.PlatformError>,
  DockerignoreError | PlatformError.PlatformError,
  FileSystem.FileSystem
> => Effect.map(prepare(folder, options), (prepared) => prepared.context)

/**
 * {@link prepare} for `Images.buildFromDirectory`, whose archive goes to the transport and nowhere else: the file
 * chunks are buffers of a small pool, which the Node transport hands back once the socket wrote them (see
 * `internal/bufferPool.ts`), so a large context reuses a few buffers instead of allocating one per read.
 *
 * @internal
 */
export const prepareForBuild = (
  folder: string,
  options: FromDirectoryOptions = {}
): Effect.Effect<Prepared, DockerignoreError | PlatformError.PlatformError, FileSystem.FileSystem> =>
  Effect.suspend(() => preparing(folder, options, new Pool(64 * 1024, 4)))

/**
 * A folder as a build context: a tar byte Stream written while the folder is read, one file at a time, leaving out
 * what `.dockerignore` excludes (see the module's notes for the rules). Entries are written as the docker CLI
 * writes them: owner 0:0, permission bits and modification times kept, symbolic links not followed, sockets and
 * FIFOs left out. {@link directory} checks the patterns before the Stream starts.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { BuildContext } from "effect-docker"
 * const size = BuildContext.fromDirectory("./app").pipe(
 *   Stream.runFold(() => 0, (n, chunk) => n + chunk.length),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const fromDirectory = (
  directory: string,
  options: FromDirectoryOptions = {}
): Stream.Stream<Uint8Array, DockerignoreError | PlatformError.PlatformError, FileSystem.FileSystem> =>
  Stream.unwrap(directoryContext(directory, options))

const directoryContext = directory
