/**
 * Where a Docker daemon listens, parsed from `DOCKER_HOST`-style addresses: `unix:///var/run/docker.sock`,
 * `tcp://host:2376`, `http(s)://host:port`, `ssh://user@host[:port]` and `npipe:////./pipe/docker_engine`
 * (Windows named pipes are parsed, though no transport here can open one).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { TaggedErrorClass } from "./internal/taggedError.ts"

/**
 * A parsed daemon address.
 *
 * @since 0.1.0
 * @category models
 */
export type Host =
  | { readonly _tag: "Unix"; readonly path: string }
  | { readonly _tag: "Tcp"; readonly host: string; readonly port: number; readonly tls: boolean }
  | { readonly _tag: "Ssh"; readonly user?: string; readonly host: string; readonly port?: number }
  | { readonly _tag: "Npipe"; readonly path: string }

/**
 * The address the docker CLI uses when nothing is configured.
 *
 * @example
 * ```ts
 * import { Host } from "effect-docker"
 * Host.defaultHost // { _tag: "Unix", path: "/var/run/docker.sock" }
 * ```
 * @since 0.1.0
 * @category constants
 */
export const defaultHost: Host = { _tag: "Unix", path: "/var/run/docker.sock" }

const InvalidHostBase: TaggedErrorClass<"InvalidHost"> = /*#__PURE__*/ Data.TaggedError("InvalidHost")

/**
 * An address that cannot be parsed.
 *
 * @example
 * ```ts
 * import { Host } from "effect-docker"
 * const e = new Host.InvalidHost({ input: "ftp://x", reason: "unsupported scheme ftp" })
 * ```
 * @since 0.1.0
 * @category errors
 */
export class InvalidHost extends InvalidHostBase<{ readonly input: string; readonly reason: string }> {
  override get message(): string {
    return `invalid Docker host "${this.input}": ${this.reason}`
  }
}

/**
 * Parses a `DOCKER_HOST`-style address. `tcp://` means TLS when `tls` is true (as `DOCKER_TLS_VERIFY` says);
 * `https://` always does.
 *
 * @example
 * ```ts
 * import { Host } from "effect-docker"
 * Host.parse("tcp://127.0.0.1:2376", { tls: true }) // { _tag: "Tcp", host: "127.0.0.1", port: 2376, tls: true }
 * Host.parse("unix:///run/docker.sock") // { _tag: "Unix", path: "/run/docker.sock" }
 * ```
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string, options?: { readonly tls?: boolean }): Host | InvalidHost => {
  const scheme = /^([a-z]+):\/\//.exec(input)?.[1]
  const rest = scheme === undefined ? input : input.slice(scheme.length + 3)
  switch (scheme) {
    case "unix":
      return rest === "" ? new InvalidHost({ input, reason: "no socket path" }) : { _tag: "Unix", path: rest }
    case "npipe":
      return rest === "" ? new InvalidHost({ input, reason: "no pipe path" }) : { _tag: "Npipe", path: rest }
    case "tcp":
    case "http":
    case "https": {
      const tls = scheme === "https" || options?.tls === true
      return parseAuthority(input, rest.replace(/\/+$/, ""), tls ? 2376 : 2375, (host, port) => ({
        _tag: "Tcp",
        host,
        port,
        tls
      }))
    }
    case "ssh": {
      const at = rest.lastIndexOf("@")
      const user = at >= 0 ? rest.slice(0, at) : undefined
      return parseAuthority(input, rest.slice(at + 1).replace(/\/+$/, ""), undefined, (host, port) => ({
        _tag: "Ssh",
        host,
        ...(user === undefined ? {} : { user }),
        ...(port === undefined ? {} : { port })
      }))
    }
    case undefined:
      return input.startsWith("/") ? { _tag: "Unix", path: input } : new InvalidHost({ input, reason: "no scheme" })
    default:
      return new InvalidHost({ input, reason: `unsupported scheme ${scheme}` })
  }
}

const parseAuthority = <P extends number | undefined>(
  input: string,
  authority: string,
  defaultPort: P,
  make: (host: string, port: number | P) => Host
): Host | InvalidHost => {
  const match = /^(\[[^\]]+\]|[^:/]+)(?::(\d+))?$/.exec(authority)
  if (match === null) return new InvalidHost({ input, reason: "expected host[:port]" })
  const port = match[2] === undefined ? defaultPort : Number(match[2])
  if (port !== undefined && (port < 1 || port > 65535)) return new InvalidHost({ input, reason: "port out of range" })
  return make(match[1]!, port)
}

/**
 * How the host reads in errors and logs: `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2376 (TLS)`.
 *
 * @example
 * ```ts
 * import { Host } from "effect-docker"
 * Host.describe(Host.defaultHost) // "unix:///var/run/docker.sock"
 * ```
 * @since 0.1.0
 * @category formatting
 */
export const describe = (host: Host): string => {
  switch (host._tag) {
    case "Unix":
      return `unix://${host.path}`
    case "Npipe":
      return `npipe://${host.path}`
    case "Tcp":
      return `tcp://${host.host}:${host.port}${host.tls ? " (TLS)" : ""}`
    case "Ssh":
      return `ssh://${host.user === undefined ? "" : `${host.user}@`}${host.host}${
        host.port === undefined ? "" : `:${host.port}`
      }`
  }
}
