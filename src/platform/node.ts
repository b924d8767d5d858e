/**
 * Node.js transport: the Docker client over a unix socket or TCP (with TLS), on `@effect/platform-node`'s
 * `node:http` client with a keep-alive agent (every response body is read or discarded, so connections are
 * reused). The same layer runs under Bun and Deno's Node compatibility. Hijacked connections (attach, exec)
 * use the HTTP upgrade of the same client.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as ApiVersion from "../ApiVersion.ts"
import * as Docker from "../Docker.ts"
import * as Host from "../Host.ts"

/**
 * Options of the Node transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface NodeOptions {
  /** A `DOCKER_HOST`-style address; `unix:///var/run/docker.sock` when absent. */
  readonly host?: string
  /** Pins the API version and skips negotiation. */
  readonly apiVersion?: ApiVersion.ApiVersion
  /** TLS material for `tcp://` with TLS or `https://`: PEM text. Verification stays on unless `insecureSkipVerify`. */
  readonly tls?: {
    readonly ca?: string
    readonly cert?: string
    readonly key?: string
    readonly insecureSkipVerify?: boolean
  }
}

/**
 * The connection settings and agent options for a host.
 *
 * @example
 * ```ts
 * import * as DockerNode from "effect-docker/node"
 * const { connection } = DockerNode.settings(Host.defaultHost, {})
 * connection.baseUrl // "http://localhost"
 * ```
 * @since 0.1.0
 * @category constructors
 */
export const settings = (host: Host.Host, options: NodeOptions): {
  readonly connection: Docker.DockerConnection
  readonly agent: NodeHttpClient.HttpAgentOptions
} => {
  const pinned = options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }
  const common = { transport: "node:http", canHijack: true, target: Host.describe(host), ...pinned }
  switch (host._tag) {
    case "Unix":
    case "Npipe":
      return {
        connection: { ...common, baseUrl: "http://localhost" },
        agent: { socketPath: host.path, keepAlive: true }
      }
    case "Tcp": {
      const tls = options.tls
      return {
        connection: { ...common, baseUrl: `${host.tls ? "https" : "http"}://${host.host}:${host.port}` },
        agent: {
          keepAlive: true,
          ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
          ...(tls?.key === undefined ? {} : { key: tls.key }),
          rejectUnauthorized: tls?.insecureSkipVerify !== true
        }
      }
    }
    case "Ssh":
      return {
        connection: { ...common, baseUrl: "http://localhost", target: Host.describe(host) },
        agent: { keepAlive: true }
      }
  }
}

/**
 * The Docker client for Node (and Bun/Deno through their Node compatibility).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * Effect.runPromise(System.version().pipe(Effect.provide(DockerNode.layer())))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: NodeOptions = {}): Layer.Layer<Docker.Docker, Host.InvalidHost> => {
  const parsed = options.host === undefined ? Host.defaultHost : Host.parse(options.host)
  if (parsed instanceof Host.InvalidHost) return Layer.effect(Docker.Docker, Effect.fail(parsed))
  if (parsed._tag === "Ssh") {
    return Layer.effect(
      Docker.Docker,
      Effect.fail(new Host.InvalidHost({ input: options.host ?? "", reason: "ssh:// needs the SSH transport" }))
    )
  }
  const { agent, connection } = settings(parsed, options)
  return Docker.layer(connection).pipe(Layer.provide(NodeHttpClient.layerNodeHttpOptions(agent)))
}

/**
 * The Docker client configured from the environment: `DOCKER_HOST` (default the local socket) and
 * `DOCKER_API_VERSION`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { System } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 * Effect.runPromise(System.ping().pipe(Effect.provide(DockerNode.layerFromEnv)))
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv: Layer.Layer<Docker.Docker, Host.InvalidHost | Config.ConfigError> = Layer.unwrap(
  Effect.gen(function*() {
    const host = yield* Config.String("DOCKER_HOST").pipe(Config.option)
    const apiVersion = yield* Config.String("DOCKER_API_VERSION").pipe(Config.option)
    return layer({
      ...(host._tag === "Some" ? { host: host.value } : {}),
      ...(apiVersion._tag === "Some" ? { apiVersion: apiVersion.value as ApiVersion.ApiVersion } : {})
    })
  })
)
