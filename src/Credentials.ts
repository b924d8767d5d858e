/**
 * Registry credentials: one model ({@link AuthConfig}, secrets `Redacted`), one encoder for the headers that carry
 * them (`X-Registry-Auth` for one registry, `X-Registry-Config` for every registry a build may pull from; both
 * base64url JSON), and one resolver service ({@link Credentials}) that pull, push, build, plugin install and
 * distribution inspect consult when the caller passes no `auth`.
 *
 * The resolver looks credentials up as the docker CLI does, by the registry host of the image reference (no host
 * or `docker.io` is Docker Hub, stored under the legacy key `https://index.docker.io/v1/`): `credHelpers[host]`,
 * else `credsStore` (the program `docker-credential-NAME get` reads the registry on stdin and answers
 * `{ ServerURL, Username, Secret }`; the username `<token>` means the secret is an identity token), else the
 * `auths` entry of `config.json` (`auth` = base64 `user:password`, or an `identitytoken`).
 *
 * Where the resolver comes from:
 * - the runtime layers (`effect-docker/node`, `/deno`, `/bun` and `/auto`, both `layer` and `layerFromEnv`)
 *   provide {@link fromEnvironment}: `config.json` of `DOCKER_CONFIG` (else `~/.docker`) is read at each lookup, and
 *   helpers run as subprocesses;
 * - {@link layerNone} turns resolution off (anonymous unless `auth` is passed); {@link layerStatic} gives fixed
 *   credentials (browser-safe); `Layer.succeed(Credentials.Credentials, …)` installs your own resolver;
 * - without any (e.g. the browser `fetch` transport), operations are anonymous unless `auth` is passed.
 *
 * Secrets are `Redacted` from the moment they are read: they never appear in errors, logs or span attributes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as DockerEnv from "./DockerEnv.ts"
import { base64Url, fromBase64 } from "./internal/base64.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * Credentials for one registry: a user name and password, an identity token (from `System.auth` or a credential
 * helper that answers the user `<token>`), or a registry bearer token. Secrets are `Redacted`; they are only
 * revealed to build the request header.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { Credentials } from "effect-docker"
 * const auth: Credentials.AuthConfig = { username: "me", password: Redacted.make("s3cret"), serverAddress: "ghcr.io" }
 * ```
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
  /** The registry, as the daemon expects it (`https://index.docker.io/v1/` for Docker Hub). */
  readonly serverAddress?: string
  readonly email?: string
}

const CredentialsErrorBase: TaggedErrorClass<"CredentialsError"> = /*#__PURE__*/ Data.TaggedError("CredentialsError")

/**
 * Credentials could not be read: a helper that failed or answered garbage, an `auth` entry that is not
 * base64 `user:password`, a `config.json` that cannot be read. Never carries a secret.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const e = new Credentials.CredentialsError({
 *   registry: "ghcr.io",
 *   reason: "helper docker-credential-pass exited with 1"
 * })
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

/**
 * The key Docker Hub's credentials are stored under in `config.json` and asked for from helpers.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * Credentials.dockerHubKey // "https://index.docker.io/v1/"
 * ```
 * @since 0.2.0
 * @category registries
 */
export const dockerHubKey: string = "https://index.docker.io/v1/"

/**
 * The registry host of an image reference, as the docker CLI finds it: the first component when it looks like a
 * host (has a `.` or a `:`, is `localhost`, or has an upper-case letter), else Docker Hub (`docker.io`). Docker
 * Hub's aliases (`index.docker.io`, `registry-1.docker.io`) are `docker.io` too.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * Credentials.registryOf("127.0.0.1:5001/team/app:1") // "127.0.0.1:5001"
 * Credentials.registryOf("busybox") // "docker.io"
 * Credentials.registryOf("index.docker.io/library/busybox") // "docker.io"
 * ```
 * @since 0.1.0
 * @category registries
 */
export const registryOf = (image: string): string => {
  const slash = image.indexOf("/")
  if (slash < 0) return "docker.io"
  const first = image.slice(0, slash)
  const isHost = first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()
  return isHost ? normalizeRegistry(first) : "docker.io"
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

/**
 * The address credentials of a registry host are stored and asked for under: Docker Hub's legacy key for
 * `docker.io`, the host itself otherwise.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * Credentials.serverAddressOf("docker.io") // "https://index.docker.io/v1/"
 * Credentials.serverAddressOf("ghcr.io") // "ghcr.io"
 * ```
 * @since 0.2.0
 * @category registries
 */
export const serverAddressOf = (registry: string): string => {
  const host = normalizeRegistry(registry)
  return host === "docker.io" ? dockerHubKey : host
}

/**
 * The credentials as the daemon's `AuthConfig` JSON object, secrets revealed: only for the request body of
 * `POST /auth` and the headers below.
 *
 * @internal
 */
export const toDaemonJson = (auth: AuthConfig): Record<string, string> => ({
  ...(auth.username === undefined ? {} : { username: auth.username }),
  ...(auth.password === undefined ? {} : { password: Redacted.value(auth.password) }),
  ...(auth.identityToken === undefined ? {} : { identitytoken: Redacted.value(auth.identityToken) }),
  ...(auth.registryToken === undefined ? {} : { registrytoken: Redacted.value(auth.registryToken) }),
  ...(auth.serverAddress === undefined ? {} : { serveraddress: auth.serverAddress }),
  ...(auth.email === undefined ? {} : { email: auth.email })
})

/**
 * The `X-Registry-Auth` header value: base64url of the JSON the daemon expects, kept redacted. Without
 * credentials it encodes `{}`, which the daemon takes as anonymous access.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Credentials } from "effect-docker"
 * const header = Credentials.encodeAuth({
 *   username: "me",
 *   password: Redacted.make("s3cret"),
 *   serverAddress: "ghcr.io"
 * })
 * Redacted.value(Credentials.encodeAuth(undefined)) // "e30="
 * ```
 * @since 0.1.0
 * @category headers
 */
export const encodeAuth = (auth: AuthConfig | undefined): Redacted.Redacted<string> =>
  Redacted.make(base64Url(JSON.stringify(auth === undefined ? {} : toDaemonJson(auth))))

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
  Redacted.make(
    base64Url(JSON.stringify(Object.fromEntries(Object.entries(auths).map(([k, v]) => [k, toDaemonJson(v)]))))
  )

/**
 * What the {@link Credentials} service holds (also reachable as `Credentials["Service"]`).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const forGhcr = (credentials: Credentials.CredentialsService) => credentials.get("ghcr.io")
 * ```
 * @since 0.2.0
 * @category services
 */
export interface CredentialsService {
  /** The credentials for a registry host (`ghcr.io`, `127.0.0.1:5001`, `docker.io`), if any. */
  readonly get: (registry: string) => Effect.Effect<AuthConfig | undefined, CredentialsError>
  /** Every registry's credentials by server address, for a build's `X-Registry-Config`. */
  readonly all: Effect.Effect<Readonly<Record<string, AuthConfig>>, CredentialsError>
}

// A constant with an explicit type, so that JSR's fast check can read the class's base.
const CredentialsBase: Context.ServiceClass<Credentials, "effect-docker/Credentials", CredentialsService> = Context
  .Service<Credentials, CredentialsService>()("effect-docker/Credentials")

/**
 * The registry-credentials resolver: what operations consult when the caller passes no `auth`.
 *
 * - `get(registry)`: the credentials for a registry host (`ghcr.io`, `127.0.0.1:5001`, `docker.io`), if any;
 * - `all`: every registry's credentials by server address, for a build's `X-Registry-Config`.
 *
 * The runtime layers provide {@link fromEnvironment}; {@link layerNone} turns resolution off; any other
 * implementation can be provided with `Layer.succeed`.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { Credentials } from "effect-docker"
 * // a resolver of your own: a vault lookup, per-tenant tokens, …
 * const mine = Layer.succeed(Credentials.Credentials, Credentials.Credentials.of({
 *   get: (registry) => Effect.succeed(registry === "ghcr.io" ? { identityToken: Redacted.make("…") } : undefined),
 *   all: Effect.succeed({})
 * }))
 * ```
 * @since 0.1.0
 * @category services
 */
export class Credentials extends CredentialsBase {}

/**
 * The `X-Registry-Auth` value for an image reference from the current {@link Credentials} resolver: `undefined`
 * when there is no resolver or it has nothing for the reference's registry.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const header = Credentials.authHeader("127.0.0.1:5001/app:1")
 * ```
 * @since 0.1.0
 * @category headers
 */
export const authHeader = (image: string): Effect.Effect<Redacted.Redacted<string> | undefined, CredentialsError> =>
  Effect.flatMap(resolve(image), (auth) => Effect.succeed(auth === undefined ? undefined : encodeAuth(auth)))

/**
 * The credentials for an image reference's registry from the current {@link Credentials} resolver, if any
 * (`undefined` without a resolver).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const auth = Credentials.resolve("127.0.0.1:5001/app:1")
 * ```
 * @since 0.2.0
 * @category resolution
 */
export const resolve = (image: string): Effect.Effect<AuthConfig | undefined, CredentialsError> =>
  Effect.flatMap(
    Effect.serviceOption(Credentials),
    (resolver) => Option.isNone(resolver) ? Effect.succeed(undefined) : resolver.value.get(registryOf(image))
  )

/**
 * Every registry's credentials from the current {@link Credentials} resolver (`{}` without one).
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const registries = Credentials.resolveAll
 * ```
 * @since 0.2.0
 * @category resolution
 */
export const resolveAll: Effect.Effect<Readonly<Record<string, AuthConfig>>, CredentialsError> = Effect.flatMap(
  Effect.serviceOption(Credentials),
  (resolver) => Option.isNone(resolver) ? Effect.succeed({}) : resolver.value.all
)

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
      ? { identityToken: Redacted.make(record.Secret), serverAddress: serverAddressOf(registry) }
      : {
        ...(username === undefined ? {} : { username }),
        password: Redacted.make(record.Secret),
        serverAddress: serverAddressOf(registry)
      }
    return auth
  })

const decodeBase64 = (text: string): string | undefined => {
  try {
    return fromBase64(text)
  } catch {
    return undefined
  }
}

const fromAuthsEntry = (
  registry: string,
  entry: NonNullable<DockerEnv.ConfigFile["auths"]>[string]
): Effect.Effect<AuthConfig | undefined, CredentialsError> => {
  const serverAddress = serverAddressOf(registry)
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
            reason: `config.json names the credential helper docker-credential-${helper}, ` +
              "but this platform cannot run programs"
          })
        }
        const output = yield* options.runHelper(helper, serverAddressOf(registry))
        if (output !== undefined) return yield* fromHelperOutput(registry, output)
      }
      const entry = auths.get(registry)
      return entry === undefined ? undefined : yield* fromAuthsEntry(registry, entry)
    }).pipe(Effect.withSpan("Credentials.get", { attributes: { registry: registryInput } }))
  const all = Effect.gen(function*() {
    const registries = new Set([...explicit.keys(), ...auths.keys(), ...helpers.keys()])
    const found: Record<string, AuthConfig> = {}
    for (const registry of registries) {
      const auth = yield* get(registry)
      if (auth !== undefined) found[serverAddressOf(registry)] = auth
    }
    return found
  })
  return Credentials.of({ get, all })
}

/**
 * The resolver that finds nothing: every operation without `auth` is anonymous.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * const anonymous = Credentials.none
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const none: Credentials["Service"] = Credentials.of({
  get: () => Effect.succeed(undefined),
  all: Effect.succeed({})
})

/**
 * Turns credential resolution off: provide it inside (closer to the program than) the runtime layer.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Credentials, Images } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * const anonymousPull = Images.pull("127.0.0.1:5001/app:1").pipe(
 *   Effect.provide(Credentials.layerNone),
 *   Effect.provide(DockerNode.layerFromEnv)
 * )
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layerNone: Layer.Layer<Credentials> = Layer.succeed(Credentials, none)

/**
 * The docker CLI's resolver on a runtime: `config.json` of `environment` (`DOCKER_CONFIG`, else `~/.docker`) is
 * read at each lookup, so a `docker login` made while the program runs is seen; helpers are run by `runHelper`;
 * `explicit` entries (by registry host) win. A `config.json` that cannot be read fails the lookup with
 * {@link CredentialsError}.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * const resolver = Credentials.fromEnvironment(DockerNode.environment, DockerNode.credentialHelper)
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const fromEnvironment = (
  environment: Effect.Effect<DockerEnv.Environment>,
  runHelper: HelperRunner,
  explicit?: Readonly<Record<string, AuthConfig>>
): Credentials["Service"] => {
  const current = (registry: string) =>
    Effect.flatMap(environment, DockerEnv.readConfigFile).pipe(
      Effect.mapError((error) => new CredentialsError({ registry, reason: error.message })),
      Effect.map((config) => make({ config, runHelper, ...(explicit === undefined ? {} : { explicit }) }))
    )
  return Credentials.of({
    get: (registry) => Effect.flatMap(current(registry), (resolver) => resolver.get(registry)),
    all: Effect.flatMap(current("config.json"), (resolver) => resolver.all)
  })
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
 * The docker CLI's resolver ({@link fromEnvironment}) as a layer. The runtime layers already provide it; use this
 * to give `explicit` credentials that win over the files, or another environment.
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
): Layer.Layer<Credentials> => Layer.succeed(Credentials, fromEnvironment(environment, runHelper, explicit))
