/**
 * Node.js transport: the Docker client over a unix socket or TCP (with TLS), on `@effect/platform-node`'s
 * `node:http` client with a keep-alive agent (every response body is read or discarded, so connections are
 * reused). Hijacked connections (attach, exec) use the HTTP upgrade of the same client. `ssh://` runs
 * `ssh … docker system dial-stdio` as the Go client does and speaks HTTP/1.1 over the pipe (one ssh process
 * per pooled connection, reused across requests). The same layer also runs under Bun and Deno's Node
 * compatibility.
 *
 * @since 0.1.0
 */
import type * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import * as Net from "node:net"
import { homedir } from "node:os"
import { Readable, Writable } from "node:stream"
import * as Credentials from "../Credentials.ts"
import * as Docker from "../Docker.ts"
import * as DockerEnv from "../DockerEnv.ts"
import * as Host from "../Host.ts"
import {
  connectionFor,
  connectTimeoutMillis,
  credentialHelperWith,
  keyText,
  layerFromEnvWith,
  resolveHost,
  sshCommand,
  sshLayer,
  unsupportedHost,
  withCredentials
} from "./internal/common.ts"
import * as Http1 from "./internal/http1.ts"
import * as NodeHttp from "./internal/nodeHttpClient.ts"

/**
 * Options of the Node transport (the same for every platform).
 *
 * @since 0.1.0
 * @category models
 */
export type NodeOptions = DockerEnv.ClientOptions

/**
 * The Windows path of a named pipe from an `npipe://` host's path: `//./pipe/docker_engine` (as
 * `npipe:////./pipe/docker_engine` parses) becomes `\\.\pipe\docker_engine`, which `node:net` opens on Windows.
 *
 * @example
 * ```ts
 * import * as DockerNode from "effect-docker/node"
 * DockerNode.pipePath("//./pipe/docker_engine") // "\\\\.\\pipe\\docker_engine"
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const pipePath = (path: string): string => path.replace(/\//g, "\\")

/**
 * The connection settings and agent options for a unix or TCP host (a named pipe is opened by its Windows path,
 * see {@link pipePath}).
 *
 * @example
 * ```ts
 * import * as DockerNode from "effect-docker/node"
 * const { connection } = DockerNode.settings({ _tag: "Unix", path: "/var/run/docker.sock" }, {})
 * connection.baseUrl // "http://localhost"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const settings = (host: Exclude<Host.Host, { _tag: "Ssh" }>, options: NodeOptions): {
  readonly connection: Docker.DockerConnection
  readonly agent: NodeHttpClient.HttpAgentOptions
} => {
  const connection = connectionFor(host, options, "node:http", true)
  switch (host._tag) {
    case "Unix":
      return { connection, agent: { socketPath: host.path, keepAlive: true } }
    case "Npipe":
      return { connection, agent: { socketPath: pipePath(host.path), keepAlive: true } }
    case "Tcp": {
      const tls = options.tls
      const key = keyText(tls?.key)
      return {
        connection,
        agent: {
          keepAlive: true,
          ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
          ...(key === undefined ? {} : { key }),
          rejectUnauthorized: tls?.insecureSkipVerify !== true
        }
      }
    }
  }
}

/**
 * Opens `ssh … docker system dial-stdio` and exposes its stdio as a byte connection.
 *
 * @internal
 */
export const sshOpener = (host: Extract<Host.Host, { _tag: "Ssh" }>, options: NodeOptions): Http1.Open =>
  Effect.try(() => {
    const child = spawn("ssh", [...sshCommand(host, options.sshArgs)], { stdio: ["pipe", "pipe", "inherit"] })
    let closed = false
    return {
      readable: Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
      writable: Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
      close: () => {
        if (closed) return
        closed = true
        child.stdin.destroy()
        child.stdout.destroy()
        child.kill("SIGTERM")
      }
    }
  })

/**
 * The Docker client for Node (and Bun/Deno through their Node compatibility).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * Effect.runPromise(Api.systemVersion().pipe(Effect.provide(DockerNode.layer())))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: NodeOptions = {}
): Layer.Layer<Docker.Docker | Credentials.Credentials, Host.InvalidHost> =>
  withCredentials(
    Layer.unwrap(Effect.gen(function*() {
      const host = yield* resolveHost(options)
      if (host._tag === "Npipe" && process.platform !== "win32") {
        return yield* unsupportedHost(host, "Node", "named pipes exist only on Windows")
      }
      if (host._tag === "Ssh") return sshLayer(host, options, "node-ssh", sshOpener(host, options))
      const { agent, connection } = settings(host, options)
      return Docker.layer(connection).pipe(
        Layer.provide(NodeHttp.layer(agent, connection.baseUrl, connectTimeoutMillis(options)))
      )
    })),
    environment,
    credentialHelper
  )

/**
 * Whether an engine answers `GET /_ping` with 200 on a unix socket, within `timeoutMillis` (1 second by default);
 * a missing socket, a refused connection or any other answer is `false`. Used by discovery (`DockerEnv.resolve`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as DockerNode from "effect-docker/node"
 * const dockerUp = Effect.runPromise(DockerNode.socketAnswers("/var/run/docker.sock"))
 * ```
 * @since 0.2.0
 * @category environment
 */
export const socketAnswers = (path: string, timeoutMillis = 1000): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    let answer = ""
    let done = false
    const socket = Net.connect({ path })
    const finish = (ok: boolean) => {
      if (done) return
      done = true
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.setTimeout(timeoutMillis, () => finish(false))
    socket.on("connect", () => socket.write("GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1")
      if (answer.includes("\r\n")) finish(/^HTTP\/1\.[01] 200 /.test(answer))
    })
    socket.on("error", () => finish(false))
    socket.on("close", () => finish(/^HTTP\/1\.[01] 200 /.test(answer)))
    return Effect.sync(() => finish(false))
  })

/**
 * What `layerFromEnv` reads: `process.env`, the home folder and files with `node:fs`; unix sockets are probed with
 * {@link socketAnswers} for discovery.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * const resolved = Effect.flatMap(DockerNode.environment, DockerEnv.resolve)
 * ```
 * @since 0.1.0
 * @category environment
 */
export const environment: Effect.Effect<DockerEnv.Environment> = Effect.sync(() => ({
  env: { ...process.env },
  homeDir: process.env["HOME"] ?? homedir(),
  readFile: (path: string) =>
    Effect.tryPromise({
      try: () =>
        readFile(path, "utf8").catch((error: NodeJS.ErrnoException) =>
          error.code === "ENOENT" ? undefined : Promise.reject(error)
        ),
      catch: (cause) => new DockerEnv.DockerConfigError({ reason: "cannot read the file", path, cause })
    }),
  socketAnswers: (path: string) => socketAnswers(path)
}))

/**
 * The Docker client configured as the docker CLI would be: `DOCKER_HOST`, `DOCKER_TLS_VERIFY`,
 * `DOCKER_CERT_PATH`, `DOCKER_API_VERSION`, `DOCKER_CONTEXT` and `~/.docker` (see `DockerEnv.resolve`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * Effect.runPromise(Api.systemPing().pipe(Effect.provide(DockerNode.layerFromEnv)))
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
 * Runs a docker credential helper (`docker-credential-NAME get`, the registry on stdin) with node:child_process.
 * Its output stays redacted; a failure names the helper and its exit code, never its output.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * const credentials = Credentials.layerFromEnvironment(DockerNode.environment, DockerNode.credentialHelper)
 * ```
 * @since 0.1.0
 * @category credentials
 */
export const credentialHelper: Credentials.HelperRunner = credentialHelperWith((program, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(program, ["get"], { stdio: ["pipe", "pipe", "pipe"] })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error: NodeJS.ErrnoException) => error.code === "ENOENT" ? resolve(undefined) : reject(error))
    child.on(
      "close",
      (code) =>
        resolve({
          code,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8")
        })
    )
    child.stdin.end(input)
  })
)
