import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as ContainerFiles from "../../src/ContainerFiles.ts"
import * as Tar from "../../src/internal/streamingTar.ts"
import { type TarEvent, TarFormatError, TarReader } from "../../src/internal/tarReader.ts"

interface Gathered {
  readonly header: Record<string, unknown>
  readonly data: Array<number>
}

/** Feeds the archive in the given chunk sizes and gathers each entry's header and data. */
const read = (archive: Uint8Array, sizes: ReadonlyArray<number>): Array<Gathered> => {
  const reader = new TarReader()
  const events: Array<TarEvent> = []
  let at = 0
  let i = 0
  while (at < archive.length) {
    const n = Math.max(1, sizes.length === 0 ? archive.length : sizes[i++ % sizes.length]!)
    reader.write(archive.subarray(at, at + n), events)
    at += n
  }
  reader.end(events)
  const out: Array<Gathered> = []
  for (const event of events) {
    if (event._tag === "Header") out.push({ header: { ...event.header }, data: [] })
    else if (event._tag === "Data") out[out.length - 1]!.data.push(...event.bytes)
  }
  return out
}

const name = fc.array(fc.stringMatching(/^[a-zA-Z0-9ünï日本 ._-]{1,40}$/), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map((p) => p === "." || p === ".." ? "x" : p).join("/"))

const entry = fc.record({
  name,
  kind: fc.constantFrom("file", "directory", "symlink"),
  data: fc.uint8Array({ maxLength: 2000 }),
  mode: fc.integer({ min: 0, max: 0o7777 }),
  // owners up to ustar's 7 octal digits, or any Linux owner (to 2^32 - 2: written as pax records)
  uid: fc.oneof(fc.integer({ min: 0, max: 0o7777777 }), fc.integer({ min: 0, max: 2 ** 32 - 2 })),
  gid: fc.oneof(fc.integer({ min: 0, max: 0o7777777 }), fc.integer({ min: 0, max: 2 ** 32 - 2 })),
  mtime: fc.integer({ min: 0, max: 2 ** 33 - 1 })
})

describe("TarReader", () => {
  it("property: reads back what the writer wrote, however the archive is cut (seed 41, 500 runs)", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 1500 }), { maxLength: 5 }),
        (entries, sizes) => {
          const archive = Tar.pack(entries.map((e) => ({
            name: e.name,
            type: e.kind as "file" | "directory" | "symlink",
            ...(e.kind === "file" ? { data: e.data } : {}),
            ...(e.kind === "symlink" ? { linkname: `${e.name}-target` } : {}),
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            mtime: e.mtime
          })))
          const got = read(archive, sizes)
          expect(got.length).toBe(entries.length)
          got.forEach((g, i) => {
            const e = entries[i]!
            expect(g.header).toMatchObject({
              name: e.kind === "directory" ? `${e.name}/` : e.name,
              type: e.kind,
              mode: e.mode,
              uid: e.uid,
              gid: e.gid,
              mtime: e.mtime,
              linkname: e.kind === "symlink" ? `${e.name}-target` : ""
            })
            expect(g.data).toEqual(e.kind === "file" ? [...e.data] : [])
          })
        }
      ),
      { seed: 41, numRuns: 500 }
    )
  })

  it("an owner past ustar's 7 octal digits is written as pax uid/gid records, one that fits in the header alone", () => {
    const fits = Tar.entryHeader({ name: "a", type: "file", size: 0, uid: 0o7777777, gid: 0o7777777 })
    expect(fits.length).toBe(512)
    for (const [uid, gid] of [[0o10000000, 7], [5, 0o10000000], [4294967294, 4294967294]] as const) {
      const header = Tar.entryHeader({ name: "a", type: "symlink", linkname: "b", size: 0, uid, gid })
      expect(header.length).toBe(3 * 512) // pax header, its records, the entry
      const [got] = read(new Uint8Array([...header, ...Tar.trailer()]), [])
      expect(got!.header).toMatchObject({ name: "a", type: "symlink", linkname: "b", uid, gid })
    }
  })

  it("pax records override the ustar fields (path, size, uid, gid, mtime, linkpath); a global header is dropped", () => {
    const record = (k: string, v: string) => {
      const bytes = new TextEncoder().encode(` ${k}=${v}\n`).length
      let n = bytes + 1
      while (String(n).length + bytes !== n) n++
      const body = ` ${k}=${v}\n`
      return `${n}${body}`
    }
    const pax = new TextEncoder().encode(
      record("path", "日本/long-name") + record("uid", "3000000") + record("mtime", "1.5")
    )
    const global = new TextEncoder().encode(record("comment", "ignored"))
    const archive = new Uint8Array([
      ...Tar.entryHeader({ name: "g", type: "file", size: global.length }).map((b, i) => i === 156 ? 0x67 : b),
      ...global,
      ...Tar.dataPadding(global.length),
      ...Tar.entryHeader({ name: "p", type: "file", size: pax.length }).map((b, i) => i === 156 ? 0x78 : b),
      ...pax,
      ...Tar.dataPadding(pax.length),
      ...Tar.entryHeader({ name: "short", type: "file", size: 3 }),
      1,
      2,
      3,
      ...Tar.dataPadding(3),
      ...Tar.trailer()
    ])
    // the flag bytes were changed without fixing the checksums: recompute them
    for (let at = 0; at < archive.length; at += 512) {
      const block = archive.subarray(at, at + 512)
      if (block.every((b) => b === 0) || !(block[257] === 0x75)) continue
      block.fill(0x20, 148, 156)
      let sum = 0
      for (const b of block) sum += b
      block.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148)
    }
    const got = read(archive, [100])
    expect(got).toEqual([{
      header: {
        name: "日本/long-name",
        type: "file",
        size: 3,
        mode: 0o644,
        uid: 3000000,
        gid: 0,
        mtime: 1.5,
        linkname: ""
      },
      data: [1, 2, 3]
    }])
  })

  it("hostile archives: a bad checksum, a truncated entry, bad numbers, oversized metadata fail with TarFormatError", () => {
    const good = Tar.pack([{ name: "a", data: "hello" }])
    const badSum = good.slice()
    badSum[0] = 0x62
    expect(() => read(badSum, [])).toThrow(TarFormatError)
    expect(() => read(good.subarray(0, 512 + 3), [])).toThrow(/truncated/)
    expect(() => read(good.subarray(0, 100), [])).toThrow(/truncated/)
    const badNumber = good.slice()
    badNumber.set(new TextEncoder().encode("9999999"), 100)
    expect(() => read(badNumber, [])).toThrow(TarFormatError)
    const huge = Tar.entryHeader({ name: "p", type: "file", size: 2 * 1024 * 1024 }).map((b, i) => i === 156 ? 0x78 : b)
    huge.fill(0x20, 148, 156)
    let sum = 0
    for (const b of huge) sum += b
    huge.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148)
    expect(() => read(huge, [])).toThrow(/metadata/)
    // bytes after the end blocks are ignored; an empty archive has no entries
    expect(read(new Uint8Array([...good, 1, 2, 3]), [7])).toHaveLength(1)
    expect(read(Tar.trailer(), [])).toEqual([])
  })
})

describe("a malformed pax record", () => {
  /** A pax header with `path=kept` then a record whose length runs past the data, before one file entry. */
  const archive = (): Uint8Array => {
    const pax = new TextEncoder().encode("15 path=kept.t\n99 uid=1\n")
    const bytes = new Uint8Array([
      ...Tar.entryHeader({ name: "p", type: "file", size: pax.length }).map((b, i) => i === 156 ? 0x78 : b),
      ...pax,
      ...Tar.dataPadding(pax.length),
      ...Tar.entryHeader({ name: "short", type: "file", size: 0 }),
      ...Tar.trailer()
    ])
    const block = bytes.subarray(0, 512)
    block.fill(0x20, 148, 156)
    let sum = 0
    for (const b of block) sum += b
    block.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148)
    return bytes
  }

  it("fails the streaming reader with TarFormatError", () => {
    expect(() => read(archive(), [])).toThrow(new TarFormatError("tar: bad pax record"))
  })

  it("ends the records for unpack, which keeps those before it", () => {
    expect(Tar.unpack(archive()).map((e) => [e.name, e.size])).toEqual([["kept.t", 0]])
  })
})

describe("ContainerFiles.tar", () => {
  it.effect("writes entries on the fly that the reader reads back, owners and modes kept", () =>
    Effect.gen(function*() {
      const chunks = yield* Stream.runCollect(ContainerFiles.tar([
        { type: "directory", path: "/conf", mode: 0o750, uid: 7, gid: 8, mtime: 10 },
        { path: "conf/a.txt", content: "ä", mode: 0o4755, uid: 7, gid: 8, mtime: new Date(20_000) },
        { type: "symlink", path: "conf/b", linkname: "a.txt", mtime: 30 }
      ]))
      expect(chunks.length).toBeGreaterThan(3) // one entry at a time, not one buffer
      const archive = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
      let at = 0
      for (const c of chunks) {
        archive.set(c, at)
        at += c.length
      }
      const got = read(archive, [])
      expect(got.map((g) => g.header)).toEqual([
        { name: "conf/", type: "directory", size: 0, mode: 0o750, uid: 7, gid: 8, mtime: 10, linkname: "" },
        { name: "conf/a.txt", type: "file", size: 2, mode: 0o4755, uid: 7, gid: 8, mtime: 20, linkname: "" },
        { name: "conf/b", type: "symlink", size: 0, mode: 0o777, uid: 0, gid: 0, mtime: 30, linkname: "a.txt" }
      ])
      expect(got[1]!.data).toEqual([0xc3, 0xa4])
    }))
})
