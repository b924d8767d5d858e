/**
 * Finds where each member of a gzip stream ends (RFC 1952 §2.2: "a gzip file consists of a series of members"),
 * without inflating it: no Effect, no I/O, no output buffer.
 *
 * `DecompressionStream("gzip")` stops at the first member on some runtimes and fails on the bytes after it ("trailing
 * junk") without saying where the member ended, so the caller cannot restart on the rest. This scanner reads the
 * member header, walks the deflate blocks (RFC 1951) symbol by symbol — decoding the Huffman codes and skipping the
 * extra bits, but copying nothing — and skips the 8-byte trailer; the offsets it reports let the caller hand each
 * member, and only that member, to a fresh native decompressor, which inflates it and checks its CRC and length.
 *
 * - `write(chunk)` returns the offsets in `chunk` where a member ends (its trailer's last byte + 1), or an error text.
 * - `end()` returns an error text when the input stopped inside a member.
 * - Bytes after a member that do not start another member (`1f 8b`) are an error: the data is not valid gzip.
 *
 * @internal
 */

const S = {
  Header: 0,
  ExtraLength: 1,
  Extra: 2,
  Name: 3,
  Comment: 4,
  HeaderCrc: 5,
  Block: 6,
  StoredLength: 7,
  StoredComplement: 8,
  Stored: 9,
  Counts: 10,
  CodeLengthCodes: 11,
  CodeLengths: 12,
  Literal: 13,
  LengthExtra: 14,
  Distance: 15,
  DistanceExtra: 16,
  Trailer: 17,
  Between: 18
} as const
type S = typeof S[keyof typeof S]

const FHCRC = 2
const FEXTRA = 4
const FNAME = 8
const FCOMMENT = 16

/** Extra bits of the length symbols 257…285 (RFC 1951 §3.2.5). */
const LENGTH_EXTRA = Uint8Array.of(
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0
)
/** Extra bits of the distance symbols 0…29. */
const DISTANCE_EXTRA = Uint8Array.of(
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13
)
/** The order the code length code lengths are sent in. */
const CODE_LENGTH_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)

/**
 * Fills `table` (size `1 << bits`, bits = the longest code) so that `table[next bits, LSB first]` is
 * `symbol << 4 | code length`, 0 where no code starts. Returns the number of bits, or -1 for an over-subscribed code.
 */
const buildTable = (lengths: Uint8Array, from: number, count: number, table: Int32Array): number => {
  const perLength = new Int32Array(16)
  let bits = 0
  for (let i = 0; i < count; i++) {
    const length = lengths[from + i]!
    perLength[length]!++
    if (length > bits) bits = length
  }
  perLength[0] = 0
  let left = 1
  for (let length = 1; length < 16; length++) {
    left = (left << 1) - perLength[length]!
    if (left < 0) return -1
  }
  if (bits === 0) bits = 1
  const size = 1 << bits
  table.fill(0, 0, size)
  const next = new Int32Array(16)
  let code = 0
  for (let length = 1; length < 16; length++) {
    code = (code + perLength[length - 1]!) << 1
    next[length] = code
  }
  for (let i = 0; i < count; i++) {
    const length = lengths[from + i]!
    if (length === 0) continue
    const c = next[length]!++
    let reversed = 0
    for (let b = 0; b < length; b++) reversed |= ((c >> b) & 1) << (length - 1 - b)
    const entry = (i << 4) | length
    for (let k = reversed; k < size; k += 1 << length) table[k] = entry
  }
  return bits
}

const fixedLiteral = new Int32Array(1 << 9)
const fixedDistance = new Int32Array(1 << 5)
const fixedLiteralBits = (() => {
  const lengths = new Uint8Array(288)
  lengths.fill(8, 0, 144)
  lengths.fill(9, 144, 256)
  lengths.fill(7, 256, 280)
  lengths.fill(8, 280, 288)
  return buildTable(lengths, 0, 288, fixedLiteral)
})()
const fixedDistanceBits = buildTable(new Uint8Array(30).fill(5), 0, 30, fixedDistance)

/** @internal */
export class GzipMemberScanner {
  private state: S = S.Header
  /** Header: bytes read of the fixed part; ExtraLength / HeaderCrc / Trailer: bytes still to read or skip. */
  private count = 0
  private flags = 0
  /** Extra: bytes left to skip; Stored: bytes left in the stored block; CodeLengths: symbols read so far. */
  private left = 0
  private bitBuffer = 0
  private bitCount = 0
  private finalBlock = false
  private extraBits = 0
  private literals = 0
  private distances = 0
  private codeLengthCodes = 0
  private readonly lengths = new Uint8Array(320)
  private readonly literalTable = new Int32Array(1 << 15)
  private readonly distanceTable = new Int32Array(1 << 15)
  private readonly codeLengthTable = new Int32Array(1 << 7)
  private literal: Int32Array = fixedLiteral
  private literalBits = fixedLiteralBits
  private distance: Int32Array = fixedDistance
  private distanceBits = fixedDistanceBits
  private codeLengthBits = 0
  private members = 0
  private failed: string | undefined

  /** Members completed so far. */
  get memberCount(): number {
    return this.members
  }

  /** Scans `chunk`; returns the offsets in it where members end, or why the data is not gzip. */
  write(chunk: Uint8Array): Array<number> | string {
    if (this.failed !== undefined) return this.failed
    const ends: Array<number> = []
    const n = chunk.length
    let pos = 0
    let buffer = this.bitBuffer
    let bits = this.bitCount
    let state: S = this.state
    const fail = (reason: string): string => {
      this.failed = reason
      return reason
    }
    loop: while (true) {
      switch (state) {
        case S.Header: {
          if (pos === n) break loop
          const byte = chunk[pos]!
          switch (this.count) {
            case 0:
              if (byte !== 0x1f) return fail("the data is not gzip")
              break
            case 1:
              if (byte !== 0x8b) return fail("the data is not gzip")
              break
            case 2:
              if (byte !== 8) return fail(`unknown gzip compression method ${byte}`)
              break
            case 3:
              if ((byte & 0xe0) !== 0) return fail("reserved gzip header flags are set")
              this.flags = byte
              break
          }
          pos++
          if (++this.count === 10) state = this.nextHeaderPart()
          continue
        }
        case S.ExtraLength: {
          if (pos === n) break loop
          this.left |= chunk[pos++]! << (this.count === 2 ? 0 : 8)
          if (--this.count === 0) state = S.Extra
          continue
        }
        case S.Extra: {
          const take = Math.min(this.left, n - pos)
          pos += take
          this.left -= take
          if (this.left > 0) break loop
          this.flags &= ~FEXTRA
          state = this.nextHeaderPart()
          continue
        }
        case S.Name:
        case S.Comment: {
          const zero = chunk.indexOf(0, pos)
          if (zero === -1) {
            pos = n
            break loop
          }
          pos = zero + 1
          this.flags &= state === S.Name ? ~FNAME : ~FCOMMENT
          state = this.nextHeaderPart()
          continue
        }
        case S.HeaderCrc: {
          const take = Math.min(this.count, n - pos)
          pos += take
          this.count -= take
          if (this.count > 0) break loop
          this.flags &= ~FHCRC
          state = this.nextHeaderPart()
          continue
        }
        case S.Block: {
          while (bits <= 23 && pos < n) {
            buffer |= chunk[pos++]! << bits
            bits += 8
          }
          if (bits < 3) break loop
          this.finalBlock = (buffer & 1) === 1
          const type = (buffer >>> 1) & 3
          buffer >>>= 3
          bits -= 3
          if (type === 0) {
            // stored: the rest of the current byte is dropped
            buffer >>>= bits & 7
            bits -= bits & 7
            state = S.StoredLength
          } else if (type === 1) {
            this.literal = fixedLiteral
            this.literalBits = fixedLiteralBits
            this.distance = fixedDistance
            this.distanceBits = fixedDistanceBits
            state = S.Literal
          } else if (type === 2) {
            state = S.Counts
          } else {
            return fail("invalid deflate block type")
          }
          continue
        }
        case S.StoredLength:
        case S.StoredComplement: {
          while (bits <= 23 && pos < n) {
            buffer |= chunk[pos++]! << bits
            bits += 8
          }
          if (bits < 16) break loop
          const value = buffer & 0xffff
          buffer >>>= 16
          bits -= 16
          if (state === S.StoredLength) {
            this.left = value
            state = S.StoredComplement
          } else {
            if (value !== (~this.left & 0xffff)) return fail("invalid stored block length")
            state = S.Stored
          }
          continue
        }
        case S.Stored: {
          // whole bytes already in the bit buffer come first
          while (this.left > 0 && bits >= 8) {
            buffer >>>= 8
            bits -= 8
            this.left--
          }
          const take = Math.min(this.left, n - pos)
          pos += take
          this.left -= take
          if (this.left > 0) break loop
          state = this.endOfBlock(bits)
          if (state === S.Trailer) buffer = bits = 0
          continue
        }
        case S.Counts: {
          while (bits <= 23 && pos < n) {
            buffer |= chunk[pos++]! << bits
            bits += 8
          }
          if (bits < 14) break loop
          this.literals = (buffer & 31) + 257
          this.distances = ((buffer >>> 5) & 31) + 1
          this.codeLengthCodes = ((buffer >>> 10) & 15) + 4
          buffer >>>= 14
          bits -= 14
          if (this.literals > 286 || this.distances > 30) return fail("too many length or distance symbols")
          this.lengths.fill(0, 0, 19)
          this.left = 0
          state = S.CodeLengthCodes
          continue
        }
        case S.CodeLengthCodes: {
          while (this.left < this.codeLengthCodes) {
            while (bits <= 23 && pos < n) {
              buffer |= chunk[pos++]! << bits
              bits += 8
            }
            if (bits < 3) break loop
            this.lengths[CODE_LENGTH_ORDER[this.left++]!] = buffer & 7
            buffer >>>= 3
            bits -= 3
          }
          this.codeLengthBits = buildTable(this.lengths, 0, 19, this.codeLengthTable)
          if (this.codeLengthBits < 0) return fail("invalid code lengths set")
          this.lengths.fill(0)
          this.left = 0
          state = S.CodeLengths
          continue
        }
        case S.CodeLengths: {
          const total = this.literals + this.distances
          const table = this.codeLengthTable
          const mask = (1 << this.codeLengthBits) - 1
          while (this.left < total) {
            while (bits <= 23 && pos < n) {
              buffer |= chunk[pos++]! << bits
              bits += 8
            }
            const entry = table[buffer & mask]!
            const length = entry & 15
            if (length === 0 || length > bits) {
              if (length === 0 && bits >= this.codeLengthBits) return fail("invalid code lengths set")
              break loop
            }
            const symbol = entry >>> 4
            if (symbol < 16) {
              buffer >>>= length
              bits -= length
              this.lengths[this.left++] = symbol
              continue
            }
            const extra = symbol === 16 ? 2 : symbol === 17 ? 3 : 7
            if (length + extra > bits) break loop
            const value = (buffer >>> length) & ((1 << extra) - 1)
            buffer >>>= length + extra
            bits -= length + extra
            const repeat = (symbol === 16 ? 3 : symbol === 17 ? 3 : 11) + value
            if (this.left + repeat > total) return fail("invalid bit length repeat")
            if (symbol === 16) {
              if (this.left === 0) return fail("invalid bit length repeat")
              const previous = this.lengths[this.left - 1]!
              this.lengths.fill(previous, this.left, this.left + repeat)
            }
            // 17 and 18 repeat zeros, which the array already holds
            this.left += repeat
          }
          if (this.lengths[256] === 0) return fail("the block has no end-of-block code")
          this.literalBits = buildTable(this.lengths, 0, this.literals, this.literalTable)
          this.distanceBits = buildTable(this.lengths, this.literals, this.distances, this.distanceTable)
          if (this.literalBits < 0 || this.distanceBits < 0) return fail("invalid literal/length or distance code")
          this.literal = this.literalTable
          this.distance = this.distanceTable
          state = S.Literal
          continue
        }
        case S.Literal: {
          const table = this.literal
          const tableBits = this.literalBits
          const mask = (1 << tableBits) - 1
          while (true) {
            if (bits < 15) {
              while (bits <= 23 && pos < n) {
                buffer |= chunk[pos++]! << bits
                bits += 8
              }
            }
            const entry = table[buffer & mask]!
            const length = entry & 15
            if (length === 0 || length > bits) {
              if (length === 0 && bits >= tableBits) return fail("invalid literal/length code")
              break loop
            }
            buffer >>>= length
            bits -= length
            const symbol = entry >>> 4
            if (symbol < 256) continue
            if (symbol === 256) {
              state = this.endOfBlock(bits)
              if (state === S.Trailer) buffer = bits = 0
              continue loop
            }
            if (symbol > 285) return fail("invalid literal/length code")
            this.extraBits = LENGTH_EXTRA[symbol - 257]!
            state = S.LengthExtra
            continue loop
          }
        }
        case S.LengthExtra:
        case S.DistanceExtra: {
          const extra = this.extraBits
          if (bits < extra) {
            while (bits <= 23 && pos < n) {
              buffer |= chunk[pos++]! << bits
              bits += 8
            }
            if (bits < extra) break loop
          }
          buffer >>>= extra
          bits -= extra
          state = state === S.LengthExtra ? S.Distance : S.Literal
          continue
        }
        case S.Distance: {
          while (bits <= 23 && pos < n) {
            buffer |= chunk[pos++]! << bits
            bits += 8
          }
          const entry = this.distance[buffer & ((1 << this.distanceBits) - 1)]!
          const length = entry & 15
          if (length === 0 || length > bits) {
            if (length === 0 && bits >= this.distanceBits) return fail("invalid distance code")
            break loop
          }
          buffer >>>= length
          bits -= length
          const symbol = entry >>> 4
          if (symbol > 29) return fail("invalid distance code")
          this.extraBits = DISTANCE_EXTRA[symbol]!
          state = S.DistanceExtra
          continue
        }
        case S.Trailer: {
          const take = Math.min(this.count, n - pos)
          pos += take
          this.count -= take
          if (this.count > 0) break loop
          ends.push(pos)
          this.members++
          state = S.Between
          continue
        }
        case S.Between: {
          if (pos === n) break loop
          if (chunk[pos] !== 0x1f) return fail("the bytes after a gzip member are not another gzip member")
          this.count = 0
          state = S.Header
          continue
        }
      }
    }
    this.state = state
    this.bitBuffer = buffer
    this.bitCount = bits
    return ends
  }

  /** Ends the input: an error text when it stopped inside a member. */
  end(): string | undefined {
    if (this.failed !== undefined) return this.failed
    if (this.state === S.Between) return undefined
    this.failed = "the gzip data is truncated"
    return this.failed
  }

  private nextHeaderPart(): S {
    if ((this.flags & FEXTRA) !== 0) {
      this.count = 2
      this.left = 0
      return S.ExtraLength
    }
    if ((this.flags & FNAME) !== 0) return S.Name
    if ((this.flags & FCOMMENT) !== 0) return S.Comment
    if ((this.flags & FHCRC) !== 0) {
      this.count = 2
      return S.HeaderCrc
    }
    return S.Block
  }

  /**
   * The state after a deflate block, `bits` bits still buffered. After the final block the deflate data ends: the
   * partial byte is dropped and whole buffered bytes belong to the trailer, so fewer are left to skip (the caller
   * empties its bit buffer).
   */
  private endOfBlock(bits: number): S {
    if (!this.finalBlock) return S.Block
    this.count = 8 - (bits >>> 3)
    return S.Trailer
  }
}
