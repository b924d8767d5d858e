/**
 * A streaming tar reader: fed chunks as they arrive, it emits each entry's header, then its data as views into the
 * chunks (a copy only for a header that spans chunks), then the entry's end. It understands ustar, pax (`path`,
 * `linkpath`, `size`, `uid`, `gid`, `mtime`) and GNU long names, bounds the metadata it buffers, and stops at the
 * first zero block. No I/O and no Effect: the Effect adapter lives with its user.
 *
 * @internal
 */
import { concatBytes } from "./bytes.ts"

/** An entry's header as read. @internal */
export interface TarHeader {
  readonly name: string
  readonly type: "file" | "directory" | "symlink" | "link" | "other"
  readonly size: number
  readonly mode: number
  readonly uid: number
  readonly gid: number
  /** Seconds since the epoch (fractions from a pax record kept). */
  readonly mtime: number
  readonly linkname: string
}

/** What the reader emits. @internal */
export type TarEvent =
  | { readonly _tag: "Header"; readonly header: TarHeader }
  | { readonly _tag: "Data"; readonly bytes: Uint8Array }
  | { readonly _tag: "EntryEnd" }

/** A malformed or truncated archive. @internal */
export class TarFormatError extends Error {}

const BLOCK = 512
/** The most metadata (pax records, GNU long names) one entry may carry. */
const MAX_META = 1024 * 1024
const decoder = new TextDecoder()

/** The NUL-terminated text of a header field. @internal */
export const readString = (block: Uint8Array, offset: number, length: number): string => {
  let end = offset
  while (end < offset + length && block[end] !== 0) end++
  return decoder.decode(block.subarray(offset, end))
}

const readNumber = (block: Uint8Array, offset: number, length: number): number => {
  // GNU base-256: the first byte's high bit set, the rest big-endian
  if ((block[offset]! & 0x80) !== 0) {
    let value = block[offset]! & 0x7f
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + block[i]!
    return value
  }
  const text = readString(block, offset, length).trim()
  if (text === "") return 0
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`tar: bad number field ${JSON.stringify(text)}`)
  return parseInt(text, 8)
}

/**
 * Pax records are `<length> <key>=<value>\n`, the length counting bytes (the record's own digits included). Reads
 * them up to the first malformed one: `complete` says whether there was none.
 *
 * @internal
 */
export const readPaxRecords = (
  data: Uint8Array
): { readonly records: Record<string, string>; readonly complete: boolean } => {
  const records: Record<string, string> = {}
  let at = 0
  while (at < data.length) {
    let space = at
    while (space < data.length && data[space] !== 0x20) space++
    const length = Number(decoder.decode(data.subarray(at, space)))
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) {
      return { records, complete: false }
    }
    const record = decoder.decode(data.subarray(space + 1, at + length - 1))
    const equals = record.indexOf("=")
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1)
    at += length
  }
  return { records, complete: true }
}

const parsePax = (data: Uint8Array): Record<string, string> => {
  const { complete, records } = readPaxRecords(data)
  if (!complete) throw new TarFormatError("tar: bad pax record")
  return records
}

/** The entry type of a header's type flag (`0`, NUL and `7` are files). @internal */
export const typeOf = (flag: string): TarHeader["type"] =>
  flag === "0" || flag === "\u0000" || flag === "7" ?
    "file"
    : flag === "5" ?
    "directory"
    : flag === "2" ?
    "symlink"
    : flag === "1" ?
    "link"
    : "other"

const paxNumber = (value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new TarFormatError(`tar: bad pax number ${JSON.stringify(value)}`)
  return n
}

/** @internal */
export class TarReader {
  private header = new Uint8Array(BLOCK)
  private headerFill = 0
  /** Bytes of data left in the current entry, then padding to skip. */
  private dataLeft = 0
  private padLeft = 0
  /** Metadata entry being collected (pax, GNU long name), or none. */
  private meta: { readonly flag: string; readonly parts: Array<Uint8Array>; size: number } | undefined
  private pax: Record<string, string> = {}
  private longName: string | undefined
  private longLink: string | undefined
  private inEntry = false
  private done = false

  /** Whether the end-of-archive block was read. */
  get finished(): boolean {
    return this.done
  }

  write(chunk: Uint8Array, out: Array<TarEvent>): void {
    let at = 0
    while (at < chunk.length && !this.done) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - at)
        const view = chunk.subarray(at, at + n)
        if (this.meta !== undefined) this.meta.parts.push(view.slice())
        else out.push({ _tag: "Data", bytes: view })
        this.dataLeft -= n
        at += n
        if (this.dataLeft === 0) this.endData(out)
        continue
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - at)
        this.padLeft -= n
        at += n
        continue
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - at)
      this.header.set(chunk.subarray(at, at + n), this.headerFill)
      this.headerFill += n
      at += n
      if (this.headerFill === BLOCK) {
        this.headerFill = 0
        this.readHeader(out)
      }
    }
  }

  /** Checks that the archive did not stop inside an entry. */
  end(out: Array<TarEvent>): void {
    if (this.done) return
    if (this.headerFill !== 0 || this.dataLeft > 0 || this.padLeft > 0 || this.meta !== undefined) {
      throw new TarFormatError("tar: archive truncated")
    }
    if (this.inEntry) out.push({ _tag: "EntryEnd" })
    this.inEntry = false
    this.done = true
  }

  private endData(out: Array<TarEvent>) {
    if (this.meta !== undefined) {
      const { flag, parts } = this.meta
      this.meta = undefined
      const bytes = concatBytes(parts)
      if (flag === "x") this.pax = { ...this.pax, ...parsePax(bytes) }
      else if (flag === "L") this.longName = readString(bytes, 0, bytes.length)
      else if (flag === "K") this.longLink = readString(bytes, 0, bytes.length)
      return
    }
    out.push({ _tag: "EntryEnd" })
    this.inEntry = false
  }

  private readHeader(out: Array<TarEvent>) {
    const block = this.header
    if (block.every((byte) => byte === 0)) {
      this.done = true
      return
    }
    let sum = 0
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
    if (sum !== readNumber(block, 148, 8)) throw new TarFormatError("tar: bad header checksum")
    const flag = String.fromCharCode(block[156]!)
    const size = paxNumber(this.pax["size"], readNumber(block, 124, 12))
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      if (size > MAX_META) throw new TarFormatError(`tar: ${size} bytes of metadata in one entry`)
      // global pax headers are read and dropped
      this.meta = { flag: flag === "g" ? "g" : flag, parts: [], size }
      this.dataLeft = size
      if (size === 0) this.endData(out)
      return
    }
    const magic = readString(block, 257, 6)
    const prefix = magic.startsWith("ustar") ? readString(block, 345, 155) : ""
    const baseName = readString(block, 0, 100)
    const type = typeOf(flag)
    const header: TarHeader = {
      name: this.pax["path"] ?? this.longName ?? (prefix === "" ? baseName : `${prefix}/${baseName}`),
      type,
      size,
      mode: readNumber(block, 100, 8) & 0o7777,
      uid: paxNumber(this.pax["uid"], readNumber(block, 108, 8)),
      gid: paxNumber(this.pax["gid"], readNumber(block, 116, 8)),
      mtime: paxNumber(this.pax["mtime"], readNumber(block, 136, 12)),
      linkname: this.pax["linkpath"] ?? this.longLink ?? readString(block, 157, 100)
    }
    this.pax = {}
    this.longName = undefined
    this.longLink = undefined
    out.push({ _tag: "Header", header })
    this.inEntry = true
    this.dataLeft = size
    if (size === 0) this.endData(out)
  }
}
