/**
 * What an allow-list proxy in front of the Docker daemon lets through, as data: a policy is a list of operations
 * (from the generated `Operations`), each optionally with a predicate on the request's parameters. {@link decide}
 * attributes a request to the operation the daemon would run (the path decoded and cleaned as the daemon does;
 * a path the daemon would clean or redirect is refused), and checks the method, the query keys, the body and any
 * `Upgrade`. The Node server that applies it is `effect-docker/proxy`; this module is browser-safe and does no I/O.
 * `docs/proxy.md` describes the matching and the threat model.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Ops from "./generated/operations.ts"
import * as Match from "./internal/proxyMatch.ts"
import type * as Operation from "./Operation.ts"

/**
 * A request attributed to an operation, as a predicate sees it: the path parameters by name, the query (every
 * value of every key), and the parsed JSON body of an operation that takes one.
 *
 * @example
 * ```ts
 * import type * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const isWeb = (request: ProxyPolicy.ProxyRequest) => request.path["id"] === "web"
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ProxyRequest {
  readonly operation: Operation.Any
  readonly method: string
  readonly path: Readonly<Record<string, string>>
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  readonly body: unknown
}

/**
 * One allowed operation, with an optional predicate that must succeed with `true` for the request to be forwarded
 * (a failing predicate denies). The predicate may use services `R`, e.g. the `Docker` client to inspect the
 * container a request names.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Operations } from "effect-docker"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const rule: ProxyPolicy.Rule = {
 *   operation: Operations.ContainerLogs,
 *   when: (r) => Effect.succeed(r.path["id"] === "web")
 * }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Rule<R = never> {
  readonly operation: Operation.Any
  readonly when?: ((request: ProxyRequest) => Effect.Effect<boolean, unknown, R>) | undefined
}

/**
 * A policy: the allowed operations, bare or as rules. When several rules name the same operation, any one of them
 * that allows the request suffices.
 *
 * @example
 * ```ts
 * import { Operations } from "effect-docker"
 * import type * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const policy: ProxyPolicy.Policy = [Operations.SystemPing, Operations.ContainerList]
 * ```
 * @since 0.2.0
 * @category models
 */
export type Policy<R = never> = ReadonlyArray<Operation.Any | Rule<R>>

/**
 * Allows an operation, optionally when a predicate holds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Operations } from "effect-docker"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const onlyWeb = ProxyPolicy.allow(Operations.ContainerStart, (r) => Effect.succeed(r.path["id"] === "web"))
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const allow = <R = never>(
  operation: Operation.Any,
  when?: (request: ProxyRequest) => Effect.Effect<boolean, unknown, R>
): Rule<R> => ({ operation, when })

/**
 * Every operation the SDK describes (108 for API 1.55), in the spec's order.
 *
 * @example
 * ```ts
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const ids = ProxyPolicy.allOperations.map((op) => op.id)
 * ```
 * @since 0.2.0
 * @category models
 */
export const allOperations: ReadonlyArray<Operation.Any> =
  /*#__PURE__*/ (() =>
    (Object.values(Ops) as ReadonlyArray<unknown>).filter((value): value is Operation.Any =>
      typeof value === "object" && value !== null && "id" in value && "method" in value && "path" in value
    ))()

/**
 * The read-only preset: listing and inspecting containers, images, volumes, networks, plugins and swarm objects,
 * container logs, stats, top and filesystem changes, the event stream, version, info, ping and disk usage.
 *
 * Left out on purpose: anything that changes state (every `POST`/`PUT`/`DELETE`), upgrades (attach, exec),
 * container and image exports and archive reads (`ContainerExport`, `ContainerArchive`, `ContainerArchiveInfo`,
 * `ImageGet`, `ImageGetAll`: file contents), secrets and configs (`ConfigInspect` returns a config's data),
 * `SwarmInspect` (it holds the join tokens) and `SwarmUnlockkey`, and the calls that make the daemon reach a
 * registry (`ImageSearch`, `DistributionInspect`, `GetPluginPrivileges`). Inspect results still include
 * containers' environment variables: drop `ContainerInspect`, `ServiceInspect` and `TaskInspect` when they may
 * hold secrets.
 *
 * @example
 * ```ts
 * import { Operations } from "effect-docker"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const policy = [...ProxyPolicy.readOnly, Operations.ContainerStart, Operations.ContainerStop]
 * ```
 * @since 0.2.0
 * @category presets
 */
export const readOnly: ReadonlyArray<Operation.Any> = [
  Ops.ContainerList,
  Ops.ContainerInspect,
  Ops.ContainerTop,
  Ops.ContainerLogs,
  Ops.ContainerChanges,
  Ops.ContainerStats,
  Ops.ImageList,
  Ops.ImageInspect,
  Ops.ImageHistory,
  Ops.SystemInfo,
  Ops.SystemVersion,
  Ops.SystemPing,
  Ops.SystemPingHead,
  Ops.SystemEvents,
  Ops.SystemDataUsage,
  Ops.VolumeList,
  Ops.VolumeInspect,
  Ops.NetworkList,
  Ops.NetworkInspect,
  Ops.PluginList,
  Ops.PluginInspect,
  Ops.NodeList,
  Ops.NodeInspect,
  Ops.ServiceList,
  Ops.ServiceInspect,
  Ops.ServiceLogs,
  Ops.TaskList,
  Ops.TaskInspect,
  Ops.TaskLogs,
  Ops.ExecInspect
]

/**
 * The request as the proxy received it: method, the raw target (path and query, as on the request line) and the
 * headers (lower-case names).
 *
 * @example
 * ```ts
 * import type * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const incoming: ProxyPolicy.Incoming = { method: "GET", url: "/v1.41/containers/json?all=true", headers: {} }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Incoming {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
}

/**
 * The answer to a request: forward it (to `target`, the path re-encoded so that the daemon decodes exactly the
 * path that was matched, plus the query) after the body and predicate checks, or deny it, naming the operation
 * the path reached (`undefined` when none).
 *
 * @example
 * ```ts
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const d = ProxyPolicy.decide(ProxyPolicy.readOnly, { method: "POST", url: "/containers/x/start", headers: {} })
 * d._tag === "Deny" && d.operation // "ContainerStart"
 * ```
 * @since 0.2.0
 * @category models
 */
export type Decision<R = never> =
  | {
    readonly _tag: "Forward"
    readonly operation: Operation.Any
    readonly target: string
    readonly upgrade: boolean
    readonly rules: ReadonlyArray<Rule<R>>
    readonly path: Readonly<Record<string, string>>
    readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  }
  | { readonly _tag: "Deny"; readonly reason: string; readonly operation: string | undefined }

const routes = /*#__PURE__*/ Match.makeRoutes(allOperations)

const toRule = <R>(entry: Operation.Any | Rule<R>): Rule<R> => "operation" in entry ? entry : { operation: entry }

const header = (headers: Incoming["headers"], name: string): string | undefined => {
  const value = headers[name]
  return typeof value === "string" ? value : value?.join(",")
}

/**
 * Whether the request carries a body: a `Transfer-Encoding`, or a `Content-Length` above zero.
 *
 * @example
 * ```ts
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * ProxyPolicy.hasBody({ "content-length": "0" }) // false
 * ```
 * @since 0.2.0
 * @category matching
 */
export const hasBody = (headers: Incoming["headers"]): boolean => {
  if (header(headers, "transfer-encoding") !== undefined) return true
  const length = header(headers, "content-length")
  return length !== undefined && length.trim() !== "0"
}

/**
 * Attributes a request to an operation and checks everything that needs no body and no predicate: the path (see
 * the module's description), the method, that the operation is in the policy, that every query key is one of
 * the operation's parameters (each given once, except the `array` ones; no `;`), that an operation without a
 * request body gets none, and that an `Upgrade` is asked only of an operation that upgrades (attach, exec start,
 * session).
 *
 * @example
 * ```ts
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const d = ProxyPolicy.decide(ProxyPolicy.readOnly, { method: "GET", url: "/v1.41/containers/json", headers: {} })
 * d._tag // "Forward"
 * ```
 * @since 0.2.0
 * @category matching
 */
export const decide = <R>(policy: Policy<R>, incoming: Incoming): Decision<R> => {
  const queryAt = incoming.url.indexOf("?")
  const rawPath = queryAt === -1 ? incoming.url : incoming.url.slice(0, queryAt)
  const rawQuery = queryAt === -1 ? "" : incoming.url.slice(queryAt + 1)
  const matched = Match.matchPath(routes, incoming.method.toUpperCase(), rawPath)
  if (matched._tag === "Refused") {
    return { _tag: "Deny", reason: matched.reason, operation: matched.operation?.id }
  }
  const operation = matched.route.operation
  const deny = (reason: string): Decision<R> => ({ _tag: "Deny", reason, operation: operation.id })
  const rules = policy.map(toRule).filter((rule) => rule.operation.id === operation.id)
  if (rules.length === 0) return deny(`${operation.id} is not allowed`)
  if (rawQuery.includes(";")) return deny("the query holds a `;`")
  if (rawQuery.includes("#")) return deny("the query holds a `#`")
  const query: Record<string, Array<string>> = {}
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const param = operation.params.find((p) => p.in === "query" && p.name === key)
    if (param === undefined) return deny(`${operation.id} has no query parameter ${JSON.stringify(key)}`)
    const values = query[key] ?? (query[key] = [])
    if (values.length > 0 && param.style !== "array" && param.style !== "jsonArray") {
      return deny(`the query parameter ${JSON.stringify(key)} is given more than once`)
    }
    values.push(value)
  }
  if (operation.body === undefined && hasBody(incoming.headers)) return deny(`${operation.id} takes no request body`)
  const upgrade = Match.wantsUpgrade(incoming.headers)
  if (upgrade && operation.response._tag !== "Hijack") return deny(`${operation.id} does not upgrade the connection`)
  const target = Match.encodePath(Match.unescapePath(rawPath)!) + (rawQuery === "" ? "" : `?${rawQuery}`)
  return { _tag: "Forward", operation, target, upgrade, rules, path: matched.path, query }
}

/**
 * Checks a buffered request body against the operation: a JSON body must parse (an empty one is taken as
 * absent). Returns the parsed value, or the reason for a refusal.
 *
 * @example
 * ```ts
 * import { Operations } from "effect-docker"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * ProxyPolicy.parseBody(Operations.ContainerCreate, new TextEncoder().encode("{")) // { _tag: "Invalid", … }
 * ```
 * @since 0.2.0
 * @category matching
 */
export const parseBody = (
  operation: Operation.Any,
  bytes: Uint8Array
): { readonly _tag: "Valid"; readonly body: unknown } | { readonly _tag: "Invalid"; readonly reason: string } => {
  if (bytes.length === 0) return { _tag: "Valid", body: undefined }
  if (operation.body?._tag !== "Json") return { _tag: "Valid", body: undefined }
  try {
    return { _tag: "Valid", body: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) }
  } catch {
    return { _tag: "Invalid", reason: `the body of ${operation.id} is not JSON` }
  }
}

/**
 * Runs the rules' predicates: the request is allowed when one rule has none or its predicate succeeds with
 * `true`; a failing predicate counts as `false`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Operations } from "effect-docker"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const ok = ProxyPolicy.permits([{ operation: Operations.SystemPing }], {
 *   operation: Operations.SystemPing, method: "GET", path: {}, query: {}, body: undefined
 * })
 * ```
 * @since 0.2.0
 * @category matching
 */
export const permits = <R>(rules: ReadonlyArray<Rule<R>>, request: ProxyRequest): Effect.Effect<boolean, never, R> =>
  Effect.gen(function*() {
    for (const rule of rules) {
      if (rule.when === undefined) return true
      const ok = yield* rule.when(request).pipe(Effect.catchCause(() => Effect.succeed(false)))
      if (ok === true) return true
    }
    return false
  })

/**
 * Compares a request's `Authorization` header with the expected bearer token in time that does not depend on
 * where they differ.
 *
 * @example
 * ```ts
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * ProxyPolicy.bearerMatches("Bearer s3cret", "s3cret") // true
 * ```
 * @since 0.2.0
 * @category matching
 */
export const bearerMatches = (authorization: string | undefined, token: string): boolean =>
  Match.constantTimeEquals(authorization ?? "", `Bearer ${token}`)
