/**
 * Managed plugins: list, install (pull) from a registry, inspect, configure, enable and disable, upgrade, push,
 * create from a tar archive and remove, with ergonomic names over the generated operations (`Api`). Pull, upgrade
 * and push answer with progress messages as a `Stream`; {@link install} runs the whole installation as one call.
 *
 * Privileges, pull, install and upgrade send registry credentials: `auth` when given, else what the current
 * `Credentials` resolver finds for the remote's registry (the runtime layers resolve them as the docker CLI does).
 * A registry that refuses them fails with `Errors.RegistryUnauthorized`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Credentials from "./Credentials.ts"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import * as Resolution from "./internal/registryAuth.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"
import type * as Ndjson from "./Ndjson.ts"
import * as Operation from "./Operation.ts"

const PluginProgressErrorBase: TaggedErrorClass<"PluginProgressError"> = /*#__PURE__*/ Data.TaggedError(
  "PluginProgressError"
)

/**
 * A plugin pull, upgrade or push reported an error in its progress messages (the daemon had already answered
 * 200, so the failure is in the stream, not in the status).
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const e = new Plugins.PluginProgressError({ operation: "PluginPull", message: "manifest unknown" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class PluginProgressError extends PluginProgressErrorBase<{
  readonly operation: string
  readonly message: string
}> {}

/**
 * Lists installed plugins, e.g. only the enabled ones. The daemon's filters are `enabled` and `capability` (the
 * spec's `enable` is refused with 400).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Plugins } from "effect-docker"
 * const enabled = Plugins.list({ filters: { enabled: ["true"] } }).pipe(Effect.map((l) => l.map((p) => p.Name)))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (
  options: Operations.PluginListInput = {}
): Effect.Effect<Models.PluginListResponse, Docker.CallError<500>, Docker.Docker> => Api.pluginList(options)

/**
 * `GET /plugins/privileges` with the `X-Registry-Auth` header the daemon reads (the spec does not list it).
 */
const GetPluginPrivilegesWithAuth: Operation.Operation<
  Operations.GetPluginPrivilegesInput & { readonly "X-Registry-Auth"?: string },
  Operation.Json<Models.GetPluginPrivilegesResponse>,
  Operation.StatusOf<typeof Operations.GetPluginPrivileges>
> = Operation.make<
  Operations.GetPluginPrivilegesInput & { readonly "X-Registry-Auth"?: string },
  Operation.Json<Models.GetPluginPrivilegesResponse>,
  Operation.StatusOf<typeof Operations.GetPluginPrivileges>
>({
  ...Operations.GetPluginPrivileges,
  params: [
    ...Operations.GetPluginPrivileges.params,
    { name: "X-Registry-Auth", key: "X-Registry-Auth", in: "header", style: "string" }
  ]
})

const privilegesWithAuth: Docker.Call<typeof GetPluginPrivilegesWithAuth> = Docker.callJson(
  GetPluginPrivilegesWithAuth
)

/**
 * Registry credentials for a plugin's registry; without them, the current `Credentials` resolver's.
 *
 * @since 0.2.0
 * @category models
 */
export interface AuthOptions {
  readonly auth?: Credentials.AuthConfig
}

/**
 * The privileges a plugin in a registry asks for (read from its config there); pass them to {@link pull} to
 * grant them.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const asked = Plugins.privileges("vieux/sshfs:latest")
 * ```
 * @since 0.1.0
 * @category reading
 */
export const privileges = (
  remote: string,
  options: AuthOptions = {}
): Effect.Effect<
  Models.GetPluginPrivilegesResponse,
  Credentials.CredentialsError | Errors.RegistryUnauthorized | Docker.CallError<500>,
  Docker.Docker
> =>
  Effect.flatMap(
    Resolution.resolveFor(remote, options.auth),
    (resolved) =>
      privilegesWithAuth({ remote, ...(resolved.header === undefined ? {} : { "X-Registry-Auth": resolved.header }) })
        .pipe(Effect.mapError(Resolution.refusedStatus("GetPluginPrivileges", resolved)))
  )

/**
 * Options of {@link pull}: the local `name`, registry credentials and the privileges granted.
 *
 * @since 0.1.0
 * @category models
 */
export interface PullOptions
  extends Omit<Operations.PluginPullInput, "remote" | "body" | "X-Registry-Auth">, AuthOptions
{
  readonly privileges?: ReadonlyArray<Models.PluginPrivilege>
}

/** A plugin stream with credentials resolved first and refusals (status or message) as `RegistryUnauthorized`. */
const withRegistryAuth = <A extends { readonly error?: string; readonly errorDetail?: Models.ErrorDetail }, E, R>(
  operation: string,
  remote: string,
  auth: Credentials.AuthConfig | undefined,
  run: (header: string | undefined) => Stream.Stream<A, E, R>
) =>
  Stream.unwrap(Effect.map(Resolution.resolveFor(remote, auth), (resolved) =>
    run(resolved.header).pipe(
      Stream.mapError(Resolution.refusedStatus(operation, resolved)),
      Stream.mapEffect((message) => {
        const text = message.errorDetail?.message ?? message.error
        const refused = text === undefined ? undefined : Resolution.refusedInStream(operation, resolved, text)
        return refused === undefined ? Effect.succeed(message) : Effect.fail(refused)
      })
    )))

/**
 * Pulls and installs a plugin (disabled), as a stream of progress messages. The privileges the plugin asks for
 * must be granted (see {@link privileges}); a failure after the pull started arrives as a message with `error`.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Plugins } from "effect-docker"
 * const messages = Plugins.pull("localhost:5000/my-plugin:latest", { name: "my-plugin" }).pipe(Stream.runCollect)
 * ```
 * @since 0.1.0
 * @category installing
 */
export const pull = (
  remote: string,
  options: PullOptions = {}
): Stream.Stream<
  Models.CreateImageInfo,
  Credentials.CredentialsError | Ndjson.NdjsonError | Errors.RegistryUnauthorized | Docker.CallError<500>,
  Docker.Docker
> => {
  const { auth, privileges: granted = [], ...rest } = options
  return withRegistryAuth(
    "PluginPull",
    remote,
    auth,
    (header) =>
      Api.pluginPull({ ...rest, remote, body: granted, ...(header === undefined ? {} : { "X-Registry-Auth": header }) })
  )
}

const drain = <A extends { readonly error?: string; readonly errorDetail?: Models.ErrorDetail }, E, R>(
  operation: string,
  messages: Stream.Stream<A, E, R>
) =>
  Stream.runForEach(messages, (message) =>
    message.error === undefined && message.errorDetail?.message === undefined
      ? Effect.void
      : Effect.fail(
        new PluginProgressError({
          operation,
          message: message.errorDetail?.message ?? message.error ?? "unknown error"
        })
      ))

/**
 * Options of {@link install}: {@link pull}'s, plus whether to grant every privilege the plugin asks for and to
 * enable it once installed.
 *
 * @since 0.1.0
 * @category models
 */
export interface InstallOptions extends Omit<PullOptions, "privileges"> {
  /** `"all"` grants what the plugin asks for (read with {@link privileges}); default: none. */
  readonly grant?: "all" | ReadonlyArray<Models.PluginPrivilege>
  readonly enable?: boolean
}

/**
 * Installs a plugin as `docker plugin install` does: reads its privileges (when granting all), pulls it, fails
 * with `PluginProgressError` if the progress reports an error, enables it when asked, and gives its inspection.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const plugin = Plugins.install("localhost:5000/my-plugin:latest", { name: "my-plugin", grant: "all", enable: true })
 * ```
 * @since 0.1.0
 * @category installing
 */
export const install = (
  remote: string,
  options: InstallOptions = {}
): Effect.Effect<
  Models.Plugin,
  | Ndjson.NdjsonError
  | PluginProgressError
  | Errors.RegistryUnauthorized
  | Credentials.CredentialsError
  | Docker.CallError<404 | 500>,
  Docker.Docker
> =>
  Effect.gen(function*() {
    const { enable: enableAfter = false, grant = [], ...pullOptions } = options
    const granted = grant === "all"
      ? yield* privileges(remote, pullOptions.auth === undefined ? {} : { auth: pullOptions.auth })
      : grant
    yield* drain("PluginPull", pull(remote, { ...pullOptions, privileges: granted }))
    const name = pullOptions.name ?? remote
    if (enableAfter) yield* enable(name)
    return yield* inspect(name)
  })

/**
 * Inspects an installed plugin (`NotFound` when it is not installed).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Plugins } from "effect-docker"
 * const enabled = Plugins.inspect("my-plugin").pipe(Effect.map((p) => p.Enabled))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (name: string): Effect.Effect<Models.Plugin, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.pluginInspect({ name })

/**
 * Removes a plugin (disabled first when `force`). Daemons answer with an empty body, not the plugin the spec
 * documents.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const removed = Plugins.remove("my-plugin", { force: true })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const remove = (
  name: string,
  options: Omit<Operations.PluginDeleteInput, "name"> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.pluginDelete({ ...options, name })

/**
 * Enables a plugin: its process starts and the daemon waits until it listens on its socket.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const enabled = Plugins.enable("my-plugin", { timeout: 30 })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const enable = (
  name: string,
  options: Omit<Operations.PluginEnableInput, "name"> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.pluginEnable({ ...options, name })

/**
 * Disables a plugin (`force` even while something uses it).
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const disabled = Plugins.disable("my-plugin")
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const disable = (
  name: string,
  options: Omit<Operations.PluginDisableInput, "name"> = {}
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> => Api.pluginDisable({ ...options, name })

/**
 * Options of {@link upgrade}: registry credentials and the privileges granted to the new version.
 *
 * @since 0.1.0
 * @category models
 */
export interface UpgradeOptions
  extends Omit<Operations.PluginUpgradeInput, "name" | "remote" | "body" | "X-Registry-Auth">, AuthOptions
{
  readonly privileges?: ReadonlyArray<Models.PluginPrivilege>
}

/**
 * Upgrades a disabled plugin to another reference, as a stream of progress messages.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Plugins } from "effect-docker"
 * const done = Plugins.upgrade("my-plugin", "localhost:5000/my-plugin:2").pipe(Stream.runDrain)
 * ```
 * @since 0.1.0
 * @category installing
 */
export const upgrade = (
  name: string,
  remote: string,
  options: UpgradeOptions = {}
): Stream.Stream<
  Models.CreateImageInfo,
  Credentials.CredentialsError | Ndjson.NdjsonError | Errors.RegistryUnauthorized | Docker.CallError<404 | 500>,
  Docker.Docker
> => {
  const { auth, privileges: granted = [], ...rest } = options
  return withRegistryAuth("PluginUpgrade", remote, auth, (header) =>
    Api.pluginUpgrade({
      ...rest,
      name,
      remote,
      body: granted,
      ...(header === undefined ? {} : { "X-Registry-Auth": header })
    }))
}

/**
 * Creates a plugin from a tar archive holding its `config.json` and its `rootfs` folder.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * declare const archive: Uint8Array
 * const created = Plugins.create("my-plugin:latest", archive)
 * ```
 * @since 0.1.0
 * @category installing
 */
export const create = (
  name: string,
  archive: Uint8Array | Stream.Stream<Uint8Array, unknown>
): Effect.Effect<void, Docker.CallError<500>, Docker.Docker> => Api.pluginCreate({ name, body: archive })

/**
 * Pushes a plugin to the registry its name points at, as a stream of progress messages.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { Plugins } from "effect-docker"
 * const pushed = Plugins.push("localhost:5000/my-plugin:latest").pipe(Stream.runCollect)
 * ```
 * @since 0.1.0
 * @category installing
 */
export const push = (
  name: string
): Stream.Stream<Models.PushImageInfo, Ndjson.NdjsonError | Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.pluginPush({ name })

/**
 * Configures a disabled plugin: environment variables, mounts' sources, devices' paths or args, as `KEY=value`
 * strings or a record.
 *
 * @example
 * ```ts
 * import { Plugins } from "effect-docker"
 * const configured = Plugins.set("my-plugin", { DEBUG: "1" })
 * ```
 * @since 0.1.0
 * @category lifecycle
 */
export const set = (
  name: string,
  settings: ReadonlyArray<string> | { readonly [key: string]: string }
): Effect.Effect<void, Docker.CallError<404 | 500>, Docker.Docker> =>
  Api.pluginSet({
    name,
    body: Array.isArray(settings)
      ? settings
      : Object.entries(settings as { readonly [key: string]: string }).map(([key, value]) => `${key}=${value}`)
  })
