/**
 * Where a container's port is reachable from the program: the host and port of a published port (a fixed one or
 * the random one the daemon picked), read from the container's inspect result (`NetworkSettings.Ports`).
 *
 * Which host, given a binding and the connection to the daemon:
 * - a binding on every interface (`0.0.0.0` or `::`, or no address) is reached through the daemon's host: the host
 *   of a TCP or SSH `DOCKER_HOST` (or of a `fetch` base URL), else, for a local daemon (unix socket, named pipe),
 *   `127.0.0.1` for an IPv4 binding and `::1` for an IPv6-only one. `127.0.0.1` rather than `localhost`: runtimes
 *   resolve `localhost` to `::1` first, which a daemon without IPv6 does not forward;
 * - a binding on one address (`-p 127.0.0.1:8080:80`) is reached at that address;
 * - IPv4 bindings are preferred over IPv6 ones; among them, the first the daemon lists;
 * - a container in the host's network (`NetworkMode: "host"`) listens on the daemon's host at its own port.
 *
 * A port that is not published (not exposed, exposed only, or the container is not running) fails with
 * {@link PortNotPublished}, which names the port.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Containers from "./Containers.ts"
import * as Docker from "./Docker.ts"
import type * as Models from "./generated/schemas.ts"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * A container port: a number (TCP) or `"<port>/<protocol>"` as the daemon writes it (`"8080/tcp"`, `"53/udp"`).
 *
 * @since 0.2.0
 * @category models
 */
export type ContainerPort = number | `${number}/${"tcp" | "udp" | "sctp"}`

/**
 * Where a port is reachable: `host` is an address or name to connect to (an IPv6 address without brackets; see
 * {@link hostPort} for the `host:port` form), `port` the published port.
 *
 * @since 0.2.0
 * @category models
 */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

const PortNotPublishedBase: TaggedErrorClass<"PortNotPublished"> = /*#__PURE__*/ Data.TaggedError("PortNotPublished")

/**
 * The container's port is not published to the host (or the container is not running, so nothing is bound).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Ports } from "effect-docker"
 * const endpoint = Ports.endpoint("web", 8080).pipe(
 *   Effect.catchTag("PortNotPublished", (e) => Effect.die(`publish ${e.port} first`))
 * )
 * ```
 * @since 0.2.0
 * @category errors
 */
export class PortNotPublished extends PortNotPublishedBase<{
  /** The container's id. */
  readonly container: string
  /** The port asked for, as `"<port>/<protocol>"`. */
  readonly port: string
  readonly message: string
}> {}

/**
 * The daemon's key for a port: `8080` is `"8080/tcp"`; a string is kept as given.
 *
 * @example
 * ```ts
 * import { Ports } from "effect-docker"
 * Ports.portKey(8080) // "8080/tcp"
 * ```
 * @since 0.2.0
 * @category models
 */
export const portKey = (port: ContainerPort): string => typeof port === "number" ? `${port}/tcp` : port

const hostOfAuthority = (authority: string): string | undefined => {
  const withoutUser = authority.slice(authority.lastIndexOf("@") + 1)
  const match = /^\[([^\]]+)\]|^([^:/]+)/.exec(withoutUser)
  const host = match?.[1] ?? match?.[2]
  return host === undefined || host === "" ? undefined : host
}

/**
 * The host that ports published on every interface are reached through: the host of a TCP or SSH daemon (from the
 * connection's target, or its base URL for other transports such as `fetch`), or `undefined` for a local daemon
 * (unix socket, named pipe, or a base URL on `localhost`).
 *
 * @example
 * ```ts
 * import { Ports } from "effect-docker"
 * Ports.daemonHost({ baseUrl: "http://10.0.0.5:2375", target: "tcp://10.0.0.5:2375" }) // "10.0.0.5"
 * Ports.daemonHost({ baseUrl: "http://localhost", target: "unix:///var/run/docker.sock" }) // undefined
 * ```
 * @since 0.2.0
 * @category hosts
 */
export const daemonHost = (connection: Pick<Docker.DockerConnection, "baseUrl" | "target">): string | undefined => {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(connection.target)
  if (scheme !== null) {
    const kind = scheme[1]!.toLowerCase()
    if (kind === "unix" || kind === "npipe") return undefined
    if (kind === "tcp" || kind === "ssh") return hostOfAuthority(scheme[2]!)
  }
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(connection.baseUrl)
  const host = url === null ? undefined : hostOfAuthority(url[1]!)
  return host === undefined || host.toLowerCase() === "localhost" ? undefined : host
}

const isWildcard = (ip: string | undefined) => ip === undefined || ip === "" || ip === "0.0.0.0" || ip === "::"
const isIpv6 = (ip: string | undefined) => ip !== undefined && ip.includes(":")

/**
 * Where the container's `port` is reachable, from its inspect result and the connection to the daemon (see the
 * module's notes for the rules). Pure: the Effect form is {@link endpoint}.
 *
 * @example
 * ```ts
 * import { Result } from "effect"
 * import { Ports } from "effect-docker"
 * const connection = { baseUrl: "http://localhost", target: "unix:///var/run/docker.sock" }
 * const bindings = [{ HostIp: "0.0.0.0", HostPort: "49153" }, { HostIp: "::", HostPort: "49153" }]
 * const inspected = { Id: "abc", NetworkSettings: { Ports: { "8080/tcp": bindings } } }
 * const found = Ports.fromInspect(inspected, 8080, connection) // succeeds with { host: "127.0.0.1", port: 49153 }
 * const port = Result.map(found, (e) => e.port)
 * ```
 * @since 0.2.0
 * @category hosts
 */
export const fromInspect = (
  inspected: Pick<Models.ContainerInspectResponse, "Id" | "NetworkSettings" | "HostConfig">,
  port: ContainerPort,
  connection: Pick<Docker.DockerConnection, "baseUrl" | "target">
): Result.Result<Endpoint, PortNotPublished> => {
  const key = portKey(port)
  const remote = daemonHost(connection)
  const notPublished = (why: string) =>
    Result.fail(new PortNotPublished({ container: inspected.Id ?? "", port: key, message: `${key} ${why}` }))
  if (inspected.HostConfig?.NetworkMode === "host") {
    const number = Number.parseInt(key, 10)
    return Number.isInteger(number) && number > 0
      ? Result.succeed({ host: remote ?? "127.0.0.1", port: number })
      : notPublished("is not a valid port")
  }
  const ports = inspected.NetworkSettings?.Ports ?? {}
  if (!Object.hasOwn(ports, key)) {
    return notPublished(
      Object.keys(ports).length === 0
        ? "is not published: the container publishes no ports (or is not running)"
        : `is not published (published: ${Object.keys(ports).join(", ")})`
    )
  }
  const bindings = (ports[key] ?? []).filter((b) => /^\d+$/.test(b.HostPort ?? "") && Number(b.HostPort) > 0)
  const binding = bindings.find((b) => !isIpv6(b.HostIp)) ?? bindings[0]
  if (binding === undefined) return notPublished("is exposed but not published to the host")
  const ip = binding.HostIp
  const host = !isWildcard(ip) ? ip! : remote ?? (isIpv6(ip) ? "::1" : "127.0.0.1")
  return Result.succeed({ host, port: Number(binding.HostPort) })
}

/**
 * Inspects the container and tells where its `port` is reachable, with the host taken from the `Docker` service's
 * connection (see {@link fromInspect}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Ports } from "effect-docker"
 * const url = Ports.endpoint("web", 8080).pipe(Effect.map((e) => `http://${Ports.hostPort(e)}/`))
 * ```
 * @since 0.2.0
 * @category hosts
 */
export const endpoint = (
  container: string,
  port: ContainerPort
): Effect.Effect<Endpoint, PortNotPublished | Docker.CallError<404 | 500>, Docker.Docker> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const inspected = yield* Containers.inspect(container)
    return yield* Effect.fromResult(fromInspect(inspected, port, docker.connection))
  })

/**
 * The endpoint as `host:port`, an IPv6 address in brackets (`[::1]:8080`), as URLs and `connect` want it.
 *
 * @example
 * ```ts
 * import { Ports } from "effect-docker"
 * Ports.hostPort({ host: "::1", port: 8080 }) // "[::1]:8080"
 * ```
 * @since 0.2.0
 * @category hosts
 */
export const hostPort = (endpoint: Endpoint): string =>
  `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
