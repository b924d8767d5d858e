import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as Dvp from "../../src/Dvp.ts"
import { parseRetryAfter } from "../../src/dvp/internal/http.ts"
import { dvpLayer, publisher, useServer } from "./helpers.ts"

const server = useServer()

const layer = (retry?: Dvp.RetryOptions) =>
  dvpLayer(server.current, publisher(server.current), retry === undefined ? {} : { retry })

/** The statuses the server answered `operation` with, in order. */
const statuses = (operation: string) => server.current.log.filter((e) => e.operation === operation).map((e) => e.status)

/** The time between the server's answers to `operation`, in milliseconds. */
const gaps = (operation: string) => {
  const at = server.current.log.filter((e) => e.operation === operation).map((e) => e.at)
  return at.slice(1).map((t, i) => t - at[i]!)
}

describe("Retry-After", () => {
  it("parses delta-seconds and HTTP dates", () => {
    const now = Date.parse("2026-11-09T12:00:00Z")
    expect(parseRetryAfter("0", now)).toBe(0)
    expect(parseRetryAfter(" 7 ", now)).toBe(7000)
    expect(parseRetryAfter("Mon, 09 Nov 2026 12:00:30 GMT", now)).toBe(30_000)
    expect(parseRetryAfter("Mon, 09 Nov 2026 11:00:00 GMT", now)).toBe(0)
    expect(parseRetryAfter("soon", now)).toBeUndefined()
    expect(parseRetryAfter("-5", now)).toBeUndefined()
    expect(parseRetryAfter("1.5", now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it.live("a 429 waits the Retry-After seconds, then succeeds", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespaceYears", status: 429, retryAfter: "1" })
      const years = yield* Dvp.years("acme")
      expect(years.years?.length).toBe(2)
      expect(statuses("getNamespaceYears")).toEqual([429, 200])
      const [gap] = gaps("getNamespaceYears")
      expect(gap).toBeGreaterThanOrEqual(990)
      expect(gap).toBeLessThan(2500)
    }).pipe(Effect.provide(layer())))

  it.live("a 429 with an HTTP-date Retry-After waits until that date", () =>
    Effect.gen(function*() {
      // HTTP dates have whole seconds: two seconds ahead is at least one second of waiting
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString()
      server.current.inject({ operation: "getNamespace", status: 429, retryAfter: at })
      yield* Dvp.namespace("acme")
      const [gap] = gaps("getNamespace")
      expect(gap).toBeGreaterThanOrEqual(990)
      expect(gap).toBeLessThan(3500)
    }).pipe(Effect.provide(layer())))

  it.effect("the wait runs on Effect's clock (TestClock): no retry before Retry-After has passed", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespaceYears", status: 429, retryAfter: "30" })
      const fiber = yield* Effect.forkChild(Dvp.years("acme").pipe(Effect.provide(layer())))
      // let the first request be answered (real I/O) while the test clock stands still
      while (server.current.count("getNamespaceYears") < 1 || server.current.count("PostUsersLogin") < 1) {
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      }
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      yield* TestClock.adjust("29 seconds")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      expect(server.current.count("getNamespaceYears")).toBe(1)
      yield* TestClock.adjust("1 second")
      const years = yield* Fiber.join(fiber)
      expect(years.years?.length).toBe(2)
      expect(server.current.count("getNamespaceYears")).toBe(2)
    }))

  it.live("a Retry-After longer than maxRetryAfter fails at once with DvpRateLimited", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespace", status: 429, retryAfter: "3600", detail: "slow down" })
      const error = yield* Effect.flip(Dvp.namespace("acme"))
      expect(error).toMatchObject({
        _tag: "DvpRateLimited",
        status: 429,
        operation: "getNamespace",
        message: "slow down",
        retryAfterMillis: 3_600_000,
        attempts: 1
      })
      expect(server.current.count("getNamespace")).toBe(1)
    }).pipe(Effect.provide(layer({ maxRetryAfter: "1 minute" }))))

  it.live("429s past the tries fail with DvpRateLimited", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespace", status: 429, retryAfter: "0", times: 10 })
      const error = yield* Effect.flip(Dvp.namespace("acme"))
      expect(error).toMatchObject({ _tag: "DvpRateLimited", attempts: 3, retryAfterMillis: 0 })
      expect(server.current.count("getNamespace")).toBe(3)
    }).pipe(Effect.provide(layer({ times: 3, baseDelay: "1 millis" }))))
})

describe("5xx", () => {
  it.live("two 503s, then the answer: exponential back-off without Retry-After", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespaces", status: 503, times: 2 })
      const names = yield* Dvp.namespaces()
      expect(names.namespaces).toEqual(["acme", "globex"])
      expect(statuses("getNamespaces")).toEqual([503, 503, 200])
      const [first, second] = gaps("getNamespaces")
      expect(first).toBeGreaterThanOrEqual(40)
      expect(second).toBeGreaterThanOrEqual(80)
    }).pipe(Effect.provide(layer({ baseDelay: "40 millis" }))))

  it.live("bounded: a persistent 500 fails with DvpServerError after `times` tries", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespace", status: 500, times: 100, detail: "boom" })
      const error = yield* Effect.flip(Dvp.namespace("acme"))
      expect(error).toMatchObject({ _tag: "DvpServerError", status: 500, attempts: 4, message: "boom" })
      expect(server.current.count("getNamespace")).toBe(4)
    }).pipe(Effect.provide(layer({ baseDelay: "1 millis" }))))

  it.live("logins and downloads are retried too", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "PostUsersLogin", status: 429, retryAfter: "0" })
      const files = yield* Dvp.dataFiles("acme", 2026, "weeks", 5, "namespace-summary")
      server.current.inject({ operation: "download", status: 502, times: 2 })
      const rows = yield* Stream.runCollect(Dvp.rowsOfFiles(files, "summary"))
      expect(rows.length).toBe(1)
      expect(statuses("PostUsersLogin")).toEqual([429, 200])
      expect(statuses("download")).toEqual([502, 502, 200])
    }).pipe(Effect.provide(layer({ baseDelay: "1 millis" }))))

  it.live("other statuses are not retried", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getNamespace", status: 418, detail: "teapot" })
      const error = yield* Effect.flip(Dvp.namespace("acme"))
      expect(error).toMatchObject({ _tag: "DvpUnexpectedStatus", status: 418, message: "teapot" })
      expect(server.current.count("getNamespace")).toBe(1)
    }).pipe(Effect.provide(layer())))
})

describe("transport failures", () => {
  it.live("a refused connection is retried, then fails with DvpTransportError (no query in the message)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Dvp.repoPulls("acme", "repo-001", { timespan: "weeks" }))
      expect(error._tag).toBe("DvpTransportError")
      expect(error).toMatchObject({ operation: "getRepoPulls", attempts: 2 })
      expect(error.message).toMatch(/^Transport error: .+ \(GET http:\/\/127\.0\.0\.1:1\/v1\/namespaces\/acme\//)
      expect(error.message.endsWith("/repos/repo-001/pulls)")).toBe(true)
    }).pipe(Effect.provide(dvpLayer(server.current, Dvp.token("t"), {
      baseUrl: "http://127.0.0.1:1/v1",
      retry: { times: 2, baseDelay: "1 millis" }
    }))))

  it.live("a connection lost while a file streams fails the stream with DvpTransportError", () =>
    Effect.gen(function*() {
      const url = server.current.fileUrl({
        namespace: "acme",
        year: 2026,
        timespanType: "weeks",
        timespan: server.current.largeExport.week,
        view: "raw",
        part: 0,
        parts: 4,
        encoding: "plain-cut",
        redirect: false
      })
      let rows = 0
      const error = yield* Effect.flip(
        Stream.runForEach(Dvp.rowsOfFiles([url], "raw"), () => Effect.sync(() => void rows++))
      )
      expect(error).toMatchObject({ _tag: "DvpTransportError", operation: "download" })
      expect(error.message).not.toContain("sig=")
      expect(rows).toBeGreaterThan(0)
      expect(rows).toBeLessThan(30_000)
    }).pipe(Effect.provide(layer())))
})

describe("/repos/pulls batching", () => {
  const all = [
    ...Array.from({ length: 120 }, (_, i) => `acme/repo-${String(i).padStart(3, "0")}`),
    ...Array.from({ length: 8 }, (_, i) => `globex/repo-${String(i).padStart(3, "0")}`)
  ]

  it.live("128 repos: 3 requests of at most 50, merged into one record", () =>
    Effect.gen(function*() {
      const data = yield* Dvp.reposPulls(all, { timespan: "weeks", period: "last-2-months" })
      expect(Object.keys(data.repos ?? {}).length).toBe(128)
      expect(data.repos?.["globex/repo-007"]?.pulls?.length).toBe(9)
      const requests = server.current.log.filter((e) => e.operation === "getManyReposPulls")
      expect(requests.length).toBe(3)
      const sizes = requests.map((e) => new URLSearchParams(e.query).getAll("repos").length).sort((a, b) => a - b)
      expect(sizes).toEqual([28, 50, 50])
      for (const e of requests) expect(new URLSearchParams(e.query).get("timespan")).toBe("weeks")
    }).pipe(Effect.provide(layer())))

  it.live("duplicates are sent once; batches run with bounded concurrency", () =>
    Effect.gen(function*() {
      const data = yield* Dvp.reposPulls([...all, ...all.slice(0, 30)])
      expect(Object.keys(data.repos ?? {}).length).toBe(128)
      const requests = server.current.log.filter((e) => e.operation === "getManyReposPulls")
      // batch size 10 → 13 requests, at most 2 at a time
      expect(requests.length).toBe(13)
      expect(server.current.maxConcurrent("getManyReposPulls")).toBeLessThanOrEqual(2)
      expect(server.current.maxConcurrent("getManyReposPulls")).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current), { batchSize: 10, concurrency: 2 }))))

  it.live("an empty list sends nothing", () =>
    Effect.gen(function*() {
      expect(yield* Dvp.reposPulls([])).toEqual({ repos: {} })
      expect(server.current.count("getManyReposPulls")).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.live("a batch failing past its retries fails the whole call", () =>
    Effect.gen(function*() {
      server.current.inject({ operation: "getManyReposPulls", status: 500, times: 100 })
      const error = yield* Effect.flip(Dvp.reposPulls(all))
      expect(error._tag).toBe("DvpServerError")
    }).pipe(Effect.provide(layer({ times: 2, baseDelay: "1 millis" }))))
})
