/**
 * Pure request building: operation description + typed input → `HttpClientRequest`.
 *
 * Every value is checked before it is written, so that nothing a caller passes can send the request to another
 * endpoint or die untyped: path parameters follow their `pathValue` rule, strings must be well-formed UTF-16,
 * header values must be what an HTTP header can carry, integers must be safe integers at or above their
 * `minimum`, booleans must be booleans, and the API version must be one this SDK speaks.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Headers from "effect/http/Headers"
import * as HttpBody from "effect/http/HttpBody"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ApiVersion from "../ApiVersion.ts"
import { ApiVersionOutOfRange, InvalidParameter, UnsupportedApiVersion } from "../Errors.ts"
import type { Operation, Param, ResponseKind } from "../Operation.ts"
import { stringifyJson } from "./jsonStringify.ts"

type AnyOperation = Operation<any, ResponseKind, any>

/**
 * The key of a transport's own send for requests that are not traced: what its `execute` does when
 * `HttpClient.TracerDisabledWhen` holds for the request, without reading it. A client carrying it (the Node
 * transport's) spares the Docker client the per-call `TracerDisabledWhen` context and the `HttpClient` wrapper
 * steps when no tracer is installed; a client derived from it (`HttpClient.mapRequest` and the like) does not carry
 * it and is called as any other. `whole` says the caller reads the whole body at once (no stream, no upgrade): the
 * transport may then read it before handing the response over, whatever its framing.
 *
 * @internal
 */
export const untracedSend: unique symbol = Symbol.for("effect-docker/untracedSend")

/** A client with an {@link untracedSend}. @internal */
export interface UntracedSend {
  readonly [untracedSend]: (
    request: HttpClientRequest.HttpClientRequest,
    whole?: boolean
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
}

type BuildError = InvalidParameter | UnsupportedApiVersion | ApiVersionOutOfRange

/** Why a value fails, or `undefined` when it passes. */
type Reason = string | undefined

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`

/** The first lone surrogate of `text`, as a reason; `undefined` when `text` is well-formed UTF-16. @internal */
export const loneSurrogate = (text: string): Reason => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0xd800 || code > 0xdfff) continue
    if (code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
    }
    return `contains a lone surrogate (${hex(code)} at index ${i})`
  }
  return undefined
}

/**
 * Checks a path parameter's value: control characters (NUL, CR, LF, …: the daemon's route expressions do not
 * match a line feed) and lone surrogates are refused; a `segment` is one non-empty segment
 * other than `.` and `..` (no `/`); a `reference` is `/`-separated parts, each non-empty and neither `.` nor `..`.
 * The daemon decodes the path once and cleans it, so these rules keep the cleaned path on the operation's route.
 *
 * @internal
 */
export const pathValueReason = (value: string, kind: "segment" | "reference"): Reason => {
  if (value.length === 0) return "must not be empty"
  let start = 0
  let dots = 0
  for (let i = 0; i <= value.length; i++) {
    const code = i === value.length ? 0x2f : value.charCodeAt(i)
    if (code === 0x2f) {
      if (i < value.length && kind === "segment") return "must not contain \"/\" (it is one path segment)"
      const length = i - start
      if (length === 0) return "must not have an empty part between \"/\"s (nor start or end with \"/\")"
      if (dots === length && length <= 2) return `must not have a "${".".repeat(length)}" part`
      start = i + 1
      dots = 0
    } else if (code === 0x2e) {
      dots++
    } else if (code < 0x20 || code === 0x7f) {
      return `must not contain control characters (${hex(code)} at index ${i})`
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1)
      if (code > 0xdbff || next < 0xdc00 || next > 0xdfff) {
        return `contains a lone surrogate (${hex(code)} at index ${i})`
      }
      i++
    }
  }
  return undefined
}

/**
 * Checks a header value: only HTAB, visible ASCII, space and Latin-1 (`\t`, 0x20–0x7E, 0x80–0xFF), as Node,
 * undici and the Fetch standard accept; CR, LF, NUL, other controls and characters beyond U+00FF are refused.
 *
 * @internal
 */
export const headerValueReason = (value: string): Reason => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code === 9 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff)) continue
    return `contains a character an HTTP header cannot carry (${hex(code)} at index ${i})`
  }
  return undefined
}

/** The first lone surrogate in any string (or property name) of a JSON-able value; `undefined` when none. */
const jsonReason = (value: unknown, depth: number): Reason => {
  if (typeof value === "string") return loneSurrogate(value)
  if (typeof value !== "object" || value === null) return undefined
  if (depth > 64) return "is nested more than 64 levels deep (or refers to itself)"
  if (Array.isArray(value)) {
    for (const item of value) {
      const reason = jsonReason(item, depth + 1)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    const reason = loneSurrogate(key) ?? jsonReason((value as Record<string, unknown>)[key], depth + 1)
    if (reason !== undefined) return reason
  }
  return undefined
}

const jsonText = (value: unknown): string | InvalidReason => {
  let text: string | undefined
  try {
    const reason = jsonReason(value, 0)
    if (reason !== undefined) return new InvalidReason(reason)
    text = stringifyJson(value) as string | undefined
  } catch (cause) {
    return new InvalidReason(`cannot be written as JSON (${cause instanceof Error ? cause.message : String(cause)})`)
  }
  return text === undefined ? new InvalidReason("cannot be written as JSON") : text
}

/** A reason carried through the value conversions (a class, so that a string value is never taken for one). */
class InvalidReason {
  readonly reason: string
  constructor(reason: string) {
    this.reason = reason
  }
}

/** A scalar written as text: a well-formed string, a finite number, a bigint or a boolean. */
const scalarText = (value: unknown): string | InvalidReason => {
  switch (typeof value) {
    case "string": {
      const reason = loneSurrogate(value)
      return reason === undefined ? value : new InvalidReason(reason)
    }
    case "number":
      return Number.isFinite(value) ? String(value) : new InvalidReason(`must be a string, got ${value}`)
    case "bigint":
    case "boolean":
      return String(value)
    default:
      return new InvalidReason(`must be a string, got ${value === null ? "null" : typeof value}`)
  }
}

const stringOrJson = (value: unknown): string | InvalidReason => {
  if (typeof value === "string") {
    const reason = loneSurrogate(value)
    return reason === undefined ? value : new InvalidReason(reason)
  }
  return jsonText(value)
}

/** One value's text(s) on the wire by the parameter's style, or why it cannot be sent. @internal */
export const paramValues = (param: Param, value: unknown): ReadonlyArray<string> | InvalidReason => {
  switch (param.style) {
    case "boolean":
      return typeof value === "boolean"
        ? [value ? "true" : "false"]
        : new InvalidReason(`must be a boolean, got ${describe(value)}`)
    case "integer": {
      if (typeof value !== "number" || !Number.isSafeInteger(value)) {
        return new InvalidReason(`must be a safe integer, got ${describe(value)}`)
      }
      if (param.minimum !== undefined && value < param.minimum) {
        return new InvalidReason(`must be at least ${param.minimum}, got ${value}`)
      }
      return [String(value)]
    }
    case "number": {
      if (typeof value !== "number" || !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
        return new InvalidReason(`must be a finite number (at most 2^53 - 1 in size), got ${describe(value)}`)
      }
      const text = String(value)
      // `String` writes an exponent below 1e-6; Go's parsers want plain decimals.
      return [text.includes("e") ? value.toFixed(9).replace(/\.?0+$/, "") : text]
    }
    case "filters":
      if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
        return new InvalidReason(`must be a string or an object of string arrays, got ${describe(value)}`)
      }
      return single(stringOrJson(value))
    case "json":
      return single(stringOrJson(value))
    case "array":
    case "jsonArray": {
      const convert = param.style === "array" ? scalarText : stringOrJson
      if (!Array.isArray(value)) return single(convert(value))
      const out: Array<string> = []
      for (const item of value) {
        const text = convert(item)
        if (text instanceof InvalidReason) return text
        out.push(text)
      }
      return out
    }
    default:
      return single(scalarText(value))
  }
}

const single = (text: string | InvalidReason): ReadonlyArray<string> | InvalidReason =>
  text instanceof InvalidReason ? text : [text]

const describe = (value: unknown): string =>
  typeof value === "string"
    ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    : typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"
    ? `${value}${typeof value === "bigint" ? "n" : ""}`
    : value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value

/** The one API version checked last: most programs use one version, so the check runs once. */
let checkedVersion: string | undefined

const versionError = (operation: string, version: unknown): ApiVersionOutOfRange | undefined => {
  if (version === checkedVersion) return undefined
  const ok = typeof version === "string" && ApiVersion.parse(version) === version &&
    ApiVersion.atLeast(version as ApiVersion.ApiVersion, ApiVersion.oldest) &&
    ApiVersion.atLeast(ApiVersion.newest, version as ApiVersion.ApiVersion)
  if (!ok) {
    return new ApiVersionOutOfRange({
      operation,
      version: typeof version === "string" ? version : String(version),
      oldest: ApiVersion.oldest,
      newest: ApiVersion.newest
    })
  }
  checkedVersion = version
  return undefined
}

/**
 * The request of an operation, or why it cannot be sent; `origin` (e.g. `http://localhost`, no trailing `/`) is put
 * before the path, so that the URL is absolute without a `prependUrl` step per call.
 *
 * @internal
 */
export const buildRequest = (
  op: AnyOperation,
  input: unknown,
  version: ApiVersion.ApiVersion,
  origin: string
): HttpClientRequest.HttpClientRequest | BuildError => {
  const badVersion = versionError(op.id, version)
  if (badVersion !== undefined) return badVersion
  if (op.since !== undefined && !ApiVersion.atLeast(version, op.since)) {
    return new UnsupportedApiVersion({ operation: op.id, required: op.since, negotiated: version })
  }
  const values = (input ?? {}) as Record<string, unknown>
  let path = op.path
  const urlParams: Array<[string, string]> = []
  const headers: Record<string, string> = {}
  let hasHeaders = false
  for (const param of op.params) {
    const value = values[param.key]
    if (value === undefined) {
      if (param.required === true) {
        return new InvalidParameter({ operation: op.id, parameter: param.key, reason: "is required" })
      }
      continue
    }
    if (param.since !== undefined && !ApiVersion.atLeast(version, param.since)) {
      if (param.dropWhenUnsupported === true) continue
      return new UnsupportedApiVersion({
        operation: op.id,
        parameter: param.key,
        required: param.since,
        negotiated: version
      })
    }
    if (param.in === "path") {
      const text = scalarText(value)
      if (text instanceof InvalidReason) return invalid(op, param, text.reason)
      const kind = param.pathValue ?? "segment"
      const reason = pathValueReason(text, kind)
      if (reason !== undefined) return invalid(op, param, reason)
      const encoded = encodeURIComponent(text)
      path = path.replace(`{${param.name}}`, kind === "reference" ? encoded.replaceAll("%2F", "/") : encoded)
      continue
    }
    const texts = paramValues(param, value)
    if (texts instanceof InvalidReason) return invalid(op, param, texts.reason)
    if (param.in === "query") {
      for (const text of texts) urlParams.push([param.name, text])
    } else {
      const text = texts[0] ?? ""
      const reason = headerValueReason(text)
      if (reason !== undefined) return invalid(op, param, reason)
      headers[param.name] = text
      hasHeaders = true
    }
  }
  // `makeWith` directly: `HttpClientRequest.make` builds one request per option set (method, URL, headers, params)
  const request = HttpClientRequest.makeWith(
    op.method,
    `${origin}/v${version}${path}`,
    urlParams.length === 0 ? UrlParams.empty : UrlParams.fromInput(urlParams),
    Option.none(),
    hasHeaders ? Headers.fromInput(headers) : Headers.empty,
    HttpBody.empty
  )
  return withBody(op, request, values["body"])
}

const invalid = (op: AnyOperation, param: Param, reason: string) =>
  new InvalidParameter({ operation: op.id, parameter: param.key, reason })

/** @internal */
export const toRequest = <Input>(
  operation: Operation<Input, ResponseKind, any>,
  input: Input,
  version: ApiVersion.ApiVersion
): Effect.Effect<HttpClientRequest.HttpClientRequest, BuildError> =>
  Effect.suspend(() => {
    const result = buildRequest(operation as AnyOperation, input, version, "")
    return HttpClientRequest.isHttpClientRequest(result) ? Effect.succeed(result) : Effect.fail(result)
  })

const withBody = (
  op: AnyOperation,
  request: HttpClientRequest.HttpClientRequest,
  body: unknown
): HttpClientRequest.HttpClientRequest | InvalidParameter => {
  if (op.body === undefined) return request
  if (body === undefined) {
    if (op.body._tag === "Json" && op.body.emptyWhenAbsent === true) {
      return HttpClientRequest.bodyText(request, "{}", "application/json")
    }
    return op.body.required
      ? new InvalidParameter({ operation: op.id, parameter: "body", reason: "is required" })
      : request
  }
  if (op.body._tag === "Json") {
    let text: string | undefined
    try {
      text = stringifyJson(body) as string | undefined
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause)
      return new InvalidParameter({ operation: op.id, parameter: "body", reason: `cannot be written as JSON (${why})` })
    }
    if (text === undefined) {
      return new InvalidParameter({ operation: op.id, parameter: "body", reason: "cannot be written as JSON" })
    }
    return HttpClientRequest.bodyText(request, text, "application/json")
  }
  if (body instanceof Uint8Array) {
    return HttpClientRequest.bodyUint8Array(request, body, op.body.contentType)
  }
  if (Stream.isStream(body)) {
    return HttpClientRequest.bodyStream(request, body as Stream.Stream<Uint8Array, unknown>, {
      contentType: op.body.contentType
    })
  }
  return new InvalidParameter({ operation: op.id, parameter: "body", reason: "must be a Uint8Array or a byte Stream" })
}
