/**
 * Shared by the proxy tests: a sample request for every operation (built by `Operation.toRequest`) and the
 * operation the daemon's router would run for a method and raw path (a model of moby's gorilla/mux routing).
 */
import * as Effect from "effect/Effect"
import * as UrlParams from "effect/http/UrlParams"
import * as fc from "fast-check"
import * as Operation from "../../src/Operation.ts"
import * as ProxyPolicy from "../../src/ProxyPolicy.ts"
import { daemonRouteRegExp, decodePath, muxCleanPath } from "./daemonRoute.ts"

/** A sample value for a parameter, by its style (path values: one segment, or a reference with a `/`). */
const sampleValue = (param: Operation.Param): unknown => {
  if (param.in === "path") return param.pathValue === "reference" ? "library/busybox:latest" : "abc123"
  switch (param.style) {
    case "integer":
    case "number":
      return 1
    case "boolean":
      return true
    case "filters":
    case "json":
      return { label: ["a=b"] }
    case "array":
      return ["a", "b"]
    case "jsonArray":
      return [{ os: "linux" }]
    default:
      return "x1"
  }
}

/** Every parameter given (so that query checks see them all), a body when the operation takes one. */
export const sampleRequest = (op: Operation.Any) =>
  Effect.gen(function*() {
    const input: Record<string, unknown> = {}
    for (const param of op.params) input[param.key] = sampleValue(param)
    if (op.body?._tag === "Json") input["body"] = {}
    if (op.body?._tag === "Bytes") input["body"] = new Uint8Array([1, 2, 3])
    const request = yield* Operation.toRequest(op, input, "1.55")
    const query = UrlParams.toString(request.urlParams)
    const url = new URL(request.url, "http://docker")
    const body = op.body === undefined ? undefined : op.body._tag === "Json" ? "{}" : "abc"
    return {
      method: request.method,
      body,
      url: url.pathname + (query === "" ? "" : `?${query}`),
      headers: op.body === undefined ? {} : { "content-length": op.body._tag === "Json" ? "2" : "3" }
    }
  })

/** The operation the daemon would run for a method and raw path (undefined: none, or a redirect). */
export const daemonOperation = (method: string, rawPath: string): string | undefined => {
  let decoded: string
  try {
    decoded = decodePath(rawPath)
  } catch {
    return undefined
  }
  if (muxCleanPath(decoded) !== decoded) return undefined
  // the daemon serves each route with and without the version prefix
  if (!/^\/v[0-9.]+\//.test(decoded)) decoded = `/v1.41${decoded}`
  const hits = ProxyPolicy.allOperations.filter((op) =>
    op.method === method && daemonRouteRegExp(op.path).test(decoded)
  )
  return hits[0]?.id
}

/** Hostile path segments for the fuzz. */
const segment = fc.constantFrom(
  "",
  ".",
  "..",
  "%2e",
  "%2E%2e",
  "%2F",
  "%252F",
  "%2f..",
  "..%2F",
  "%00",
  "%0a",
  "%",
  "%zz",
  "%c0%ae",
  "json",
  "containers",
  "images",
  "abc",
  "library",
  "v1.41",
  "start",
  "logs",
  "export",
  "get",
  "attach",
  "ws",
  "exec",
  "archive",
  "configs",
  "secrets",
  "swarm",
  "unlockkey",
  "a%2Fb",
  "%3Fall",
  "\\",
  "_ping",
  "events",
  "build"
)
const method = fc.constantFrom("GET", "POST", "DELETE", "PUT", "HEAD")
/** Random segments, or an operation's template with its parameters filled with hostile segments. */
export const hostileRequest = fc.oneof(
  fc.record({ method, segments: fc.array(segment, { minLength: 1, maxLength: 7 }), trailing: fc.boolean() }),
  fc.record({
    op: fc.constantFrom(...ProxyPolicy.allOperations),
    ownMethod: fc.boolean(),
    method,
    version: fc.boolean(),
    fills: fc.array(fc.array(segment, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 2 }),
    separator: fc.constantFrom("/", "%2F", "%252F", "/./", "/../"),
    trailing: fc.boolean()
  }).map(({ fills, method, op, ownMethod, separator, trailing, version }) => {
    let index = 0
    const path = op.path.replace(/\{[^}]+\}/g, () => fills[index++ % 2]!.join(separator))
    return {
      method: ownMethod ? op.method : method,
      segments: [...(version ? ["v1.41"] : []), ...path.slice(1).split("/")],
      trailing
    }
  })
)
