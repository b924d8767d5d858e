/**
 * The DVP scenario for Node, Deno and Bun: starts the DVP test server in the runtime itself (node:http, node:zlib),
 * drives the client through `FetchHttpClient` (each runtime's own fetch, `DecompressionStream`, `TextDecoder`) and
 * prints one JSON line per step. `cross-runtime.test.ts` runs it under the three runtimes and compares the outputs.
 *
 *   node test/dvp/cross-runtime.ts
 *   deno run -A test/dvp/cross-runtime.ts
 *   bun test/dvp/cross-runtime.ts
 */
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Dvp from "../../src/Dvp.ts"
import { hash } from "./fixtures.ts"
import { type Content, type Encoding, startDvpTestServer } from "./server.ts"

const out = (step: string, value: unknown) => Effect.sync(() => console.log(JSON.stringify({ step, value })))

/** An order-sensitive checksum of rows. */
const checksum = <A, E, R>(rows: Stream.Stream<A, E, R>) =>
  Stream.runFold(rows, () => ({ count: 0, sum: 0 }), (acc, row) => {
    acc.count++
    acc.sum = (Math.imul(acc.sum, 31) + hash(JSON.stringify(row))) >>> 0
    return acc
  })

const main = Effect.gen(function*() {
  const server = yield* Effect.acquireRelease(
    Effect.promise(() => startDvpTestServer({ largeRows: 100_000 })),
    (s) => Effect.promise(() => s.close())
  )
  const layer = (credentials: Dvp.Credentials) =>
    Dvp.layer({ baseUrl: server.baseUrl, hubUrl: server.hubUrl, credentials, retry: { baseDelay: "5 millis" } }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
  const secure = Dvp.password({
    username: server.users.secure.username,
    password: server.users.secure.password,
    twoFactorCode: Effect.succeed(server.totpCode)
  })
  const publisher = Dvp.password({
    username: server.users.publisher.username,
    password: server.users.publisher.password
  })

  yield* Effect.gen(function*() {
    yield* out("2fa login, namespaces", yield* Dvp.namespaces())
    yield* out("logins", {
      PostUsersLogin: server.count("PostUsersLogin"),
      PostUsers2FALogin: server.count("PostUsers2FALogin")
    })
    server.expireTokens()
    yield* out("after expiry", (yield* Dvp.userNamespaces()).map((n) => n.namespace))
    yield* out("renewals", server.count("PostUsers2FALogin"))
  }).pipe(Effect.provide(layer(secure)))

  yield* Effect.gen(function*() {
    yield* out("namespace", yield* Dvp.namespace("acme"))
    yield* out("years", yield* Dvp.years("acme"))
    yield* out("weeks", (yield* Dvp.timespans("acme", 2026, "weeks")).weeks?.length)
    yield* out("week 12", yield* Dvp.timespanMetadata("acme", 2026, "weeks", 12))
    const pulls = yield* Dvp.namespacePulls("acme", { timespan: "weeks", period: "last-3-months", group: "repo" })
    yield* out("namespace pulls", {
      entries: pulls.pulls?.length,
      total: pulls.pulls?.reduce((n, p) => n + p.pullCount!, 0)
    })
    const repo = yield* Dvp.repoPulls("globex", "repo-003", { timespan: "months" })
    yield* out("repo pulls", repo.pulls?.map((p) => p.pullCount))
    const repos = Array.from({ length: 120 }, (_, i) => `acme/repo-${String(i).padStart(3, "0")}`)
    const many = yield* Dvp.reposPulls(repos, { timespan: "weeks" })
    yield* out("repos pulls", {
      repos: Object.keys(many.repos ?? {}).length,
      requests: server.count("getManyReposPulls")
    })

    server.inject({ operation: "getNamespaceYears", status: 429, retryAfter: "1" })
    server.inject({ operation: "getNamespaceYears", status: 503 })
    const started = Date.now()
    yield* Dvp.years("globex")
    yield* out("429 then 503 then 200", {
      statuses: server.log.filter((e) => e.operation === "getNamespaceYears").map((e) => e.status).slice(-3),
      waitedAtLeastRetryAfter: Date.now() - started >= 1000
    })

    for (const view of ["raw", "summary", "repo-summary", "namespace-summary"] as const) {
      const files = yield* Dvp.dataFiles("acme", 2026, "weeks", 20, view)
      yield* out(`files ${view}`, files.data?.length)
    }
    yield* out("raw rows week 20", yield* checksum(Dvp.rawRows("acme", 2026, "weeks", 20)))
    const nsSummary = yield* Stream.runCollect(Dvp.summaryRows("acme", 2026, "weeks", 20, "namespace-summary"))
    yield* out("namespace summary week 20", nsSummary)
    yield* out("summary rows week 20", yield* checksum(Dvp.summaryRows("acme", 2026, "weeks", 20, "summary")))

    const encodings: ReadonlyArray<Encoding> = ["plain", "gzip", "gzip-wrong-type", "gzip-no-type", "gzip-encoding"]
    const byEncoding: Record<string, unknown> = {}
    for (const encoding of encodings) {
      const url = server.fileUrl({
        namespace: "globex",
        year: 2026,
        timespanType: "weeks",
        timespan: 7,
        view: "raw",
        part: 0,
        parts: 1,
        encoding,
        redirect: true
      })
      byEncoding[encoding] = yield* checksum(Dvp.rowsOfFiles([url], "raw"))
    }
    yield* out("gzip sniffing", byEncoding)

    // multi-member gzip and zlib read fully; raw deflate and hostile records fail typed, the same on every runtime
    const hostile: Record<string, unknown> = {}
    const fileOf = (encoding: Encoding, content?: Content): string =>
      server.fileUrl({
        namespace: "globex",
        year: 2026,
        timespanType: "weeks",
        timespan: 7,
        view: "raw",
        part: 0,
        parts: 1,
        encoding,
        redirect: true,
        ...(content === undefined ? {} : { content })
      })
    const outcome = <A, E extends { readonly _tag: string; readonly message: string }, R>(
      rows: Stream.Stream<A, E, R>
    ) =>
      checksum(rows).pipe(
        Effect.catch((e) => Effect.succeed({ error: e._tag, message: e.message }))
      )
    for (const encoding of ["gzip-members", "zlib", "deflate-raw"] as const) {
      hostile[encoding] = yield* outcome(Dvp.rowsOfFiles([fileOf(encoding)], "raw"))
    }
    hostile["wide-record"] = yield* outcome(Dvp.rowsOfFiles([fileOf("gzip", "wide-record")], "raw"))
    hostile["proto-columns"] = yield* Stream.runCollect(
      Dvp.rowsOfFiles([fileOf("gzip-members", "proto-columns")], "raw")
    ).pipe(Effect.map((rows) => rows.map((row) => Object.entries(row.extra))))
    yield* out("hostile files", hostile)

    const { namespace, week, year } = server.largeExport
    yield* out("large raw export", yield* checksum(Dvp.rawRows(namespace, year, "weeks", week)))
  }).pipe(Effect.provide(layer(publisher)))

  yield* out("spec violations", server.violations)
})

Effect.runPromise(Effect.scoped(main)).then(
  () => (globalThis as { process?: { exit(code: number): void } }).process?.exit(0),
  (error) => {
    console.error(error)
    ;(globalThis as { process?: { exit(code: number): void } }).process?.exit(1)
  }
)
