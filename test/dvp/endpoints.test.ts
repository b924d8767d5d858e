import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Dvp from "../../src/Dvp.ts"
import { pullCount } from "./fixtures.ts"
import { dvpLayer, publisher, useServer } from "./helpers.ts"

const server = useServer()

const run = <A, E>(effect: Effect.Effect<A, E, Dvp.DvpClient | Dvp.HubAuth>) =>
  effect.pipe(Effect.provide(dvpLayer(server.current, publisher(server.current))))

describe("every DVP endpoint against the test server", () => {
  it.live("GET / (getNamespaces)", () =>
    run(Effect.gen(function*() {
      const data = yield* Dvp.namespaces()
      expect(data).toEqual({ namespaces: ["acme", "globex"] })
      expect(server.current.count("getNamespaces")).toBe(1)
    })))

  it.live("GET /namespaces (getUserNamespaces)", () =>
    run(Effect.gen(function*() {
      const list = yield* Dvp.userNamespaces()
      expect(list.map((n) => n.namespace)).toEqual(["acme", "globex"])
      expect(list[0]).toEqual({
        namespace: "acme",
        extraRepos: ["partner/acme-helper"],
        datasets: [{
          name: "pulls",
          views: ["raw", "summary", "repo-summary", "namespace-summary"],
          timespans: ["months", "weeks"]
        }]
      })
    })))

  it.live("GET /namespaces/{namespace} (getNamespace), and DvpNotFound with the server's message", () =>
    run(Effect.gen(function*() {
      const acme = yield* Dvp.namespace("acme")
      expect(acme.namespace).toBe("acme")
      expect(acme.datasets?.[0]?.views).toContain("repo-summary")
      const missing = yield* Effect.flip(Dvp.namespace("initech"))
      expect(missing._tag).toBe("DvpNotFound")
      expect(missing).toMatchObject({ operation: "getNamespace", status: 404 })
      expect(missing.message).toBe("namespace doesn't exist or user does not have permission to access it")
    })))

  it.live("GET /namespaces/{namespace}/pulls (getNamespacePulls) with timespan, period and group", () =>
    run(Effect.gen(function*() {
      const byRepo = yield* Dvp.namespacePulls("globex", { timespan: "weeks", period: "last-3-months", group: "repo" })
      const pulls = byRepo.pulls ?? []
      // 13 weeks × 8 repos
      expect(pulls.length).toBe(13 * 8)
      for (const p of pulls) expect(p.pullCount).toBe(pullCount("globex", p.repo!, p.start!))
      const entry = server.current.log.find((e) => e.operation === "getNamespacePulls")!
      expect(entry.query).toBe("?timespan=weeks&period=last-3-months&group=repo")

      const total = yield* Dvp.namespacePulls("globex", {
        timespan: "weeks",
        period: "last-3-months",
        group: "namespace"
      })
      expect(total.pulls?.length).toBe(13)
      const firstWeek = total.pulls![0]!
      const sum = pulls.filter((p) => p.start === firstWeek.start).reduce((n, p) => n + p.pullCount!, 0)
      expect(firstWeek.pullCount).toBe(sum)
      expect(firstWeek.repo).toBeUndefined()

      const monthly = yield* Dvp.namespacePulls("globex", { timespan: "months", period: "last-6-months" })
      expect(monthly.pulls?.map((p) => p.start)).toEqual([
        "2026-05-01",
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01"
      ])
    })))

  it.live("GET /namespaces/{namespace}/repos/{repo}/pulls (getRepoPulls)", () =>
    run(Effect.gen(function*() {
      const data = yield* Dvp.repoPulls("acme", "repo-042", { timespan: "weeks", period: "last-2-months" })
      expect(data.pulls?.length).toBe(9)
      for (const p of data.pulls!) {
        expect(p).toMatchObject({
          namespace: "acme",
          repo: "repo-042",
          pullCount: pullCount("acme", "repo-042", p.start!)
        })
      }
      const missing = yield* Effect.flip(Dvp.repoPulls("acme", "repo-999"))
      expect(missing).toMatchObject({ _tag: "DvpNotFound", status: 404, operation: "getRepoPulls" })
    })))

  it.live("GET /repos/pulls (getManyReposPulls)", () =>
    run(Effect.gen(function*() {
      const data = yield* Dvp.reposPulls(["acme/repo-001", "globex/repo-002", "acme/nope"], { timespan: "weeks" })
      expect(Object.keys(data.repos ?? {}).sort()).toEqual(["acme/repo-001", "globex/repo-002"])
      expect(data.repos?.["globex/repo-002"]?.pulls?.[0]?.repo).toBe("repo-002")
      const entry = server.current.log.find((e) => e.operation === "getManyReposPulls")!
      expect(entry.query).toBe("?repos=acme%2Frepo-001&repos=globex%2Frepo-002&repos=acme%2Fnope&timespan=weeks")
    })))

  it.live("GET …/exports/years (getNamespaceYears)", () =>
    run(Effect.gen(function*() {
      expect(yield* Dvp.years("acme")).toEqual({ years: [{ year: 2025 }, { year: 2026 }] })
    })))

  it.live("GET …/exports/years/{year}/{timespantype} (getNamespaceTimespans), weeks and months", () =>
    run(Effect.gen(function*() {
      const weeks = yield* Dvp.timespans("acme", 2026, "weeks")
      expect(weeks.weeks?.at(0)).toEqual({ week: 1 })
      expect(weeks.weeks?.at(-1)).toEqual({ week: server.current.largeExport.week })
      expect(weeks.months).toBeUndefined()
      const months = yield* Dvp.timespans("acme", 2026, "months")
      expect(months.months?.map((m) => m.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    })))

  it.live("GET …/{timespantype}/{timespan} (getNamespaceTimespanMetadata)", () =>
    run(Effect.gen(function*() {
      expect(yield* Dvp.timespanMetadata("acme", 2026, "weeks", 12)).toEqual({ week: 12 })
      expect(yield* Dvp.timespanMetadata("acme", 2025, "months", 7)).toEqual({ month: 7 })
      const future = yield* Effect.flip(Dvp.timespanMetadata("acme", 2026, "months", 12))
      expect(future).toMatchObject({ _tag: "DvpNotFound", message: "no data for this timespan" })
    })))

  it.live("GET …/{timespan}/{dataview} (getNamespaceDataByTimespan) for every data view", () =>
    run(Effect.gen(function*() {
      const raw = yield* Dvp.dataFiles("acme", 2026, "weeks", 20, "raw")
      expect(raw.data?.length).toBe(2)
      for (const file of raw.data!) {
        expect(file.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/(r|files)\/[\w-]+\?sig=/)
        expect(file.size).toBeGreaterThan(1000)
      }
      for (const view of ["summary", "repo-summary", "namespace-summary"] as const) {
        const files = yield* Dvp.dataFiles("acme", 2026, "weeks", 20, view)
        expect(files.data?.length).toBe(1)
      }
    })))

  it.live("refuses path arguments that are not one segment, before sending anything", () =>
    run(Effect.gen(function*() {
      for (const bad of ["", ".", "..", "a/b"]) {
        const error = yield* Effect.flip(Dvp.namespace(bad))
        expect(error).toMatchObject({ _tag: "DvpInvalidArgument", argument: "namespace" })
      }
      const year = yield* Effect.flip(Dvp.timespans("acme", -1, "weeks"))
      expect(year).toMatchObject({ _tag: "DvpInvalidArgument", argument: "year" })
      expect(server.current.count("getNamespace")).toBe(0)
    })))

  it.live("a namespace name is percent-encoded in the path", () =>
    run(Effect.gen(function*() {
      const error = yield* Effect.flip(Dvp.namespace("a b?c"))
      expect(error._tag).toBe("DvpNotFound")
      expect(server.current.log.at(-1)?.path).toBe("/api/publisher/analytics/v1/namespaces/a%20b%3Fc")
    })))
})
