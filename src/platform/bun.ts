/**
 * Bun transport, on Bun's own APIs: HTTP with Bun's `fetch` (its `unix` option for `unix://`, its `tls` option
 * for mutual TLS), hijacked connections (attach, exec) with an HTTP upgrade over `Bun.connect`, and `ssh://`
 * through `ssh … docker system dial-stdio` run with `Bun.spawn` (one ssh process per pooled connection, reused
 * across requests).
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

interface BunSocket {
  write(data: Uint8Array): number
  end(): void
  /** With no argument: sends a FIN (write side only). `shutdown(true)` shuts the read side. */
  shutdown(readSide?: boolean): void
  flush(): void
  pause(): void
  resume(): void
}
interface BunSocketHandler {
  data(socket: BunSocket, data: Uint8Array): void
  drain(socket: BunSocket): void
  close(socket: BunSocket, error?: Error): void
  error(socket: BunSocket, error: Error): void
  connectError?(socket: BunSocket, error: Error): void
  end?(socket: BunSocket): void
}
interface BunTls {
  ca?: string
  cert?: string
  key?: string
  rejectUnauthorized?: boolean
  serverName?: string
}
interface BunSubprocess {
  readonly stdin: { write(data: Uint8Array): number | Promise<number>; flush(): unknown; end(): unknown }
  readonly stdout: ReadableStream<Uint8Array>
  kill(signal?: number | string): void
  readonly exited: Promise<number>
}
declare const Bun: {
  connect(
    options: ({ unix: string } | { hostname: string; port: number; tls?: BunTls | boolean }) & {
      socket: BunSocketHandler
    }
  ): Promise<BunSocket>
  spawn(command: Array<string>, options: { stdin: "pipe"; stdout: "pipe"; stderr: "inherit" }): BunSubprocess
  spawn(command: Array<string>, options: { stdin: Uint8Array; stdout: "pipe"; stderr: "pipe" }): {
    readonly stdout: ReadableStream<Uint8Array>
    readonly stderr: ReadableStream<Uint8Array>
    readonly exited: Promise<number>
  }
  env: Record<string, string | undefined>
  file(path: string): { exists(): Promise<boolean>; text(): Promise<string> }
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, "$1")

const tlsOption = (host: Host.Host, options: DockerEnv.ClientOptions): BunTls | undefined => {
  if (host._tag !== "Tcp" || !host.tls) return undefined
  const tls = options.tls
  const key = keyText(tls?.key)
  return {
    ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: tls?.insecureSkipVerify !== true
  }
}

/** How many bytes a hijacked connection reads ahead of its consumer before it stops reading from the socket. */
const readAheadBytes = 256 * 1024

/**
 * A `Bun.connect` socket as Web streams.
 *
 * - Reads follow the consumer: the socket is paused once `readAheadBytes` wait unread, and resumed when the
 *   consumer pulls again, so a slow reader makes the daemon wait instead of growing this process' memory.
 * - `socket.write` may take only part of a chunk (it returns the count): the rest is written again on `drain`.
 * - Closing `writable` half-closes the connection (`shutdown()` with no argument sends a FIN; on Bun 1.4
 *   `shutdown(true)` shuts the read side instead), and `readable` keeps going until the daemon closes.
 */
const connect = (host: Host.Host, options: DockerEnv.ClientOptions): Http1.Open =>
  Effect.tryPromise(async () => {
    let socket: BunSocket | undefined
    let paused = false
    let controller!: ReadableStreamDefaultController<Uint8Array>
    const readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c
      },
      pull: () => {
        if (paused) {
          paused = false
          socket?.resume()
        }
      },
      cancel: () => close()
    }, { highWaterMark: readAheadBytes, size: (chunk) => chunk.byteLength })
    let ended = false
    const endReadable = (error?: Error) => {
      if (ended) return
      ended = true
      try {
        if (error === undefined) controller.close()
        else controller.error(error)
      } catch {
        // already closed
      }
    }
    let drained: (() => void) | undefined
    const wakeWriter = () => {
      const resolve = drained
      drained = undefined
      resolve?.()
    }
    let failure: Error | undefined
    let socketClosed = false
    const handler: BunSocketHandler = {
      data: (from, data) => {
        if (ended) return
        controller.enqueue(new Uint8Array(data))
        if (!paused && (controller.desiredSize ?? 1) <= 0) {
          paused = true
          from.pause()
        }
      },
      drain: wakeWriter,
      close: (_socket, error) => {
        socketClosed = true
        endReadable(error)
        wakeWriter()
      },
      end: () => endReadable(),
      error: (_socket, error) => {
        failure = error
        endReadable(error)
        wakeWriter()
      }
    }
    const target = host._tag === "Unix"
      ? { unix: host.path }
      : host._tag === "Tcp"
      ? { hostname: unbracket(host.host), port: host.port, ...(host.tls ? { tls: tlsOption(host, options)! } : {}) }
      : undefined
    if (target === undefined) throw new Error(`no raw connection for ${host._tag}`)
    const opened = await Bun.connect({ ...target, socket: handler })
    socket = opened
    let closed = false
    const close = () => {
      if (closed) return
      closed = true
      opened.end()
      endReadable()
    }
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        let rest = chunk
        while (rest.length > 0) {
          if (failure !== undefined) throw failure
          if (closed || socketClosed) throw new Error("socket closed")
          const written = opened.write(rest)
          rest = rest.subarray(Math.max(0, written))
          if (rest.length > 0) await new Promise<void>((resolve) => (drained = resolve))
        }
      },
      close: async () => {
        if (closed || socketClosed) return
        // Bun corks writes until the end of the tick: shutting down at once would send the FIN before them
        opened.flush()
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (!closed && !socketClosed) opened.shutdown()
      }
    })
    return { readable, writable, close }
  })

const sshOpener = (host: Extract<Host.Host, { _tag: "Ssh" }>, options: DockerEnv.ClientOptions): Http1.Open =>
  Effect.try(() => {
    const child = Bun.spawn(["ssh", ...sshCommand(host, options.sshArgs)], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit"
    })
    let closed = false
    const writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        await child.stdin.write(chunk)
        await child.stdin.flush()
      },
      close: async () => {
        await child.stdin.end()
      }
    })
    return {
      readable: child.stdout,
      writable,
      close: () => {
        if (closed) return
        closed = true
        child.kill()
        void child.exited.catch(() => undefined)
      }
    }
  })

/**
 * The Docker client on Bun's native APIs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerBun from "effect-docker/bun"
 * const layer = DockerBun.layer({ host: "unix:///var/run/docker.sock" })
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
          return yield* unsupportedHost(host, "Bun", "Windows named pipes are not supported")
        case "Ssh":
          return sshLayer(host, options, "bun-ssh", sshOpener(host, options))
        case "Unix":
        case "Tcp": {
          const connection = connectionFor(host, options, "bun", true)
          const tls = tlsOption(host, options)
          // Bun's own idle timeout (5 minutes) would cut quiet streams (follow logs, events): off
          const init = {
            ...(host._tag === "Unix" ? { unix: host.path } : {}),
            ...(tls === undefined ? {} : { tls }),
            timeout: false
          } as RequestInit
          const fetchLayer = Layer.effect(
            HttpClient.HttpClient,
            FetchClient.make({
              init,
              wrap: (client) =>
                Http1.upgradeClient(client, openWithin(connect(host, options), connectTimeoutMillis(options)))
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
 * What `layerFromEnv` reads: `Bun.env`, `HOME` and files with `Bun.file`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { DockerEnv } from "effect-docker"
 * import * as DockerBun from "effect-docker/bun"
 * const resolved = Effect.flatMap(DockerBun.environment, DockerEnv.resolve)
 * ```
 * @since 0.1.0
 * @category environment
 */
export const environment: Effect.Effect<DockerEnv.Environment> = Effect.sync(() => {
  const env = { ...Bun.env }
  return {
    env,
    homeDir: env["HOME"],
    readFile: (path: string) =>
      Effect.tryPromise({
        try: async () => {
          const file = Bun.file(path)
          return (await file.exists()) ? await file.text() : undefined
        },
        catch: (cause) => new DockerEnv.DockerConfigError({ reason: "cannot read the file", path, cause })
      })
  }
})

/**
 * The Docker client configured as the docker CLI would be (see `DockerEnv.resolve`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerBun from "effect-docker/bun"
 * await Effect.runPromise(Api.systemVersion().pipe(Effect.provide(DockerBun.layerFromEnv)))
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
 * Runs a docker credential helper (`docker-credential-NAME get`, the registry on stdin) with Bun.spawn. Its output
 * stays redacted; a failure names the helper and its exit code, never its output.
 *
 * @example
 * ```ts
 * import { Credentials } from "effect-docker"
 * import * as DockerBun from "effect-docker/bun"
 * const credentials = Credentials.layerFromEnvironment(DockerBun.environment, DockerBun.credentialHelper)
 * ```
 * @since 0.1.0
 * @category credentials
 */
export const credentialHelper: Credentials.HelperRunner = credentialHelperWith(async (program, input) => {
  let child
  try {
    child = Bun.spawn([program, "get"], { stdin: new TextEncoder().encode(input), stdout: "pipe", stderr: "pipe" })
  } catch {
    return undefined
  }
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited
  ])
  return { code, stdout, stderr }
})
