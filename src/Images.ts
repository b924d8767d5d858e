/**
 * Images: list, inspect, pull, push, build, load, save, tag, remove and the rest, with ergonomic names over the
 * generated operations (`Api`).
 *
 * Pull, push, build, load and import answer with a stream of JSON progress messages. Each has a `…Stream` form that
 * gives those messages as a typed Stream, and an Effect form that runs the stream to its end (the operation is only
 * finished then) and returns a summary. An error the daemon reports inside the stream, after it already answered
 * HTTP 200 (`errorDetail`), fails the stream with {@link ImageStreamError} (its `operation` says which); an error it
 * reports before (e.g. a 404 for an unknown repository) has the status's own error class (`NotFound`, …).
 *
 * Pull, push and build send registry credentials: `auth` (`registryConfig` for build) when given, else what the
 * current `Credentials` resolver finds for the reference's registry (the runtime layers resolve them as the docker
 * CLI does, from `config.json` and credential helpers). A registry that refuses them fails with
 * `Errors.RegistryUnauthorized`, whether the daemon said so with a status or inside the stream.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import type * as PlatformError from "effect/PlatformError"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as BuildContext from "./BuildContext.ts"
import * as Credentials from "./Credentials.ts"
import type * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { type JsonMessage, messageError } from "./internal/progressError.ts"
import * as Resolution from "./internal/registryAuth.ts"
import { type ByteSource, withBodyStream } from "./internal/streamingBody.ts"
import * as Tar from "./internal/streamingTar.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"
import type * as Ndjson from "./Ndjson.ts"
import * as Progress from "./Progress.ts"

/**
 * Lists images.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const tags = Images.list({ filters: { reference: ["busybox*"] } })
 *   .pipe(Effect.map((l) => l.flatMap((i) => i.RepoTags ?? [])))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.ImageListInput = {}
): Effect.Effect<Models.ImageListResponse, Docker.CallError<500>, Docker.Docker> => Api.imageList(options)

/**
 * Inspects an image by name or id.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const image = Images.inspect("busybox:latest")
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (
  name: string,
  options: Omit<Operations.ImageInspectInput, "name"> = {}
): Effect.Effect<Models.ImageInspect, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.imageInspect({ ...options, name })

/**
 * The layers an image was built from, newest first.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const commands = Images.history("busybox:latest").pipe(Effect.map((h) => h.map((layer) => layer.CreatedBy)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const history = (
  name: string,
  options: Omit<Operations.ImageHistoryInput, "name"> = {}
): Effect.Effect<Models.ImageHistoryResponse, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.imageHistory({ ...options, name })

/**
 * Searches Docker Hub (or the daemon's configured index) for images.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const found = Images.search("busybox", { limit: 5, filters: { "is-official": ["true"] } })
 * ```
 * @since 0.1.0
 * @category reading
 */
export const search = (
  term: string,
  options: Omit<Operations.ImageSearchInput, "term"> = {}
): Effect.Effect<Models.ImageSearchResponse, Docker.CallError<500>, Docker.Docker> =>
  Api.imageSearch({ ...options, term })

/**
 * The attestation statements of an image (API 1.55).
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const statements = Images.attestations("busybox:latest", { statement: true })
 * ```
 * @since 0.1.0
 * @category reading
 */
export const attestations = (
  name: string,
  options: Omit<Operations.ImageAttestationsInput, "name"> = {}
): Effect.Effect<Models.ImageAttestationsResponse, Docker.CallError<400 | 404 | 500 | 501>, Docker.Docker> =>
  Api.imageAttestations({ ...options, name })

/**
 * Adds a name to an image: a reference (`"registry:5000/team/app:v1"`, `latest` when it has no tag) or the
 * daemon's `repo` and `tag`.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const tagged = Images.tag("busybox:latest", "127.0.0.1:5000/busybox:v1")
 * const same = Images.tag("busybox:latest", { repo: "127.0.0.1:5000/busybox", tag: "v1" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const tag = (
  name: string,
  target: string | Omit<Operations.ImageTagInput, "name">
): Effect.Effect<void, Docker.CallError<400 | 404 | 409 | 500>, Docker.Docker> => {
  if (typeof target !== "string") return Api.imageTag({ ...target, name })
  const reference = parseReference(target)
  return Api.imageTag({ name, repo: reference.repository, tag: reference.tag ?? reference.digest ?? "latest" })
}

/**
 * Removes an image (or one of its names); `force` removes it even when containers use it.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const removed = Images.remove("127.0.0.1:5000/busybox:v1", { noprune: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (
  name: string,
  options: Omit<Operations.ImageDeleteInput, "name"> = {}
): Effect.Effect<Models.ImageDeleteResponse, Docker.CallError<404 | 409 | 500>, Docker.Docker> =>
  Api.imageDelete({ ...options, name })

/**
 * Removes unused images (dangling ones unless `filters: { dangling: ["false"] }`).
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const pruned = Images.prune({ filters: { label: ["ci=1"] } })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const prune = (
  options: Operations.ImagePruneInput = {}
): Effect.Effect<Models.ImagePruneResponse, Docker.CallError<500>, Docker.Docker> => Api.imagePrune(options)

/**
 * Removes the build cache.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const reclaimed = Images.pruneBuildCache({ all: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const pruneBuildCache = (
  options: Operations.BuildPruneInput = {}
): Effect.Effect<Models.BuildPruneResponse, Docker.CallError<500>, Docker.Docker> => Api.buildPrune(options)

/**
 * Creates an image from a container's filesystem (`docker commit`); `config` sets the image's configuration.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const id = Images.commit("web", { repo: "web-snapshot", tag: "1", comment: "before upgrade" })
 *   .pipe(Effect.map((r) => r.Id))
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const commit = (
  container: string,
  options: Omit<Operations.ImageCommitInput, "container" | "body"> & { readonly config?: Models.ContainerConfig } = {}
): Effect.Effect<Models.IDResponse, Docker.CallError<404 | 500>, Docker.Docker> => {
  const { config, ...query } = options
  return Api.imageCommit({ ...query, container, ...(config === undefined ? {} : { body: config }) })
}

// -----------------------------------------------------------------------------
// registry credentials
// -----------------------------------------------------------------------------

/**
 * Credentials for a registry: the one model of the SDK, `Credentials.AuthConfig` (secrets `Redacted`).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { Images } from "effect-docker"
 * const auth: Images.RegistryAuth = { username: "testuser", password: Redacted.make("…") }
 * ```
 * @since 0.1.0
 * @category models
 */
export type RegistryAuth = Credentials.AuthConfig

/**
 * Splits an image reference into repository and tag (or digest): `"127.0.0.1:5000/app:v1"` gives
 * `{ repository: "127.0.0.1:5000/app", tag: "v1" }`; a reference without either gets `latest`.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * Images.parseReference("busybox") // { repository: "busybox", tag: "latest" }
 * Images.parseReference("localhost:5000/a/b@sha256:abc") // { repository: "localhost:5000/a/b", digest: "sha256:abc" }
 * ```
 * @since 0.1.0
 * @category registry
 */
export const parseReference = (
  reference: string
): { readonly repository: string; readonly tag?: string; readonly digest?: string } => {
  const at = reference.indexOf("@")
  if (at >= 0) return { repository: reference.slice(0, at), digest: reference.slice(at + 1) }
  const slash = reference.lastIndexOf("/")
  const colon = reference.lastIndexOf(":")
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) }
  return { repository: reference, tag: "latest" }
}

// -----------------------------------------------------------------------------
// errors reported inside the stream
// -----------------------------------------------------------------------------

const ImageStreamErrorBase: TaggedErrorClass<"ImageStreamError"> = /*#__PURE__*/ Data.TaggedError("ImageStreamError")

/**
 * A pull, push, build, load or import failed after the daemon started answering (an `errorDetail` in its
 * progress stream): `operation` says which, `message` is the daemon's `errorDetail.message`, `image` the reference
 * (pull and push), `output` the build output up to the failure (build). A registry that refused the credentials
 * fails with `Errors.RegistryUnauthorized` instead.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const pulled = Images.pull("registry.local/app:v1").pipe(
 *   Effect.catchTag("ImageStreamError", (e) => Effect.logWarning(`${e.operation} of ${e.image} failed: ${e.message}`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class ImageStreamError extends ImageStreamErrorBase<{
  readonly operation: "pull" | "push" | "build" | "load" | "import"
  readonly message: string
  readonly image?: string
  readonly output?: string
  readonly code?: number
}> {}

type Detail = { readonly message: string; readonly code?: number }

const failOnMessageError = <A extends JsonMessage, E, R, E2>(
  stream: Stream.Stream<A, E, R>,
  onError: (detail: Detail) => E2
): Stream.Stream<A, E | E2, R> =>
  Stream.mapEffect(stream, (message) => {
    const detail = messageError(message)
    return detail === undefined ? Effect.succeed(message) : Effect.fail(onError(detail))
  })

/**
 * A pull or push against a registry: credentials resolved first, refusals mapped to `RegistryUnauthorized`, rate
 * limits to `RateLimited`.
 */
const withRegistryAuth = <A, E, R>(
  image: string,
  auth: RegistryAuth | undefined,
  operation: "pull" | "push",
  run: (header: string | undefined) => Stream.Stream<A & JsonMessage, E, R>
) =>
  Stream.unwrap(Effect.map(Resolution.resolveFor(image, auth), (resolved) => {
    const operationId = operation === "pull" ? "ImageCreate" : "ImagePush"
    return failOnMessageError(
      run(resolved.header),
      (detail): ImageStreamError | Errors.RegistryUnauthorized | Errors.RateLimited =>
        Resolution.refusedInStream(operationId, resolved, detail.message) ??
          Resolution.rateLimitedInStream(operationId, resolved, detail.message) ??
          new ImageStreamError({
            operation,
            image,
            ...detail,
            message: Resolution.scrub(detail.message, resolved.auth)
          })
    ).pipe(
      Stream.mapError(Resolution.refusedStatus(operationId, resolved)),
      Stream.mapError(Resolution.rateLimitedStatus(operationId, resolved))
    )
  }))

// -----------------------------------------------------------------------------
// pull
// -----------------------------------------------------------------------------

/**
 * Options of a pull: credentials, a platform (`linux/arm64`), and `allTags` to pull every tag of a repository
 * (the reference then names a repository only).
 *
 * @since 0.1.0
 * @category models
 */
export interface PullOptions {
  readonly auth?: RegistryAuth
  readonly platform?: string
  readonly allTags?: boolean
}

/**
 * The progress messages of a pull (`POST /images/create?fromImage=…`) as a Stream; it ends when the pull is done.
 * A reference without tag or digest pulls `latest`.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images } from "effect-docker"
 * const statuses = Images.pullStream("busybox:latest").pipe(Stream.map((m) => m.status))
 * ```
 * @since 0.1.0
 * @category pull
 */
export const pullStream = (
  image: string,
  options: PullOptions = {}
): Stream.Stream<
  Models.CreateImageInfo,
  | Ndjson.NdjsonError
  | ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  Docker.Docker
> => {
  const reference = parseReference(image)
  const query = options.allTags === true
    ? { fromImage: reference.repository }
    : reference.digest !== undefined
    ? { fromImage: `${reference.repository}@${reference.digest}` }
    : { fromImage: reference.repository, tag: reference.tag ?? "latest" }
  return withRegistryAuth(image, options.auth, "pull", (header) =>
    Api.imageCreate({
      ...query,
      ...(options.platform === undefined ? {} : { platform: options.platform }),
      ...(header === undefined ? {} : { "X-Registry-Auth": header })
    }))
}

/**
 * What a finished pull reports: the image, the digest and final status the daemon announced
 * (`"Status: Downloaded newer image for …"` or `"Status: Image is up to date for …"`), and the final progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface PullSummary {
  readonly image: string
  readonly digest: string | undefined
  readonly status: string | undefined
  readonly progress: Progress.Progress
}

const noteValue = (progress: Progress.Progress, prefix: string): string | undefined => {
  for (let i = progress.notes.length - 1; i >= 0; i--) {
    const note = progress.notes[i]!
    if (note.startsWith(prefix)) return note.slice(prefix.length).trim()
  }
  return undefined
}

/**
 * Pulls an image and waits until the pull is finished, which is when the daemon's progress stream ends.
 * `onProgress` sees the aggregated progress after every message (see the `Progress` module to draw it).
 * `retry` pulls again, as the schedule says, when the registry refused the pull for its rate limit
 * (`Errors.RateLimited`, also the schedule's input); other failures are not retried.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Images, Progress } from "effect-docker"
 * const draw = Progress.drawer((text) => process.stdout.write(text))
 * const pulled = Images.pull("127.0.0.1:5000/busybox:v1", { onProgress: (p) => Effect.sync(() => draw(p)) })
 * const patient = Images.pull("busybox:latest", {
 *   retry: Schedule.exponential("10 seconds").pipe(Schedule.upTo({ times: 3 }))
 * })
 * ```
 * @since 0.1.0
 * @category pull
 */
export const pull = <R = never>(
  image: string,
  options: PullOptions & {
    readonly onProgress?: (progress: Progress.Progress) => Effect.Effect<void, never, R>
    /**
     * Pulls again after a rate limit, as this schedule says.
     *
     * @since 0.2.0
     */
    readonly retry?: Schedule.Schedule<unknown, Errors.RateLimited>
  } = {}
): Effect.Effect<
  PullSummary,
  | Ndjson.NdjsonError
  | ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  R | Docker.Docker
> => {
  const { onProgress, retry, ...pullOptions } = options
  const once = pullStream(image, pullOptions).pipe(
    Stream.runFoldEffect(() => Progress.initial, (progress, message) => {
      const next = Progress.update(progress, message)
      return onProgress === undefined ? Effect.succeed(next) : Effect.as(onProgress(next), next)
    }),
    Effect.map((progress): PullSummary => {
      const status = noteValue(progress, "Status:")
      return {
        image,
        digest: noteValue(progress, "Digest:"),
        status: status === undefined ? undefined : `Status: ${status}`,
        progress
      }
    })
  )
  return retry === undefined ? once : Effect.retry(once, {
    // the schedule sees only rate limits: `while` stops on every other failure first
    schedule: retry as Schedule.Schedule<unknown, unknown>,
    while: (error) => error._tag === "RateLimited"
  })
}

// -----------------------------------------------------------------------------
// push
// -----------------------------------------------------------------------------

/**
 * Options of a push: credentials (anonymous when absent) and a platform.
 *
 * @since 0.1.0
 * @category models
 */
export interface PushOptions {
  readonly auth?: RegistryAuth
  readonly platform?: string
}

/**
 * The progress messages of a push as a Stream; the last one carries the pushed manifest in `aux`. A reference
 * without tag pushes `latest`.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images } from "effect-docker"
 * const digest = Images.pushStream("127.0.0.1:5000/busybox:v1").pipe(
 *   Stream.map((m) => m.aux?.Digest),
 *   Stream.filter((digest) => digest !== undefined)
 * )
 * ```
 * @since 0.1.0
 * @category push
 */
export const pushStream = (
  image: string,
  options: PushOptions = {}
): Stream.Stream<
  Models.PushImageInfo,
  | Ndjson.NdjsonError
  | ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  Docker.Docker
> => {
  const reference = parseReference(image)
  return withRegistryAuth(image, options.auth, "push", (header) =>
    Api.imagePush({
      name: reference.repository,
      tag: reference.tag ?? reference.digest ?? "latest",
      "X-Registry-Auth": header ?? Redacted.value(Credentials.encodeAuth(undefined)),
      ...(options.platform === undefined ? {} : { platform: options.platform })
    }))
}

/**
 * What a finished push reports: the pushed tag, manifest digest and size (from the daemon's last message), and the
 * final progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface PushSummary {
  readonly image: string
  readonly tag: string | undefined
  readonly digest: string | undefined
  readonly size: number | undefined
  readonly progress: Progress.Progress
}

/**
 * Pushes an image and waits until the push is finished.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { Images } from "effect-docker"
 * const pushed = Images.push("127.0.0.1:5001/app:v1", {
 *   auth: { username: "testuser", password: Redacted.make("testpassword"), serverAddress: "127.0.0.1:5001" }
 * }).pipe(Effect.map((s) => s.digest))
 * ```
 * @since 0.1.0
 * @category push
 */
export const push = <R = never>(
  image: string,
  options: PushOptions & { readonly onProgress?: (progress: Progress.Progress) => Effect.Effect<void, never, R> } = {}
): Effect.Effect<
  PushSummary,
  | Ndjson.NdjsonError
  | ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  R | Docker.Docker
> => {
  const { onProgress, ...pushOptions } = options
  type State = { readonly progress: Progress.Progress; readonly aux: Models.PushImageInfo["aux"] }
  return pushStream(image, pushOptions).pipe(
    Stream.runFoldEffect((): State => ({ progress: Progress.initial, aux: undefined }), (state, message) => {
      const next: State = { progress: Progress.update(state.progress, message), aux: message.aux ?? state.aux }
      return onProgress === undefined ? Effect.succeed(next) : Effect.as(onProgress(next.progress), next)
    }),
    Effect.map(({ aux, progress }): PushSummary => ({
      image,
      tag: aux?.Tag,
      digest: aux?.Digest,
      size: aux?.Size === undefined ? undefined : Number(aux.Size),
      progress
    }))
  )
}

// -----------------------------------------------------------------------------
// build
// -----------------------------------------------------------------------------

/**
 * A build context in memory: file names (with `/` for folders) to contents, packed as a tar archive.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const context = Images.buildContext({
 *   Dockerfile: "FROM busybox\nCOPY hello.txt /\nCMD [\"cat\", \"/hello.txt\"]\n",
 *   "hello.txt": "hello\n"
 * })
 * ```
 * @since 0.1.0
 * @category build
 */
export const buildContext = (files: Readonly<Record<string, string | Uint8Array>>): Uint8Array =>
  Tar.pack(Object.entries(files).map(([name, data]) => ({ name, data })))

/**
 * Options of a build: the daemon's query parameters (`t`, `dockerfile`, `buildargs`, `labels`, `target`, …) and
 * `registryConfig`, credentials per registry for the images the Dockerfile pulls.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildOptions extends Omit<Operations.ImageBuildInput, "body" | "X-Registry-Config" | "Content-type"> {
  readonly registryConfig?: Readonly<Record<string, RegistryAuth>>
}

/**
 * The output of a build (legacy builder) as a Stream of messages: `stream` holds the build's text output, `aux`
 * the built image's id; a failing step fails the stream with {@link ImageStreamError}. The context is a tar archive, as
 * bytes or a byte Stream (see {@link buildContext}).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images } from "effect-docker"
 * const context = Images.buildContext({ Dockerfile: "FROM busybox\nRUN echo hi\n" })
 * const output = Images.buildStream(context, { t: "hi:1" }).pipe(
 *   Stream.map((m) => m.stream ?? ""),
 *   Stream.filter((text) => text !== "")
 * )
 * ```
 * @since 0.1.0
 * @category build
 */
export const buildStream = <E = never, R = never>(
  context: ByteSource<E, R>,
  options: BuildOptions = {}
): Stream.Stream<
  Models.BuildInfo,
  ImageStreamError | Ndjson.NdjsonError | Credentials.CredentialsError | Docker.CallError<400 | 500>,
  R | Docker.Docker
> => {
  const { registryConfig, ...query } = options
  const resolved = registryConfig === undefined ? Credentials.resolveAll : Effect.succeed(registryConfig)
  return Stream.unwrap(Effect.map(resolved, (registries) => {
    const header = Object.keys(registries).length === 0 ? undefined : Credentials.encodeConfig(registries)
    let output = ""
    return failOnMessageError(
      withBodyStream(context, (body) =>
        Api.imageBuild({
          ...query,
          body,
          ...(header === undefined ? {} : { "X-Registry-Config": Redacted.value(header) })
        })).pipe(Stream.tap((message) =>
          Effect.sync(() => {
            if (message.stream !== undefined) output += message.stream
          })
        )),
      (detail) => new ImageStreamError({ operation: "build", ...detail, output })
    )
  }))
}

/**
 * What a finished build reports: the image id and the whole text output.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildSummary {
  readonly imageId: string
  readonly output: string
}

/**
 * Builds an image and waits for the end of the build. `onOutput` sees every message (e.g. to print
 * `message.stream`). Fails with {@link ImageStreamError} when a step fails or no image id was reported.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const id = Images.build(Images.buildContext({ Dockerfile: "FROM busybox\nRUN touch /ok\n" }), { t: "ok:1" }).pipe(
 *   Effect.map((s) => s.imageId)
 * )
 * ```
 * @since 0.1.0
 * @category build
 */
export const build = <E = never, R = never, R2 = never>(
  context: ByteSource<E, R>,
  options: BuildOptions & { readonly onOutput?: (message: Models.BuildInfo) => Effect.Effect<void, never, R2> } = {}
): Effect.Effect<
  BuildSummary,
  ImageStreamError | Ndjson.NdjsonError | Credentials.CredentialsError | Docker.CallError<400 | 500>,
  R | R2 | Docker.Docker
> => {
  const { onOutput, ...buildOptions } = options
  type State = { readonly output: string; readonly imageId: string | undefined }
  return buildStream(context, buildOptions).pipe(
    Stream.runFoldEffect((): State => ({ output: "", imageId: undefined }), (state, message) => {
      const aux = message.aux
      const next: State = {
        output: message.stream === undefined ? state.output : state.output + message.stream,
        imageId: typeof aux === "object" && aux.ID !== undefined ? aux.ID : state.imageId
      }
      return onOutput === undefined ? Effect.succeed(next) : Effect.as(onOutput(message), next)
    }),
    Effect.flatMap(({ imageId, output }) => {
      const id = imageId ?? /Successfully built ([0-9a-f]+)/.exec(output)?.[1] ??
        (/^(sha256:[0-9a-f]{64})\s*$/.exec(output.trim())?.[1])
      return id === undefined
        ? Effect.fail(
          new ImageStreamError({
            operation: "build",
            message: "the build finished without reporting an image id",
            output
          })
        )
        : Effect.succeed<BuildSummary>({ imageId: id, output })
    })
  )
}

/**
 * Builds an image from a folder: the folder is sent as a tar archive written while it is read (one file at a time,
 * never the whole context in memory), leaving out what its `.dockerignore` excludes, with the docker CLI's rules
 * (see `BuildContext`). `dockerfile` is the Dockerfile's path relative to the folder, inside it or not (one
 * outside, such as `../Dockerfile`, is sent as `docker build -f` sends it: see `BuildContext.prepare`);
 * `buildargs`, `labels`, `target`, `platform`, `t` and the rest are the build's options, as for {@link build}. A
 * malformed `.dockerignore` pattern fails with `DockerignoreError` before anything is sent. Reads the folder
 * through Effect's `FileSystem` service (`NodeFileSystem.layer` from `@effect/platform-node` on Node, Bun and
 * Deno).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Images } from "effect-docker"
 * const built = Images.buildFromDirectory("./app", {
 *   t: "app:dev",
 *   dockerfile: "docker/Dockerfile",
 *   buildargs: { VERSION: "1.2.3" },
 *   labels: { team: "web" },
 *   target: "runtime"
 * }).pipe(Effect.map((s) => s.imageId), Effect.provide(NodeFileSystem.layer))
 * ```
 * @since 0.2.0
 * @category build
 */
export const buildFromDirectory = <R2 = never>(
  directory: string,
  options:
    & BuildOptions
    & Pick<BuildContext.FromDirectoryOptions, "ignore">
    & { readonly onOutput?: (message: Models.BuildInfo) => Effect.Effect<void, never, R2> } = {}
): Effect.Effect<
  BuildSummary,
  | ImageStreamError
  | Credentials.CredentialsError
  | BuildContext.DockerignoreError
  | PlatformError.PlatformError
  | Ndjson.NdjsonError
  | Docker.CallError<400 | 500>,
  R2 | Docker.Docker | FileSystem.FileSystem
> => {
  const { ignore, ...buildOptions } = options
  return Effect.flatMap(
    BuildContext.prepareForBuild(directory, { dockerfile: options.dockerfile, ignore }),
    ({ context, dockerfile }) => build(context, { ...buildOptions, dockerfile })
  )
}

// -----------------------------------------------------------------------------
// save, load, import
// -----------------------------------------------------------------------------

/**
 * An image (all its tags) as a tar archive byte stream (`docker save`).
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Images } from "effect-docker"
 * const bytes = Images.save("busybox:latest").pipe(Stream.runFold(() => 0, (n, c) => n + c.length))
 * ```
 * @since 0.1.0
 * @category archives
 */
export const save = (
  name: string,
  options: Omit<Operations.ImageGetInput, "name"> = {}
): Stream.Stream<Uint8Array, Docker.CallError<500>, Docker.Docker> => Api.imageGet({ ...options, name })

/**
 * Several images in one tar archive byte stream.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const archive = Images.saveAll(["busybox:latest", "alpine:3"])
 * ```
 * @since 0.1.0
 * @category archives
 */
export const saveAll = (
  names: ReadonlyArray<string>,
  options: Omit<Operations.ImageGetAllInput, "names"> = {}
): Stream.Stream<Uint8Array, Docker.CallError<500>, Docker.Docker> => Api.imageGetAll({ ...options, names })

/**
 * Loads images from a `docker save` archive (bytes or a byte Stream), as a Stream of the daemon's messages
 * (`"Loaded image: …"` in `stream`).
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const messages = Images.loadStream(Images.save("busybox:latest"))
 * ```
 * @since 0.1.0
 * @category archives
 */
export const loadStream = <E = never, R = never>(
  archive: ByteSource<E, R>,
  options: Omit<Operations.ImageLoadInput, "body"> = {}
): Stream.Stream<Models.BuildInfo, ImageStreamError | Ndjson.NdjsonError | Docker.CallError<500>, R | Docker.Docker> =>
  failOnMessageError(
    withBodyStream(archive, (body) => Api.imageLoad({ ...options, body })),
    (detail) => new ImageStreamError({ operation: "load", ...detail })
  )

/**
 * Loads images from a `docker save` archive and waits until they are loaded; gives the loaded names (or ids, for
 * untagged images).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * declare const archive: Uint8Array
 * const names = Images.load(archive).pipe(Effect.map((r) => r.images))
 * ```
 * @since 0.1.0
 * @category archives
 */
export const load = <E = never, R = never>(
  archive: ByteSource<E, R>,
  options: Omit<Operations.ImageLoadInput, "body"> = {}
): Effect.Effect<
  { images: Array<string>; output: string },
  ImageStreamError | Ndjson.NdjsonError | Docker.CallError<500>,
  R | Docker.Docker
> =>
  loadStream(archive, options).pipe(
    Stream.runFold(() => "", (output, message) => message.stream === undefined ? output : output + message.stream),
    Effect.map((output) => ({
      images: Array.from(output.matchAll(/^Loaded image(?: ID)?: (.+)$/gm), (match) => match[1]!.trim()),
      output
    }))
  )

/**
 * Creates an image from a filesystem tar archive (`docker import`): bytes or a byte Stream, named `repo:tag`.
 * Gives the new image's id.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers, Images } from "effect-docker"
 * const copy = Images.importArchive(Containers.exportFilesystem("web"), { repo: "web-fs", tag: "1" })
 * ```
 * @since 0.1.0
 * @category archives
 */
export const importArchive = <E = never, R = never>(
  archive: ByteSource<E, R>,
  options: Omit<Operations.ImageCreateInput, "fromImage" | "fromSrc" | "body" | "X-Registry-Auth"> = {}
): Effect.Effect<
  { id: string },
  ImageStreamError | Ndjson.NdjsonError | Docker.CallError<404 | 500>,
  R | Docker.Docker
> =>
  failOnMessageError(
    withBodyStream(archive, (body) => Api.imageCreate({ ...options, fromSrc: "-", body })),
    (detail) => new ImageStreamError({ operation: "import", ...detail })
  )
    .pipe(
      Stream.runFold(() => undefined as string | undefined, (id, message) =>
        message.status !== undefined && /^sha256:[0-9a-f]{64}$/.test(message.status.trim())
          ? message.status.trim()
          : id),
      Effect.flatMap((id) =>
        id === undefined
          ? Effect.fail(
            new ImageStreamError({ operation: "import", message: "the import finished without reporting an image id" })
          )
          : Effect.succeed({ id })
      )
    )
