import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Containers from "../../src/Containers.ts"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import * as Exec from "../../src/Exec.ts"
import * as Api from "../../src/generated/api.ts"
import * as Operations from "../../src/generated/operations.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as NodeHttp from "../../src/platform/internal/nodeHttpClient.ts"
import * as Session from "../../src/Session.ts"
import { startTraceDaemon } from "../support/traceDaemon.ts"

/** The fake daemon of `test/support/traceDaemon.ts`, closed with the test's scope. */
const fakeDaemon = Effect.acquireRelease(
  Effect.promise(() => startTraceDaemon()),
  (daemon) => Effect.promise(() => daemon.close())
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

    it.live(`${name}: one span per call: header-only answer, multiplexed stream, hijack, detached exec, session`, () =>
      Effect.gen(function*() {
        const daemon = yield* fakeDaemon
        const { spans, tracer } = recording()
        const canHijack = name !== "fetch"
        const program = Effect.gen(function*() {
          const stat = yield* Containers.archiveInfo("web", "/etc")
          expect(stat).toMatchObject({ name: "etc", size: 4096, isDirectory: true })
          const logs = yield* Demux.toStrings(Containers.logs("web", { tty: false }))
          expect(logs).toEqual({ stdout: "out\n", stderr: "err\n" })
          const exec = yield* Effect.scoped(
            Effect.flatMap(
              Docker.hijack(Operations.ExecStart, { id: "e1", body: { Detach: false, Tty: false } }),
              (socket) =>
                Demux.toStrings(
                  Demux.demuxStream(
                    Socket.toStream(socket).pipe(
                      Stream.catchIf((error) => error.reason._tag === "SocketCloseError", () => Stream.empty)
                    )
                  )
                )
            )
          ).pipe(Effect.catchTag("HijackNotSupported", (error) => Effect.succeed(error._tag)))
          expect(exec).toEqual(canHijack ? { stdout: "exec-out\n", stderr: "" } : "HijackNotSupported")
          yield* Exec.startDetached("e2")
          const session = yield* Effect.scoped(
            Effect.map(Session.open({ id: "s-1", name: "ctx" }), (opened) => opened.id)
          ).pipe(Effect.catchTag("HijackNotSupported", (error) => Effect.succeed(error._tag)))
          expect(session).toBe(canHijack ? "s-1" : "HijackNotSupported")
        })
        yield* program.pipe(Effect.provide(layerFor(daemon.url)), Effect.provideService(Tracer.Tracer, tracer))
        const calls = spans.filter((span) => span.name.startsWith("docker."))
        const seen = calls.map((span) => ({
          name: span.name,
          operation: span.attributes.get("docker.operation"),
          method: span.attributes.get("http.request.method"),
          template: span.attributes.get("url.template"),
          status: span.attributes.get("http.response.status_code"),
          exit: span.status._tag === "Ended" ? span.status.exit._tag : "open"
        }))
        const upgraded = (operation: string, method: string, template: string) =>
          canHijack
            ? { name: `docker.${operation}`, operation, method, template, status: 101, exit: "Success" }
            : { name: `docker.${operation}`, operation, method, template, status: undefined, exit: "Failure" }
        expect(seen).toEqual([
          {
            name: "docker.ContainerArchiveInfo",
            operation: "ContainerArchiveInfo",
            method: "HEAD",
            template: "/containers/{id}/archive",
            status: 200,
            exit: "Success"
          },
          {
            name: "docker.ContainerLogs",
            operation: "ContainerLogs",
            method: "GET",
            template: "/containers/{id}/logs",
            status: 200,
            exit: "Success"
          },
          upgraded("ExecStart", "POST", "/exec/{id}/start"),
          {
            name: "docker.ExecStart",
            operation: "ExecStart",
            method: "POST",
            template: "/exec/{id}/start",
            status: 200,
            exit: "Success"
          },
          upgraded("Session", "POST", "/session")
        ])
        // a transport that cannot upgrade fails before any I/O: the daemon saw only the calls that were sent
        expect(daemon.traceparents).toHaveLength(canHijack ? 5 : 3)
        for (const header of daemon.traceparents) expect(header).toBeDefined()
        if (canHijack) {
          expect(daemon.upgrades.map((headers) => headers["upgrade"])).toEqual(["tcp", "h2c"])
          expect(daemon.upgrades[1]).toMatchObject({
            "x-docker-expose-session-uuid": "s-1",
            "x-docker-expose-session-name": "ctx"
          })
          expect(daemon.upgrades[1]!["x-docker-expose-session-sharedkey"]).toBeUndefined()
        }
      }).pipe(Effect.scoped))

    it.live(`${name}: no span and no trace header without a tracer`, () =>
      Effect.gen(function*() {
        const daemon = yield* fakeDaemon
        const spans: Array<string> = []
        yield* Api.containerInspect({ id: "web" }).pipe(
          Effect.provide(layerFor(daemon.url)),
          Effect.tap(() =>
            Effect.currentSpan.pipe(Effect.match({ onFailure: () => {}, onSuccess: (s) => spans.push(s.name) }))
          )
        )
        expect(spans).toEqual([])
        expect(daemon.traceparents).toEqual([undefined])
      }).pipe(Effect.scoped))
  }
})
