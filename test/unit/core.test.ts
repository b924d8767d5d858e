import { describe, expect, it } from "@effect/vitest"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as ApiVersion from "../../src/ApiVersion.ts"
import type * as Docker from "../../src/Docker.ts"
import * as Errors from "../../src/Errors.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as Host from "../../src/Host.ts"
import { stringifyJson } from "../../src/internal/jsonStringify.ts"
import type * as Operation from "../../src/Operation.ts"

/** The failure type of what `Docker.call` returns for an operation. */
type CallFailure<T> = T extends Operation.Operation<any, infer R, infer S>
  ? Docker.CallResult<R, S> extends Effect.Effect<any, infer E, any> ? E
  : Docker.CallResult<R, S> extends Stream.Stream<any, infer E, any> ? E
  : never
  : never
/** The generated operations whose call cannot fail with `Forbidden` (none: a type error below otherwise). */
type NotForbiddable = {
  [K in keyof typeof Ops]: (typeof Ops)[K] extends Operation.Any
    ? Errors.Forbidden extends CallFailure<(typeof Ops)[K]> ? never : K
    : never
}[keyof typeof Ops]
const everyCallCanBeForbidden: [NotForbiddable] extends [never] ? true : NotForbiddable = true

describe("ApiVersion", () => {
  it("parses and orders versions numerically", () => {
    expect(ApiVersion.parse("v1.41")).toBe("1.41")
    expect(ApiVersion.parse(" 1.9 ")).toBe("1.9")
    expect(ApiVersion.parse("latest")).toBeUndefined()
    expect(ApiVersion.compare("1.9", "1.41")).toBeLessThan(0)
    expect(ApiVersion.min("1.55", "1.41")).toBe("1.41")
    expect(ApiVersion.atLeast("1.41", "1.41")).toBe(true)
    expect(ApiVersion.atLeast("1.40", "1.41")).toBe(false)
  })
})

describe("Errors.fromStatus", () => {
  const fields = (status: number) => ({ operation: "ContainerDelete", status, message: "boom" })
  it("maps each documented status to its own class", () => {
    const cases: ReadonlyArray<[Errors.DocumentedStatus, string]> = [
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [404, "NotFound"],
      [409, "Conflict"],
      [412, "PreconditionFailed"],
      [429, "TooManyRequests"],
      [500, "ServerError"],
      [501, "NotImplemented"],
      [503, "ServiceUnavailable"]
    ]
    for (const [status, tag] of cases) {
      const error = Errors.fromStatus([status], fields(status))
      expect(error._tag).toBe(tag)
      expect(error.status).toBe(status)
      expect(error.message).toBe("boom")
      expect(error.operation).toBe("ContainerDelete")
    }
  })
  it("maps 403 to Forbidden for every operation, whether its spec documents 403 or not", () => {
    const undocumented = (Object.values(Ops) as ReadonlyArray<unknown>).filter((op): op is Operation.Any =>
      typeof op === "object" && op !== null && "errors" in op && !(op.errors as ReadonlyArray<number>).includes(403)
    )
    expect(undocumented.length).toBeGreaterThan(90)
    for (const op of undocumented) {
      const error = Errors.fromStatus(op.errors, { operation: op.id, status: 403, message: "authorization denied" })
      expect(error).toBeInstanceOf(Errors.Forbidden)
      expect(error).toMatchObject({ _tag: "Forbidden", operation: op.id, status: 403, message: "authorization denied" })
    }
    expect(everyCallCanBeForbidden).toBe(true)
  })
  it("gives UnexpectedStatus for a status the operation does not document", () => {
    expect(Errors.fromStatus([404, 500], fields(409))._tag).toBe("UnexpectedStatus")
    expect(Errors.fromStatus([404], fields(418))._tag).toBe("UnexpectedStatus")
  })
  it("writes messages that say what happened", () => {
    expect(
      new Errors.UnsupportedApiVersion({
        operation: "ContainerStop",
        parameter: "signal",
        required: "1.42",
        negotiated: "1.41"
      })
        .message
    ).toBe("ContainerStop: parameter \"signal\" needs API 1.42, the daemon speaks 1.41")
    expect(new Errors.TransportError({ operation: "SystemPing", target: "unix:///x.sock", reason: "ENOENT" }).message)
      .toBe("SystemPing: cannot reach the Docker daemon at unix:///x.sock: ENOENT")
  })
})

describe("Host.parse", () => {
  it("reads every DOCKER_HOST form", () => {
    expect(Host.parse("unix:///run/docker.sock")).toEqual({ _tag: "Unix", path: "/run/docker.sock" })
    expect(Host.parse("tcp://127.0.0.1:2376", { tls: true })).toEqual({
      _tag: "Tcp",
      host: "127.0.0.1",
      port: 2376,
      tls: true
    })
    expect(Host.parse("tcp://docker.example")).toEqual({ _tag: "Tcp", host: "docker.example", port: 2375, tls: false })
    expect(Host.parse("https://[::1]:3000")).toEqual({ _tag: "Tcp", host: "[::1]", port: 3000, tls: true })
    expect(Host.parse("ssh://me@box:2222")).toEqual({ _tag: "Ssh", user: "me", host: "box", port: 2222 })
    expect(Host.parse("npipe:////./pipe/docker_engine")).toEqual({ _tag: "Npipe", path: "//./pipe/docker_engine" })
  })
  it("rejects what it cannot read with a typed error", () => {
    expect(Host.parse("ftp://x")).toBeInstanceOf(Host.InvalidHost)
    expect(Host.parse("tcp://host:99999")).toBeInstanceOf(Host.InvalidHost)
    expect(Host.parse("unix://")).toBeInstanceOf(Host.InvalidHost)
  })
})

describe("stringifyJson", () => {
  it("writes bigints as exact digits and leaves everything else as JSON.stringify does", () => {
    const value = { Memory: 9223372036854771712n, nested: [{ n: -12345678901234567890n }], s: "a\"b", x: 1 }
    expect(stringifyJson(value)).toBe(
      "{\"Memory\":9223372036854771712,\"nested\":[{\"n\":-12345678901234567890}],\"s\":\"a\\\"b\",\"x\":1}"
    )
    expect(stringifyJson({ a: [1, "two"] })).toBe(JSON.stringify({ a: [1, "two"] }))
  })
})
