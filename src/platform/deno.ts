/**
 * Deno transport, on Deno's own APIs: HTTP with `fetch` and a `Deno.createHttpClient` (a unix-socket proxy for
 * `unix://`, CA and client certificate for TLS), hijacked connections (attach, exec) with an HTTP upgrade over
 * `Deno.connect` / `Deno.connectTls`, and `ssh://` through `ssh … docker system dial-stdio` run with
 * `Deno.Command` (one ssh process per pooled connection, reused across requests).
 *
 * Needs `--allow-net` (TCP), `--allow-read`/`--allow-write` (unix socket) and `--allow-run=ssh` (SSH);
 * `layerFromEnv` also reads the environment and `~/.docker`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Credentials from "../Credentials.ts"
import * as Docker from "../Docker.ts"
import * as DockerEnv from "../DockerEnv.ts"
import type * as Host from "../Host.ts"
import {
  connectionFor,
  connectTimeoutMillis,
  credentialHelperWith,
  keyText,
  layerFromEnvWith,
  openWithin,
  resolveHost,
  sshCommand,
  sshLayer,
  unsupportedHost,
  withCredentials
} from "./internal/common.ts"
import * as FetchClient from "./internal/fetchClient.ts"
import * as Http1 from "./internal/http1.ts"

interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  close(): void
  closeWrite(): Promise<void>
}
interface DenoHttpClient {
  close(): void
}
interface DenoChild {
  readonly stdin: WritableStream<Uint8Array>
  readonly stdout: ReadableStream<Uint8Array>
  kill(signal?: string): void
  readonly status: Promise<{ readonly code: number }>
  output(): Promise<{ readonly code: number; readonly stdout: Uint8Array; readonly stderr: Uint8Array }>
}
declare const Deno: {
  createHttpClient(options: {
    proxy?: { transport: "unix"; path: string }
    caCerts?: Array<string>
    cert?: string
    key?: string
  }): DenoHttpClient
  connect(options: { transport: "unix"; path: string } | { hostname: string; port: number }): Promise<DenoConn>
  connectTls(
    options: { hostname: string; port: number; caCerts?: Array<string>; cert?: string; key?: string }
  ): Promise<DenoConn>
  Command: new(command: string, options: {
    args: Array<string>
    stdin: "piped"
    stdout: "piped"
    stderr: "inherit" | "null" | "piped"
  }) => { spawn(): DenoChild }
  env: { toObject(): Record<string, string> }
  readTextFile(path: string): Promise<string>
  errors: { NotFound: new(...args: Array<any>) => Error }
}

const connectionCloser = (conn: DenoConn): Http1.ByteConnection => {
  let closed = false
  return {
    readable: conn.readable,
    writable: conn.writable,
    closeWrite: () => conn.closeWrite(),
    close: () => {
      if (closed) return
      closed = true
      try {
        conn.close()
      } catch {
        // already closed by the peer
      }
    }
  }
}

const tlsFiles = (options: DockerEnv.ClientOptions) => {
  const tls = options.tls
  const key = keyText(tls?.key)
  return {
    ...(tls?.ca === undefined ? {} : { caCerts: [tls.ca] }),
    ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
    ...(key === undefined ? {} : { key })
  }
}

/** Opens a raw connection to the daemon (for hijacked requests). */
const opener = (host: Host.Host, options: DockerEnv.ClientOptions): Http1.Open => {
  switch (host._tag) {
    case "Unix":
      return Effect.map(Effect.tryPromise(() => Deno.connect({ transport: "unix", path: host.path })), connectionCloser)
    case "Tcp":
      return host.tls
        ? Effect.map(
          Effect.tryPromise(() =>
            Deno.connectTls({ hostname: unbracket(host.host), port: host.port, ...tlsFiles(options) })
          ),
          connectionCloser
        )
        : Effect.map(
          Effect.tryPromise(() => Deno.connect({ hostname: unbracket(host.host), port: host.port })),
          connectionCloser
        )
    default:
      return Effect.fail(new Error(`no raw connection for ${host._tag}`))
  }
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, "$1")

const sshOpener = (host: Extract<Host.Host, { _tag: "Ssh" }>, options: DockerEnv.ClientOptions): Http1.Open =>
  Effect.try(() => {
    const child = new Deno.Command("ssh", {
      args: [...sshCommand(host, options.sshArgs)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit"
    }).spawn()
    let closed = false
    return {
      readable: child.stdout,
      writable: child.stdin,
      close: () => {
        if (closed) return
        closed = true
        try {
          child.kill("SIGTERM")
        } catch {
          // already exited
        }
        void child.status.catch(() => undefined)
      }
    }
  })

/**
 * The Docker client on Deno's native APIs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerDeno from "effect-docker/deno"
 * const layer = DockerDeno.layer({ host: "unix:///var/run/docker.sock" })
 * await Effect.runPromise(Api.systemPing().pipe(Effect.provide(layer)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: DockerEnv.ClientOptions = {}
): Layer.Layer<Docker.Docker | Credentials.Credentials, Host.InvalidHost> =>
  withCredentials(
    Layer.unwrap(Effect.gen(function*() {
      const host = yield* resolveHost(options)
      switch (host._tag) {
        case "Npipe":
          return yield* unsupportedHost(host, "Deno", "Windows named pipes are not supported")
        case "Ssh":
          return sshLayer(host, options, "deno-ssh", sshOpener(host, options))
        case "Tcp":
          if (host.tls && options.tls?.insecureSkipVerify === true) {
            return yield* unsupportedHost(
              host,
              "Deno",
              "Deno cannot turn certificate verification off per connection; pass the daemon's CA (tls.ca) instead"
            )
          }
        // falls through
        case "Unix": {
          const connection = connectionFor(host, options, "deno", true)
          const open = openWithin(opener(host, options), connectTimeoutMillis(options))
          const fetchLayer = Layer.effect(
            HttpClient.HttpClient,
            Effect.gen(function*() {
              const denoClient = yield* Effect.acquireRelease(
                Effect.sync(() =>
                  Deno.createHttpClient({
                    ...(host._tag === "Unix" ? { proxy: { transport: "unix" as const, path: host.path } } : {}),
                    ...(host._tag === "Tcp" && host.tls ? tlsFiles(options) : {})
                  })
                ),
                (client) => Effect.sync(() => client.close())
              )
              return yield* FetchClient.make({
                init: { client: denoClient } as RequestInit,
                wrap: (client) => Http1.upgradeClient(client, open)
              })
            })
          )
          return Docker.layer(connection).pipe(Layer.provide(fetchLayer))
        }
      }
    })),
    environment,
    credentialHelper
  )

/**
 * What `layerFromEnv` reads: `Deno.env`, `HOME` and files with `Deno.readTextFile`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * import * as DockerDeno from "effect-docker/deno"
 * const resolved = Effect.flatMap(DockerDeno.environment, DockerEnv.resolve)
 * ```
 * @since 0.1.0
 * @category environment
 */
export const environment: Effect.Effect<DockerEnv.Environment> = Effect.sync(() => {
  const env = Deno.env.toObject()
  return {
    env,
    homeDir: env["HOME"],
    readFile: (path: string) =>
      Effect.tryPromise({
        try: () =>
          Deno.readTextFile(path).catch((error) =>
            error instanceof Deno.errors.NotFound ? undefined : Promise.reject(error)
          ),
        catch: (cause) => new DockerEnv.DockerConfigError({ reason: "cannot read the file", path, cause })
      })
  }
})

/**
 * The Docker client configured as the docker CLI would be: `DOCKER_HOST`, `DOCKER_TLS_VERIFY`,
 * `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`, `DOCKER_CONTEXT` and `~/.docker` (see `DockerEnv.resolve`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerDeno from "effect-docker/deno"
 * await Effect.runPromise(Api.systemVersion().pipe(Effect.provide(DockerDeno.layerFromEnv)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<
  Docker.Docker | Credentials.Credentials,
  Host.InvalidHost | DockerEnv.DockerConfigError
> = layerFromEnvWith(
  environment,
  layer
)

/**
 * Runs a docker credential helper (`docker-credential-NAME get`, the registry on stdin) with Deno.Command. Its output
 * stays redacted; a failure names the helper and its exit code, never its output.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerDeno from "effect-docker/deno"
 * const credentials = Credentials.layerFromEnvironment(DockerDeno.environment, DockerDeno.credentialHelper)
 * ```
 * @since 0.1.0
 * @category credentials
 */
export const credentialHelper: Credentials.HelperRunner = credentialHelperWith(async (program, input) => {
  let child
  try {
    child = new Deno.Command(program, { args: ["get"], stdin: "piped", stdout: "piped", stderr: "piped" }).spawn()
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined
    throw error
  }
  const writer = child.stdin.getWriter()
  await writer.write(new TextEncoder().encode(input))
  await writer.close()
  const output = await child.output()
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr)
  }
})
