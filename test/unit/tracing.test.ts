import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Docker from "../../src/Docker.ts"
import * as Api from "../../src/generated/api.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as NodeHttp from "../../src/platform/internal/nodeHttpClient.ts"

/** A fake daemon on 127.0.0.1: pings, one container to inspect, 404 for any other; records the trace headers. */
const fakeDaemon = Effect.acquireRelease(
  Effect.callback<{ readonly url: string; readonly traceparents: Array<string | undefined> }>((resume) => {
    const traceparents: Array<string | undefined> = []
    const server = http.createServer((request, response) => {
      traceparents.push(request.headers["traceparent"] as string | undefined)
      response.setHeader("Api-Version", "1.41")
      if (request.url === "/_ping" || request.url === "/v1.41/_ping") {
        response.end("OK")
      } else if (request.url === "/v1.41/containers/web/json") {
        response.setHeader("Content-Type", "application/json")
        response.end(JSON.stringify({ Id: "0123456789ab", Name: "/web" }))
      } else {
        response.statusCode = 404
        response.setHeader("Content-Type", "application/json")
        response.end(JSON.stringify({ message: "No such container: nope" }))
      }
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, traceparents, server }))
    })
  }),
  (daemon) =>
    Effect.callback<void>((resume) => {
      ;(daemon as unknown as { server: http.Server }).server.close(() => resume(Effect.void))
    })
)

/** A tracer that keeps every ended span, as an exporter would. */
const recording = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        end(endTime, exit)
        spans.push(span)
      }
      return span
    }
  })
  return { spans, tracer }
}

const transports: ReadonlyArray<readonly [string, (url: string) => Layer.Layer<Docker.Docker>]> = [
  [
    "node:http",
    (url) =>
      Docker.layer({ baseUrl: url, target: url, transport: "node:http", canHijack: true, apiVersion: "1.41" }).pipe(
        Layer.provide(NodeHttp.layer({}, url))
      )
  ],
  ["fetch", (url) => DockerFetch.layer({ baseUrl: url, apiVersion: "1.41" })]
]

describe("tracing", () => {
  for (const [name, layerFor] of transports) {
    it.live(`${name}: one span per call with the operation, method, path template and status`, () =>
      Effect.gen(function*() {
        const daemon = yield* fakeDaemon
        const { spans, tracer } = recording()
        const program = Effect.gen(function*() {
          yield* Api.systemPing()
          yield* Api.containerInspect({ id: "web" })
          const missing = yield* Effect.flip(Api.containerInspect({ id: "nope" }))
          expect(missing._tag).toBe("NotFound")
        })
        yield* program.pipe(Effect.provide(layerFor(daemon.url)), Effect.provideService(Tracer.Tracer, tracer))
        const calls = spans.filter((span) => span.name.startsWith("docker."))
        expect(calls.map((span) => span.name)).toEqual([
          "docker.SystemPing",
          "docker.ContainerInspect",
          "docker.ContainerInspect"
        ])
        expect(calls.map((span) => Object.fromEntries(span.attributes))).toEqual([
          {
            "docker.operation": "SystemPing",
            "http.request.method": "GET",
            "url.template": "/_ping",
            "http.response.status_code": 200
          },
          {
            "docker.operation": "ContainerInspect",
            "http.request.method": "GET",
            "url.template": "/containers/{id}/json",
            "http.response.status_code": 200
          },
          {
            "docker.operation": "ContainerInspect",
            "http.request.method": "GET",
            "url.template": "/containers/{id}/json",
            "http.response.status_code": 404
          }
        ])
        expect(calls.every((span) => span.kind === "client")).toBe(true)
        expect(calls[2]!.status._tag === "Ended" && calls[2]!.status.exit._tag).toBe("Failure")
        // the transport's request span is a child of the call's span, and its context reaches the daemon
        const requests = spans.filter((span) => !span.name.startsWith("docker."))
        expect(requests).toHaveLength(3)
        for (const [i, request] of requests.entries()) {
          expect(request.parent._tag === "Some" && request.parent.value.spanId).toBe(calls[i]!.spanId)
        }
        expect(daemon.traceparents).toHaveLength(3)
        for (const [i, header] of daemon.traceparents.entries()) {
          expect(header).toContain(calls[i]!.traceId)
        }
      }).pipe(Effect.scoped))

    it.live(`${name}: no span and no trace header without a tracer`, () =>
      Effect.gen(function*() {
        const daemon = yield* fakeDaemon
        const spans: Array<string> = []
        yield* Api.containerInspect({ id: "web" }).pipe(
          Effect.provide(layerFor(daemon.url)),
          Effect.tap(() => Effect.currentSpan.pipe(Effect.match({ onFailure: () => {}, onSuccess: (s) => spans.push(s.name) })))
        )
        expect(spans).toEqual([])
        expect(daemon.traceparents).toEqual([undefined])
      }).pipe(Effect.scoped))
  }
})
