/**
 * Export files a careless or hostile producer could send: multi-member gzip, zlib, raw deflate, a record of 16 Mi
 * empty fields, columns named `__proto__`, counts beyond 2^53 (in CSV and in JSON). Each either reads fully and
 * exactly or fails with a typed error.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import * as zlib from "node:zlib"
import * as Dvp from "../../src/Dvp.ts"
import { CsvParser, type CsvRecord } from "../../src/dvp/internal/csv.ts"
import { GzipMemberScanner } from "../../src/dvp/internal/gzip.ts"
import { dvpLayer, publisher, transports, useServer } from "./helpers.ts"
import type { Content, Encoding, FileKey } from "./server.ts"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const MB = 1024 * 1024

const server = useServer()

const fileKey = (encoding: Encoding, content?: Content, view: FileKey["view"] = "raw"): FileKey => ({
  namespace: "globex",
  year: 2026,
  timespanType: "weeks",
  timespan: 7,
  view,
  part: 0,
  parts: 1,
  encoding,
  redirect: true,
  ...(content === undefined ? {} : { content })
})

const parseText = (text: string): Array<CsvRecord> => {
  const parser = new CsvParser()
  const out: Array<CsvRecord> = []
  expect(parser.write(text, out)).toBeUndefined()
  expect(parser.end(out)).toBeUndefined()
  return out
}

/** A gzip member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC with its right CRC) spliced in. */
const withHeaderFields = (member: Buffer): Buffer => {
  const head = Buffer.from(member.subarray(0, 10))
  head[3] = 2 | 4 | 8 | 16
  const extra = Buffer.from([5, 0, 0x41, 0x70, 2, 0, 9])
  const names = Buffer.from("part.csv\0latin1 \xe9\0", "latin1")
  const header = Buffer.concat([head, extra, names])
  const crc = Buffer.alloc(2)
  crc.writeUInt16LE(zlib.crc32(header) & 0xffff)
  return Buffer.concat([header, crc, member.subarray(10)])
}

/** Cuts bytes at the given offsets (sorted, deduplicated, inside the array). */
const cut = (bytes: Uint8Array, offsets: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let from = 0
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p))
    from = Math.max(from, p)
  }
  if (from < bytes.length) out.push(bytes.subarray(from))
  return out
}

const memberArb = fc.record({
  level: fc.integer({ min: 0, max: 9 }),
  strategy: fc.constantFrom(
    zlib.constants.Z_DEFAULT_STRATEGY,
    zlib.constants.Z_FILTERED,
    zlib.constants.Z_HUFFMAN_ONLY,
    zlib.constants.Z_RLE,
    zlib.constants.Z_FIXED
  ),
  headerFields: fc.boolean()
})

/** Text with long repeats (long matches, far distances) and varied literals, some non-ASCII. */
const textArb = fc.array(
  fc.oneof(
    fc.constantFrom("pull_by_tag,2026-01-05,latest\n", "version_check,\\N,\"a,b\"\r\n", "é,ü,日本\n"),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n",]/g, "") + "\n"),
    fc.integer({ min: 1, max: 70_000 }).map((n) => "x".repeat(n) + "\n")
  ),
  { maxLength: 60 }
).map((parts) => parts.join(""))

describe("multi-member gzip", () => {
  it("the scanner finds every member's end, under any chunking (200 runs, seed 6101)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(textArb, memberArb), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (members, cuts) => {
          const encoded = members.map(([text, m]) => {
            const member = zlib.gzipSync(text, { level: m.level, strategy: m.strategy })
            return m.headerFields ? withHeaderFields(member) : member
          })
          const all = Buffer.concat(encoded)
          const expected: Array<number> = []
          let end = 0
          for (const member of encoded) expected.push(end += member.length)
          const scanner = new GzipMemberScanner()
          const found: Array<number> = []
          let offset = 0
          for (const chunk of cut(all, cuts)) {
            const ends = scanner.write(chunk)
            if (typeof ends === "string") throw new Error(ends)
            for (const e of ends) found.push(offset + e)
            offset += chunk.length
          }
          expect(scanner.end()).toBeUndefined()
          expect(found).toEqual(expected)
        }
      ),
      { seed: 6101, numRuns: 200 }
    )
  })

  it("cat a.gz b.gz … decodes to every member's rows, under any chunking (100 runs, seed 6102)", async () => {
    await fc.assert(
      fc.asyncProperty(
        textArb,
        fc.array(fc.tuple(fc.nat(), memberArb), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (text, memberCuts, chunkCuts) => {
          // members cut the bytes anywhere: mid-record, mid-character
          const plain = Buffer.from(text, "utf8")
          const points = [0, ...memberCuts.map(([o]) => o % (plain.length + 1)).sort((a, b) => a - b), plain.length]
          const members = points.slice(1).map((to, i) => {
            const m = memberCuts[i]?.[1]
            const member = zlib.gzipSync(plain.subarray(points[i]!, to), m)
            return m?.headerFields ? withHeaderFields(member) : member
          })
          const bytes = Buffer.concat(members)
          const rows = await Effect.runPromise(
            Stream.runCollect(Dvp.decodeCsv(Stream.fromIterable(cut(bytes, chunkCuts))))
          )
          expect(rows).toEqual(parseText(text))
        }
      ),
      { seed: 6102, numRuns: 100 }
    )
  })

  it("a flipped byte anywhere gives the same rows or a DvpCsvError, never other rows (300 runs, seed 6103)", async () => {
    const text = "action,tag\n" + Array.from({ length: 400 }, (_, i) => `pull_by_tag,v${i % 37}\n`).join("")
    const members = [zlib.gzipSync(text.slice(0, 2000)), withHeaderFields(zlib.gzipSync(text.slice(2000)))]
    const bytes = Buffer.concat(members)
    const expected = parseText(text)
    expect(await Effect.runPromise(Stream.runCollect(Dvp.decodeCsv(Stream.make(bytes))))).toEqual(expected)
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const copy = Buffer.from(bytes)
        const i = at % copy.length
        copy[i] = copy[i]! ^ mask
        const result = await Effect.runPromise(Effect.result(Stream.runCollect(Dvp.decodeCsv(Stream.make(copy)))))
        if (result._tag === "Success") expect(result.success).toEqual(expected)
        else expect(result.failure._tag).toBe("DvpCsvError")
      }),
      { seed: 6103, numRuns: 300 }
    )
  })

  it("bytes after the last member that are not a member fail typed; an empty member reads as nothing", () =>
    Effect.gen(function*() {
      const member = zlib.gzipSync("tag\nlatest\n")
      const junk = yield* Effect.flip(
        Stream.runDrain(Dvp.decodeCsv(Stream.make(Buffer.concat([member, Buffer.from("junk")]))))
      )
      expect(junk).toMatchObject({ _tag: "DvpCsvError", record: 0 })
      expect(junk.message).toBe(
        "the gzip data is corrupt or truncated: the bytes after a gzip member are not another gzip member"
      )
      const rows = yield* Stream.runCollect(
        Dvp.decodeCsv(Stream.make(Buffer.concat([zlib.gzipSync(""), member, zlib.gzipSync("")])))
      )
      expect(rows).toEqual([["tag"], ["latest"]])
      const truncated = yield* Effect.flip(
        Stream.runDrain(Dvp.decodeCsv(Stream.make(Buffer.concat([member, member.subarray(0, 15)]))))
      )
      expect(truncated.message).toMatch(/^the gzip data is corrupt or truncated/)
    }).pipe(Effect.runPromise))
})

describe("zlib and raw deflate", () => {
  it.effect("zlib at every level is inflated", () =>
    Effect.gen(function*() {
      for (const level of [0, 1, 6, 9]) {
        const bytes = zlib.deflateSync("tag,repository\nlatest,api\n", { level })
        const rows = yield* Stream.runCollect(Dvp.decodeRawRows(Stream.make(bytes)))
        expect(rows).toEqual([{ tag: "latest", repository: "api", extra: {} }])
      }
    }))

  it.effect("raw deflate, and any other bytes that are not UTF-8, fail typed before a row is read", () =>
    Effect.gen(function*() {
      const text = "tag,repository\n" + "latest,api\n".repeat(1000)
      for (const bytes of [zlib.deflateRawSync(text), zlib.brotliCompressSync(text), Buffer.from([0x61, 0xff, 0x0a])]) {
        let rows = 0
        const error = yield* Effect.flip(
          Stream.runForEach(Dvp.decodeRawRows(Stream.make(bytes)), () => Effect.sync(() => rows++))
        )
        expect(rows).toBe(0)
        expect(error).toMatchObject({
          _tag: "DvpCsvError",
          record: 0,
          message: "the data is not UTF-8 text, gzip or zlib (raw deflate and other compressions are not read)"
        })
      }
    }))

  it.effect("corrupt zlib fails typed", () =>
    Effect.gen(function*() {
      const bytes = zlib.deflateSync("tag\n" + "latest\n".repeat(100))
      const error = yield* Effect.flip(Stream.runDrain(Dvp.decodeCsv(Stream.make(bytes.subarray(0, 10)))))
      expect(error.message).toMatch(/^the zlib data is corrupt or truncated/)
    }))
})

describe("record bounds", () => {
  it("a record of 16 Mi empty fields fails at field 4097, within the first 64 KiB chunk, heap flat", async () => {
    const chunks = 256
    let pulled = 0
    const heap: Array<number> = []
    gc()
    const baseline = process.memoryUsage().heapUsed
    const commas = new TextEncoder().encode(",".repeat(64 * 1024))
    // one 64 KiB chunk per pull, the heap sampled (without a GC) as each is handed out
    const header = Stream.make(new TextEncoder().encode("action,tag\n"))
    const body = Stream.fromPull(Effect.succeed(Effect.suspend(() => {
      if (pulled === chunks) return Cause.done()
      pulled++
      heap.push(process.memoryUsage().heapUsed - baseline)
      return Effect.succeed(Arr.of(commas))
    })))
    const bytes = Stream.concat(header, body)
    const error = await Effect.runPromise(Effect.flip(Stream.runDrain(Dvp.decodeRawRows(bytes))))
    heap.push(process.memoryUsage().heapUsed - baseline)
    gc()
    const retained = process.memoryUsage().heapUsed - baseline
    const peak = Math.max(...heap, retained)
    console.log(
      `[dvp bounds] 16 Mi-field record: failed after ${pulled} of ${chunks} 64 KiB chunks; heap growth peak ` +
        `${(peak / MB).toFixed(2)} MB, retained ${(retained / MB).toFixed(2)} MB`
    )
    expect(error).toMatchObject({ _tag: "DvpCsvError", record: 2, message: "a record has more than 4096 fields" })
    expect(pulled).toBeLessThanOrEqual(2)
    expect(peak).toBeLessThan(8 * MB)
  })

  it("the bounds are options: fields per record, record length, field length", () =>
    Effect.gen(function*() {
      const text = (s: string) => Stream.make(new TextEncoder().encode(s))
      const fields = yield* Effect.flip(Stream.runDrain(Dvp.decodeCsv(text("a,b,c\n"), { maxFieldsPerRecord: 2 })))
      expect(fields).toMatchObject({ record: 1, message: "a record has more than 2 fields" })
      const long = ["x".repeat(100), "y".repeat(100), "\"" + "z".repeat(100) + "\""].join(",")
      const record = yield* Effect.flip(
        Stream.runDrain(Dvp.decodeCsv(text(`a\n${long}\n`), { maxFieldLength: 100, maxRecordLength: 250 }))
      )
      expect(record).toMatchObject({ record: 2, message: "a record is longer than 250 characters" })
      // a record cut across chunks is bounded too
      const split = yield* Effect.flip(
        Stream.runDrain(
          Dvp.decodeCsv(
            Stream.fromIterable([long.slice(0, 150), long.slice(150)].map((s) => new TextEncoder().encode(s))),
            { maxFieldLength: 100, maxRecordLength: 180 }
          )
        )
      )
      expect(split).toMatchObject({ record: 1, message: "a record is longer than 180 characters" })
      const within = yield* Stream.runCollect(
        Dvp.decodeCsv(text(`${long}\n`), { maxFieldLength: 100, maxRecordLength: 302 })
      )
      expect(within.length).toBe(1)
    }).pipe(Effect.runPromise))
})

describe("exact counts and safe column names", () => {
  it.effect("a count of 2^53 + 1 fails typed; 2^53 - 1 is exact", () =>
    Effect.gen(function*() {
      const text = (s: string) => Stream.make(new TextEncoder().encode(s))
      const error = yield* Effect.flip(
        Stream.runDrain(Dvp.decodeSummaryRows(text("pull_by_tag\n9007199254740993\n")))
      )
      expect(error).toMatchObject({
        _tag: "DvpCsvError",
        record: 2,
        message: "the column \"pullsByTag\" holds 9007199254740993, beyond 2^53 - 1: not exact as a number"
      })
      const rows = yield* Stream.runCollect(Dvp.decodeSummaryRows(text("pull_by_tag\n9007199254740991\n")))
      expect(rows[0]!.pullsByTag).toBe(9007199254740991)
    }))

  it.effect("columns named __proto__, constructor and toString keep their values as own properties", () =>
    Effect.gen(function*() {
      const bytes = Stream.make(new TextEncoder().encode("tag,__proto__,constructor,toString\nlatest,a,b,c\n"))
      const [row] = yield* Stream.runCollect(Dvp.decodeRawRows(bytes))
      const extra = row!.extra
      expect(Object.getPrototypeOf(extra)).toBe(Object.prototype)
      expect(Object.keys(extra)).toEqual(["__proto__", "constructor", "toString"])
      expect(Object.getOwnPropertyDescriptor(extra, "__proto__")?.value).toBe("a")
      expect(extra["constructor"]).toBe("b")
      expect(extra["toString"]).toBe("c")
      expect(JSON.stringify(extra)).toBe("{\"__proto__\":\"a\",\"constructor\":\"b\",\"toString\":\"c\"}")
    }))
})

for (const transport of transports) {
  describe(`hostile export files through the client over ${transport}`, () => {
    const layer = (options?: Partial<Dvp.LayerOptions>) =>
      dvpLayer(server.current, publisher(server.current), { transport, ...options })
    const urlOf = (key: FileKey) => server.current.fileUrl(key)

    it.live("gzip members, zlib: every row; raw deflate: DvpCsvError", () =>
      Effect.gen(function*() {
        const total = server.current.rawRowCount("globex", 2026, "weeks", 7)
        const reference = yield* Stream.runCollect(Dvp.rowsOfFiles([urlOf(fileKey("plain"))], "raw"))
        expect(reference.length).toBe(total)
        for (const encoding of ["gzip-members", "zlib"] as const) {
          const rows = yield* Stream.runCollect(Dvp.rowsOfFiles([urlOf(fileKey(encoding))], "raw"))
          expect(rows).toEqual(reference)
        }
        const text = yield* Stream.mkString(Stream.decodeText(Dvp.download(urlOf(fileKey("gzip-members")))))
        const plain = yield* Stream.mkString(Stream.decodeText(Dvp.download(urlOf(fileKey("plain")))))
        expect(text).toBe(plain)
        const url = urlOf(fileKey("deflate-raw"))
        const error = yield* Effect.flip(Stream.runDrain(Dvp.rowsOfFiles([url], "raw")))
        expect(error).toMatchObject({ _tag: "DvpCsvError", record: 0, url: url.slice(0, url.indexOf("?")) })
        expect(error.message).toMatch(/^the data is not UTF-8 text/)
      }).pipe(Effect.provide(layer())))

    it.live("a 16 Mi-field record fails typed; __proto__ keeps its value; 2^53 + 1 fails typed", () =>
      Effect.gen(function*() {
        const wideUrl = urlOf(fileKey("gzip", "wide-record"))
        const wide = yield* Effect.flip(Stream.runDrain(Dvp.rowsOfFiles([wideUrl], "raw")))
        expect(wide).toMatchObject({ _tag: "DvpCsvError", record: 2, message: "a record has more than 4096 fields" })
        const protoUrl = urlOf(fileKey("gzip-members", "proto-columns"))
        const [row] = yield* Stream.runCollect(Dvp.rowsOfFiles([protoUrl], "raw"))
        expect(row!.action).toBe("pull_by_tag")
        expect(Object.getOwnPropertyDescriptor(row!.extra, "__proto__")?.value).toBe("a")
        expect(Object.entries(row!.extra)).toEqual([["__proto__", "a"], ["constructor", "b"], ["toString", "c"]])
        const huge = yield* Effect.flip(
          Stream.runDrain(Dvp.rowsOfFiles([urlOf(fileKey("zlib", "huge-count", "summary"))], "summary"))
        )
        expect(huge).toMatchObject({ _tag: "DvpCsvError", record: 2 })
        expect(huge.message).toMatch(/holds 9007199254740993, beyond 2\^53 - 1/)
      }).pipe(Effect.provide(layer())))

    it.live("the client's csvLimits reach the decoder", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Stream.runDrain(Dvp.rowsOfFiles([urlOf(fileKey("gzip"))], "raw")))
        expect(error).toMatchObject({ _tag: "DvpCsvError", record: 1, message: "a record has more than 4 fields" })
      }).pipe(Effect.provide(layer({ csvLimits: { maxFieldsPerRecord: 4 } }))))

    it.live("a JSON count of 2^53 + 1 fails with DvpDecodeError instead of rounding", () =>
      Effect.gen(function*() {
        server.current.inject({
          operation: "getNamespacePulls",
          status: 200,
          body: "{\"pulls\":[{\"repo\":\"api\",\"pullCount\":9007199254740993}]}"
        })
        const error = yield* Effect.flip(Dvp.namespacePulls("acme"))
        expect(error).toMatchObject({ _tag: "DvpDecodeError", operation: "getNamespacePulls", status: 200 })
        expect(error.message).toMatch(/pullCount/)
        server.current.inject({
          operation: "getNamespacePulls",
          status: 200,
          body: "{\"pulls\":[{\"repo\":\"api\",\"pullCount\":9007199254740991}]}"
        })
        const exact = yield* Dvp.namespacePulls("acme")
        expect(exact.pulls?.[0]?.pullCount).toBe(9007199254740991)
      }).pipe(Effect.provide(layer())))
  })
}
