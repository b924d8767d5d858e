import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"
import * as Containers from "../../src/Containers.ts"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import * as Api from "../../src/generated/api.ts"
import * as Operations from "../../src/generated/operations.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))

/**
 * Bundles a program for the browser (tree-shaken, as `npm run bench:bundle` does, from the sources) and gives the
 * project files that put code in the output, and the output.
 */
const bundle = async (contents: string) => {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    write: false,
    outfile: "out.js",
    platform: "browser",
    format: "esm",
    logLevel: "silent",
    metafile: true
  })
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs
  const own = Object.entries(inputs).flatMap(([file, { bytesInOutput }]) =>
    bytesInOutput > 0 && !file.includes("node_modules") ? [file] : []
  )
  return { own, text: result.outputFiles[0]!.text }
}

const readers = ["src/Ndjson.ts", "src/internal/ndjsonParser.ts", "src/internal/json.ts", "src/internal/demuxParser.ts"]

describe("calls by response kind keep a bundle to the readers it uses", () => {
  it("a ping through fetch carries no JSON, NDJSON or multiplexed reader; Docker.call carries them all", async () => {
    const ping = await bundle([
      `import * as Effect from "effect/Effect"`,
      `import * as Api from "./src/generated/api.ts"`,
      `import * as DockerFetch from "./src/platform/fetch.ts"`,
      `Effect.runPromise(Api.systemPing().pipe(Effect.provide(DockerFetch.layer({ baseUrl: location.origin }))))`
    ].join("\n"))
    expect(ping.own.filter((file) => readers.includes(file))).toEqual([])
    // the control: the generic call dispatches at run time, so it keeps every reader
    const generic = await bundle([
      `import * as Docker from "./src/Docker.ts"`,
      `import * as Operations from "./src/generated/operations.ts"`,
      `console.log(Docker.call(Operations.SystemPing))`
    ].join("\n"))
    expect(readers.filter((file) => !generic.own.includes(file))).toEqual([])
  })

  it("following a container's logs decodes no full inspect answer and no NDJSON", async () => {
    const logs = await bundle([
      `import * as Containers from "./src/Containers.ts"`,
      `console.log(Containers.logLines("web", { follow: true }))`
    ].join("\n"))
    expect(logs.own).toContain("src/internal/demuxParser.ts")
    expect(logs.own.filter((file) => file.includes("ndjson") || file.includes("Ndjson"))).toEqual([])
    expect(logs.text).not.toMatch(/\bContainerInspectResponse\b/)
    expect(logs.text).not.toMatch(/\bHostConfig\b/)
    // lines need only the coalescing parser; the frame-by-frame one is the default path of Containers.logs
    expect(logs.text).toMatch(/\bCoalescingParser = class\b/)
    expect(logs.text).not.toMatch(/\bDemuxParser = class\b/)
    const frames = await bundle([
      `import * as Containers from "./src/Containers.ts"`,
      `console.log(Containers.logs("web", { follow: true }))`
    ].join("\n"))
    expect(frames.text).toMatch(/\bDemuxParser = class\b/)
  })
})

/** A daemon answering an inspect of `web` with `inspect` (JSON text), and its logs with one stdout line. */
const daemon = (inspect: string) => {
  const paths: Array<string> = []
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const path = new URL(request.url).pathname
      paths.push(path)
      if (path === "/v1.41/containers/web/json") {
        return HttpClientResponse.fromWeb(request, new Response(inspect, { headers: { "api-version": "1.41" } }))
      }
      // one stdout frame: the header (stream 1, length 3) then the bytes; read raw, the header is text
      const frame = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a])
      return HttpClientResponse.fromWeb(request, new Response(frame, { headers: { "api-version": "1.41" } }))
    })
  )
  const layer = Docker.layer({
    baseUrl: "http://localhost",
    target: "unix:///var/run/docker.sock",
    transport: "test",
    canHijack: false,
    apiVersion: "1.41"
  }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
  return { paths, layer }
}

describe("Containers.logs reads the TTY flag of the inspect answer", () => {
  it.effect("no Config, or Tty false: demultiplexed; Tty true: raw bytes", () =>
    Effect.gen(function*() {
      for (const inspect of [`{"Id":"web"}`, `{"Config":null}`, `{"Config":{"Tty":false}}`]) {
        const { layer, paths } = daemon(inspect)
        const text = yield* Demux.toStrings(Containers.logs("web")).pipe(Effect.provide(layer))
        expect(text, inspect).toEqual({ stdout: "hi\n", stderr: "" })
        expect(paths, inspect).toEqual(["/v1.41/containers/web/json", "/v1.41/containers/web/logs"])
      }
      const { layer } = daemon(`{"Config":{"Tty":true,"Image":"busybox"},"State":{"Running":true}}`)
      const raw = yield* Demux.toStrings(Containers.logs("web")).pipe(Effect.provide(layer))
      expect(raw.stdout).toBe("\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0003hi\n")
    }))

  it.effect("a hostile inspect answer fails with ResponseDecodeError and sends no logs request", () =>
    Effect.gen(function*() {
      for (const inspect of [`{"Config":{"Tty":"yes"}}`, `{"Config":[]}`, `[1]`, `not json`, `{"Config":{"Tty":1}}`]) {
        const { layer, paths } = daemon(inspect)
        const error = yield* Effect.flip(Stream.runDrain(Containers.logs("web")).pipe(Effect.provide(layer)))
        expect(error, inspect).toMatchObject({ _tag: "ResponseDecodeError", operation: "ContainerInspect" })
        expect(paths, inspect).toEqual(["/v1.41/containers/web/json"])
      }
    }))

  it.effect("the tty option skips the inspect", () =>
    Effect.gen(function*() {
      const { layer, paths } = daemon(`{"Config":{"Tty":true}}`)
      const text = yield* Demux.toStrings(Containers.logs("web", { tty: false })).pipe(Effect.provide(layer))
      expect(text).toEqual({ stdout: "hi\n", stderr: "" })
      expect(paths).toEqual(["/v1.41/containers/web/logs"])
    }))
})

describe("the generated Api calls as Docker.call does", () => {
  it.effect("a Json, a Text and a Multiplexed operation give what Docker.call gives; another kind is refused", () =>
    Effect.gen(function*() {
      const { layer } = daemon(`{"Id":"web","Config":{"Tty":false}}`)
      const viaApi = yield* Effect.all([
        Api.containerInspect({ id: "web" }),
        Api.systemPing(),
        Demux.toStrings(Api.containerLogs({ id: "web", stdout: true }))
      ]).pipe(Effect.provide(layer))
      const viaCall = yield* Effect.all([
        Docker.call(Operations.ContainerInspect)({ id: "web" }),
        Docker.call(Operations.SystemPing)(),
        Demux.toStrings(Docker.call(Operations.ContainerLogs)({ id: "web", stdout: true }))
      ]).pipe(Effect.provide(layer))
      expect(viaApi).toEqual(viaCall)
      // a variant given an operation of another kind refuses it at once, before any call
      expect(() => Docker.callJson(Operations.SystemPing)).toThrow("SystemPing: a Text response, not Json")
      expect(() => Docker.callJsonStream(Operations.ContainerList)).toThrow(TypeError)
      expect(() => Docker.callMultiplexed(Operations.ContainerInspect)).toThrow(TypeError)
      expect(() => Docker.callPlain(Operations.ContainerLogs)).toThrow(TypeError)
      expect(viaApi[0]).toMatchObject({ Id: "web", Config: { Tty: false } })
    }))
})
