/**
 * The fetch-based client (`src/platform/internal/fetchClient.ts`, under the Deno, Bun and fetch transports) with a
 * recording `fetch` and no network: what the direct path hands to `fetch` (the URL with its query, the headers, the
 * body, `redirect: "manual"`), that interruption aborts the request while waiting for the headers, while reading the
 * body and when a body stream is left before its end, and that a traced call still goes through `HttpClient.make`
 * (it carries the trace headers, the direct path does not). The client's own untraced send (`untracedSend`, what the
 * Docker client calls when it traces nothing) with `whole` reads the body in the same step as the headers, once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Docker from "../../src/Docker.ts"
import * as Api from "../../src/generated/api.ts"
import * as Ops from "../../src/generated/operations.ts"
import { type UntracedSend, untracedSend } from "../../src/internal/request.ts"
import * as Operation from "../../src/Operation.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as FetchClient from "../../src/platform/internal/fetchClient.ts"

interface Seen {
  readonly url: string
  readonly init: RequestInit
  readonly headers: Headers
  readonly body: string | undefined
}

/** A `fetch` that records each call and answers with `answer` (a `Response`, or a promise that never settles). */
const recordingFetch = (answer: (url: string) => Response | "never") => {
  const seen: Array<Seen> = []
  const called = Deferred.makeUnsafe<void>()
  const fetch = ((input: RequestInfo | URL, init: RequestInit = {}) => {
    const body = init.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : undefined
    seen.push({ url: String(input), init, headers: new Headers(init.headers), body })
    Deferred.doneUnsafe(called, Effect.void)
    const response = answer(String(input))
    if (response === "never") return new Promise<Response>(() => {})
    return Promise.resolve(response)
  }) as typeof globalThis.fetch
  return { seen, called, fetch }
}

const layer = (fetch: typeof globalThis.fetch, requestInit: RequestInit = {}) =>
  DockerFetch.layer({ baseUrl: "http://daemon.test/", apiVersion: "1.41", fetch, requestInit })

/** A body that sends `first` and then never ends; `cancelled` is set when its reader cancels it. */
const endlessBody = (first: string) => {
  const state = { cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(new TextEncoder().encode(first)),
    cancel: () => {
      state.cancelled = true
    }
  })
  return { stream, state }
}

const rawLogs = Docker.call(
  Operation.withResponse(Ops.ContainerLogs, { _tag: "Bytes", contentType: "application/vnd.docker.raw-stream" })
)

describe("fetch client", () => {
  it.effect("the direct path sends the URL with its query, the merged headers, the body and redirect: manual", () =>
    Effect.gen(function*() {
      const { fetch, seen } = recordingFetch((url) =>
        url.includes("/containers/create")
          ? Response.json({ Id: "abc", Warnings: [] }, { status: 201 })
          : Response.json([])
      )
      const program = Effect.gen(function*() {
        yield* Api.containerList({ all: true, filters: { label: ["a=b c&d"] } })
        const created = yield* Api.containerCreate({ name: "web 1", body: { Image: "busybox" } })
        expect(created.Id).toBe("abc")
      })
      // a user's `redirect: "follow"` is overridden: redirects are never followed
      yield* Effect.provide(program, layer(fetch, { redirect: "follow", headers: { "x-extra": "yes" } }))
      expect(seen).toHaveLength(2)
      const [list, create] = seen as [Seen, Seen]
      const expectedList = new URL("http://daemon.test/v1.41/containers/json")
      expectedList.searchParams.append("all", "true")
      expectedList.searchParams.append("filters", JSON.stringify({ label: ["a=b c&d"] }))
      expect(new URL(list.url).href).toBe(expectedList.href)
      expect(list.init.method).toBe("GET")
      expect(list.init.redirect).toBe("manual")
      expect(list.init.signal).toBeInstanceOf(AbortSignal)
      expect(list.headers.get("x-extra")).toBe("yes")
      expect(list.headers.has("traceparent")).toBe(false)
      expect(new URL(create.url).searchParams.get("name")).toBe("web 1")
      expect(create.init.method).toBe("POST")
      expect(create.init.redirect).toBe("manual")
      expect(create.headers.get("content-type")).toBe("application/json")
      expect(create.headers.has("content-length")).toBe(false)
      expect(create.headers.get("x-extra")).toBe("yes")
      expect(JSON.parse(create.body!)).toEqual({ Image: "busybox" })
    }))

  it.effect("a redirect fails with Redirected on the direct path", () =>
    Effect.gen(function*() {
      const { fetch } = recordingFetch(() =>
        new Response("moved", { status: 301, headers: { location: "/v1.41/elsewhere" } })
      )
      const error = yield* Effect.flip(Effect.provide(Api.containerList({}), layer(fetch)))
      expect(error._tag).toBe("Redirected")
    }))

  it.effect("a failed fetch names the causes in the TransportError", () =>
    Effect.gen(function*() {
      const fetch = (() =>
        Promise.reject(
          new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") })
        )) as typeof globalThis.fetch
      const error = yield* Effect.flip(Effect.provide(Api.systemPing(), layer(fetch)))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("ECONNREFUSED")
    }))

  it.live("an interruption while waiting for the headers aborts the request", () =>
    Effect.gen(function*() {
      const { fetch, seen, called } = recordingFetch(() => "never")
      const fiber = yield* Effect.forkChild(
        Effect.provide(Docker.withTimeout(Api.systemPing(), "1 hour"), layer(fetch))
      )
      yield* Deferred.await(called)
      expect(seen[0]!.init.signal!.aborted).toBe(false)
      yield* Fiber.interrupt(fiber)
      expect(seen[0]!.init.signal!.aborted).toBe(true)
    }))

  it.live("a request timeout while the body is read aborts the request", () =>
    Effect.gen(function*() {
      const body = endlessBody("{\"Id\":")
      const { fetch, seen } = recordingFetch(() =>
        new Response(body.stream, { headers: { "content-type": "application/json" } })
      )
      const error = yield* Effect.flip(
        Effect.provide(Docker.withTimeout(Api.containerInspect({ id: "slow" }), "50 millis"), layer(fetch))
      )
      expect(error._tag).toBe("Timeout")
      expect(seen[0]!.init.signal!.aborted).toBe(true)
    }))

  it.live("a body stream left before its end aborts the request", () =>
    Effect.gen(function*() {
      const body = endlessBody("chunk-0\n")
      const { fetch, seen } = recordingFetch(() =>
        new Response(body.stream, { headers: { "content-type": "application/vnd.docker.raw-stream" } })
      )
      const text = yield* rawLogs({ id: "web", follow: true, stdout: true }).pipe(
        Stream.decodeText(),
        Stream.take(1),
        Stream.mkString,
        Effect.provide(layer(fetch))
      )
      expect(text).toBe("chunk-0\n")
      expect(seen[0]!.init.signal!.aborted).toBe(true)
      expect(body.state.cancelled).toBe(true)
    }))

  it.effect("with a tracer installed, the call goes through HttpClient.make (trace headers sent)", () =>
    Effect.gen(function*() {
      const { fetch, seen } = recordingFetch(() => new Response("OK", { headers: { "content-type": "text/plain" } }))
      const tracer = Tracer.make({ span: (options) => new Tracer.NativeSpan(options) })
      const ping = yield* Api.systemPing().pipe(
        Effect.provide(layer(fetch)),
        Effect.provideService(Tracer.Tracer, tracer)
      )
      expect(ping).toBe("OK")
      expect(seen[0]!.headers.has("traceparent")).toBe(true)
      expect(seen[0]!.init.redirect).toBe("manual")
    }))

  describe("untracedSend", () => {
    /** A response whose reads are counted: `text()` and `arrayBuffer()` calls, and `body` accesses. */
    const countedResponse = (response: Response) => {
      const counts = { text: 0, arrayBuffer: 0, body: 0 }
      const counted = new Proxy(response, {
        get: (target, key) => {
          if (key === "text" || key === "arrayBuffer") counts[key]++
          if (key === "body") counts.body++
          const value = Reflect.get(target, key, target)
          return typeof value === "function" ? value.bind(target) : value
        }
      })
      return { counted, counts }
    }
    const send = (fetch: typeof globalThis.fetch) =>
      Effect.map(
        FetchClient.make({ init: { headers: { "x-extra": "yes" } }, fetch }),
        (client) => (client as unknown as UntracedSend)[untracedSend]
      )

    it.effect("the client carries it; with whole the body is read once, before the response is handed over", () =>
      Effect.gen(function*() {
        const { counted, counts } = countedResponse(
          new Response("{\"Id\":\"abc\"}", { headers: { "content-type": "application/json" } })
        )
        const { fetch, seen } = recordingFetch(() => counted)
        const direct = yield* send(fetch)
        const request = HttpClientRequest.get("http://daemon.test/v1.41/containers/abc/json").pipe(
          HttpClientRequest.setUrlParam("size", "true")
        )
        const response = yield* direct(request, true)
        expect(counts).toEqual({ text: 1, arrayBuffer: 0, body: 0 })
        // the body is held: reading it is a finished Exit, and reading it again does not touch the fetch response
        const text = response.text
        expect(Exit.isExit(text) && Exit.isSuccess(text)).toBe(true)
        expect(yield* text).toBe("{\"Id\":\"abc\"}")
        expect(yield* response.json).toEqual({ Id: "abc" })
        expect(new TextDecoder().decode(yield* response.arrayBuffer)).toBe("{\"Id\":\"abc\"}")
        expect(counts).toEqual({ text: 1, arrayBuffer: 0, body: 0 })
        expect(seen).toHaveLength(1)
        expect(seen[0]!.url).toBe("http://daemon.test/v1.41/containers/abc/json?size=true")
        expect(seen[0]!.init.method).toBe("GET")
        expect(seen[0]!.init.redirect).toBe("manual")
        expect(seen[0]!.headers.get("x-extra")).toBe("yes")
        expect(seen[0]!.init.body).toBe(null)
      }))

    it.effect("without whole the body is left to the caller, unread", () =>
      Effect.gen(function*() {
        const { counted, counts } = countedResponse(new Response("OK"))
        const { fetch } = recordingFetch(() => counted)
        const direct = yield* send(fetch)
        const response = yield* direct(HttpClientRequest.get("http://daemon.test/_ping"), false)
        expect(counts).toEqual({ text: 0, arrayBuffer: 0, body: 0 })
        expect(yield* response.text).toBe("OK")
        expect(counts.text).toBe(1)
      }))

    it.effect("Docker calls of every whole kind read the fetch body once; a redirect still fails with Redirected", () =>
      Effect.gen(function*() {
        const all: Array<{ readonly text: number; readonly arrayBuffer: number; readonly body: number }> = []
        const { fetch } = recordingFetch((url) => {
          const { counted, counts } = countedResponse(
            url.includes("/moved")
              ? new Response("moved", { status: 301, headers: { location: "/elsewhere" } })
              : url.includes("/_ping")
              ? new Response("OK", { headers: { "content-type": "text/plain" } })
              : url.includes("/start")
              ? new Response(null, { status: 204 })
              : Response.json({ Id: "abc" })
          )
          all.push(counts)
          return counted
        })
        const program = Effect.gen(function*() {
          expect(yield* Api.systemPing()).toBe("OK")
          yield* Api.containerStart({ id: "abc" })
          const inspected = yield* Api.containerInspect({ id: "abc" })
          expect(inspected.Id).toBe("abc")
          const error = yield* Effect.flip(Api.containerInspect({ id: "moved" }))
          expect(error._tag).toBe("Redirected")
        })
        yield* Effect.provide(program, layer(fetch))
        expect(all).toEqual(Array.from({ length: 4 }, () => ({ text: 1, arrayBuffer: 0, body: 0 })))
      }))

    it.effect("a body that fails while read whole fails the call with a TransportError", () =>
      Effect.gen(function*() {
        const stream = new ReadableStream<Uint8Array>({
          start: (controller) => {
            controller.enqueue(new TextEncoder().encode("{\"Id\":"))
            controller.error(new Error("connection reset"))
          }
        })
        const { fetch } = recordingFetch(() =>
          new Response(stream, { headers: { "content-type": "application/json" } })
        )
        const error = yield* Effect.flip(Effect.provide(Api.containerInspect({ id: "abc" }), layer(fetch)))
        expect(error._tag).toBe("TransportError")
      }))

    it.live("an interruption while waiting for the headers aborts the request", () =>
      Effect.gen(function*() {
        const { fetch, seen, called } = recordingFetch(() => "never")
        const direct = yield* send(fetch)
        const fiber = yield* Effect.forkChild(direct(HttpClientRequest.get("http://daemon.test/_ping"), true))
        yield* Deferred.await(called)
        expect(seen[0]!.init.signal!.aborted).toBe(false)
        yield* Fiber.interrupt(fiber)
        expect(seen[0]!.init.signal!.aborted).toBe(true)
      }))

    it.live("an interruption while the body is read whole aborts the request", () =>
      Effect.gen(function*() {
        const pulled = Deferred.makeUnsafe<void>()
        let pulls = 0
        const stream = new ReadableStream<Uint8Array>({
          // pulled only when read: the first read gets a chunk, the next never ends (the body has started)
          pull: (controller) => {
            pulls++
            if (pulls === 1) {
              controller.enqueue(new TextEncoder().encode("{\"Id\":"))
              return
            }
            Deferred.doneUnsafe(pulled, Effect.void)
            return new Promise<void>(() => {})
          }
        }, { highWaterMark: 0 })
        const { fetch, seen } = recordingFetch(() => new Response(stream))
        const direct = yield* send(fetch)
        const fiber = yield* Effect.forkChild(
          direct(HttpClientRequest.get("http://daemon.test/containers/a/json"), true)
        )
        yield* Deferred.await(pulled)
        expect(seen[0]!.init.signal!.aborted).toBe(false)
        yield* Fiber.interrupt(fiber)
        expect(seen[0]!.init.signal!.aborted).toBe(true)
      }))
  })
})
