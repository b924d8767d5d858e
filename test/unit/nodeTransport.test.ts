import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { type UntracedSend, untracedSend } from "../../src/internal/request.ts"
import * as NodeHttp from "../../src/platform/internal/nodeHttpClient.ts"

const SEED = 20261129
const RUNS = 20

/**
 * A server on 127.0.0.1: `/body` answers the request's bytes (a query `n` of seeded bytes) in writes of the sizes
 * given by `sizes`, with back-pressure (`/sized` the same with a `Content-Length`); `/endless` writes until the client
 * goes away and reports that on `closed`; `/stall` and `/cut` declare 100 bytes and send 10, then `/stall` reports
 * on `stalled` and waits (reporting on `closed` when the client goes away) and `/cut` closes the connection (with a
 * query `chunked`, both send their 10 bytes chunked, without a length).
 */
const server = Effect.acquireRelease(
  Effect.callback<{
    readonly url: string
    readonly closed: Deferred.Deferred<void>
    readonly stalled: Deferred.Deferred<void>
    readonly close: () => void
  }>(
    (resume) => {
      const closed = Deferred.makeUnsafe<void>()
      const stalled = Deferred.makeUnsafe<void>()
      const srv = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://localhost")
        const chunked = url.searchParams.has("chunked")
        if (url.pathname === "/stall" || url.pathname === "/cut") {
          response.writeHead(200, chunked ? {} : { "content-length": "100" })
          response.write(Buffer.alloc(10, 1), () => {
            if (url.pathname === "/cut") return void response.socket?.destroy()
            response.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
            Deferred.doneUnsafe(stalled, Effect.void)
          })
          return
        }
        if (url.pathname === "/body" || url.pathname === "/sized") {
          const body = bytes(Number(url.searchParams.get("n")))
          const sizes = (url.searchParams.get("sizes") ?? "65536").split(",").map(Number)
          if (url.pathname === "/sized") response.setHeader("content-length", String(body.length))
          let offset = 0
          let k = 0
          const pump = () => {
            while (offset < body.length) {
              const end = Math.min(body.length, offset + sizes[k++ % sizes.length]!)
              const ok = response.write(body.subarray(offset, end))
              offset = end
              if (!ok) return void response.once("drain", pump)
            }
            response.end()
          }
          pump()
          return
        }
        const chunk = Buffer.alloc(64 * 1024, 7)
        const pump = () => {
          while (response.write(chunk)) {
            // until the socket is full
          }
          response.once("drain", pump)
        }
        response.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
        pump()
      })
      srv.listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, closed, stalled, close: () => srv.close() }))
      })
    }
  ),
  (s) => Effect.sync(() => s.close())
)

/** `n` bytes of a fixed pattern (each position's byte differs from its neighbours). */
const bytes = (n: number) => {
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 0xff
  return out
}

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runFold(stream, () => [] as Array<Uint8Array>, (all, chunk) => {
    all.push(chunk)
    return all
  }).pipe(Effect.map((chunks) => Buffer.concat(chunks)))

/** The Node transport with tracing off (the direct path) or on (through `HttpClient.make`). */
const clients = [
  ["direct path", (client: HttpClient.HttpClient) => HttpClient.transformResponse(client, disableTracing)],
  ["HttpClient.make path", (client: HttpClient.HttpClient) => client]
] as const

const disableTracing = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, HttpClient.TracerDisabledWhen, () => true)

describe("Node transport", () => {
  for (const [name, wrap] of clients) {
    it.live(`${name}: a body stream delivers every byte, in order, whatever the write sizes and batches`, () =>
      Effect.gen(function*() {
        const { url } = yield* server
        const client = wrap(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
        // seeded property: body length and write sizes; 20 runs
        const cases = fc.sample(
          fc.tuple(
            fc.integer({ min: 0, max: 1_500_000 }),
            fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1 })
          ),
          { seed: SEED, numRuns: RUNS }
        )
        for (const [n, sizes] of cases) {
          const response = yield* client.get(`${url}/body?n=${n}&sizes=${sizes.join(",")}`)
          const body = yield* collect(response.stream)
          expect(body.length).toBe(n)
          expect(body.equals(bytes(n))).toBe(true)
        }
      }))

    it.live(`${name}: a body stream stopped before its end closes the connection`, () =>
      Effect.gen(function*() {
        const { closed, url } = yield* server
        const client = wrap(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
        const response = yield* client.get(`${url}/endless`)
        const first = yield* Stream.runHead(response.stream)
        expect(first._tag).toBe("Some")
        yield* Deferred.await(closed)
      }))

    it.live(`${name}: an interrupted body read closes the connection`, () =>
      Effect.gen(function*() {
        const { closed, url } = yield* server
        const client = wrap(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
        const response = yield* client.get(`${url}/endless`)
        // the body never ends: the read is interrupted by the race with an effect that ends at once
        const outcome = yield* Effect.raceFirst(response.text, Effect.succeed("stopped"))
        expect(outcome).toBe("stopped")
        yield* Deferred.await(closed)
      }))
  }

  /** The client's own untraced send (what the Docker client calls when it traces nothing). */
  const untraced = (client: HttpClient.HttpClient) => (client as unknown as UntracedSend)[untracedSend]

  it.live("untraced send: a body of known length, below and above the read-ahead limit, gives every byte", () =>
    Effect.gen(function*() {
      const { url } = yield* server
      const send = untraced(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
      // seeded property: body length around the 64 KiB read-ahead limit and write sizes; 20 runs, plus the edges
      const cases = fc.sample(
        fc.tuple(
          fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 65_530, max: 65_542 })),
          fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1 })
        ),
        { seed: SEED, numRuns: RUNS }
      )
      for (const [n, sizes] of [...cases, [0, [1]], [65_536, [1000]], [65_537, [1000]]] as const) {
        const target = `${url}/sized?n=${n}&sizes=${sizes.join(",")}`
        const streamed = yield* Effect.flatMap(send(HttpClientRequest.get(target)), (r) => collect(r.stream))
        expect(streamed.equals(bytes(n))).toBe(true)
        const read = yield* Effect.flatMap(send(HttpClientRequest.get(target)), (r) => r.arrayBuffer)
        expect(Buffer.from(read).equals(bytes(n))).toBe(true)
        const text = yield* Effect.flatMap(send(HttpClientRequest.get(target)), (r) => r.text)
        expect(text).toBe(bytes(n).toString("utf8"))
      }
    }))

  it.live("untraced send: interrupted while a small body is outstanding, it closes the connection", () =>
    Effect.gen(function*() {
      const { closed, stalled, url } = yield* server
      const send = untraced(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
      const outcome = yield* Effect.raceFirst(
        Effect.as(send(HttpClientRequest.get(`${url}/stall`)), "answered"),
        Effect.as(Deferred.await(stalled), "stalled")
      )
      expect(outcome).toBe("stalled")
      yield* Deferred.await(closed)
    }))

  it.live("untraced send: a small body cut short is the body read's DecodeError, in text and stream", () =>
    Effect.gen(function*() {
      const { url } = yield* server
      const send = untraced(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
      const response = yield* send(HttpClientRequest.get(`${url}/cut`))
      expect(response.status).toBe(200)
      const fromText = yield* Effect.flip(response.text)
      expect(fromText.reason._tag).toBe("DecodeError")
      const fromStream = yield* Effect.flip(collect(response.stream))
      expect((fromStream as HttpClientError.HttpClientError).reason._tag).toBe("DecodeError")
    }))

  /** The untraced send of a caller that reads the whole body (`whole`): any body up to 64 MiB is read first. */
  const whole = (client: HttpClient.HttpClient) => (request: HttpClientRequest.HttpClientRequest) =>
    untraced(client)(request, true)

  it.live("whole send: a chunked or sized body is read before the response is handed over, every byte", () =>
    Effect.gen(function*() {
      const { url } = yield* server
      const send = whole(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
      // seeded property: body length (chunked, and with a length past the 64 KiB read-ahead) and write sizes; 20 runs
      const cases = fc.sample(
        fc.tuple(
          fc.constantFrom("body", "sized"),
          fc.integer({ min: 0, max: 200_000 }),
          fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1 })
        ),
        { seed: SEED, numRuns: RUNS }
      )
      for (const [path, n, sizes] of [...cases, ["body", 0, [1]], ["body", 3000, [1000]]] as const) {
        const target = `${url}/${path}?n=${n}&sizes=${sizes.join(",")}`
        const response = yield* send(HttpClientRequest.get(target))
        const text = response.text
        // already held: the text is its own successful result, no second wait
        expect(Exit.isExit(text) && Exit.isSuccess(text)).toBe(true)
        expect(yield* text).toBe(bytes(n).toString("utf8"))
        const read = yield* Effect.flatMap(send(HttpClientRequest.get(target)), (r) => r.arrayBuffer)
        expect(Buffer.from(read).equals(bytes(n))).toBe(true)
        const streamed = yield* Effect.flatMap(send(HttpClientRequest.get(target)), (r) => collect(r.stream))
        expect(streamed.equals(bytes(n))).toBe(true)
      }
    }))

  it.live("whole send: interrupted while a chunked body is outstanding, it closes the connection", () =>
    Effect.gen(function*() {
      const { closed, stalled, url } = yield* server
      const send = whole(NodeHttp.make(new http.Agent({ keepAlive: true }), url))
      const outcome = yield* Effect.raceFirst(
        Effect.as(send(HttpClientRequest.get(`${url}/stall?chunked`)), "answered"),
        Effect.as(Deferred.await(stalled), "stalled")
      )
      expect(outcome).toBe("stalled")
      yield* Deferred.await(closed)
    }))

  it.live("whole send: a chunked body cut short is the body read's DecodeError, as without `whole`", () =>
    Effect.gen(function*() {
      const { url } = yield* server
      const client = NodeHttp.make(new http.Agent({ keepAlive: true }), url)
      for (const send of [whole(client), untraced(client)]) {
        const response = yield* send(HttpClientRequest.get(`${url}/cut?chunked`))
        expect(response.status).toBe(200)
        const fromText = yield* Effect.flip(response.text)
        expect(fromText.reason._tag).toBe("DecodeError")
      }
      const response = yield* whole(client)(HttpClientRequest.get(`${url}/cut?chunked`))
      const fromStream = yield* Effect.flip(collect(response.stream))
      expect((fromStream as HttpClientError.HttpClientError).reason._tag).toBe("DecodeError")
    }))

  it.live("direct path: an invalid URL fails with InvalidUrlError and sends nothing", () =>
    Effect.gen(function*() {
      const client = NodeHttp.make(new http.Agent({ keepAlive: true }), "http://127.0.0.1:9")
      const error = yield* Effect.flip(disableTracing(client.execute(HttpClientRequest.get("http://[::1"))))
      expect(error.reason._tag).toBe("InvalidUrlError")
    }))
})

describe("Node transport: requests that skip the URL parser", () => {
  const origins = ["http://localhost", "https://10.0.0.5:2376", "http://[::1]:2375"]
  const pathChar = fc.constantFrom(
    ..."aZ09-._~!$&'()*+,;=:@%/?#[]\\|^ \"<>`{}é\u0000".split(""),
    "%2e",
    "%2E",
    "..",
    "./"
  )

  it(`gives the path and URL that Url.make gives, for any path (seed ${SEED}, 2000 runs)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...origins), fc.array(pathChar, { maxLength: 12 }), (origin, parts) => {
        const request = HttpClientRequest.get(`${origin}/${parts.join("")}`)
        const target = NodeHttp.plainTarget(new URL(origin).origin, request)
        if (target === undefined) return
        const url = new URL(request.url)
        expect(target).toStrictEqual({ path: url.pathname + url.search, href: url.href })
      }),
      { seed: SEED, numRuns: 2000 }
    )
  })

  it("leaves to the URL parser requests with parameters, a fragment, another origin, or a path it would change", () => {
    const plain = HttpClientRequest.get("http://localhost/v1.41/containers/a%2Fb/json")
    expect(NodeHttp.plainTarget("http://localhost", plain)).toStrictEqual({
      path: "/v1.41/containers/a%2Fb/json",
      href: "http://localhost/v1.41/containers/a%2Fb/json"
    })
    for (
      const request of [
        HttpClientRequest.setUrlParam(plain, "all", "1"),
        HttpClientRequest.setHash(plain, "x"),
        HttpClientRequest.get("http://localhost:80/v1.41/_ping"),
        HttpClientRequest.get("http://localhostx/v1.41/_ping"),
        HttpClientRequest.get("http://localhost/v1.41/%2e%2e/_ping"),
        HttpClientRequest.get("http://localhost/v1.41/../_ping"),
        HttpClientRequest.get("http://localhost/v1.41/a b"),
        HttpClientRequest.get("http://localhost/v1.41/a\\b"),
        HttpClientRequest.get("http://localhost/v1.41/_ping?x=1")
      ]
    ) expect(NodeHttp.plainTarget("http://localhost", request)).toBeUndefined()
  })
})
