/**
 * What the platform entry points share: option parsing and the connection settings of a host.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as Docker from "../../Docker.ts"
import type * as DockerEnv from "../../DockerEnv.ts"
import * as Host from "../../Host.ts"

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
  baseUrl: host._tag === "Tcp" ? `${host.tls ? "https" : "http"}://${bracket(host.host)}:${host.port}` : "http://localhost",
  target: Host.describe(host),
  transport,
  canHijack,
  ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion })
})

const bracket = (host: string) => host.includes(":") && !host.startsWith("[") ? `[${host}]` : host

/** @internal */
export const keyText = (key: DockerEnv.TlsOptions["key"]): string | undefined =>
  key === undefined ? undefined : typeof key === "string" ? key : Redacted.value(key)

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
export const explainFetchErrors = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (effect) =>
    Effect.mapError(effect, (error) => {
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
    }))

const secretHeaders = ["x-registry-auth", "x-registry-config"]

/**
 * Adds the registry credential headers to the names redacted in traces, so that a program that records request
 * headers on spans (`HttpClient.TracerHeaderFilter`) never records credentials.
 *
 * @internal
 */
export const redactRegistryHeaders = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (effect) =>
    Effect.withFiber((fiber) =>
      Effect.provideService(effect, Headers.CurrentRedactedNames, [
        ...fiber.getRef(Headers.CurrentRedactedNames),
        ...secretHeaders
      ])
    ))
