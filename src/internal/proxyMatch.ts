/**
 * The proxy's request matcher, free of I/O and of Effect: which operation a request reaches on the daemon.
 *
 * The daemon (moby on gorilla/mux) percent-decodes the path once, answers a redirect when Go's `path.Clean`
 * (keeping a trailing slash) changes it, accepts an optional `/v{version:[0-9.]+}` prefix, and matches routes whose
 * variables take any text (`{name:.*}`, slashes included), except the swarm router's plain `{id}` (one segment).
 * The matcher decodes and cleans the same way and refuses any path the daemon would clean; it then matches the
 * path against every operation's template twice: strictly (a `segment` value is one segment, a `reference` value
 * one or more clean segments) and as the daemon does. A request is attributed to an operation only when the
 * daemon's expressions of all operations with that method match exactly one route and it is the strict match.
 *
 * @internal
 */
import type * as Operation from "../Operation.ts"
import { cleanPath as goCleanPath } from "./goPath.ts"

/** @internal */
export interface Route {
  readonly operation: Operation.Any
  readonly strict: RegExp
  readonly daemon: RegExp
  readonly names: ReadonlyArray<string>
}

/** @internal */
export type PathMatch =
  | { readonly _tag: "Matched"; readonly route: Route; readonly path: Readonly<Record<string, string>> }
  | { readonly _tag: "Refused"; readonly reason: string; readonly operation: Operation.Any | undefined }

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The routes of moby's swarm router use gorilla's default variable (one segment). */
const SEGMENT_ONLY_PREFIXES = ["/swarm", "/services/", "/nodes/", "/tasks/", "/secrets/", "/configs/"]

const routeOf = (operation: Operation.Any): Route => {
  const parts = operation.path.split(/(\{[^}]+\})/g)
  const names: Array<string> = []
  const loose = SEGMENT_ONLY_PREFIXES.some((prefix) => operation.path.startsWith(prefix)) ? "([^/]+)" : "([^\\n]*)"
  let strict = ""
  let daemon = ""
  for (const part of parts) {
    if (part.startsWith("{")) {
      const name = part.slice(1, -1)
      names.push(name)
      const param = operation.params.find((p) => p.in === "path" && p.name === name)
      strict += param?.pathValue === "reference" ? "([^/]+(?:/[^/]+)*)" : "([^/]+)"
      daemon += loose
    } else {
      strict += escapeRegExp(part)
      daemon += escapeRegExp(part)
    }
  }
  return { operation, strict: new RegExp(`^${strict}$`), daemon: new RegExp(`^${daemon}$`), names }
}

/** @internal */
export const makeRoutes = (operations: ReadonlyArray<Operation.Any>): ReadonlyArray<Route> => operations.map(routeOf)

/** Go's `path.Clean` on a rooted path, keeping a trailing slash as gorilla/mux's `cleanPath` does. @internal */
export const cleanPath = (path: string): string => {
  const rooted = path.startsWith("/") ? path : `/${path}`
  const cleaned = goCleanPath(rooted)
  return rooted.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned
}

/** Go's `url.PathUnescape`: `%XX` only, undefined on a malformed escape (the daemon answers 400). @internal */
export const unescapePath = (raw: string): string | undefined => {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return undefined
  try {
    return decodeURIComponent(raw)
  } catch {
    // an escape of bytes that are not UTF-8: refused (the SDK never writes one)
    return undefined
  }
}

/** Whether a string holds a C0 control character or DEL (by code unit: no control-character regex to lint). */
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}
const VERSION_PREFIX = /^\/v[0-9.]+(?=\/)/

/** Encodes a decoded, clean path so that the daemon's single decoding gives it back. @internal */
export const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/")

/**
 * Matches a raw request path (as on the request line, without the query) and a method against the routes.
 *
 * @internal
 */
export const matchPath = (routes: ReadonlyArray<Route>, method: string, rawPath: string): PathMatch => {
  if (!rawPath.startsWith("/")) return { _tag: "Refused", reason: "the path is not absolute", operation: undefined }
  const decoded = unescapePath(rawPath)
  if (decoded === undefined) return { _tag: "Refused", reason: "the path has a malformed escape", operation: undefined }
  if (hasControl(decoded) || /[\ud800-\udfff]/.test(decoded.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ""))) {
    return { _tag: "Refused", reason: "the path holds a control character", operation: undefined }
  }
  if (cleanPath(decoded) !== decoded) {
    return { _tag: "Refused", reason: "the path is not clean (the daemon would redirect it)", operation: undefined }
  }
  const path = decoded.replace(VERSION_PREFIX, "")
  const daemonMatches = routes.filter((route) => route.operation.method === method && route.daemon.test(path))
  const strict = routes.find((route) => route.operation.method === method && route.strict.test(path))
  if (daemonMatches.length > 1) {
    return { _tag: "Refused", reason: "the path matches more than one route", operation: strict?.operation }
  }
  if (strict === undefined || daemonMatches[0] !== strict) {
    return {
      _tag: "Refused",
      reason: `no operation matches ${method} ${path}`,
      operation: daemonMatches[0]?.operation
    }
  }
  const values = strict.strict.exec(path)!.slice(1)
  const params: Record<string, string> = {}
  strict.names.forEach((name, index) => {
    params[name] = values[index]!
  })
  return { _tag: "Matched", route: strict, path: params }
}

/** Whether a request asks for a protocol switch: an `Upgrade` header, or `upgrade` in `Connection`. @internal */
export const wantsUpgrade = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): boolean => {
  const upgrade = headers["upgrade"]
  if (upgrade !== undefined && upgrade !== "") return true
  const connection = headers["connection"]
  const text = typeof connection === "string" ? connection : connection?.join(",") ?? ""
  return text.split(",").some((token) => token.trim().toLowerCase() === "upgrade")
}

/** Compares two strings in time that depends on their lengths only. @internal */
export const constantTimeEquals = (a: string, b: string): boolean => {
  const length = Math.max(a.length, b.length)
  let diff = a.length ^ b.length
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}
