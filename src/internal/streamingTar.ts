/**
 * A small pure tar (POSIX ustar + pax) writer and reader, for build contexts, archive uploads and checking what the
 * daemon sends back. The writer emits ustar headers and a pax `path` record for names that do not fit; the reader
 * understands ustar, pax (`path`, `size`, `linkpath`) and GNU long names. No I/O and no Effect.
 *
 * @internal
 */
import { concatBytes } from "./bytes.ts"
import { readPaxRecords, readString, typeOf } from "./tarReader.ts"

/** One entry to write. @internal */
export interface TarInput {
  readonly name: string
  /** File contents (text is written as UTF-8); absent for a directory. */
  readonly data?: Uint8Array | string
  readonly type?: "file" | "directory" | "symlink" | "link"
  /** Target of a symlink, or for a hard link (`link`) the name of an earlier entry of the archive. */
  readonly linkname?: string
  /** Permission bits, default 0o644 for files and 0o755 for directories. */
  readonly mode?: number
  /** Modification time in seconds since the epoch, default 0. */
  readonly mtime?: number
  readonly uid?: number
  readonly gid?: number
}

/** One entry read back. @internal */
export interface TarEntry {
  readonly name: string
  readonly type: "file" | "directory" | "symlink" | "link" | "other"
  readonly size: number
  readonly mode: number
  readonly mtime: number
  readonly linkname: string
  /** A view into the archive bytes. */
  readonly data: Uint8Array
}

const BLOCK = 512
const encoder = new TextEncoder()

const writeString = (block: Uint8Array, offset: number, length: number, value: string) => {
  if (value === "") return
  const bytes = encoder.encode(value)
  block.set(bytes.length <= length ? bytes : bytes.subarray(0, length), offset)
}

/** The last `length - 1` octal digits of `value`, zero-padded, then a NUL (no string is built: one per field). */
const writeOctal = (block: Uint8Array, offset: number, length: number, value: number) => {
  let rest = Math.max(0, Math.floor(value))
  for (let i = offset + length - 2; i >= offset; i--) {
    block[i] = 0x30 + (rest % 8)
    rest = Math.floor(rest / 8)
  }
  block[offset + length - 1] = 0
}

/** `ustar\0` then version `00`, at offset 257. */
const MAGIC = encoder.encode("ustar\u000000")

const typeFlag = (type: TarInput["type"]) =>
  type === "directory" ? "5" : type === "symlink" ? "2" : type === "link" ? "1" : "0"

const header = (
  name: string,
  size: number,
  input: Pick<TarInput, "mode" | "mtime" | "uid" | "gid" | "linkname">,
  flag: string,
  prefix = ""
): Uint8Array => {
  const block = new Uint8Array(BLOCK)
  writeString(block, 0, 100, name)
  writeOctal(block, 100, 8, input.mode ?? (flag === "5" ? 0o755 : 0o644))
  writeOctal(block, 108, 8, input.uid ?? 0)
  writeOctal(block, 116, 8, input.gid ?? 0)
  writeOctal(block, 124, 12, size)
  writeOctal(block, 136, 12, input.mtime ?? 0)
  block.fill(0x20, 148, 156)
  writeString(block, 156, 1, flag)
  writeString(block, 157, 100, input.linkname ?? "")
  block.set(MAGIC, 257)
  writeString(block, 345, 155, prefix)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += block[i]!
  // six octal digits, NUL, space
  writeOctal(block, 148, 7, sum)
  block[155] = 0x20
  return block
}

const paxRecord = (key: string, value: string): string => {
  // The record starts with its own length in decimal, digits included.
  const body = ` ${key}=${value}\n`
  const bodyLength = encoder.encode(body).length
  let digits = 1
  while (String(bodyLength + digits).length !== digits) digits++
  return `${bodyLength + digits}${body}`
}

/** Splits a long name into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes), when possible. */
const splitName = (name: string): { readonly prefix: string; readonly name: string } | undefined => {
  if (encoder.encode(name).length <= 100) return { prefix: "", name }
  for (let i = name.indexOf("/"); i >= 0; i = name.indexOf("/", i + 1)) {
    const prefix = name.slice(0, i)
    const rest = name.slice(i + 1)
    if (encoder.encode(prefix).length <= 155 && encoder.encode(rest).length <= 100 && rest !== "") {
      return { prefix, name: rest }
    }
  }
  return undefined
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK

/** The largest size a ustar header's 11 octal digits hold; larger files get a pax `size` record. */
const MAX_USTAR_SIZE = 0o77777777777

/** The largest owner a ustar header's 7 octal digits hold (2097151); larger ones get pax `uid`/`gid` records. */
const MAX_USTAR_ID = 0o7777777

/**
 * The header block(s) of one entry whose data (`size` bytes, for a file) follows separately: a pax header first
 * when the name does not fit ustar's name and prefix fields, the size its 11 octal digits or the owner its 7. For
 * writers that stream the data, followed by {@link dataPadding}.
 *
 * @internal
 */
export const entryHeader = (
  entry: Omit<TarInput, "data"> & { readonly type: "file" | "directory" | "symlink" | "link"; readonly size: number }
): Uint8Array => {
  const flag = typeFlag(entry.type)
  const name = entry.type === "directory" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name
  const size = entry.type === "file" ? entry.size : 0
  const split = splitName(name)
  const linkTooLong = entry.linkname !== undefined && encoder.encode(entry.linkname).length > 100
  const uid = entry.uid ?? 0
  const gid = entry.gid ?? 0
  const bigOwner = uid > MAX_USTAR_ID || gid > MAX_USTAR_ID
  if (split !== undefined && size <= MAX_USTAR_SIZE && !linkTooLong && !bigOwner) {
    return header(split.name, size, entry, flag, split.prefix)
  }
  let records = ""
  if (split === undefined) records += paxRecord("path", name)
  if (size > MAX_USTAR_SIZE) records += paxRecord("size", String(size))
  if (linkTooLong) records += paxRecord("linkpath", entry.linkname!)
  if (uid > MAX_USTAR_ID) records += paxRecord("uid", String(Math.floor(uid)))
  if (gid > MAX_USTAR_ID) records += paxRecord("gid", String(Math.floor(gid)))
  const pax = encoder.encode(records)
  // the ustar fields hold what fits; readers take the pax records over them
  const fitted = { ...entry, uid: Math.min(uid, MAX_USTAR_ID), gid: Math.min(gid, MAX_USTAR_ID) }
  return concatBytes([
    header("././@PaxHeader", pax.length, {}, "x"),
    pax,
    new Uint8Array(padding(pax.length)),
    header(split?.name ?? name.slice(0, 100), Math.min(size, MAX_USTAR_SIZE), fitted, flag, split?.prefix ?? "")
  ])
}

/**
 * The zero bytes that pad `size` bytes of data to a whole block.
 *
 * @internal
 */
export const dataPadding = (size: number): Uint8Array => new Uint8Array(padding(size))

/**
 * The two zero blocks that end an archive.
 *
 * @internal
 */
export const trailer = (): Uint8Array => new Uint8Array(BLOCK * 2)

/**
 * Writes a tar archive holding `entries`, in order, ending with the two zero blocks.
 *
 * @internal
 */
export const pack = (entries: Iterable<TarInput>): Uint8Array => {
  const parts: Array<Uint8Array> = []
  for (const entry of entries) {
    const type = entry.type ?? (entry.data === undefined ? "directory" : "file")
    const data = entry.data === undefined ? new Uint8Array(0) : typeof entry.data === "string"
      ? encoder.encode(entry.data)
      : entry.data
    parts.push(entryHeader({ ...entry, type, size: data.length }))
    if (type === "file" && data.length > 0) {
      parts.push(data)
      parts.push(dataPadding(data.length))
    }
  }
  parts.push(trailer())
  return concatBytes(parts)
}

const readOctal = (block: Uint8Array, offset: number, length: number): number => {
  const text = readString(block, offset, length).trim()
  return text === "" ? 0 : parseInt(text, 8)
}

/**
 * Reads the entries of a tar archive (stops at the first zero block). Throws on a header whose checksum is wrong.
 *
 * @internal
 */
export const unpack = (bytes: Uint8Array): Array<TarEntry> => {
  const entries: Array<TarEntry> = []
  let offset = 0
  let pax: Record<string, string> = {}
  let longName: string | undefined
  let longLink: string | undefined
  while (offset + BLOCK <= bytes.length) {
    const block = bytes.subarray(offset, offset + BLOCK)
    if (block.every((byte) => byte === 0)) break
    let sum = 0
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
    if (sum !== readOctal(block, 148, 8)) throw new Error(`tar: bad header checksum at byte ${offset}`)
    const flag = String.fromCharCode(block[156]!)
    const size = pax["size"] !== undefined ? Number(pax["size"]) : readOctal(block, 124, 12)
    const data = bytes.subarray(offset + BLOCK, offset + BLOCK + size)
    offset += BLOCK + size + padding(size)
    if (flag === "x") {
      pax = { ...pax, ...readPaxRecords(data).records }
      continue
    }
    if (flag === "g") continue
    if (flag === "L") {
      longName = readString(data, 0, data.length)
      continue
    }
    if (flag === "K") {
      longLink = readString(data, 0, data.length)
      continue
    }
    const magic = readString(block, 257, 6)
    const prefix = magic.startsWith("ustar") ? readString(block, 345, 155) : ""
    const baseName = readString(block, 0, 100)
    const name = pax["path"] ?? longName ?? (prefix === "" ? baseName : `${prefix}/${baseName}`)
    entries.push({
      name,
      type: typeOf(flag),
      size,
      mode: readOctal(block, 100, 8),
      mtime: readOctal(block, 136, 12),
      linkname: pax["linkpath"] ?? longLink ?? readString(block, 157, 100),
      data
    })
    pax = {}
    longName = undefined
    longLink = undefined
  }
  return entries
}
