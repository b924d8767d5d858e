import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Dvp from "../../src/Dvp.ts"
import { rawHeader, rawRow } from "./fixtures.ts"
import { dvpLayer, publisher, transports, useServer } from "./helpers.ts"
import type { Encoding, FileKey } from "./server.ts"

const server = useServer()

const keyOf = (field: string) =>
  ({
    action_day: "actionDay",
    http_method: "httpMethod",
    user_agent_tool: "userAgentTool",
    user_agent_version: "userAgentVersion"
  } as Record<string, string>)[field] ?? field

/** What the SDK should make of generated row `i`. */
const expectedRow = (source: ReturnType<typeof server.current.rawSource>, i: number) => {
  const fields = rawRow(source, i)
  const row: Record<string, unknown> = {}
  rawHeader.forEach((name, k) => {
    if (name !== "region") row[keyOf(name)] = fields[k]
  })
  return { ...row, extra: { region: fields[16] } }
}

const week = 20

for (const transport of transports) {
  describe(`export files over ${transport}`, () => {
    const layer = () => dvpLayer(server.current, publisher(server.current), { transport })

    it.live("raw rows of a week: every row, in order, over two files (one behind a redirect)", () =>
      Effect.gen(function*() {
        const rows = yield* Stream.runCollect(Dvp.rawRows("acme", 2026, "weeks", week))
        const total = server.current.rawRowCount("acme", 2026, "weeks", week)
        expect(rows.length).toBe(total)
        const source = server.current.rawSource("acme", 2026, "weeks", week)
        rows.forEach((row, i) => expect(row).toEqual(expectedRow(source, i)))
        expect(rows.every(Schema.is(Dvp.RawRow))).toBe(true)
        // the data the generator puts in: nulls, quoted commas, quotes and newlines
        expect(rows.some((r) => r.tag === null && r.action === "pull_by_digest")).toBe(true)
        expect(rows.some((r) => r.type === "Healthcare, Pharma")).toBe(true)
        expect(rows.some((r) => r.domain === "two\nlines.example")).toBe(true)
        expect(rows.some((r) => r.domain === "say \"hi\".example")).toBe(true)
        expect(rows.some((r) => r.host === "")).toBe(true)
        const downloads = server.current.log
          .filter((e) => e.operation === "download")
          .map((e) => `${e.path.slice(0, 3)} ${e.status}`)
        expect(downloads).toEqual(["/fi 200", "/r/ 302", "/fi 200"])
        expect(server.current.log.filter((e) => e.server === "storage").every((e) => !e.authorization)).toBe(true)
      }).pipe(Effect.provide(layer())))

    it.live("summary views decode to typed counts that agree with the raw rows", () =>
      Effect.gen(function*() {
        const raw = yield* Stream.runCollect(Dvp.rawRows("acme", 2026, "weeks", week))
        const count = (action: string, repo?: string) =>
          raw.filter((r) => r.action === action && (repo === undefined || r.repository === repo)).length

        const [ns] = yield* Stream.runCollect(Dvp.summaryRows("acme", 2026, "weeks", week, "namespace-summary"))
        expect(ns).toMatchObject({
          namespace: "acme",
          pullsByTag: count("pull_by_tag"),
          pullsByDigest: count("pull_by_digest"),
          versionChecks: count("version_check"),
          owner: "Acme Corp",
          extra: {}
        })
        expect(ns!.uniqueIps).toBeGreaterThan(0)

        const repos = yield* Stream.runCollect(Dvp.summaryRows("acme", 2026, "weeks", week, "repo-summary"))
        expect(repos.length).toBe(new Set(raw.map((r) => r.repository)).size)
        for (const r of repos) expect(r.pullsByTag).toBe(count("pull_by_tag", r.repository!))

        const refs = yield* Stream.runCollect(Dvp.summaryRows("acme", 2026, "weeks", week))
        expect(refs.reduce((n, r) => n + (r.pullsByDigest ?? 0), 0)).toBe(count("pull_by_digest"))
        // version checks written as \N where there were none
        expect(refs.some((r) => r.versionChecks === null)).toBe(true)
        expect(refs[0]!.extra).toEqual({ timespan: `2026-weeks-${week}` })
        expect(refs.every(Schema.is(Dvp.SummaryRow))).toBe(true)
      }).pipe(Effect.provide(layer())))

    const encodings: ReadonlyArray<Encoding> = ["plain", "gzip", "gzip-wrong-type", "gzip-no-type", "gzip-encoding"]
    it.live("gzip is found by its magic bytes whatever the headers say (and plain text is left alone)", () =>
      Effect.gen(function*() {
        const source = server.current.rawSource("globex", 2026, "weeks", 7)
        const total = server.current.rawRowCount("globex", 2026, "weeks", 7)
        for (const encoding of encodings) {
          for (const redirect of [false, true]) {
            const key: FileKey = {
              namespace: "globex",
              year: 2026,
              timespanType: "weeks",
              timespan: 7,
              view: "raw",
              part: 0,
              parts: 1,
              encoding,
              redirect
            }
            const rows = yield* Stream.runCollect(Dvp.rowsOfFiles([server.current.fileUrl(key)], "raw"))
            expect(rows.length).toBe(total)
            expect(rows[0]).toEqual(expectedRow(source, 0))
            expect(rows.at(-1)).toEqual(expectedRow(source, total - 1))
          }
        }
      }).pipe(Effect.provide(layer())))

    it.live("download gives the inflated bytes", () =>
      Effect.gen(function*() {
        const key: FileKey = {
          namespace: "globex",
          year: 2026,
          timespanType: "weeks",
          timespan: 7,
          view: "namespace-summary",
          part: 0,
          parts: 1,
          encoding: "gzip-no-type",
          redirect: true
        }
        const text = yield* Stream.mkString(Stream.decodeText(Dvp.download(server.current.fileUrl(key))))
        const header = "namespace,unique_ip_count,pull_by_tag,pull_by_digest,version_check,owner"
        expect(text.startsWith(`${header}\r\nglobex,`)).toBe(true)
      }).pipe(Effect.provide(layer())))

    it.live("truncated gzip fails with DvpCsvError; an expired signature with DvpForbidden", () =>
      Effect.gen(function*() {
        const key: FileKey = {
          namespace: "globex",
          year: 2026,
          timespanType: "weeks",
          timespan: 7,
          view: "raw",
          part: 0,
          parts: 1,
          encoding: "gzip-truncated",
          redirect: false
        }
        const url = server.current.fileUrl(key)
        const truncated = yield* Effect.flip(Stream.runDrain(Dvp.rowsOfFiles([url], "raw")))
        expect(truncated._tag).toBe("DvpCsvError")
        expect(truncated.message).toMatch(/^the gzip data is corrupt or truncated/)
        expect(truncated).toMatchObject({ url: url.slice(0, url.indexOf("?")) })
        const forbidden = yield* Effect.flip(Stream.runDrain(Dvp.download(url.replace(/sig=\w+/, "sig=bad"))))
        expect(forbidden).toMatchObject({ _tag: "DvpForbidden", status: 403, operation: "download" })
      }).pipe(Effect.provide(layer())))
  })
}

describe("decoding bytes directly", () => {
  const bytes = (...parts: ReadonlyArray<string>) => Stream.fromIterable(parts.map((p) => new TextEncoder().encode(p)))

  it.effect("a header of unknown spellings still maps, the rest goes to extra", () =>
    Effect.gen(function*() {
      const rows = yield* Stream.runCollect(
        Dvp.decodeRawRows(
          bytes("Action,Action Day,HTTP Method,User-Agent Tool,Client\r\n", "pull_by_tag,2026-01-05,GET,docker,x\r\n")
        )
      )
      expect(rows).toEqual([
        {
          action: "pull_by_tag",
          actionDay: "2026-01-05",
          httpMethod: "GET",
          userAgentTool: "docker",
          extra: { Client: "x" }
        }
      ])
    }))

  it.effect("a record whose width differs from the header fails with its record number", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Stream.runDrain(
          Dvp.decodeRawRows(bytes("action,tag\n", "a,b\n", "c\n"), { url: "https://x/f.csv?X-Amz-Signature=s" })
        )
      )
      expect(error).toMatchObject({
        _tag: "DvpCsvError",
        record: 3,
        url: "https://x/f.csv",
        message: "the record has 1 fields, the header 2"
      })
    }))

  it.effect("a count that is not a number fails; empty and \\N counts are null", () =>
    Effect.gen(function*() {
      const ok = yield* Stream.runCollect(
        Dvp.decodeSummaryRows(bytes("pull_by_tag,unique_ip_count\n", "\\N,\n", "12,3\n"))
      )
      expect(ok).toEqual([
        { pullsByTag: null, uniqueIps: null, extra: {} },
        { pullsByTag: 12, uniqueIps: 3, extra: {} }
      ])
      const error = yield* Effect.flip(Stream.runDrain(Dvp.decodeSummaryRows(bytes("pull_by_tag\n", "many\n"))))
      expect(error).toMatchObject({ _tag: "DvpCsvError", record: 2 })
    }))

  it.effect("a duplicated column is refused", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(Dvp.decodeRawRows(bytes("tag,Tag\n"))))
      expect(error.message).toBe("the header names the column \"Tag\" twice")
    }))

  it.effect("gzip split so its magic bytes arrive in separate chunks", () =>
    Effect.gen(function*() {
      const gz = yield* Effect.promise(async () =>
        new Uint8Array(
          await new Response(
            new Blob(["tag\nlatest\n"]).stream().pipeThrough(new CompressionStream("gzip"))
          ).arrayBuffer()
        )
      )
      const chunks = [gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)]
      const rows = yield* Stream.runCollect(Dvp.decodeRawRows(Stream.fromIterable(chunks)))
      expect(rows).toEqual([{ tag: "latest", extra: {} }])
    }))

  it.effect("a UTF-8 byte order mark is dropped, so the first column still maps", () =>
    Effect.gen(function*() {
      const rows = yield* Stream.runCollect(Dvp.decodeRawRows(bytes("\uFEFFaction,tag\n", "pull_by_tag,latest\n")))
      expect(rows).toEqual([{ action: "pull_by_tag", tag: "latest", extra: {} }])
    }))

  it.effect("an empty body is no rows, one byte is plain text", () =>
    Effect.gen(function*() {
      expect(yield* Stream.runCollect(Dvp.decodeCsv(Stream.empty))).toEqual([])
      expect(yield* Stream.runCollect(Dvp.decodeCsv(bytes("\x1f")))).toEqual([["\x1f"]])
    }))
})
