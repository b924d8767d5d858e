/**
 * Decoding DVP data files from bytes: gzip sniffing, UTF-8 text, CSV, typed rows. Constant memory: only the
 * current chunk and the field being read are held.
 *
 * @internal
 */
import * as Stream from "effect/Stream"
import { CsvError } from "./errors.ts"
import type { CsvRecord } from "./internal/csv.ts"
import { publicUrl } from "./internal/http.ts"
import { rawColumns, summaryColumns } from "./internal/records.ts"
import { csvRecords, csvRows, gunzipWhenCompressed } from "./internal/stream.ts"
import type { RawRow, SummaryRow } from "./schemas.ts"

/** @internal */
export interface DecodeOptions {
  /** Names the source in errors; its query string is dropped. */
  readonly url?: string | undefined
  /** The longest field accepted, in characters (default 1 Mi): a file with an unclosed quote fails there. */
  readonly maxFieldLength?: number | undefined
}

/** The error for gzip data that does not inflate. @internal */
export const gzipError = (url: string) => (cause: unknown): CsvError =>
  new CsvError({
    url: publicUrl(url),
    record: 0,
    message: `the gzip data is corrupt or truncated: ${cause instanceof Error ? cause.message : String(cause)}`
  })

const text = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>, url: string) =>
  gunzipWhenCompressed(bytes, gzipError(url)).pipe(Stream.decodeText)

/** @internal */
export const decodeCsv = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<CsvRecord, E | CsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRecords(text(bytes, url), url, { maxFieldLength: options?.maxFieldLength })
}

/** @internal */
export const decodeRawRows = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<typeof RawRow.Type, E | CsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRows(text(bytes, url), url, rawColumns, { maxFieldLength: options?.maxFieldLength })
}

/** @internal */
export const decodeSummaryRows = <E, R>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  options?: DecodeOptions
): Stream.Stream<typeof SummaryRow.Type, E | CsvError, R> => {
  const url = publicUrl(options?.url ?? "<bytes>")
  return csvRows(text(bytes, url), url, summaryColumns, { maxFieldLength: options?.maxFieldLength })
}
