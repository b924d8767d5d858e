/**
 * From CSV records to typed rows. The header row decides which column holds which field: names are compared
 * case-, space- and punctuation-insensitively against each field's known spellings (`Action Day`, `action_day` and
 * `actionDay` are one column); columns nobody knows are kept in `extra` under their header text.
 *
 * @internal
 */
import type { CsvRecord } from "./csv.ts"

/** @internal */
export interface ColumnSpec {
  readonly key: string
  readonly kind: "string" | "count"
  /** Normalized spellings (see {@link normalizeHeader}). */
  readonly names: ReadonlyArray<string>
}

/** Lower case, letters and digits only. @internal */
export const normalizeHeader = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, "")

const column = (key: string, kind: ColumnSpec["kind"], ...names: ReadonlyArray<string>): ColumnSpec => ({
  key,
  kind,
  names: [normalizeHeader(key), ...names.map(normalizeHeader)]
})

/** @internal */
export const rawColumns: ReadonlyArray<ColumnSpec> = [
  column("action", "string"),
  column("actionDay", "string", "day", "action_date"),
  column("country", "string", "country_code", "geolocation"),
  column("digest", "string"),
  column("httpMethod", "string", "method", "http_request_method", "request_method"),
  column("host", "string", "cloud_provider"),
  column("namespace", "string"),
  column("reference", "string", "ref"),
  column("repository", "string", "repo"),
  column("tag", "string"),
  column("timestamp", "string", "time"),
  column("type", "string", "industry"),
  column("userAgentTool", "string", "tool", "ua_tool", "user_agent_client"),
  column("userAgentVersion", "string", "ua_version", "tool_version", "user_agent_client_version"),
  column("domain", "string"),
  column("owner", "string")
]

/** @internal */
export const summaryColumns: ReadonlyArray<ColumnSpec> = [
  column("namespace", "string"),
  column("repository", "string", "repo"),
  column("reference", "string", "ref"),
  column("tag", "string"),
  column("digest", "string"),
  column("uniqueIps", "count", "unique_ip", "unique_ip_count", "unique_ip_address_count", "ip_count", "ips"),
  column("pullsByTag", "count", "pull_by_tag", "pull_by_tag_count", "pulls_by_tag_count", "tag_pulls"),
  column("pullsByDigest", "count", "pull_by_digest", "pull_by_digest_count", "pulls_by_digest_count", "digest_pulls"),
  column("versionChecks", "count", "version_check", "version_check_count", "version_checks_count"),
  column("owner", "string")
]

/** @internal */
export type RecordMapper = (record: CsvRecord) => Record<string, unknown> | string

const COUNT = /^-?\d+(?:\.\d+)?$/

/**
 * Reads a count column's text. A number whose magnitude is beyond 2^53 - 1 cannot be held exactly by a `number`
 * (9007199254740993 would read as …992), so it is an error rather than a silently rounded count.
 */
const readCount = (key: string, value: string): number | string => {
  if (!COUNT.test(value)) {
    return `the column ${JSON.stringify(key)} holds ${JSON.stringify(value.slice(0, 40))}, not a number`
  }
  const count = Number(value)
  if (Math.abs(count) > Number.MAX_SAFE_INTEGER) {
    return `the column ${JSON.stringify(key)} holds ${value.slice(0, 40)}, beyond 2^53 - 1: not exact as a number`
  }
  return count
}

/**
 * Sets `key` on a row's `extra` as an own, enumerable property whatever its name. A plain assignment is enough for
 * every name but `__proto__`, whose assignment would try to change the object's prototype (and, for a string,
 * silently do nothing): that one key is defined instead. `extra` stays an ordinary object, so the rows compare,
 * print, spread and serialize as before; `Object.create(null)` would have broken `hasOwnProperty` and deep-equality
 * against object literals for every caller, and a `Map` would have changed the public row type.
 */
const setExtra = (extra: Record<string, string | null>, key: string, value: string | null): void => {
  if (key === "__proto__") {
    Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    extra[key] = value
  }
}

/**
 * Compiles the mapping for one file from its header. Returns an error text for a header that cannot be used.
 *
 * @internal
 */
export const compileHeader = (columns: ReadonlyArray<ColumnSpec>, header: CsvRecord): RecordMapper | string => {
  const byName = new Map<string, ColumnSpec>()
  for (const spec of columns) for (const name of spec.names) if (!byName.has(name)) byName.set(name, spec)
  const keys: Array<string> = []
  const kinds: Array<ColumnSpec["kind"] | "extra"> = []
  const seen = new Set<string>()
  for (const name of header) {
    if (name === null) return "the header has a null column name"
    const spec = byName.get(normalizeHeader(name))
    const key = spec === undefined ? name : spec.key
    const id = spec === undefined ? `extra:${name}` : key
    if (seen.has(id)) return `the header names the column ${JSON.stringify(name)} twice`
    seen.add(id)
    keys.push(key)
    kinds.push(spec === undefined ? "extra" : spec.kind)
  }
  const width = header.length
  return (record) => {
    if (record.length !== width) return `the record has ${record.length} fields, the header ${width}`
    const row: Record<string, unknown> = {}
    const extra: Record<string, string | null> = {}
    for (let i = 0; i < width; i++) {
      const value = record[i]!
      const kind = kinds[i]!
      const key = keys[i]!
      if (kind === "string") {
        row[key] = value
      } else if (kind === "count") {
        if (value === null || value === "") {
          row[key] = null
        } else {
          const count = readCount(key, value)
          if (typeof count === "string") return count
          row[key] = count
        }
      } else {
        setExtra(extra, key, value)
      }
    }
    row.extra = extra
    return row
  }
}
