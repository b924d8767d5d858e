import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as Dvp from "../../src/Dvp.ts"
import { CsvParser, type CsvRecord, formatField } from "../../src/dvp/internal/csv.ts"

const parseAll = (chunks: ReadonlyArray<string>): Array<CsvRecord> | string => {
  const parser = new CsvParser()
  const out: Array<CsvRecord> = []
  for (const chunk of chunks) {
    const error = parser.write(chunk, out)
    if (error) return `record ${error.record}: ${error.reason}`
  }
  const error = parser.end(out)
  return error ? `record ${error.record}: ${error.reason}` : out
}

/** Every way to cut `text` in two, plus one chunk per character. */
const splits = (text: string): Array<Array<string>> => {
  const out: Array<Array<string>> = [[text], [...text]]
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)])
  return out
}

const encoder = new TextEncoder()

const gzip = async (bytes: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(
    await new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer()
  )

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

describe("CsvParser", () => {
  const cases: ReadonlyArray<readonly [string, string, Array<CsvRecord>]> = [
    ["plain", "a,b\n1,2\n", [["a", "b"], ["1", "2"]]],
    ["no final newline", "a,b\n1,2", [["a", "b"], ["1", "2"]]],
    ["crlf", "a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]],
    ["lone cr", "a,b\r1,2", [["a", "b"], ["1", "2"]]],
    ["quoted comma", "\"a,b\",c\n", [["a,b", "c"]]],
    ["quoted newline", "\"line1\nline2\",x\r\n", [["line1\nline2", "x"]]],
    ["quoted crlf", "\"a\r\nb\"\r\n", [["a\r\nb"]]],
    ["escaped quotes", "\"say \"\"hi\"\"\",\"\"\"\"\n", [["say \"hi\"", "\""]]],
    ["empty fields", ",,\n", [["", "", ""]]],
    ["trailing empty field", "a,\n", [["a", ""]]],
    ["quoted empty", "\"\"\n", [[""]]],
    ["empty lines skipped", "a\n\n\r\nb\n", [["a"], ["b"]]],
    ["null token", "\\N,\"\\N\",x\\N\n", [[null, "\\N", "x\\N"]]],
    ["unicode", "é,😀,中文\n", [["é", "😀", "中文"]]],
    ["quote inside unquoted kept", "ab\"c,d\n", [["ab\"c", "d"]]]
  ]
  for (const [name, text, expected] of cases) {
    it(`${name}, under every split`, () => {
      for (const chunks of splits(text)) expect(parseAll(chunks)).toEqual(expected)
    })
  }

  it("rejects text after a closing quote, naming the record", () => {
    expect(parseAll(["a\n\"b\"c,d\n"])).toBe("record 2: unexpected character \"c\" after a closing quote")
  })

  it("rejects an unclosed quote at the end", () => {
    expect(parseAll(["a\n\"open,\nstill open"])).toBe("record 2: a quoted field is not closed at the end of the input")
  })

  it("bounds the field it buffers", () => {
    const parser = new CsvParser({ maxFieldLength: 10 })
    const out: Array<CsvRecord> = []
    expect(parser.write("\"0123456", out)).toBeUndefined()
    expect(parser.write("789abc", out)?.reason).toBe("a field is longer than 10 characters")
  })

  it("formatField quotes what must be quoted", () => {
    expect(formatField("plain")).toBe("plain")
    expect(formatField("a,b")).toBe("\"a,b\"")
    expect(formatField("a\"b")).toBe("\"a\"\"b\"")
    expect(formatField(null)).toBe("\\N")
    expect(formatField("\\N")).toBe("\"\\N\"")
    expect(formatField("x", true)).toBe("\"x\"")
  })
})

// A field alphabet dense in what CSV must handle: separators, quotes, line breaks, the null token's characters,
// multi-byte UTF-8 (so byte chunks split characters) and plain letters.
const fieldArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 6,
    arbitrary: fc.string({
      unit: fc.constantFrom("a", "b", " ", ",", "\"", "\r", "\n", "\\", "N", "é", "€", "😀"),
      maxLength: 12
    })
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) }
)

const eolArb = fc.constantFrom("\n", "\r\n")

/** A CSV document: rows with a per-field quoting choice and a per-row line ending, optional final newline. */
const documentArb = (width: number, rows: fc.Arbitrary<Array<Array<string | null>>>) =>
  fc.record({
    rows,
    quoting: fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    eols: fc.array(eolArb, { minLength: 64, maxLength: 64 }),
    finalEol: fc.boolean(),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    gzip: fc.boolean(),
    width: fc.constant(width)
  })

const write = (
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  quoting: ReadonlyArray<boolean>,
  eols: ReadonlyArray<string>,
  finalEol: boolean
) =>
  rows
    .map((row, r) =>
      row.map((field, f) => formatField(field, quoting[(r * 7 + f) % quoting.length]!)).join(",") +
      (r < rows.length - 1 || finalEol ? eols[r % eols.length]! : "")
    )
    .join("")

describe("CSV round trip (property)", () => {
  it("any rows, written with any quoting and chunked anywhere, decode back (300 runs, seed 6001)", async () => {
    const rowsArb = fc.integer({ min: 1, max: 5 }).chain((width) =>
      fc.array(fc.array(fieldArb, { minLength: width, maxLength: width }), { maxLength: 20 })
    )
    await fc.assert(
      fc.asyncProperty(documentArb(0, rowsArb), async (doc) => {
        const text = write(doc.rows, doc.quoting, doc.eols, doc.finalEol)
        const plain = encoder.encode(text)
        const bytes = doc.gzip ? await gzip(plain) : plain
        const decoded = await Effect.runPromise(
          Stream.runCollect(Dvp.decodeCsv(Stream.fromIterable(cut(bytes, doc.cuts))))
        )
        expect(decoded).toEqual(doc.rows)
      }),
      { seed: 6001, numRuns: 300 }
    )
  })

  it("typed raw rows: any header order, unknown columns and values survive (300 runs, seed 6002)", async () => {
    const known = [
      "action",
      "action_day",
      "country",
      "digest",
      "http_method",
      "host",
      "namespace",
      "reference",
      "repository",
      "tag",
      "timestamp",
      "type",
      "user_agent_tool",
      "user_agent_version",
      "domain",
      "owner"
    ]
    const keyOf: Record<string, string> = {
      action: "action",
      action_day: "actionDay",
      country: "country",
      digest: "digest",
      http_method: "httpMethod",
      host: "host",
      namespace: "namespace",
      reference: "reference",
      repository: "repository",
      tag: "tag",
      timestamp: "timestamp",
      type: "type",
      user_agent_tool: "userAgentTool",
      user_agent_version: "userAgentVersion",
      domain: "domain",
      owner: "owner"
    }
    const headerArb = fc.tuple(
      fc.shuffledSubarray(known, { minLength: 1 }),
      fc.uniqueArray(fc.constantFrom("region", "Client IP", "x,y", "note\"s"), { maxLength: 2 })
    ).map(([k, u]) => [...k, ...u])
    const arb = headerArb.chain((header) =>
      fc.record({
        header: fc.constant(header),
        doc: documentArb(
          header.length,
          fc.array(fc.array(fieldArb, { minLength: header.length, maxLength: header.length }), { maxLength: 15 })
        )
      })
    )
    await fc.assert(
      fc.asyncProperty(arb, async ({ doc, header }) => {
        const text = write([header, ...doc.rows], doc.quoting, doc.eols, doc.finalEol)
        const plain = encoder.encode(text)
        const bytes = doc.gzip ? await gzip(plain) : plain
        const decoded = await Effect.runPromise(
          Stream.runCollect(Dvp.decodeRawRows(Stream.fromIterable(cut(bytes, doc.cuts))))
        )
        const expected = doc.rows.map((row) => {
          const out: Record<string, unknown> = {}
          const extra: Record<string, string | null> = {}
          header.forEach((name, i) => {
            const key = keyOf[name]
            if (key === undefined) extra[name] = row[i]!
            else out[key] = row[i]
          })
          return { ...out, extra }
        })
        expect(decoded).toEqual(expected)
      }),
      { seed: 6002, numRuns: 300 }
    )
  })
})
