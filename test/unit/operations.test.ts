import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as UrlParams from "effect/http/UrlParams"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import { parse } from "yaml"
import type { ApiVersion } from "../../src/ApiVersion.ts"
import * as Api from "../../src/generated/api.ts"
import * as Operations from "../../src/generated/operations.ts"
import * as Schemas from "../../src/generated/schemas.ts"
import { parseJson } from "../../src/internal/json.ts"
import * as Operation from "../../src/Operation.ts"

interface SpecOperation {
  readonly operationId: string
  readonly summary?: string
  readonly tags?: ReadonlyArray<string>
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>
}

interface Spec {
  readonly paths: Record<string, Record<string, SpecOperation>>
}

const readSpec = (file: string) => parse(readFileSync(new URL(`../../spec/${file}`, import.meta.url), "utf8")) as Spec
const spec = readSpec("engine-v1.55.yaml")
const oldSpec = readSpec("engine-v1.41.yaml")
const specOperations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op }))
)

const operations = (Object.values(Operations) as ReadonlyArray<unknown>).filter(
  (value): value is Operation.Any => typeof value === "object" && value !== null && "response" in value
)
const byId = new Map(operations.map((op) => [op.id, op]))

const request = <I>(operation: Operation.Operation<I, Operation.ResponseKind, any>, input: I, version: ApiVersion) =>
  Operation.toRequest(operation, input, version)

const query = (req: HttpClientRequest.HttpClientRequest) => UrlParams.toString(req.urlParams)

const bodyText = (req: HttpClientRequest.HttpClientRequest) => {
  const body = req.body
  if (body._tag !== "Uint8Array") throw new Error(`expected a Uint8Array body, got ${body._tag}`)
  return new TextDecoder().decode(body.body)
}

const decode = <A>(schema: Schema.Decoder<A>, text: string): A => Schema.decodeUnknownSync(schema)(parseJson(text))

describe("generated operations", () => {
  it("describe every operation of the v1.55 spec, with its method, path, summary and tag", () => {
    expect(specOperations).toHaveLength(108)
    expect(operations).toHaveLength(108)
    for (const { path, method, op } of specOperations) {
      const generated = byId.get(op.operationId)
      expect(generated, op.operationId).toBeDefined()
      expect(generated!.method).toBe(method)
      expect(generated!.path).toBe(path)
      expect(generated!.summary).toBe(op.summary)
      expect(generated!.tag).toBe(op.tags?.[0])
    }
  })

  it("have one Api function per operation, named after the operation id", () => {
    const functions = Object.entries(Api).filter(([, value]) => typeof value === "function")
    expect(functions).toHaveLength(108)
    for (const op of operations) {
      const name = op.id[0]!.toLowerCase() + op.id.slice(1)
      expect(typeof (Api as Record<string, unknown>)[name], name).toBe("function")
    }
  })

  it("list only the documented error statuses", () => {
    expect(Operations.ContainerInspect.errors).toEqual([404, 500])
    expect(Operations.ContainerDelete.errors).toEqual([400, 404, 409, 500])
    expect(Operations.SystemAuth.errors).toEqual([401, 500])
    expect(Operations.ImageAttestations.errors).toEqual([400, 404, 500, 501])
    expect(Operations.NodeList.errors).toEqual([500, 503])
  })

  it("pick the response kind of each operation", () => {
    const kinds = Object.fromEntries(operations.map((op) => [op.id, op.response._tag]))
    expect(kinds.ContainerInspect).toBe("Json")
    expect(kinds.ContainerLogs).toBe("Multiplexed")
    expect(kinds.ServiceLogs).toBe("Multiplexed")
    expect(kinds.TaskLogs).toBe("Multiplexed")
    expect(kinds.ContainerAttach).toBe("Hijack")
    expect(kinds.ExecStart).toBe("Hijack")
    expect(kinds.ContainerAttachWebsocket).toBe("Hijack")
    expect(kinds.ContainerStats).toBe("JsonStream")
    expect(kinds.SystemEvents).toBe("JsonStream")
    expect(kinds.ImageCreate).toBe("JsonStream")
    expect(kinds.ImagePush).toBe("JsonStream")
    expect(kinds.ImageBuild).toBe("JsonStream")
    expect(kinds.ImageLoad).toBe("JsonStream")
    expect(kinds.PluginPull).toBe("JsonStream")
    expect(kinds.SystemPing).toBe("Text")
    expect(kinds.SystemPingHead).toBe("Text")
    expect(kinds.ContainerStart).toBe("Empty")
    expect(kinds.ContainerWait).toBe("Json")
    expect(kinds.SwarmInit).toBe("Json")
    for (const id of ["ContainerExport", "ContainerArchive", "ImageGet", "ImageGetAll"]) {
      expect(byId.get(id)!.response).toEqual({ _tag: "Bytes", contentType: "application/x-tar" })
    }
  })

  it("record the API version of operations and parameters newer than 1.41", () => {
    expect(Operations.ImageAttestations.since).toBe("1.55")
    expect(Operations.VolumeUpdate.since).toBe("1.42")
    expect(Operations.ContainerInspect.since).toBeUndefined()
    const param = (op: Operation.Any, name: string) => op.params.find((p) => p.name === name)!
    expect(param(Operations.ContainerStop, "signal").since).toBe("1.42")
    expect(param(Operations.ContainerStop, "signal").dropWhenUnsupported).toBeUndefined()
    expect(param(Operations.ImageList, "shared-size")).toMatchObject({ since: "1.42", dropWhenUnsupported: true })
    expect(param(Operations.ImageList, "manifests").since).toBe("1.47")
    expect(param(Operations.BuildPrune, "reserved-space").since).toBe("1.48")
    expect(param(Operations.ImageDelete, "platforms").since).toBe("1.50")
    expect(param(Operations.ContainerStop, "t").since).toBeUndefined()
    // exactly the parameters the v1.41 spec does not have carry `since`
    const absentIn141 = specOperations.flatMap(({ path, method, op }) => {
      const old = oldSpec.paths[path]?.[method.toLowerCase()]
      if (old === undefined) return []
      return (op.parameters ?? []).filter((p) => p.in !== "body")
        .filter((p) => !(old.parameters ?? []).some((q) => q.name === p.name && q.in === p.in))
        .map((p) => `${op.operationId}.${p.name}`)
    })
    const withSince = operations.flatMap((o) =>
      o.params.filter((p) => p.since !== undefined).map((p) => `${o.id}.${p.name}`)
    )
    expect(withSince.sort()).toEqual(absentIn141.sort())
    expect(withSince).toHaveLength(21)
    const newOps = specOperations.filter(({ path, method }) =>
      oldSpec.paths[path]?.[method.toLowerCase()] === undefined
    )
    expect(operations.filter((o) => o.since !== undefined).map((o) => o.id).sort())
      .toEqual(newOps.map(({ op }) => op.operationId).sort())
  })
})

describe("Operation.toRequest with generated operations", () => {
  it.effect("builds a request for every operation from its required inputs alone", () =>
    Effect.gen(function*() {
      for (const op of operations) {
        const input: Record<string, unknown> = {}
        for (const p of op.params) {
          if (p.required !== true) continue
          input[p.key] = p.style === "integer" ? 7 : p.style === "boolean" ? true : `v-${p.name}`
        }
        if (op.body?.required === true) input.body = op.body._tag === "Json" ? {} : new Uint8Array([0])
        const req = yield* request(op, input, "1.55")
        expect(req.method, op.id).toBe(op.method)
        expect(req.url.startsWith("/v1.55/") || req.url === "/v1.55/_ping", op.id).toBe(true)
        expect(req.url, op.id).not.toMatch(/[{}]/)
        for (const p of op.params.filter((p) => p.required === true)) {
          if (p.in === "path") expect(req.url, op.id).toContain(`/v-${p.name}`)
          if (p.in === "query") expect(UrlParams.getAll(req.urlParams, p.name).length, `${op.id}.${p.name}`).toBe(1)
          if (p.in === "header") expect(req.headers[p.name.toLowerCase()], `${op.id}.${p.name}`).toBe(`v-${p.name}`)
        }
      }
    }))

  it.effect("a commit without a body sends {} (Podman refuses an empty body); other optional bodies stay absent", () =>
    Effect.gen(function*() {
      const bare = yield* request(Operations.ImageCommit, { container: "web" }, "1.41")
      expect(bodyText(bare)).toBe("{}")
      expect(bare.headers["content-type"]).toBe("application/json")
      const withConfig = yield* request(Operations.ImageCommit, { container: "web", body: { Cmd: ["sh"] } }, "1.41")
      expect(JSON.parse(bodyText(withConfig))).toEqual({ Cmd: ["sh"] })
      const marked = operations.filter((op) => op.body?._tag === "Json" && op.body.emptyWhenAbsent === true)
      expect(marked.map((op) => op.id)).toEqual(["ImageCommit"])
      const set = yield* request(Operations.PluginSet, { name: "p" }, "1.41")
      expect(set.body._tag).toBe("Empty")
    }))

  it.effect("prefixes the negotiated version and percent-encodes path parameters", () =>
    Effect.gen(function*() {
      const req = yield* request(Operations.ContainerInspect, { id: "web #1?", size: true }, "1.41")
      expect(req.method).toBe("GET")
      expect(req.url).toBe("/v1.41/containers/web%20%231%3F/json")
      expect(query(req)).toBe("size=true")
      const image = yield* request(Operations.ImageInspect, { name: "127.0.0.1:5000/app:1" }, "1.44")
      expect(image.url).toBe("/v1.44/images/127.0.0.1%3A5000/app%3A1/json")
      const escape = yield* Effect.flip(request(Operations.ContainerInspect, { id: "../../x" }, "1.41"))
      expect(escape).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerInspect", parameter: "id" })
    }))

  it.effect("writes filters as JSON, booleans as true/false, integers as digits and arrays as repeated keys", () =>
    Effect.gen(function*() {
      const list = yield* request(Operations.ContainerList, {
        all: false,
        limit: 3,
        filters: { status: ["running", "paused"], label: ["a=b"] }
      }, "1.41")
      expect(UrlParams.getAll(list.urlParams, "all")).toEqual(["false"])
      expect(UrlParams.getAll(list.urlParams, "limit")).toEqual(["3"])
      expect(JSON.parse(UrlParams.getAll(list.urlParams, "filters")[0] as string)).toEqual({
        status: ["running", "paused"],
        label: ["a=b"]
      })
      const raw = yield* request(Operations.ContainerList, { filters: "{\"id\":[\"abc\"]}" }, "1.41")
      expect(UrlParams.getAll(raw.urlParams, "filters")).toEqual(["{\"id\":[\"abc\"]}"])
      const save = yield* request(Operations.ImageGetAll, { names: ["busybox:latest", "alpine:3"] }, "1.41")
      expect(query(save)).toBe("names=busybox%3Alatest&names=alpine%3A3")
    }))

  it.effect("sends JSON-encoded parameters as JSON text", () =>
    Effect.gen(function*() {
      const req = yield* request(Operations.ImageBuild, {
        t: "app:1",
        buildargs: { HTTP_PROXY: "http://proxy:3128" },
        cachefrom: ["app:0"],
        labels: { team: "core" }
      }, "1.41")
      expect(UrlParams.getAll(req.urlParams, "buildargs")).toEqual(["{\"HTTP_PROXY\":\"http://proxy:3128\"}"])
      expect(UrlParams.getAll(req.urlParams, "cachefrom")).toEqual(["[\"app:0\"]"])
      expect(UrlParams.getAll(req.urlParams, "labels")).toEqual(["{\"team\":\"core\"}"])
      const inspect = yield* request(Operations.ImageInspect, {
        name: "busybox",
        platform: { os: "linux", architecture: "arm64" }
      }, "1.49")
      expect(UrlParams.getAll(inspect.urlParams, "platform")).toEqual(["{\"os\":\"linux\",\"architecture\":\"arm64\"}"])
    }))

  it.effect("puts header parameters in headers", () =>
    Effect.gen(function*() {
      const req = yield* request(
        Operations.ImagePush,
        { name: "127.0.0.1:5000/app", tag: "1", "X-Registry-Auth": "e30=" },
        "1.41"
      )
      expect(req.method).toBe("POST")
      expect(req.headers["x-registry-auth"]).toBe("e30=")
      expect(query(req)).toBe("tag=1")
    }))

  it.effect("writes a JSON body from the input's body", () =>
    Effect.gen(function*() {
      const req = yield* request(Operations.ContainerCreate, {
        name: "web",
        body: { Image: "busybox:latest", Cmd: ["true"], HostConfig: { Memory: 2n ** 62n } }
      }, "1.41")
      expect(req.url).toBe("/v1.41/containers/create")
      expect(req.body._tag).toBe("Uint8Array")
      expect((req.body as { readonly contentType: string }).contentType).toBe("application/json")
      expect(bodyText(req)).toBe(
        "{\"Image\":\"busybox:latest\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Memory\":4611686018427387904}}"
      )
    }))

  it.effect("sends byte bodies with the operation's content type", () =>
    Effect.gen(function*() {
      const bytes = yield* request(Operations.PutContainerArchive, {
        id: "web",
        path: "/tmp",
        body: new Uint8Array([1, 2, 3])
      }, "1.41")
      expect(bytes.body._tag).toBe("Uint8Array")
      expect((bytes.body as { readonly contentType: string }).contentType).toBe("application/x-tar")
      const streamed = yield* request(Operations.ImageBuild, { body: Stream.make(new Uint8Array([1])) }, "1.41")
      expect(streamed.body._tag).toBe("Stream")
      expect((streamed.body as { readonly contentType: string }).contentType).toBe("application/x-tar")
    }))

  it.effect("fails with UnsupportedApiVersion naming the parameter and both versions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(request(Operations.ContainerStop, { id: "web", signal: "SIGINT" }, "1.41"))
      expect(error._tag).toBe("UnsupportedApiVersion")
      expect(error).toMatchObject({
        operation: "ContainerStop",
        parameter: "signal",
        required: "1.42",
        negotiated: "1.41"
      })
      expect(error.message).toBe("ContainerStop: parameter \"signal\" needs API 1.42, the daemon speaks 1.41")
      const ok = yield* request(Operations.ContainerStop, { id: "web", signal: "SIGINT" }, "1.42")
      expect(query(ok)).toBe("signal=SIGINT")
      const withoutSignal = yield* request(Operations.ContainerStop, { id: "web", t: 5 }, "1.41")
      expect(query(withoutSignal)).toBe("t=5")
    }))

  it.effect("fails with UnsupportedApiVersion for an operation newer than the daemon", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(request(Operations.ImageAttestations, { name: "busybox" }, "1.41"))
      expect(error).toMatchObject({ _tag: "UnsupportedApiVersion", operation: "ImageAttestations", required: "1.55" })
      expect(error.message).toBe("ImageAttestations: the operation needs API 1.55, the daemon speaks 1.41")
    }))

  it.effect("leaves out a newer parameter the API documents as safe to drop", () =>
    Effect.gen(function*() {
      const old = yield* request(Operations.ImageList, { all: true, "shared-size": true, manifests: true }, "1.41")
      expect(query(old)).toBe("all=true")
      const current = yield* request(Operations.ImageList, { all: true, "shared-size": true }, "1.42")
      expect(query(current)).toBe("all=true&shared-size=true")
    }))

  it.effect("fails with InvalidParameter when a required parameter or body is missing", () =>
    Effect.gen(function*() {
      const noId = yield* Effect.flip(
        request(Operations.ContainerInspect, {} as Operations.ContainerInspectInput, "1.41")
      )
      expect(noId).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerInspect", parameter: "id" })
      const noHeight = yield* Effect.flip(
        request(Operations.ContainerResize, { id: "web", w: 80 } as Operations.ContainerResizeInput, "1.41")
      )
      expect(noHeight).toMatchObject({ _tag: "InvalidParameter", parameter: "h" })
      const noBody = yield* Effect.flip(
        request(Operations.ContainerCreate, { name: "web" } as Operations.ContainerCreateInput, "1.41")
      )
      expect(noBody).toMatchObject({ _tag: "InvalidParameter", parameter: "body" })
      const dotDot = yield* Effect.flip(request(Operations.ContainerInspect, { id: ".." }, "1.41"))
      expect(dotDot).toMatchObject({ _tag: "InvalidParameter", parameter: "id" })
    }))
})

describe("generated schemas", () => {
  it("ignore unknown properties and read absent or null optional fields as absent", () => {
    const summary = decode(
      Schemas.ImageSummary,
      "{\"Id\":\"sha256:1\",\"ParentId\":\"\",\"RepoTags\":null,\"RepoDigests\":null,\"Created\":1,\"Size\":10," +
        "\"SharedSize\":-1,\"Labels\":null,\"Containers\":-1,\"FutureField\":{\"x\":1}}"
    )
    expect(summary).toEqual({ Id: "sha256:1", ParentId: "", Created: 1, Size: 10, SharedSize: -1, Containers: -1 })
  })

  it("read the nulls Engine 20.10 sends for required lists as absent (documented overrides)", () => {
    const history = decode(
      Schemas.ImageHistoryResponse,
      "[{\"Comment\":\"\",\"Created\":1,\"CreatedBy\":\"/bin/sh -c echo b\",\"Id\":\"sha256:1\",\"Size\":2," +
        "\"Tags\":null}]"
    )
    expect(history).toEqual([{ Comment: "", Created: 1, CreatedBy: "/bin/sh -c echo b", Id: "sha256:1", Size: 2 }])
    const volume = decode(
      Schemas.Volume,
      "{\"Driver\":\"local\",\"Labels\":null,\"Mountpoint\":\"/v\",\"Name\":\"v\",\"Options\":null,\"Scope\":\"local\"}"
    )
    expect(volume).toEqual({ Driver: "local", Mountpoint: "/v", Name: "v", Scope: "local" })
  })

  it("fail on a missing required field and on a wrong type", () => {
    expect(() => decode(Schemas.IDResponse, "{}")).toThrow(/Id/)
    expect(() => decode(Schemas.ContainerWaitResponse, "{\"StatusCode\":\"0\"}")).toThrow(/StatusCode/)
  })

  it("decode 64-bit integers beyond 2^53 as exact bigints", () => {
    const info = decode(
      Schemas.ImageSummary,
      "{\"Id\":\"x\",\"ParentId\":\"\",\"Created\":1,\"Size\":18446744073709551615,\"SharedSize\":-1,\"Containers\":0}"
    )
    expect(info.Size).toBe(18446744073709551615n)
    const small = decode(
      Schemas.ImageSummary,
      "{\"Id\":\"x\",\"ParentId\":\"\",\"Created\":1,\"Size\":42,\"SharedSize\":-1,\"Containers\":0}"
    )
    expect(small.Size).toBe(42)
  })

  it("decode a null list answer as an empty list", () => {
    expect(decode(Schemas.ContainerChangesResponse, "null")).toEqual([])
    const changes = decode(Schemas.ContainerChangesResponse, "[{\"Path\":\"/x\",\"Kind\":1}]")
    expect(changes).toEqual([{ Path: "/x", Kind: 1 }])
  })

  it("keep fields that API 1.41 sends and v1.55 removed", () => {
    const df = decode(
      Schemas.SystemDataUsageResponse,
      "{\"LayersSize\":1092588,\"Images\":[],\"Containers\":[],\"Volumes\":[],\"BuildCache\":[]}"
    )
    expect(df).toEqual({ LayersSize: 1092588, Images: [], Containers: [], Volumes: [], BuildCache: [] })
    const settings = decode(Schemas.NetworkSettings, "{\"IPAddress\":\"172.17.0.2\",\"Gateway\":\"172.17.0.1\"}")
    expect(settings).toEqual({ IPAddress: "172.17.0.2", Gateway: "172.17.0.1" })
  })

  it("decode enums with the values of both API versions", () => {
    expect(decode(Schemas.MountType, "\"bind\"")).toBe("bind")
    expect(() => decode(Schemas.MountType, "\"nfs-ish\"")).toThrow()
  })

  it("accept any log driver name, documented or not", () => {
    expect(decode(Schemas.HostConfigLogConfig, "{\"Type\":\"json-file\"}")).toEqual({ Type: "json-file" })
    const loki = decode(Schemas.HostConfigLogConfig, "{\"Type\":\"loki\",\"Config\":{}}")
    expect(loki).toEqual({ Type: "loki", Config: {} })
  })

  it("accept both forms of a build's aux message", () => {
    expect(decode(Schemas.BuildInfo, "{\"aux\":{\"ID\":\"sha256:1\"}}")).toEqual({ aux: { ID: "sha256:1" } })
    expect(decode(Schemas.BuildInfo, "{\"id\":\"moby.buildkit.trace\",\"aux\":\"CgQ=\"}")).toEqual({
      id: "moby.buildkit.trace",
      aux: "CgQ="
    })
  })
})
