/**
 * What the platform entry points share: option parsing and the connection settings of a host.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Credentials from "../../Credentials.ts"
import * as Docker from "../../Docker.ts"
import * as DockerEnv from "../../DockerEnv.ts"
import * as Host from "../../Host.ts"
import { ConnectTimeoutError, defaultConnectTimeoutMillis } from "../../internal/connectTimeout.ts"
import * as Http1 from "./http1.ts"

/** @internal */
export const resolveHost = (options: DockerEnv.ClientOptions): Effect.Effect<Host.Host, Host.InvalidHost> => {
  const input = options.host
  if (input === undefined) return Effect.succeed(Host.defaultHost)
  if (typeof input !== "string") return Effect.succeed(input)
  const parsed = Host.parse(input, { tls: options.tls !== undefined })
  return parsed instanceof Host.InvalidHost ? Effect.fail(parsed) : Effect.succeed(parsed)
}

/** @internal */
export const connectionFor = (
  host: Host.Host,
  options: DockerEnv.ClientOptions,
  transport: string,
  canHijack: boolean
): Docker.DockerConnection => ({
  baseUrl: host._tag === "Tcp"
    ? `${host.tls ? "https" : "http"}://${bracket(host.host)}:${host.port}`
    : "http://localhost",
  target: Host.describe(host),
  transport,
  canHijack,
  ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
  ...(options.timeout === undefined ? {} : { timeout: options.timeout })
})

/** The connect timeout of the options in milliseconds (30 s when absent). @internal */
export const connectTimeoutMillis = (options: DockerEnv.ClientOptions): number =>
  options.connectTimeout === undefined
    ? defaultConnectTimeoutMillis
    : Duration.toMillis(Duration.fromInputUnsafe(options.connectTimeout))

/**
 * Bounds the opening of a connection: past `millis` it fails with a `ConnectTimeoutError` (which the client reports
 * as `Errors.Timeout`) and a connection that opens later is closed.
 *
 * @internal
 */
export const openWithin = <C extends { readonly close: () => void }>(
  open: Effect.Effect<C, unknown>,
  millis: number
): Effect.Effect<C, unknown> =>
  !Number.isFinite(millis) ? open : Effect.callback<C, unknown>((resume) => {
    let settled = false
    const fiber = Effect.runFork(open)
    const timer = setTimeout(() => {
      settled = true
      resume(Effect.fail(new ConnectTimeoutError(millis)))
    }, millis)
    fiber.addObserver((exit) => {
      if (settled) {
        // too late: nobody will use this connection
        if (Exit.isSuccess(exit)) exit.value.close()
        return
      }
      settled = true
      clearTimeout(timer)
      resume(exit)
    })
    // interrupted: the opening runs to its end and the observer closes what it opened
    return Effect.sync(() => {
      if (settled) return
      settled = true
      clearTimeout(timer)
    })
  })

/**
 * The `RequestInit` fields every fetch-based transport sets: redirects are never followed (`redirect: "manual"`
 * hands the 3xx to the client, which fails with `Errors.Redirected`).
 *
 * @internal
 */
export const noRedirects = { redirect: "manual" } as const satisfies RequestInit

const bracket = (host: string) => host.includes(":") && !host.startsWith("[") ? `[${host}]` : host

/** @internal */
export const keyText = (key: DockerEnv.TlsOptions["key"]): string | undefined =>
  key === undefined ? undefined : typeof key === "string" ? key : Redacted.value(key)

/**
 * The Docker client over ssh (`docker system dial-stdio` on the remote): a pooled HTTP/1.1 client on the connections
 * `open` makes, each opened within the connect timeout, registry headers redacted. `transport` names it in the
 * connection (`node-ssh`, `bun-ssh`, …).
 *
 * @internal
 */
export const sshLayer = (
  host: Extract<Host.Host, { _tag: "Ssh" }>,
  options: DockerEnv.ClientOptions,
  transport: string,
  open: Http1.Open
): Layer.Layer<Docker.Docker> => {
  const connection = connectionFor(host, options, transport, true)
  return Layer.effect(
    Docker.Docker,
    Effect.gen(function*() {
      const { client } = yield* Http1.pooledClient(openWithin(open, connectTimeoutMillis(options)))
      return yield* Docker.make(redactRegistryHeaders(client), connection)
    })
  )
}

/** @internal */
export const unsupportedHost = (host: Host.Host, runtime: string, why: string) =>
  new Host.InvalidHost({ input: Host.describe(host), reason: `${runtime} cannot reach this host: ${why}` })

/** The ssh command line that opens a pipe to the daemon, as the Go client runs it. @internal */
export const sshCommand = (
  host: Extract<Host.Host, { _tag: "Ssh" }>,
  extraArgs: ReadonlyArray<string> = []
): ReadonlyArray<string> => [
  "-o",
  "ConnectTimeout=30",
  "-T",
  ...extraArgs,
  ...(host.port === undefined ? [] : ["-p", String(host.port)]),
  "--",
  `${host.user === undefined ? "" : `${host.user}@`}${host.host}`,
  "docker",
  "system",
  "dial-stdio"
]

/**
 * Fetch implementations report network failures as `TypeError("fetch failed")` with the real reason (a TLS
 * verification failure, a refused connection) in `cause`: this lifts the chain of causes into the message, so
 * errors say what went wrong.
 *
 * @internal
 */
export const explainFetchError = (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError => {
  const reason = error.reason
  if (reason._tag !== "TransportError" || !(reason.cause instanceof Error)) return error
  const chain: Array<string> = []
  let current: unknown = reason.cause
  while (current instanceof Error && chain.length < 5) {
    if (!chain.some((message) => message.includes(current instanceof Error ? current.message : ""))) {
      chain.push(current.message)
    }
    current = current.cause
  }
  if (chain.length < 2) return error
  return new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request: reason.request,
      cause: new Error(chain.join(": "), { cause: reason.cause }),
      ...(reason.description === undefined ? {} : { description: reason.description })
    })
  })
}

const secretHeaders = ["x-registry-auth", "x-registry-config"]

/**
 * Adds the registry credential headers to the names redacted in traces, so that a program that records request
 * headers on spans (`HttpClient.TracerHeaderFilter`) never records credentials.
 *
 * @internal
 */
export const redactRegistryHeaders = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(
    client,
    (effect) =>
      Effect.withFiber((fiber) =>
        Effect.provideService(effect, Headers.CurrentRedactedNames, [
          ...fiber.getRef(Headers.CurrentRedactedNames),
          ...secretHeaders
        ])
      )
  )

/** What running `docker-credential-NAME get` left: `undefined` when the program is not on PATH. */
export interface HelperOutput {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * A credential-helper runner from a runtime's way of running a program with `input` on stdin. The output stays
 * redacted; a failure names the helper and its exit code, never its output.
 */
export const credentialHelperWith = (
  run: (program: string, input: string) => Promise<HelperOutput | undefined>
): Credentials.HelperRunner =>
(helper, serverAddress) => {
  const program = `docker-credential-${helper}`
  return Effect.tryPromise({
    try: () => run(program, serverAddress),
    catch: () => new Credentials.CredentialsError({ registry: serverAddress, reason: `cannot run ${program}` })
  }).pipe(
    Effect.flatMap((output) => {
      if (output === undefined) {
        return Effect.fail(
          new Credentials.CredentialsError({ registry: serverAddress, reason: `${program} is not on PATH` })
        )
      }
      if (output.code === 0) return Effect.succeed(Redacted.make(output.stdout))
      if (/credentials not found/i.test(output.stdout + output.stderr)) return Effect.succeed(undefined)
      return Effect.fail(
        new Credentials.CredentialsError({
          registry: serverAddress,
          reason: `${program} get exited with ${output.code}`
        })
      )
    }),
    Effect.withSpan("Credentials.helper", { attributes: { helper, registry: serverAddress } })
  )
}

/**
 * `layerFromEnv` of a runtime: resolve the environment as the docker CLI does, then the runtime's `layer`. The
 * layer is fresh: each `Effect.provide` of it reads the environment again, even nested inside another provide of
 * it (a memoized layer would keep the first environment's daemon).
 */
export const layerFromEnvWith = <A, E>(
  environment: Effect.Effect<DockerEnv.Environment>,
  layer: (options: DockerEnv.ClientOptions) => Layer.Layer<A, E>
): Layer.Layer<A, E | DockerEnv.DockerConfigError | Host.InvalidHost> =>
  Layer.fresh(
    Layer.unwrap(
      Effect.map(
        Effect.flatMap(environment, DockerEnv.resolve),
        (resolved) => layer(DockerEnv.toClientOptions(resolved))
      )
    )
  )

/**
 * A runtime's transport layer with the docker CLI's credential resolver beside it (`config.json` of the
 * environment, read at each lookup, and the runtime's way of running credential helpers).
 */
export const withCredentials = <E>(
  transport: Layer.Layer<Docker.Docker, E>,
  environment: Effect.Effect<DockerEnv.Environment>,
  runHelper: Credentials.HelperRunner
): Layer.Layer<Docker.Docker | Credentials.Credentials, E> =>
  Layer.merge(transport, Credentials.layerFromEnvironment(environment, runHelper))
