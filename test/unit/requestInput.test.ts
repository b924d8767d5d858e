/**
 * Hostile input to `Operation.toRequest`, for every generated operation: each call either fails typed before any
 * I/O (`InvalidParameter`, `UnsupportedApiVersion`, `ApiVersionOutOfRange`) or builds a request that the daemon
 * routes to the operation's own endpoint (the path, decoded once and cleaned as gorilla/mux cleans it, is
 * unchanged and matches the operation's route and no other route of its method, with the parameters intact).
 * Pure: no engine.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as fc from "fast-check"
import * as ApiVersion from "../../src/ApiVersion.ts"
import * as Docker from "../../src/Docker.ts"
import * as DockerEnv from "../../src/DockerEnv.ts"
import * as Operations from "../../src/generated/operations.ts"
import * as Operation from "../../src/Operation.ts"
import { daemonRouteRegExp, decodePath, muxCleanPath } from "../support/daemonRoute.ts"

const operations = (Object.values(Operations) as ReadonlyArray<unknown>).filter(
  (value): value is Operation.Any => typeof value === "object" && value !== null && "response" in value
)

const routes = operations.map((op) => ({ op, regExp: daemonRouteRegExp(op.path) }))

const build = (op: Operation.Any, input: unknown, version: string) =>
  Effect.runSyncExit(Operation.toRequest(op, input, version as ApiVersion.ApiVersion))

const TYPED_FAILURES = ["InvalidParameter", "UnsupportedApiVersion", "ApiVersionOutOfRange"]

const WELL_FORMED = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

const HOSTILE_STRINGS = [
  "",
  ".",
  "..",
  "../",
  "./",
  "/",
  "//",
  "../images/busybox",
  "../../images/json",
  "..%2Fimages%2Fbusybox",
  "%2F",
  "%2e%2e",
  "%2E%2E%2Fx",
  "%00",
  "a//b",
  "/a",
  "a/",
  "a/./b",
  "a/../b",
  "json",
  "history",
  "127.0.0.1:5000/a/b:tag",
  "busybox@sha256:" + "a".repeat(64),
  "\u0000",
  "a\u0000b",
  "\r\n",
  "x\r\nX-Injected: 1",
  "\n",
  "\t",
  "\u007f",
  "\ud800",
  "\udfff",
  "a\udc00b",
  "\ud83d\ude00",
  "é",
  "日本語",
  "\u0100",
  "?x=1",
  "#frag",
  "%",
  "%zz",
  "\\..\\",
  " ",
  "x".repeat(10 * 1024),
  "é".repeat(10 * 1024)
]

const PIECES = ["/", ".", "..", "%2F", "%2e", "\u0000", "\r", "\n", "\ud800", "\udc00", "😀", "é", "a", "json"]

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  {
    weight: 3,
    arbitrary: fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })), { maxLength: 6 })
      .map((parts) => parts.join(""))
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 })
      .map((codes) => String.fromCharCode(...codes))
  }
)

const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 1.5, -1, 1e21, 2 ** 53, -0, 0, 7, Number.MAX_SAFE_INTEGER, -(2 ** 31)),
  fc.integer(),
  fc.double()
)

const hostileOther: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  {},
  [],
  { toString: () => "../images/x" },
  5n,
  Symbol("s"),
  () => "x",
  new Date(0)
)

const hostileBoolean: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom("false", "true", 0, 1, "", null, {}, []) }
)

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, fc.array(hostileString, { maxLength: 3 }), { maxKeys: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  hostileOther
)

const valueFor = (param: Operation.Param): fc.Arbitrary<unknown> => {
  switch (param.style) {
    case "boolean":
      return hostileBoolean
    case "integer":
    case "number":
      return fc.oneof({ weight: 6, arbitrary: hostileNumber }, { weight: 1, arbitrary: hostileString }, {
        weight: 1,
        arbitrary: hostileOther
      })
    case "filters":
    case "json":
    case "jsonArray":
    case "array":
      return hostileJson
    default:
      return fc.oneof({ weight: 8, arbitrary: hostileString }, { weight: 1, arbitrary: hostileNumber }, {
        weight: 1,
        arbitrary: hostileOther
      })
  }
}

const versionArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("1.41", "1.44", "1.55") },
  { weight: 1, arbitrary: fc.constantFrom("1.12", "1.99", "2.0", "1.41/../..", "x", "", "1.041", " 1.41") }
)

const inputFor = (op: Operation.Any): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(...op.params.map((p) => fc.option(valueFor(p), { nil: undefined, freq: 4 }))).map((values) => {
    const input: Record<string, unknown> = {}
    op.params.forEach((p, i) => {
      if (values[i] !== undefined) input[p.key] = values[i]
    })
    if (op.body !== undefined) input.body = op.body._tag === "Json" ? { Name: "x" } : new Uint8Array([1])
    return input
  })

const asText = (value: unknown) => typeof value === "string" ? value : String(value)

/** Checks one outcome; answers whether the request was built. */
const checkOutcome = (op: Operation.Any, input: Record<string, unknown>, version: string): boolean => {
  const exit = build(op, input, version)
  if (Exit.isFailure(exit)) {
    expect(Cause.hasDies(exit.cause), `${op.id}: a defect`).toBe(false)
    const error = Cause.findErrorOption(exit.cause)
    expect(error._tag).toBe("Some")
    const failure = (error as { readonly value: { readonly _tag: string; readonly parameter?: string } }).value
    expect(TYPED_FAILURES).toContain(failure._tag)
    if (failure._tag === "InvalidParameter") {
      expect([...op.params.map((p) => p.key), "body"]).toContain(failure.parameter)
    }
    return false
  }
  const request = exit.value
  expect(ApiVersion.parse(version)).toBe(version)
  expect(request.url.startsWith(`/v${version}/`)).toBe(true)
  checkPath(op, input, request)
  for (const param of op.params) {
    if (param.in === "query") {
      for (const text of UrlParams.getAll(request.urlParams, param.name)) {
        expect(WELL_FORMED.test(text), `${op.id}.${param.name}`).toBe(true)
        if (param.style === "boolean") expect(["true", "false"]).toContain(text)
        if (param.style === "number") expect(text).toMatch(/^-?\d+(\.\d+)?$/)
        if (param.style === "integer") {
          expect(text).toMatch(/^-?\d+$/)
          expect(Number.isSafeInteger(Number(text))).toBe(true)
          expect(Number(text)).toBeGreaterThanOrEqual(param.minimum ?? -Infinity)
        }
      }
    }
    if (param.in === "header") {
      const text = request.headers[param.name.toLowerCase()]
      if (text !== undefined) expect(HEADER_VALUE.test(text), `${op.id}.${param.name}`).toBe(true)
    }
  }
  return true
}

/** The daemon's view of the path: unchanged by cleaning, on the operation's own route, the values intact. */
const checkPath = (op: Operation.Any, input: Record<string, unknown>, request: HttpClientRequest.HttpClientRequest) => {
  const decoded = decodePath(request.url)
  expect(muxCleanPath(decoded), `${op.id}: the daemon would redirect ${request.url}`).toBe(decoded)
  const own = routes.find((route) => route.op === op)!.regExp.exec(decoded)
  expect(own, `${op.id}: ${decoded} is not on ${op.path}`).not.toBeNull()
  const pathParams = op.params.filter((p) => p.in === "path")
  expect(own!.slice(1)).toEqual(pathParams.map((p) => asText(input[p.key])))
  for (const p of pathParams) {
    if ((p.pathValue ?? "segment") === "segment") expect(asText(input[p.key])).not.toContain("/")
  }
  const others = routes.filter((route) => route.op !== op && route.op.method === op.method)
    .filter((route) => route.regExp.test(decoded))
    .map((route) => route.op.id)
  expect(others, `${op.id}: ${decoded} also matches`).toEqual([])
}

describe("Operation.toRequest with hostile input", () => {
  it("the daemon-path helpers clean as Go and gorilla/mux do", () => {
    expect(muxCleanPath("/v1.41/containers/../images/x")).toBe("/v1.41/images/x")
    expect(muxCleanPath("/v1.41/containers/../../images/json/json")).toBe("/images/json/json")
    expect(muxCleanPath("/a//b/./c/")).toBe("/a/b/c/")
    expect(muxCleanPath("/../..")).toBe("/")
    expect(daemonRouteRegExp("/images/{name}/json").exec("/v1.41/images/127.0.0.1:5000/a/b:1/json")?.[1])
      .toBe("127.0.0.1:5000/a/b:1")
    expect(daemonRouteRegExp("/services/{id}").test("/v1.41/services/x/logs")).toBe(false)
  })

  it("every hostile string in every path parameter: a typed failure, or a request on the operation's own route", () => {
    let built = 0
    let refused = 0
    for (const op of operations) {
      for (const param of op.params.filter((p) => p.in === "path")) {
        for (const value of HOSTILE_STRINGS) {
          const input: Record<string, unknown> = {}
          for (const p of op.params) if (p.required === true) input[p.key] = p.style === "integer" ? 1 : "x"
          input[param.key] = value
          if (op.body?.required === true) input.body = op.body._tag === "Json" ? {} : new Uint8Array([1])
          if (checkOutcome(op, input, op.since ?? "1.41")) built++
          else refused++
        }
      }
    }
    expect(built).toBeGreaterThan(500)
    expect(refused).toBeGreaterThan(500)
  })

  // Seed 12 (operation i of the generated module runs with seed 12 + i), 150 runs per operation: 16,200 cases.
  it("every operation, hostile strings, numbers and booleans in every parameter (fast-check, seeded)", () => {
    let built = 0
    let refused = 0
    operations.forEach((op, index) => {
      fc.assert(
        fc.property(inputFor(op), versionArb, (input, version) => {
          if (checkOutcome(op, input, version)) built++
          else refused++
        }),
        { seed: 12 + index, numRuns: 150 }
      )
    })
    expect(built + refused).toBe(operations.length * 150)
    expect(built).toBeGreaterThan(1000)
    expect(refused).toBeGreaterThan(1000)
  })
})

const failure = <I>(op: Operation.Operation<I, Operation.ResponseKind, any>, input: I, version = "1.41") =>
  Effect.flip(Operation.toRequest(op, input, version as ApiVersion.ApiVersion))

describe("Operation.toRequest refuses values the daemon would misread", () => {
  it.effect("path values that would leave their route: `.`/`..`/empty parts, `/` in an id, NUL, lone surrogates", () =>
    Effect.gen(function*() {
      for (const id of ["../images/busybox", "../../images/json", "a/b", "/web", "web/", ".", "..", "", "a\u0000"]) {
        const error = yield* failure(Operations.ContainerDelete, { id, force: true })
        expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerDelete", parameter: "id" })
      }
      const surrogate = yield* failure(Operations.ContainerInspect, { id: "\ud800" })
      expect(surrogate).toMatchObject({ _tag: "InvalidParameter", parameter: "id" })
      expect(surrogate.message).toContain("lone surrogate")
      for (const name of ["a//b", "/a", "a/", "a/../b", "a/./b", "../x", "..", "busybox\u0000"]) {
        const error = yield* failure(Operations.ImageInspect, { name })
        expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ImageInspect", parameter: "name" })
      }
      const volume = yield* failure(Operations.VolumeDelete, { name: "../containers/x" })
      expect(volume).toMatchObject({ _tag: "InvalidParameter", parameter: "name" })
    }))

  it.effect("image, plugin and distribution references keep their slashes; odd-looking ids are only encoded", () =>
    Effect.gen(function*() {
      const image = yield* Operation.toRequest(Operations.ImageInspect, { name: "127.0.0.1:5000/a/b:tag" }, "1.41")
      expect(image.url).toBe("/v1.41/images/127.0.0.1%3A5000/a/b%3Atag/json")
      const plugin = yield* Operation.toRequest(Operations.PluginInspect, { name: "vieux/sshfs:latest" }, "1.41")
      expect(plugin.url).toBe("/v1.41/plugins/vieux/sshfs%3Alatest/json")
      const digest = `busybox@sha256:${"0".repeat(64)}`
      const dist = yield* Operation.toRequest(Operations.DistributionInspect, { name: digest }, "1.41")
      expect(dist.url).toBe(`/v1.41/distribution/busybox%40sha256%3A${"0".repeat(64)}/json`)
      const dots = yield* Operation.toRequest(Operations.ContainerInspect, { id: "...%2e%2e" }, "1.41")
      expect(dots.url).toBe("/v1.41/containers/...%252e%252e/json")
    }))

  it.effect("integers: NaN, ±Infinity, fractions and unsafe integers are refused; a minimum is enforced", () =>
    Effect.gen(function*() {
      for (const t of [NaN, Infinity, -Infinity, 1.5, 1e21, 2 ** 53, "5", null]) {
        const input = { id: "web", t } as unknown as Operations.ContainerStopInput
        const error = yield* failure(Operations.ContainerStop, input)
        expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerStop", parameter: "t" })
        expect(error.message).toContain("must be a safe integer")
      }
      const negative = yield* failure(Operations.ContainerResize, { id: "web", h: -1, w: 80 })
      expect(negative).toMatchObject({ _tag: "InvalidParameter", parameter: "h" })
      expect(negative.message).toBe("ContainerResize: parameter \"h\" must be at least 0, got -1")
      const version = yield* failure(Operations.SwarmUpdate, { version: -3, body: {} })
      expect(version).toMatchObject({ _tag: "InvalidParameter", parameter: "version" })
      const ok = yield* Operation.toRequest(Operations.ContainerStop, { id: "web", t: -1 }, "1.41")
      expect(UrlParams.toString(ok.urlParams)).toBe("t=-1")
      const resize = yield* Operation.toRequest(Operations.ContainerResize, { id: "web", h: 0, w: 80 }, "1.41")
      expect(UrlParams.toString(resize.urlParams)).toBe("h=0&w=80")
      const big = yield* Operation.toRequest(Operations.ContainerList, { limit: Number.MAX_SAFE_INTEGER }, "1.41")
      expect(UrlParams.toString(big.urlParams)).toBe("limit=9007199254740991")
      // Log times are seconds with a fraction the daemon keeps (`number` style): decimals, never an exponent.
      const logs = (since: number) => Operation.toRequest(Operations.ContainerLogs, { id: "web", since }, "1.41")
      expect(UrlParams.getAll((yield* logs(1732888888.5)).urlParams, "since")).toEqual(["1732888888.5"])
      expect(UrlParams.getAll((yield* logs(1e-7)).urlParams, "since")).toEqual(["0.0000001"])
      for (const since of [NaN, Infinity, 1e21, "1"]) {
        const error = yield* failure(Operations.ContainerLogs, { id: "web", since } as Operations.ContainerLogsInput)
        expect(error).toMatchObject({ _tag: "InvalidParameter", parameter: "since" })
      }
    }))

  it.effect("booleans must be booleans; strings must not be objects", () =>
    Effect.gen(function*() {
      for (const all of ["false", "true", 0, 1, null, {}]) {
        const error = yield* failure(Operations.ContainerList, { all } as unknown as Operations.ContainerListInput)
        expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerList", parameter: "all" })
        expect(error.message).toContain("must be a boolean")
      }
      const off = yield* Operation.toRequest(Operations.ContainerList, { all: false }, "1.41")
      expect(UrlParams.toString(off.urlParams)).toBe("all=false")
      const object = yield* failure(
        Operations.ContainerKill,
        { id: "web", signal: { name: "KILL" } } as unknown as Operations.ContainerKillInput
      )
      expect(object).toMatchObject({ _tag: "InvalidParameter", parameter: "signal" })
      expect(object.message).not.toContain("[object Object]")
      const objectId = yield* failure(Operations.ContainerInspect, { id: {} } as unknown as { id: string })
      expect(objectId).toMatchObject({ _tag: "InvalidParameter", parameter: "id" })
      const filters = yield* failure(
        Operations.ContainerList,
        { filters: 5 } as unknown as Operations.ContainerListInput
      )
      expect(filters).toMatchObject({ _tag: "InvalidParameter", parameter: "filters" })
    }))

  it.effect("lone surrogates in query values, filters, JSON values and keys are refused (never a URIError)", () =>
    Effect.gen(function*() {
      const signal = yield* failure(Operations.ContainerKill, { id: "web", signal: "SIG\udc00" })
      expect(signal).toMatchObject({ _tag: "InvalidParameter", parameter: "signal" })
      const filters = yield* failure(Operations.ContainerList, { filters: { label: ["a=\ud800"] } })
      expect(filters).toMatchObject({ _tag: "InvalidParameter", parameter: "filters" })
      const key = yield* failure(Operations.ContainerList, { filters: { ["\ud800"]: ["x"] } })
      expect(key).toMatchObject({ _tag: "InvalidParameter", parameter: "filters" })
      const buildargs = yield* failure(Operations.ImageBuild, { buildargs: { A: "\udfff" } })
      expect(buildargs).toMatchObject({ _tag: "InvalidParameter", parameter: "buildargs" })
      const names = yield* failure(Operations.ImageGetAll, { names: ["busybox", "\ud800"] })
      expect(names).toMatchObject({ _tag: "InvalidParameter", parameter: "names" })
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const loop = yield* failure(Operations.ImageBuild, { buildargs: cyclic as { [k: string]: string } })
      expect(loop).toMatchObject({ _tag: "InvalidParameter", parameter: "buildargs" })
      const pair = yield* Operation.toRequest(Operations.ContainerKill, { id: "web", signal: "😀" }, "1.41")
      expect(UrlParams.getAll(pair.urlParams, "signal")).toEqual(["😀"])
    }))

  it.effect("header values: CR, LF, NUL, controls and characters beyond Latin-1 are refused", () =>
    Effect.gen(function*() {
      for (const auth of ["e30=\r\nX-Injected: 1", "e30=\n", "\u0000", "\u007f", "日本", "\ud800", "😀"]) {
        const error = yield* failure(Operations.ImagePush, { name: "busybox", "X-Registry-Auth": auth })
        expect(error).toMatchObject({ _tag: "InvalidParameter", operation: "ImagePush", parameter: "X-Registry-Auth" })
      }
      const latin1 = yield* Operation.toRequest(
        Operations.ImagePush,
        { name: "busybox", "X-Registry-Auth": "e30=\té" },
        "1.41"
      )
      expect(latin1.headers["x-registry-auth"]).toBe("e30=\té")
    }))

  it.effect("an API version outside [oldest, newest] fails with ApiVersionOutOfRange", () =>
    Effect.gen(function*() {
      for (const version of ["1.12", "1.23", "1.56", "1.99", "2.0", "x", "1.41/../../images", "01.41"]) {
        const error = yield* failure(Operations.ContainerList, {}, version)
        expect(error).toMatchObject({
          _tag: "ApiVersionOutOfRange",
          operation: "ContainerList",
          version,
          oldest: ApiVersion.oldest,
          newest: ApiVersion.newest
        })
      }
      const tooOld = yield* failure(Operations.ContainerList, {}, "1.12")
      expect(tooOld.message).toBe("ContainerList: API version 1.12 is outside the range this SDK speaks (1.24 to 1.55)")
      for (const version of [ApiVersion.oldest, "1.41", ApiVersion.newest]) {
        const ok = yield* Operation.toRequest(Operations.ContainerList, {}, version as ApiVersion.ApiVersion)
        expect(ok.url).toBe(`/v${version}/containers/json`)
      }
    }))

  it.effect("a pinned apiVersion out of range fails every call before any request is sent", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const client = HttpClient.make((request) =>
        Effect.sync(() => {
          sent.push(request.url)
          return HttpClientResponse.fromWeb(request, new Response("OK", { headers: { "api-version": "1.41" } }))
        })
      )
      for (const apiVersion of ["1.12", "1.99"] as const) {
        const docker = yield* Docker.make(client, {
          baseUrl: "http://localhost",
          target: "unix:///var/run/docker.sock",
          transport: "test",
          canHijack: false,
          apiVersion
        })
        const error = yield* Effect.flip(docker.execute(Operations.ContainerList, {}))
        expect(error).toMatchObject({ _tag: "ApiVersionOutOfRange", version: apiVersion })
      }
      expect(sent).toEqual([])
    }))

  it.effect("DOCKER_API_VERSION outside the SDK's range is a DockerConfigError when the environment is resolved", () =>
    Effect.gen(function*() {
      const environment = (version: string): DockerEnv.Environment => ({
        env: { DOCKER_HOST: "unix:///var/run/docker.sock", DOCKER_API_VERSION: version },
        homeDir: undefined,
        readFile: () => Effect.succeed(undefined)
      })
      for (const version of ["1.12", "1.99"]) {
        const error = yield* Effect.flip(DockerEnv.resolve(environment(version)))
        expect(error._tag).toBe("DockerConfigError")
        expect(error.message).toContain(`DOCKER_API_VERSION "${version}" is outside the API versions`)
      }
      const ok = yield* DockerEnv.resolve(environment("1.30"))
      expect(ok.apiVersion).toBe("1.30")
    }))
})
