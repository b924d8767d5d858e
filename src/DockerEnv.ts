/**
 * Which daemon to talk to, resolved as the docker CLI resolves it: `DOCKER_HOST`, `DOCKER_TLS_VERIFY`,
 * `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`, `DOCKER_CONTEXT`, the `currentContext` of `config.json` (in
 * `DOCKER_CONFIG`, default `~/.docker`) and the context store (`contexts/meta/<sha256 of name>/meta.json`, TLS
 * material in `contexts/tls/<sha256 of name>/docker/`).
 *
 * This module is pure and browser-safe: the environment variables, the home folder and the way to read a file
 * come in as an {@link Environment}; the platform entry points (`effect-docker/node`, `/deno`, `/bun`) supply
 * them and turn the result into a layer with `layerFromEnv`.
 *
 * One deliberate difference from the Go client: `DOCKER_CERT_PATH` without `DOCKER_TLS_VERIFY` does not turn
 * certificate verification off. Verification is only off when asked for by name (`insecureSkipVerify`, or a
 * context whose endpoint says `SkipTLSVerify`).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as ApiVersion from "./ApiVersion.ts"
import * as Host from "./Host.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * TLS settings of a connection: PEM text. Verification stays on unless `insecureSkipVerify` is true.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsOptions {
  /** Certificate authorities that may sign the daemon's certificate (`ca.pem`). */
  readonly ca?: string
  /** The client certificate, for mutual TLS (`cert.pem`). */
  readonly cert?: string
  /** The client key (`key.pem`); kept redacted. */
  readonly key?: Redacted.Redacted<string> | string
  /** Turns certificate verification off. Only for tests and trusted networks. */
  readonly insecureSkipVerify?: boolean
}

/**
 * What every platform layer accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** A `DOCKER_HOST`-style address; `unix:///var/run/docker.sock` when absent. */
  readonly host?: string | Host.Host
  /** Pins the API version and skips negotiation. */
  readonly apiVersion?: ApiVersion.ApiVersion
  /** TLS for `tcp://` (turns TLS on) and `https://`. */
  readonly tls?: TlsOptions
  /** Extra arguments for `ssh` with `ssh://` hosts, before the destination (e.g. `["-i", key]`). */
  readonly sshArgs?: ReadonlyArray<string>
  /**
   * How long opening a connection may take (TCP connect and TLS handshake); 30 seconds when absent, as the docker
   * CLI's dialer. Past it a call fails with `Errors.Timeout` (`phase: "connect"`).
   *
   * @since 0.2.0
   */
  readonly connectTimeout?: Duration.Input
  /**
   * The request timeout of every call: how long a call may wait for the daemon's answer (its headers, and the
   * whole body for calls that answer one value; streams are never cut once they flow). None when absent; a call
   * can set its own with `Docker.withTimeout`. Past it a call fails with `Errors.Timeout` (`phase: "request"`).
   *
   * @since 0.2.0
   */
  readonly timeout?: Duration.Input
}

/**
 * The inputs of resolution: the environment variables, the home folder and a file reader that answers
 * `undefined` for a missing file.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly homeDir: string | undefined
  readonly readFile: (path: string) => Effect.Effect<string | undefined, DockerConfigError>
  /**
   * Whether an engine answers a ping on a unix socket. When present and nothing names a daemon, resolution looks
   * for Podman's sockets after Docker's (see {@link discoveryOrder}); when absent, the default is Docker's socket.
   *
   * @since 0.2.0
   */
  readonly socketAnswers?: (path: string) => Effect.Effect<boolean>
}

const DockerConfigErrorBase: TaggedErrorClass<"DockerConfigError"> = /*#__PURE__*/ Data.TaggedError("DockerConfigError")

/**
 * The configuration could not be resolved: a context that does not exist, an unreadable `config.json`, a
 * missing certificate, a bad `DOCKER_API_VERSION`. `path` names the file involved, when there is one. Its tag is
 * `"DockerConfigError"`, not Effect's own `"ConfigError"` (which `Config` readings such as `Dvp.layerConfig` fail
 * with), so `Effect.catchTag` tells the two apart.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * const e = new DockerEnv.DockerConfigError({ reason: "context \"x\" not found" })
 * e.message // "Docker configuration: context \"x\" not found"
 * ```
 * @since 0.2.0
 * @category errors
 */
export class DockerConfigError extends DockerConfigErrorBase<{
  readonly reason: string
  readonly path?: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `Docker configuration: ${this.reason}${this.path === undefined ? "" : ` (${this.path})`}`
  }
}

/**
 * The resolved connection settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  /** `"default"` or the name of the context used. */
  readonly context: string
  /**
   * Where the settings came from: `DOCKER_HOST`, a docker context, Podman's `CONTAINER_HOST`, a Podman socket found
   * by discovery (`podman`), or the default Docker socket.
   */
  readonly source: "DOCKER_HOST" | "context" | "CONTAINER_HOST" | "podman" | "default"
  readonly host: Host.Host
  readonly tls?: TlsOptions
  readonly apiVersion?: ApiVersion.ApiVersion
}

const join = (...parts: ReadonlyArray<string>): string => parts.join("/").replace(/\/{2,}/g, "/")

/**
 * The docker CLI's configuration folder: `DOCKER_CONFIG`, else `~/.docker`.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * DockerEnv.configDir({ DOCKER_CONFIG: "/etc/docker-cli" }, "/root") // "/etc/docker-cli"
 * DockerEnv.configDir({}, "/home/me") // "/home/me/.docker"
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const configDir = (env: Environment["env"], homeDir: string | undefined): string | undefined => {
  const explicit = env["DOCKER_CONFIG"]
  if (explicit !== undefined && explicit !== "") return explicit
  return homeDir === undefined ? undefined : join(homeDir, ".docker")
}

/**
 * The folder name of a context in the store: the hex SHA-256 of its name (Web Crypto).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * const dir = Effect.runPromise(DockerEnv.contextDigest("remote")) // 64 hex digits
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const contextDigest = (name: string): Effect.Effect<string> =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(name))).pipe(
    Effect.map((digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(""))
  )

/**
 * The part of `config.json` this SDK reads.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigFile {
  readonly currentContext?: string
  readonly auths?: Readonly<
    Record<
      string,
      {
        readonly auth?: string
        readonly identitytoken?: string
        readonly username?: string
        readonly password?: string
      }
    >
  >
  readonly credsStore?: string
  readonly credHelpers?: Readonly<Record<string, string>>
}

const parseJsonFile = (text: string, path: string): Effect.Effect<unknown, DockerConfigError> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    // the text may hold credentials: never quote it
    catch: () => new DockerConfigError({ reason: "the file is not valid JSON", path })
  })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Reads `config.json` from the configuration folder; an absent file reads as `{}`.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * const config = (environment: DockerEnv.Environment) => DockerEnv.readConfigFile(environment)
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const readConfigFile = (environment: Environment): Effect.Effect<ConfigFile, DockerConfigError> =>
  Effect.gen(function*() {
    const dir = configDir(environment.env, environment.homeDir)
    if (dir === undefined) return {}
    const path = join(dir, "config.json")
    const text = yield* environment.readFile(path)
    if (text === undefined || text.trim() === "") return {}
    const json = yield* parseJsonFile(text, path)
    if (!isRecord(json)) return yield* new DockerConfigError({ reason: "expected a JSON object", path })
    const out: { -readonly [K in keyof ConfigFile]: ConfigFile[K] } = {}
    if (typeof json["currentContext"] === "string") out.currentContext = json["currentContext"]
    if (isRecord(json["auths"])) out.auths = json["auths"] as NonNullable<ConfigFile["auths"]>
    if (typeof json["credsStore"] === "string") out.credsStore = json["credsStore"]
    if (isRecord(json["credHelpers"])) {
      const helpers: Record<string, string> = {}
      for (const [registry, helper] of Object.entries(json["credHelpers"])) {
        if (typeof helper === "string") helpers[registry] = helper
      }
      out.credHelpers = helpers
    }
    return out
  })

/**
 * Which context the docker CLI would use: `"default"` when `DOCKER_HOST` is set, else `DOCKER_CONTEXT`, else
 * `currentContext` from `config.json`, else `"default"`.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * DockerEnv.contextName({ DOCKER_CONTEXT: "remote" }, {}) // "remote"
 * DockerEnv.contextName({ DOCKER_HOST: "tcp://x:2375", DOCKER_CONTEXT: "remote" }, {}) // "default"
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const contextName = (env: Environment["env"], config: ConfigFile): string => {
  if (nonEmpty(env["DOCKER_HOST"]) !== undefined) return "default"
  return nonEmpty(env["DOCKER_CONTEXT"]) ?? nonEmpty(config.currentContext) ?? "default"
}

const nonEmpty = (s: string | undefined): string | undefined => s === undefined || s === "" ? undefined : s

const readPem = (environment: Environment, dir: string, name: string, required: boolean) =>
  Effect.flatMap(environment.readFile(join(dir, name)), (text) =>
    text === undefined && required
      ? Effect.fail(new DockerConfigError({ reason: `missing TLS file ${name}`, path: join(dir, name) }))
      : Effect.succeed(text))

const tlsFromFolder = (environment: Environment, dir: string, insecureSkipVerify: boolean, required: boolean) =>
  Effect.gen(function*() {
    const ca = yield* readPem(environment, dir, "ca.pem", required && !insecureSkipVerify)
    const cert = yield* readPem(environment, dir, "cert.pem", false)
    const key = yield* readPem(environment, dir, "key.pem", cert !== undefined)
    const tls: { ca?: string; cert?: string; key?: Redacted.Redacted<string>; insecureSkipVerify: boolean } = {
      insecureSkipVerify
    }
    if (ca !== undefined) tls.ca = ca
    if (cert !== undefined) tls.cert = cert
    if (key !== undefined) tls.key = Redacted.make(key)
    return tls as TlsOptions
  })

const parseHost = (input: string, tls: boolean): Effect.Effect<Host.Host, Host.InvalidHost> => {
  const parsed = Host.parse(input, { tls })
  return parsed instanceof Host.InvalidHost ? Effect.fail(parsed) : Effect.succeed(parsed)
}

const parseApiVersion = (
  env: Environment["env"]
): Effect.Effect<ApiVersion.ApiVersion | undefined, DockerConfigError> => {
  const raw = nonEmpty(env["DOCKER_API_VERSION"])
  if (raw === undefined) return Effect.succeed(undefined)
  const version = ApiVersion.parse(raw)
  if (version === undefined) {
    return Effect.fail(new DockerConfigError({ reason: `DOCKER_API_VERSION "${raw}" is not a version like 1.41` }))
  }
  return ApiVersion.atLeast(version, ApiVersion.oldest) && ApiVersion.atLeast(ApiVersion.newest, version)
    ? Effect.succeed(version)
    : Effect.fail(
      new DockerConfigError({
        reason: `DOCKER_API_VERSION "${raw}" is outside the API versions this SDK speaks ` +
          `(${ApiVersion.oldest} to ${ApiVersion.newest})`
      })
    )
}

/**
 * The unix sockets discovery tries, in order, when neither `DOCKER_HOST`, a docker context nor `CONTAINER_HOST`
 * names a daemon: Docker's `/var/run/docker.sock`, then Podman's rootless socket
 * `$XDG_RUNTIME_DIR/podman/podman.sock` (when `XDG_RUNTIME_DIR` is set), then Podman's rootful
 * `/run/podman/podman.sock`. The first that answers a ping wins, so a Podman socket is never chosen over a Docker
 * daemon that answers; when none answers, Docker's socket is used (and the first call says it cannot connect).
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * DockerEnv.discoveryOrder({ XDG_RUNTIME_DIR: "/run/user/1000" })
 * // ["/var/run/docker.sock", "/run/user/1000/podman/podman.sock", "/run/podman/podman.sock"]
 * ```
 * @since 0.2.0
 * @category resolution
 */
export const discoveryOrder = (env: Environment["env"]): ReadonlyArray<string> => {
  const runtimeDir = nonEmpty(env["XDG_RUNTIME_DIR"])
  return [
    "/var/run/docker.sock",
    ...(runtimeDir === undefined ? [] : [join(runtimeDir, "podman", "podman.sock")]),
    "/run/podman/podman.sock"
  ]
}

const discover = (environment: Environment): Effect.Effect<{ host: Host.Host; source: Resolved["source"] }> =>
  Effect.gen(function*() {
    const answers = environment.socketAnswers
    if (answers !== undefined) {
      const [docker, ...podman] = discoveryOrder(environment.env)
      if (yield* answers(docker!)) return { host: Host.defaultHost, source: "default" } as const
      for (const path of podman) {
        if (yield* answers(path)) return { host: { _tag: "Unix", path }, source: "podman" } as const
      }
    }
    return { host: Host.defaultHost, source: "default" } as const
  })

/**
 * Resolves the connection settings from the environment, as the docker CLI does, and finds Podman the way its
 * users expect. In order: `DOCKER_HOST`; the docker context (`DOCKER_CONTEXT`, `currentContext`); Podman's
 * `CONTAINER_HOST`; then the first socket of {@link discoveryOrder} that answers (when the environment can probe
 * sockets), else Docker's default socket.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * const resolved = DockerEnv.resolve({
 *   env: { DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" },
 *   homeDir: "/root",
 *   readFile: (path) => Effect.succeed(`PEM of ${path}`)
 * })
 * // { context: "default", source: "DOCKER_HOST",
 * //   host: { _tag: "Tcp", host: "10.0.0.5", port: 2376, tls: true }, tls: {…} }
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const resolve = (environment: Environment): Effect.Effect<Resolved, DockerConfigError | Host.InvalidHost> =>
  Effect.gen(function*() {
    const { env } = environment
    const apiVersion = yield* parseApiVersion(env)
    const pinned = apiVersion === undefined ? {} : { apiVersion }
    const config = yield* readConfigFile(environment)
    const name = contextName(env, config)
    if (name === "default") {
      const dockerHost = nonEmpty(env["DOCKER_HOST"])
      const verify = nonEmpty(env["DOCKER_TLS_VERIFY"]) !== undefined
      const certPath = nonEmpty(env["DOCKER_CERT_PATH"]) ?? configDir(env, environment.homeDir)
      const wantsTls = verify || nonEmpty(env["DOCKER_CERT_PATH"]) !== undefined
      const containerHost = nonEmpty(env["CONTAINER_HOST"])
      const found: { host: Host.Host; source: Resolved["source"] } = dockerHost !== undefined
        ? { host: yield* parseHost(dockerHost, wantsTls), source: "DOCKER_HOST" }
        : containerHost !== undefined
        ? { host: yield* parseHost(containerHost, false), source: "CONTAINER_HOST" }
        : yield* discover(environment)
      const { host, source } = found
      const usesTls = host._tag === "Tcp" && host.tls
      if (!usesTls || certPath === undefined || source !== "DOCKER_HOST") {
        return { context: "default", source, host, ...pinned }
      }
      const tls = yield* tlsFromFolder(environment, certPath, false, verify)
      return { context: "default", source, host, tls, ...pinned }
    }
    const dir = configDir(env, environment.homeDir)
    if (dir === undefined) {
      return yield* new DockerConfigError({
        reason: `context "${name}" needs a configuration folder (set DOCKER_CONFIG or HOME)`
      })
    }
    const digest = yield* contextDigest(name)
    const metaPath = join(dir, "contexts", "meta", digest, "meta.json")
    const text = yield* environment.readFile(metaPath)
    if (text === undefined) {
      return yield* new DockerConfigError({
        reason: `context "${name}" not found in the context store`,
        path: metaPath
      })
    }
    const meta = yield* parseJsonFile(text, metaPath)
    const endpoint = isRecord(meta) && isRecord(meta["Endpoints"]) ? meta["Endpoints"]["docker"] : undefined
    if (!isRecord(endpoint) || typeof endpoint["Host"] !== "string") {
      return yield* new DockerConfigError({ reason: `context "${name}" has no docker endpoint`, path: metaPath })
    }
    const skip = endpoint["SkipTLSVerify"] === true
    const tlsDir = join(dir, "contexts", "tls", digest, "docker")
    const tls = yield* tlsFromFolder(environment, tlsDir, skip, false)
    const hasTls = tls.ca !== undefined || tls.cert !== undefined || skip
    const host = yield* parseHost(endpoint["Host"], hasTls)
    const usesTls = host._tag === "Tcp" && host.tls
    return { context: name, source: "context", host, ...(usesTls ? { tls } : {}), ...pinned }
  })

/**
 * The settings as `ClientOptions` for a platform layer.
 *
 * @example
 * ```ts
 * import { DockerEnv } from "effect-docker"
 * DockerEnv.toClientOptions({
 *   context: "default",
 *   source: "default",
 *   host: { _tag: "Unix", path: "/var/run/docker.sock" }
 * })
 * // { host: { _tag: "Unix", path: "/var/run/docker.sock" } }
 * ```
 * @since 0.1.0
 * @category resolution
 */
export const toClientOptions = (resolved: Resolved): ClientOptions => ({
  host: resolved.host,
  ...(resolved.tls === undefined ? {} : { tls: resolved.tls }),
  ...(resolved.apiVersion === undefined ? {} : { apiVersion: resolved.apiVersion })
})
