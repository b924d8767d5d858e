/**
 * Registry credentials, found as the docker CLI finds them, and the headers that carry them: `X-Registry-Auth`
 * (one registry, for pull and push) and `X-Registry-Config` (every registry, for build), both base64url JSON.
 *
 * Credentials come from explicit options, from `config.json` (`auths`, with `auth` = base64 `user:password` or an
 * `identitytoken`), or from credential helpers (`credHelpers` per registry, else `credsStore`): the program
 * `docker-credential-NAME get` reads the registry on stdin and answers `{ ServerURL, Username, Secret }`; the
 * username `<token>` means the secret is an identity token. Running a helper needs a subprocess, so the platform
 * entry points supply the runner (`DockerNode.credentialHelper`, …); this module stays browser-safe.
 *
 * Secrets are `Redacted` from the moment they are read: they never appear in errors, logs or span attributes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as DockerEnv from "./DockerEnv.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * Credentials for one registry.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthConfig {
  readonly username?: string
  readonly password?: Redacted.Redacted<string>
  /** An identity token (OAuth refresh token) instead of a password. */
  readonly identityToken?: Redacted.Redacted<string>
  /** A registry bearer token, sent as it is. */
  readonly registryToken?: Redacted.Redacted<string>
  readonly serverAddress?: string
  readonly email?: string
}

const CredentialsErrorBase: TaggedErrorClass<"CredentialsError"> = Data.TaggedError("CredentialsError")

/**
 * Credentials could not be read: a helper that failed or answered garbage, an `auth` entry that is not
 * base64 `user:password`. Never carries a secret.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const e = new Credentials.CredentialsError({ registry: "ghcr.io", reason: "helper docker-credential-pass exited with 1" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends CredentialsErrorBase<{
  readonly registry: string
  readonly reason: string
}> {
  override get message(): string {
    return `registry credentials for ${this.registry}: ${this.reason}`
  }
}

/**
 * Runs a credential helper: `docker-credential-<helper> get` with `serverAddress` on stdin; its stdout, or
 * `undefined` when it says the credentials are not found.
 *
 * @since 0.1.0
 * @category models
 */
export type HelperRunner = (
  helper: string,
  serverAddress: string
) => Effect.Effect<Redacted.Redacted<string> | undefined, CredentialsError>

/** The key Docker Hub's credentials are stored under. */
const dockerHubKey = "https://index.docker.io/v1/"

/**
 * The registry an image reference points at: its first component when it looks like a host (has a `.` or a
 * `:`, or is `localhost`), else Docker Hub (`docker.io`).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * Credentials.registryOf("127.0.0.1:5001/team/app:1") // "127.0.0.1:5001"
 * Credentials.registryOf("busybox") // "docker.io"
 * ```
 * @since 0.1.0
 * @category registries
 */
export const registryOf = (image: string): string => {
  const slash = image.indexOf("/")
  if (slash < 0) return "docker.io"
  const first = image.slice(0, slash)
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io"
}

/**
 * A registry address as a bare host: scheme and path removed; Docker Hub's aliases become `docker.io`.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * Credentials.normalizeRegistry("https://index.docker.io/v1/") // "docker.io"
 * Credentials.normalizeRegistry("http://127.0.0.1:5001/v2/") // "127.0.0.1:5001"
 * ```
 * @since 0.1.0
 * @category registries
 */
export const normalizeRegistry = (address: string): string => {
  const host = address.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase()
  return host === "index.docker.io" || host === "registry-1.docker.io" || host === "registry.hub.docker.com"
    ? "docker.io"
    : host
}

/** What a helper is asked for: Docker Hub by its legacy URL, other registries by host. */
const helperAddress = (registry: string) => registry === "docker.io" ? dockerHubKey : registry

const base64url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_")
}

const decodeBase64 = (text: string): string | undefined => {
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

const wire = (auth: AuthConfig) => ({
  ...(auth.username === undefined ? {} : { username: auth.username }),
  ...(auth.password === undefined ? {} : { password: Redacted.value(auth.password) }),
  ...(auth.identityToken === undefined ? {} : { identitytoken: Redacted.value(auth.identityToken) }),
  ...(auth.registryToken === undefined ? {} : { registrytoken: Redacted.value(auth.registryToken) }),
  ...(auth.serverAddress === undefined ? {} : { serveraddress: auth.serverAddress }),
  ...(auth.email === undefined ? {} : { email: auth.email })
})

/**
 * The `X-Registry-Auth` header value: base64url of the JSON the daemon expects, kept redacted.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Credentials } from "effect-docker"
 * const header = Credentials.encodeAuth({ username: "me", password: Redacted.make("s3cret"), serverAddress: "ghcr.io" })
 * ```
 * @since 0.1.0
 * @category headers
 */
export const encodeAuth = (auth: AuthConfig): Redacted.Redacted<string> =>
  Redacted.make(base64url(JSON.stringify(wire(auth))))

/**
 * The `X-Registry-Config` header value for build: base64url JSON of every registry's credentials, by address.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Credentials } from "effect-docker"
 * const header = Credentials.encodeConfig({ "127.0.0.1:5001": { username: "u", password: Redacted.make("p") } })
 * ```
 * @since 0.1.0
 * @category headers
 */
export const encodeConfig = (auths: Readonly<Record<string, AuthConfig>>): Redacted.Redacted<string> =>
  Redacted.make(base64url(JSON.stringify(Object.fromEntries(Object.entries(auths).map(([k, v]) => [k, wire(v)])))))

/**
 * What the {@link Credentials} service holds (also reachable as `Credentials["Service"]`).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const headerFor = (credentials: Credentials.CredentialsService) => credentials.authHeader("busybox:latest")
 * ```
 * @since 0.2.0
 * @category services
 */
export interface CredentialsService {
  /** The credentials for a registry (a host such as `ghcr.io`, or `docker.io`), if any. */
  readonly get: (registry: string) => Effect.Effect<AuthConfig | undefined, CredentialsError>
  /** The `X-Registry-Auth` value for an image reference, if credentials exist for its registry. */
  readonly authHeader: (image: string) => Effect.Effect<Redacted.Redacted<string> | undefined, CredentialsError>
  /** The `X-Registry-Config` value for build: every registry named in `config.json` or given explicitly. */
  readonly configHeader: Effect.Effect<Redacted.Redacted<string>, CredentialsError>
}

// A constant with an explicit type, so that JSR's fast check can read the class's base.
const CredentialsBase: Context.ServiceClass<Credentials, "effect-docker/Credentials", CredentialsService> = Context
  .Service<Credentials, CredentialsService>()("effect-docker/Credentials")

/**
 * Where credentials come from.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Credentials } from "effect-docker"
 * const header = Effect.flatMap(Credentials.Credentials, (c) => c.authHeader("127.0.0.1:5001/app:1"))
 * ```
 * @since 0.1.0
 * @category services
 */
export class Credentials extends CredentialsBase {}

const fromHelperOutput = (registry: string, output: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    let parsed: unknown
    try {
      parsed = JSON.parse(Redacted.value(output))
    } catch {
      return yield* new CredentialsError({ registry, reason: "the credential helper did not answer JSON" })
    }
    const record = parsed as { Username?: unknown; Secret?: unknown; ServerURL?: unknown }
    if (typeof record.Secret !== "string") {
      return yield* new CredentialsError({ registry, reason: "the credential helper answered without a Secret" })
    }
    const username = typeof record.Username === "string" ? record.Username : undefined
    const auth: AuthConfig = username === "<token>"
      ? { identityToken: Redacted.make(record.Secret), serverAddress: helperAddress(registry) }
      : {
        ...(username === undefined ? {} : { username }),
        password: Redacted.make(record.Secret),
        serverAddress: helperAddress(registry)
      }
    return auth
  })

const fromAuthsEntry = (
  registry: string,
  entry: NonNullable<DockerEnv.ConfigFile["auths"]>[string]
): Effect.Effect<AuthConfig | undefined, CredentialsError> => {
  const serverAddress = helperAddress(registry)
  if (typeof entry.identitytoken === "string" && entry.identitytoken !== "") {
    return Effect.succeed({ identityToken: Redacted.make(entry.identitytoken), serverAddress })
  }
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = decodeBase64(entry.auth)
    const colon = decoded?.indexOf(":") ?? -1
    if (decoded === undefined || colon < 0) {
      return Effect.fail(new CredentialsError({ registry, reason: "the auths entry is not base64 user:password" }))
    }
    return Effect.succeed({
      username: decoded.slice(0, colon),
      password: Redacted.make(decoded.slice(colon + 1)),
      serverAddress
    })
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") {
    return Effect.succeed({ username: entry.username, password: Redacted.make(entry.password), serverAddress })
  }
  return Effect.succeed(undefined)
}

/**
 * Credentials as the docker CLI finds them in `config.json`: `credHelpers[registry]`, else `credsStore`, run
 * through `runHelper`; else the `auths` entry. `explicit` entries (by registry host) win over all of them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Credentials } from "effect-docker"
 * const credentials = Credentials.make({ config: { auths: {} }, runHelper: () => Effect.succeed(undefined) })
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly config: DockerEnv.ConfigFile
  readonly runHelper?: HelperRunner
  readonly explicit?: Readonly<Record<string, AuthConfig>>
}): Credentials["Service"] => {
  const explicit = new Map(Object.entries(options.explicit ?? {}).map(([k, v]) => [normalizeRegistry(k), v]))
  const auths = new Map(Object.entries(options.config.auths ?? {}).map(([k, v]) => [normalizeRegistry(k), v]))
  const helpers = new Map(Object.entries(options.config.credHelpers ?? {}).map(([k, v]) => [normalizeRegistry(k), v]))
  const get = (registryInput: string) =>
    Effect.gen(function*() {
      const registry = normalizeRegistry(registryInput)
      const given = explicit.get(registry)
      if (given !== undefined) return given
      const helper = helpers.get(registry) ?? options.config.credsStore
      if (helper !== undefined && helper !== "") {
        if (options.runHelper === undefined) {
          return yield* new CredentialsError({
            registry,
            reason: `config.json names the credential helper docker-credential-${helper}, but this platform cannot run programs`
          })
        }
        const output = yield* options.runHelper(helper, helperAddress(registry))
        if (output !== undefined) return yield* fromHelperOutput(registry, output)
      }
      const entry = auths.get(registry)
      return entry === undefined ? undefined : yield* fromAuthsEntry(registry, entry)
    }).pipe(Effect.withSpan("Credentials.get", { attributes: { registry: registryInput } }))
  const authHeader = (image: string) =>
    Effect.map(get(registryOf(image)), (auth) => auth === undefined ? undefined : encodeAuth(auth))
  const configHeader = Effect.gen(function*() {
    const registries = new Set([...explicit.keys(), ...auths.keys(), ...helpers.keys()])
    const all: Record<string, AuthConfig> = {}
    for (const registry of registries) {
      const auth = yield* get(registry)
      if (auth !== undefined) all[helperAddress(registry)] = auth
    }
    return encodeConfig(all)
  })
  return Credentials.of({ get, authHeader, configHeader })
}

/**
 * Credentials given in code only (no files, no helpers): browser-safe.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Credentials } from "effect-docker"
 * const layer = Credentials.layerStatic({ "127.0.0.1:5001": { username: "testuser", password: Redacted.make("…") } })
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (explicit: Readonly<Record<string, AuthConfig>>): Layer.Layer<Credentials> =>
  Layer.succeed(Credentials, make({ config: {}, explicit }))

/**
 * Credentials from the docker CLI's `config.json` in `environment`, with helpers run by `runHelper`.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * const layer = Credentials.layerFromEnvironment(DockerNode.environment, DockerNode.credentialHelper)
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnvironment = (
  environment: Effect.Effect<DockerEnv.Environment>,
  runHelper: HelperRunner,
  explicit?: Readonly<Record<string, AuthConfig>>
): Layer.Layer<Credentials, DockerEnv.DockerConfigError> =>
  Layer.effect(
    Credentials,
    Effect.gen(function*() {
      const config = yield* DockerEnv.readConfigFile(yield* environment)
      return make({ config, runHelper, ...(explicit === undefined ? {} : { explicit }) })
    })
  )
