/**
 * Decoding DVP data files from bytes: gzip / zlib sniffing, UTF-8 text, CSV, typed rows. Constant memory: only the
 * current chunk, the record being read (bounded in fields and in length) and the field being read are held.
 *
 * @internal
 */
import * as Stream from "effect/Stream"
import type { CsvRecord } from "./csv.ts"
import { DvpCsvError } from "./errors.ts"
import { publicUrl } from "./http.ts"
import { rawColumns, summaryColumns } from "./records.ts"
import type { RawRow, SummaryRow } from "./schemas.ts"
import { csvRecords, csvRows, decodeUtf8, inflateWhenCompressed } from "./stream.ts"

/** @internal */
export interface CsvLimits {
  /** The longest field accepted, in characters (default 1 Mi): a file with an unclosed quote fails there. */
  readonly maxFieldLength?: number | undefined
  /** The most fields a record may have (default 4096). */
  readonly maxFieldsPerRecord?: number | undefined
  /** The longest record accepted: its fields' characters plus one per separator (default 4 Mi). */
  readonly maxRecordLength?: number | undefined
}

/** @internal */
export interface DecodeOptions extends CsvLimits {
  /** Names the source in errors; its query string is dropped. */
  readonly url?: string | undefined
}

/** The error for compressed data that does not inflate. @internal */
export const inflateError = (url: string) => (format: "gzip" | "zlib", cause: unknown): DvpCsvError =>
  new DvpCsvError({
    url: publicUrl(url),
    record: 0,
    message: `the ${format} data is corrupt or truncated: ${cause instanceof Error ? cause.message : String(cause)}`
  })

/** The error for bytes that are neither gzip, zlib nor UTF-8 text. @internal */
export const notTextError = (url: string) => (): DvpCsvError =>
  new DvpCsvError({
    url: publicUrl(url),
    record: 0,
    message: "the data is not UTF-8 text, gzip or zlib (raw deflate and other compressions are not read)"
  })

const text = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, url: string) =>
  decodeUtf8(inflateWhenCompressed(bytes, inflateError(url)), notTextError(url))

const parserOptions = (options: CsvLimits | undefined) => ({
  maxFieldLength: options?.maxFieldLength,
  maxFieldsPerRecord: options?.maxFieldsPerRecord,
  maxRecordLength: options?.maxRecordLength
})

/** @internal */
export const decodeCsv = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<CsvRecord, E | DvpCsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRecords(text(bytes, url), url, parserOptions(options))
}

/** @internal */
export const decodeRawRows = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<typeof RawRow.Type, E | DvpCsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRows(text(bytes, url), url, rawColumns, parserOptions(options))
}

/** @internal */
export const decodeSummaryRows = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<typeof SummaryRow.Type, E | DvpCsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRows(text(bytes, url), url, summaryColumns, parserOptions(options))
}
