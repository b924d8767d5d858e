/**
 * Pure request building: operation description + typed input → `HttpClientRequest`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as ApiVersion from "../ApiVersion.ts"
import { InvalidParameter, UnsupportedApiVersion } from "../Errors.ts"
import type { Operation, Param, ResponseKind } from "../Operation.ts"
import { stringifyJson } from "./jsonStringify.ts"

type AnyOperation = Operation<any, ResponseKind, any>

/** @internal */
export const encodePathSegment = (operation: string, parameter: string, value: string) =>
  value === "" || value === "." || value === ".."
    ? Effect.fail(
      new InvalidParameter({ operation, parameter, reason: `must not be ${value === "" ? "empty" : `"${value}"`}` })
    )
    : Effect.succeed(encodeURIComponent(value))

/** @internal */
export const queryValues = (param: Param, value: unknown): ReadonlyArray<string> => {
  switch (param.style) {
    case "boolean":
      return [value ? "true" : "false"]
    case "filters":
      return [typeof value === "string" ? value : stringifyJson(value)]
    case "json":
      return [typeof value === "string" ? value : stringifyJson(value)]
    case "array":
      return Array.isArray(value) ? value.map(String) : [String(value)]
    case "jsonArray":
      return (Array.isArray(value) ? value : [value]).map((v) => typeof v === "string" ? v : stringifyJson(v))
    default:
      return [String(value)]
  }
}

/** @internal */
export const toRequest = <Input>(
  operation: Operation<Input, ResponseKind, any>,
  input: Input,
  version: ApiVersion.ApiVersion
): Effect.Effect<HttpClientRequest.HttpClientRequest, InvalidParameter | UnsupportedApiVersion> =>
  Effect.gen(function*() {
    const op = operation as AnyOperation
    if (op.since !== undefined && !ApiVersion.atLeast(version, op.since)) {
      return yield* new UnsupportedApiVersion({ operation: op.id, required: op.since, negotiated: version })
    }
    const values = (input ?? {}) as Record<string, unknown>
    let path = op.path
    const urlParams: Array<[string, string]> = []
    const headers: Record<string, string> = {}
    for (const param of op.params) {
      const value = values[param.key]
      if (value === undefined) {
        if (param.required === true) {
          return yield* new InvalidParameter({ operation: op.id, parameter: param.key, reason: "is required" })
        }
        continue
      }
      if (param.since !== undefined && !ApiVersion.atLeast(version, param.since)) {
        if (param.dropWhenUnsupported === true) continue
        return yield* new UnsupportedApiVersion({
          operation: op.id,
          parameter: param.key,
          required: param.since,
          negotiated: version
        })
      }
      if (param.in === "path") {
        path = path.replace(`{${param.name}}`, yield* encodePathSegment(op.id, param.key, String(value)))
      } else if (param.in === "query") {
        for (const v of queryValues(param, value)) urlParams.push([param.name, v])
      } else {
        headers[param.name] = queryValues(param, value)[0] ?? ""
      }
    }
    const request = HttpClientRequest.make(op.method)(`/v${version}${path}`, { urlParams, headers })
    return yield* withBody(op, request, values["body"])
  })

const withBody = (
  op: AnyOperation,
  request: HttpClientRequest.HttpClientRequest,
  body: unknown
): Effect.Effect<HttpClientRequest.HttpClientRequest, InvalidParameter> => {
  if (op.body === undefined) return Effect.succeed(request)
  if (body === undefined) {
    return op.body.required
      ? Effect.fail(new InvalidParameter({ operation: op.id, parameter: "body", reason: "is required" }))
      : Effect.succeed(request)
  }
  if (op.body._tag === "Json") {
    return Effect.succeed(HttpClientRequest.bodyText(request, stringifyJson(body), "application/json"))
  }
  if (body instanceof Uint8Array) {
    return Effect.succeed(HttpClientRequest.bodyUint8Array(request, body, op.body.contentType))
  }
  if (Stream.isStream(body)) {
    return Effect.succeed(
      HttpClientRequest.bodyStream(request, body as Stream.Stream<Uint8Array, unknown>, {
        contentType: op.body.contentType
      })
    )
  }
  return Effect.fail(
    new InvalidParameter({ operation: op.id, parameter: "body", reason: "must be a Uint8Array or a byte Stream" })
  )
}
