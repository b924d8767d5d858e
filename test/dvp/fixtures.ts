/**
 * Deterministic DVP data for the test server: raw export rows computed from (seed, index) alone, so a file of any
 * size is streamed without being held, and a test can recompute any row to compare. The CSV writer here is written
 * independently of the SDK's, so a shared bug cannot hide.
 */

/** A 32-bit FNV-1a hash. */
export const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32 seeded from two numbers: the same (seed, index) always gives the same sequence. */
export const random = (seed: number, index: number) => {
  let a = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <A>(next: () => number, items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!

/** The header of the generated raw files: the known columns in Docker's order, plus one the SDK does not know. */
export const rawHeader = [
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
  "owner",
  "region"
] as const

export type Field = string | null

const countries = ["US", "DE", "FR", "JP", "BR", "IN", "GB", "CA", null]
const hosts = ["aws", "gcp", "azure", "", null]
const tags = ["latest", "1.0", "1.1", "2.0-alpine"]
const industries = ["Technology", "Finance", "Healthcare, Pharma", "Education", null]
const tools = ["docker", "containerd", "buildkit", "go-http-client", "podman"]
const versions = ["24.0.7", "1.7.13", "0.12.5", "1.1", "4.9.3"]
const domains = ["example.com", "corp.example", "say \"hi\".example", "two\nlines.example", null]
const owners = ["Example Corp", "ACME, Inc.", null]
const regions = ["eu", "us", "ap"]

export interface RawSource {
  readonly namespace: string
  readonly repos: number
  /** The first day of the timespan, `YYYY-MM-DD`. */
  readonly startDay: string
  readonly days: number
  readonly seed: number
}

/** Row `i` of a raw export, as CSV fields in {@link rawHeader} order. */
export const rawRow = (source: RawSource, i: number): Array<Field> => {
  const next = random(source.seed, i)
  const r = next()
  const action = r < 0.6 ? "pull_by_tag" : r < 0.9 ? "pull_by_digest" : "version_check"
  const day = Math.floor(next() * source.days)
  const date = new Date(Date.parse(`${source.startDay}T00:00:00Z`) + day * 86_400_000)
  const time = new Date(date.getTime() + Math.floor(next() * 86_400_000))
  let digest = "sha256:"
  for (let k = 0; k < 8; k++) digest += Math.floor(next() * 0x100000000).toString(16).padStart(8, "0")
  const tag = action === "pull_by_digest" ? null : pick(next, tags)
  const repo = `repo-${String(Math.floor(next() * source.repos)).padStart(3, "0")}`
  return [
    action,
    date.toISOString().slice(0, 10),
    pick(next, countries),
    digest,
    action === "version_check" ? "HEAD" : "GET",
    pick(next, hosts),
    source.namespace,
    tag ?? digest,
    repo,
    tag,
    time.toISOString(),
    pick(next, industries),
    pick(next, tools),
    pick(next, versions),
    pick(next, domains),
    pick(next, owners),
    pick(next, regions)
  ]
}

/** One CSV field: quoted when it holds `,` `"` CR LF, is empty or looks like the null token; `null` is `\N`. */
export const csvField = (value: Field): string => {
  if (value === null) return "\\N"
  if (value === "" || value === "\\N" || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, "\"\"")}"`
  return value
}

export const csvLine = (fields: ReadonlyArray<Field>): string => fields.map(csvField).join(",") + "\r\n"

/** The text of rows `[from, to)` with a header first, in chunks of about `chunkSize` characters. */
export function* rawCsvChunks(source: RawSource, from: number, to: number, chunkSize = 64 * 1024): Generator<string> {
  let buffer = csvLine(rawHeader)
  for (let i = from; i < to; i++) {
    buffer += csvLine(rawRow(source, i))
    if (buffer.length >= chunkSize) {
      yield buffer
      buffer = ""
    }
  }
  if (buffer.length > 0) yield buffer
}

/** Aggregates of raw rows, what summary files report. */
export interface Counts {
  pullsByTag: number
  pullsByDigest: number
  versionChecks: number
}

export const emptyCounts = (): Counts => ({ pullsByTag: 0, pullsByDigest: 0, versionChecks: 0 })

export const addAction = (counts: Counts, action: Field) => {
  if (action === "pull_by_tag") counts.pullsByTag++
  else if (action === "pull_by_digest") counts.pullsByDigest++
  else if (action === "version_check") counts.versionChecks++
}

/** A made-up but stable unique-IP count for a group of rows. */
export const uniqueIps = (key: string, counts: Counts) => {
  const actions = counts.pullsByTag + counts.pullsByDigest + counts.versionChecks
  return Math.max(1, Math.floor(actions * (0.4 + (hash(key) % 40) / 100)))
}

/** Weekly (or monthly) pull count of a repo: stable, with a trend and noise. */
export const pullCount = (namespace: string, repo: string, start: string): number => {
  const h = hash(`${namespace}/${repo}@${start}`)
  const base = 200 + (hash(`${namespace}/${repo}`) % 4800)
  const week = Math.floor(Date.parse(`${start}T00:00:00Z`) / (7 * 86_400_000))
  return Math.round(base * (1 + 0.02 * (week % 13)) + (h % 400))
}
