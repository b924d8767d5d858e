/**
 * The fetch-based client (`src/platform/internal/fetchClient.ts`, under the Deno, Bun and fetch transports) with a
 * recording `fetch` and no network: what the direct path hands to `fetch` (the URL with its query, the headers, the
 * body, `redirect: "manual"`), that interruption aborts the request while waiting for the headers, while reading the
 * body and when a body stream is left before its end, and that a traced call still goes through `HttpClient.make`
 * (it carries the trace headers, the direct path does not).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Docker from "../../src/Docker.ts"
import * as Api from "../../src/generated/api.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as Operation from "../../src/Operation.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"

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
})
