/**
 * A DVP Data API and Docker Hub login server for tests and the example report, on 127.0.0.1 (random ports).
 *
 * - Every request is matched against spec/dvp-latest.yaml (and hub-latest.yaml for `/v2/auth/token`): method, path,
 *   path and query parameter types and enums, unknown query parameters, required JSON body fields, the bearer
 *   token where the spec asks for one. A request the spec does not allow gets a 400 and is recorded in
 *   `violations`; so is any answer of the server's own that does not match the documented response schema.
 * - Users: `publisher` (password or PAT, no 2FA), `secure` (2FA, TOTP code fixed), and an organization access token.
 * - Export files live on a second "storage" server behind signed URLs (like S3): some answer with a redirect first,
 *   they are gzip or plain with right, wrong or missing headers, and a request carrying `Authorization` is refused.
 *   Raw files are generated row by row while being sent (deterministic, see fixtures.ts), so the server's memory
 *   does not grow with their size.
 * - Faults: `inject` queues 429 (with `Retry-After`), 5xx or 401 answers for an operation; `expireTokens` makes
 *   every issued token stale.
 */
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"
import * as zlib from "node:zlib"
import {
  addAction,
  type Counts,
  csvLine,
  emptyCounts,
  type Field,
  hash,
  pullCount,
  rawCsvChunks,
  rawRow,
  type RawSource,
  uniqueIps
} from "./fixtures.ts"
import { dvpPrefix, match, type Operation, validateBody, validateResponse } from "./openapi.ts"

export type Encoding =
  | "plain"
  | "gzip"
  | "gzip-wrong-type"
  | "gzip-no-type"
  | "gzip-encoding"
  | "gzip-truncated"
  | "plain-cut"
  /** The text cut at two byte offsets (mid-line) into three gzip members, concatenated (`cat a.gz b.gz c.gz`). */
  | "gzip-members"
  /** zlib-wrapped deflate (RFC 1950). */
  | "zlib"
  /** Raw deflate (RFC 1951), which has no magic bytes. */
  | "deflate-raw"

/** Hostile file contents, served instead of the view's rows. */
export type Content =
  /** A header, then one record of 16 Mi empty fields (16 MiB of commas). */
  | "wide-record"
  /** A raw export whose columns are named `__proto__`, `constructor` and `toString`. */
  | "proto-columns"
  /** A summary export whose count is 2^53 + 1. */
  | "huge-count"

export interface FileKey {
  readonly namespace: string
  readonly year: number
  readonly timespanType: "weeks" | "months"
  readonly timespan: number
  readonly view: "raw" | "summary" | "repo-summary" | "namespace-summary"
  readonly part: number
  readonly parts: number
  readonly encoding: Encoding
  readonly redirect: boolean
  readonly content?: Content
}

export interface Fault {
  /** An operationId of the specs, `download` for export files, or `*` for any request. */
  readonly operation: string
  readonly status: number
  readonly retryAfter?: string
  readonly times?: number
  readonly detail?: string
  /** Sent as the body, as it is, instead of a JSON `detail` (e.g. a 200 whose JSON holds a number beyond 2^53). */
  readonly body?: string
}

export interface LogEntry {
  readonly at: number
  readonly server: "api" | "storage"
  readonly method: string
  readonly path: string
  readonly operation: string
  readonly status: number
  readonly authorization: boolean
  readonly query: string
}

export interface DvpTestServerOptions {
  /** The day the server lives in (a Monday), `YYYY-MM-DD`. Default 2026-11-09. */
  readonly today?: string
  /** Rows of the large raw export (the last complete week of `acme`). Default 120 000. */
  readonly largeRows?: number
  /** Files the large raw export is split over. Default 4. */
  readonly largeParts?: number
}

export interface DvpTestServer {
  readonly hubUrl: string
  readonly baseUrl: string
  readonly storageUrl: string
  readonly users: typeof users
  readonly totpCode: string
  /** The year and week of the large raw export. */
  readonly largeExport: {
    readonly namespace: string
    readonly year: number
    readonly week: number
    readonly rows: number
  }
  readonly log: Array<LogEntry>
  readonly violations: Array<string>
  /** Tokens issued (by any of the three login routes). */
  logins(): number
  /** Every secret the server handed out: bearer tokens, 2FA login tokens, URL signatures. */
  secrets(): ReadonlyArray<string>
  count(operation: string): number
  /** The most requests of `operation` the server was handling at once. */
  maxConcurrent(operation: string): number
  inject(fault: Fault): void
  expireTokens(): void
  reset(): void
  fileUrl(key: FileKey): string
  /** The source of the raw rows of an export timespan (to recompute rows in tests). */
  rawSource(namespace: string, year: number, timespanType: "weeks" | "months", timespan: number): RawSource
  rawRowCount(namespace: string, year: number, timespanType: "weeks" | "months", timespan: number): number
  close(): Promise<void>
}

export const users = {
  publisher: { username: "publisher", password: "correct horse battery staple", pat: "dckr_pat_publisher0123456789" },
  secure: { username: "secure", password: "s3cure pass, with \"quotes\"" },
  org: { identifier: "acme", secret: "dckr_oat_acme0123456789" }
} as const

const TOTP = "424242"

interface Namespace {
  readonly repos: number
  readonly owner: string
  readonly extraRepos: ReadonlyArray<string>
}

const namespaces: Record<string, Namespace> = {
  acme: { repos: 120, owner: "Acme Corp", extraRepos: ["partner/acme-helper"] },
  globex: { repos: 8, owner: "Globex", extraRepos: [] }
}

const access: Record<string, ReadonlyArray<string>> = {
  publisher: ["acme", "globex"],
  secure: ["acme"],
  acme: ["acme"]
}

const repoName = (i: number) => `repo-${String(i).padStart(3, "0")}`

const DAY = 86_400_000
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10)
const dayOf = (s: string) => Date.parse(`${s}T00:00:00Z`)

/** The Monday of week 1: the first Monday on or after January 1. */
const firstMonday = (year: number) => {
  const jan1 = Date.UTC(year, 0, 1)
  const dow = new Date(jan1).getUTCDay() // 0 = Sunday
  return jan1 + ((8 - dow) % 7) * DAY
}

const periodMonths: Record<string, number> = {
  "last-2-months": 2,
  "last-3-months": 3,
  "last-6-months": 6,
  "last-12-months": 12
}

interface Answer {
  readonly status: number
  readonly body?: unknown
  /** A body sent as it is. */
  readonly raw?: string
  readonly headers?: Record<string, string>
}

const json = (status: number, body: unknown, headers?: Record<string, string>): Answer =>
  headers === undefined ? { status, body } : { status, body, headers }

export const startDvpTestServer = async (options: DvpTestServerOptions = {}): Promise<DvpTestServer> => {
  const today = dayOf(options.today ?? "2026-11-09")
  const thisYear = new Date(today).getUTCFullYear()
  const largeRows = options.largeRows ?? 120_000
  const largeParts = options.largeParts ?? 4
  const secret = randomBytes(8).toString("hex")

  const tokens = new Map<string, string>() // token → user
  const pending2fa = new Map<string, string>() // login_2fa_token → user
  let issued = 0
  const handedOut: Array<string> = []
  const faults: Array<Fault & { remaining: number }> = []
  const log: Array<LogEntry> = []
  const violations: Array<string> = []
  const sizes = new Map<string, number>()
  const inFlight = new Map<string, number>()
  const maxInFlight = new Map<string, number>()
  const summaries = new Map<string, Map<string, Counts>>()

  const issue = (user: string) => {
    const token = `eyJ${randomBytes(24).toString("base64url")}.${user}`
    tokens.set(token, user)
    handedOut.push(token)
    issued++
    return token
  }

  // ---- the export catalog ----------------------------------------------------------------------------------------

  const weeksIn = (year: number) => {
    const out: Array<number> = []
    for (let start = firstMonday(year), n = 1; new Date(start).getUTCFullYear() === year; start += 7 * DAY, n++) {
      if (start + 7 * DAY <= today) out.push(n)
    }
    return out
  }
  const monthsIn = (year: number) => {
    const out: Array<number> = []
    for (let m = 1; m <= 12; m++) if (Date.UTC(year, m, 1) <= today) out.push(m)
    return out
  }
  const years = [thisYear - 1, thisYear]
  const largeWeek = weeksIn(thisYear).at(-1)!

  const span = (year: number, type: "weeks" | "months", ts: number) =>
    type === "weeks"
      ? { start: firstMonday(year) + (ts - 1) * 7 * DAY, days: 7 }
      : {
        start: Date.UTC(year, ts - 1, 1),
        days: Math.round((Date.UTC(year, ts, 1) - Date.UTC(year, ts - 1, 1)) / DAY)
      }

  const rawSource = (namespace: string, year: number, type: "weeks" | "months", ts: number): RawSource => {
    const { days, start } = span(year, type, ts)
    return {
      namespace,
      repos: namespaces[namespace]!.repos,
      startDay: isoDay(start),
      days,
      seed: hash(`${namespace}/${year}/${type}/${ts}`)
    }
  }
  const isLarge = (namespace: string, year: number, type: string, ts: number) =>
    namespace === "acme" && year === thisYear && type === "weeks" && ts === largeWeek
  const rawRowCount = (namespace: string, year: number, type: "weeks" | "months", ts: number) =>
    isLarge(namespace, year, type, ts) ? largeRows : 1000 + (hash(`${namespace}${year}${type}${ts}`) % 1000)

  const encodings: ReadonlyArray<Encoding> = ["gzip", "plain", "gzip-wrong-type", "gzip-encoding", "gzip-no-type"]

  const filesOf = (namespace: string, year: number, type: "weeks" | "months", ts: number, view: FileKey["view"]) => {
    const parts = view !== "raw" ? 1 : isLarge(namespace, year, type, ts) ? largeParts : 2
    const summaryEncoding: Record<string, Encoding> = {
      summary: "gzip",
      "repo-summary": "plain",
      "namespace-summary": "gzip-encoding"
    }
    return Array.from({ length: parts }, (_, part): FileKey => ({
      namespace,
      year,
      timespanType: type,
      timespan: ts,
      view,
      part,
      parts,
      encoding: view === "raw" ? encodings[part % encodings.length]! : summaryEncoding[view]!,
      redirect: part % 2 === 1
    }))
  }

  /** The rows of part `part` of `parts`: a contiguous slice of the timespan's rows. */
  const sliceOf = (key: FileKey) => {
    const total = rawRowCount(key.namespace, key.year, key.timespanType, key.timespan)
    return [Math.floor((total * key.part) / key.parts), Math.floor((total * (key.part + 1)) / key.parts)] as const
  }

  const countsOf = (namespace: string, year: number, type: "weeks" | "months", ts: number) => {
    const id = `${namespace}/${year}/${type}/${ts}`
    let counts = summaries.get(id)
    if (!counts) {
      counts = new Map()
      const source = rawSource(namespace, year, type, ts)
      const total = rawRowCount(namespace, year, type, ts)
      for (let i = 0; i < total; i++) {
        const row = rawRow(source, i)
        const action = row[0]!
        for (const k of [`ns`, `repo\t${row[8]}`, `ref\t${row[8]}\t${row[7]}`]) {
          let c = counts.get(k)
          if (!c) counts.set(k, c = emptyCounts())
          addAction(c, action)
        }
      }
      summaries.set(id, counts)
    }
    return counts
  }

  function* summaryChunks(key: FileKey): Generator<string> {
    const counts = countsOf(key.namespace, key.year, key.timespanType, key.timespan)
    const owner = namespaces[key.namespace]!.owner
    const n = (v: number) => String(v)
    const cells = (k: string, c: Counts) => [n(uniqueIps(k, c)), n(c.pullsByTag), n(c.pullsByDigest)]
    if (key.view === "namespace-summary") {
      const c = counts.get("ns") ?? emptyCounts()
      yield csvLine(["namespace", "unique_ip_count", "pull_by_tag", "pull_by_digest", "version_check", "owner"])
      yield csvLine([key.namespace, ...cells(key.namespace, c), n(c.versionChecks), owner])
      return
    }
    const rows: Array<string> = []
    if (key.view === "repo-summary") {
      rows.push(csvLine([
        "namespace",
        "repository",
        "unique_ip_count",
        "pull_by_tag",
        "pull_by_digest",
        "version_check",
        "owner"
      ]))
      for (const [k, c] of [...counts].filter(([k]) => k.startsWith("repo\t")).sort()) {
        const repo = k.split("\t")[1]!
        rows.push(csvLine([key.namespace, repo, ...cells(k, c), n(c.versionChecks), owner]))
      }
    } else {
      rows.push(csvLine([
        "namespace",
        "repository",
        "reference",
        "unique_ip_count",
        "pull_by_tag",
        "pull_by_digest",
        "version_check",
        "owner",
        "timespan"
      ]))
      const label = `${key.year}-${key.timespanType}-${key.timespan}`
      for (const [k, c] of [...counts].filter(([k]) => k.startsWith("ref\t")).sort()) {
        const [, repo, ref] = k.split("\t")
        // a tag-level summary has no version checks for a digest reference: written as \N
        const checks: Field = c.versionChecks === 0 ? null : n(c.versionChecks)
        rows.push(csvLine([key.namespace, repo!, ref!, ...cells(k, c), checks, owner, label]))
      }
    }
    yield rows.join("")
  }

  const contentChunks = function*(content: Content): Iterable<string> {
    switch (content) {
      case "wide-record": {
        yield "action,tag\n"
        const commas = ",".repeat(64 * 1024)
        for (let i = 0; i < 256; i++) yield i === 255 ? commas.slice(1) + "\n" : commas
        return
      }
      case "proto-columns":
        yield "action,__proto__,constructor,toString\npull_by_tag,a,b,c\n"
        return
      case "huge-count":
        yield "repository,pull_by_tag,unique_ip_count\napi,9007199254740993,1\n"
        return
    }
  }

  const textOf = (key: FileKey): Iterable<string> => {
    if (key.content !== undefined) return contentChunks(key.content)
    if (key.view !== "raw") return summaryChunks(key)
    const [from, to] = sliceOf(key)
    return rawCsvChunks(rawSource(key.namespace, key.year, key.timespanType, key.timespan), from, to)
  }

  const isGzip = (e: Encoding) => e !== "plain" && e !== "plain-cut" && e !== "zlib" && e !== "deflate-raw"

  const bodyOf = (key: FileKey): Readable => {
    const text = Readable.from((function*() {
      for (const chunk of textOf(key)) yield Buffer.from(chunk, "utf8")
    })())
    if (key.encoding === "plain-cut") {
      // the connection drops after the first chunk
      return Readable.from((async function*() {
        for await (const chunk of text) {
          yield chunk
          await new Promise((resolve) => setTimeout(resolve, 20))
          throw new Error("connection lost")
        }
      })())
    }
    if (key.encoding === "gzip-truncated") {
      // a small file only: gzip it whole, send the first half
      return Readable.from((async function*() {
        const whole = zlib.gzipSync(Buffer.concat(await text.toArray()))
        yield whole.subarray(0, Math.floor(whole.length / 2))
      })())
    }
    if (key.encoding === "gzip-members") {
      return Readable.from((async function*() {
        const whole = Buffer.concat(await text.toArray())
        const cuts = [0, Math.floor(whole.length / 3), Math.floor(whole.length * 2 / 3) + 1, whole.length]
        for (let i = 0; i < 3; i++) yield zlib.gzipSync(whole.subarray(cuts[i], cuts[i + 1]), { level: 1 + i * 4 })
      })())
    }
    if (key.encoding === "zlib") return text.pipe(zlib.createDeflate({ level: 1 }))
    if (key.encoding === "deflate-raw") return text.pipe(zlib.createDeflateRaw({ level: 1 }))
    return isGzip(key.encoding) ? text.pipe(zlib.createGzip({ level: 1 })) : text
  }

  const keyId = (key: FileKey) => Buffer.from(JSON.stringify(key)).toString("base64url")
  const sign = (id: string) => {
    const sig = [`${secret}:${id}`, `${id}:${secret}`].map((t) => hash(t).toString(16).padStart(8, "0")).join("")
    handedOut.push(sig)
    return sig
  }

  const sizeOf = async (key: FileKey) => {
    const id = keyId(key)
    let size = sizes.get(id)
    if (size === undefined) {
      size = 0
      for await (const chunk of bodyOf(key)) size += (chunk as Buffer).length
      sizes.set(id, size)
    }
    return size
  }

  // ---- handlers ----------------------------------------------------------------------------------------------------

  const pullsOf = (namespace: string, query: Record<string, unknown>, repo?: string) => {
    const timespan = (query.timespan as string | undefined) ?? "months"
    const months = periodMonths[(query.period as string | undefined) ?? "last-2-months"]!
    const spans: Array<{ start: number; end: number }> = []
    if (timespan === "weeks") {
      const count = Math.round((months * 52) / 12)
      const lastMonday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY
      for (let k = count; k >= 1; k--) {
        const start = lastMonday - k * 7 * DAY
        spans.push({ start, end: start + 6 * DAY })
      }
    } else {
      const d = new Date(today)
      for (let k = months; k >= 1; k--) {
        const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 1)
        const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k + 1, 1) - DAY
        spans.push({ start, end })
      }
    }
    const ns = namespaces[namespace]!
    const repos = repo !== undefined ? [repo] : Array.from({ length: ns.repos }, (_, i) => repoName(i))
    const byRepo = repo !== undefined || query.group === "repo"
    const pulls: Array<Record<string, unknown>> = []
    for (const { start, end } of spans) {
      const startDay = isoDay(start)
      const counts = repos.map((r) => pullCount(namespace, r, startDay))
      if (byRepo) {
        repos.forEach((r, i) =>
          pulls.push({
            start: startDay,
            end: isoDay(end),
            namespace,
            repo: r,
            pullCount: counts[i]!,
            ipCount: Math.floor(counts[i]! * 0.37)
          })
        )
      } else {
        const total = counts.reduce((a, b) => a + b, 0)
        const ipCount = Math.floor(total * 0.37)
        pulls.push({ start: startDay, end: isoDay(end), namespace, pullCount: total, ipCount })
      }
    }
    return { pulls }
  }

  const metadataOf = (namespace: string) => ({
    namespace,
    extraRepos: [...namespaces[namespace]!.extraRepos],
    datasets: [{
      name: "pulls",
      views: ["raw", "summary", "repo-summary", "namespace-summary"],
      timespans: ["months", "weeks"]
    }]
  })

  const handle = async (
    operation: Operation,
    path: Record<string, any>,
    query: Record<string, any>,
    user: string | undefined,
    body: any
  ): Promise<Answer> => {
    const mine = access[user ?? ""] ?? []
    const visible = (ns: string) => mine.includes(ns) && namespaces[ns] !== undefined
    const notFound = json(404, { detail: "namespace doesn't exist or user does not have permission to access it" })
    switch (operation.id) {
      case "PostUsersLogin": {
        const { username, password } = body
        const known = username === users.publisher.username &&
            (password === users.publisher.password || password === users.publisher.pat) ||
          username === users.secure.username && password === users.secure.password
        if (!known) return json(401, { detail: "Incorrect authentication credentials" })
        if (username === users.secure.username) {
          const second = `2fa-${randomBytes(16).toString("hex")}`
          pending2fa.set(second, username)
          handedOut.push(second)
          const detail = "Require secondary authentication on MFA enabled account"
          return json(401, { detail, login_2fa_token: second })
        }
        return json(200, { token: issue(username) })
      }
      case "PostUsers2FALogin": {
        const who = pending2fa.get(body.login_2fa_token)
        if (who === undefined || body.code !== TOTP) {
          return json(401, { detail: "Incorrect authentication credentials" })
        }
        pending2fa.delete(body.login_2fa_token)
        return json(200, { token: issue(who) })
      }
      case "AuthCreateAccessToken": {
        const { identifier, secret: s } = body
        const ok = identifier === users.org.identifier && s === users.org.secret ||
          identifier === users.publisher.username && (s === users.publisher.pat || s === users.publisher.password)
        return ok ? json(200, { access_token: issue(identifier) }) : json(401, { detail: "invalid credentials" })
      }
      case "getNamespaces":
        return json(200, { namespaces: mine.filter(visible) })
      case "getUserNamespaces":
        return json(200, mine.filter(visible).map(metadataOf))
      case "getNamespace":
        return visible(path.namespace) ? json(200, metadataOf(path.namespace)) : notFound
      case "getNamespacePulls":
        return visible(path.namespace) ? json(200, pullsOf(path.namespace, query)) : notFound
      case "getRepoPulls": {
        if (!visible(path.namespace)) return notFound
        const index = /^repo-(\d{3})$/.exec(path.repo)
        if (!index || Number(index[1]) >= namespaces[path.namespace]!.repos) {
          return json(404, { detail: "repo doesn't exist or user does not have permission to access it" })
        }
        return json(200, pullsOf(path.namespace, query, path.repo))
      }
      case "getManyReposPulls": {
        const repos: Array<string> = query.repos
        if (repos.length > 50) {
          violations.push(`getManyReposPulls: ${repos.length} repos in one request (the spec allows 50)`)
          return json(400, { detail: `at most 50 repos per request, got ${repos.length}` })
        }
        const out: Record<string, unknown> = {}
        for (const full of repos) {
          const [ns, repo] = full.split("/")
          if (ns === undefined || repo === undefined || !visible(ns)) continue
          const index = /^repo-(\d{3})$/.exec(repo)
          if (!index || Number(index[1]) >= namespaces[ns]!.repos) continue
          out[full] = pullsOf(ns, query, repo)
        }
        return json(200, { repos: out })
      }
      case "getNamespaceYears":
        return visible(path.namespace) ? json(200, { years: years.map((year) => ({ year })) }) : notFound
      case "getNamespaceTimespans": {
        if (!visible(path.namespace)) return notFound
        if (!years.includes(path.year)) return json(200, path.timespantype === "weeks" ? { weeks: [] } : { months: [] })
        return json(
          200,
          path.timespantype === "weeks"
            ? { weeks: weeksIn(path.year).map((week) => ({ week })) }
            : { months: monthsIn(path.year).map((month) => ({ month })) }
        )
      }
      case "getNamespaceTimespanMetadata":
      case "getNamespaceDataByTimespan": {
        if (!visible(path.namespace)) return notFound
        const type = path.timespantype as "weeks" | "months"
        const available = years.includes(path.year) ? (type === "weeks" ? weeksIn(path.year) : monthsIn(path.year)) : []
        if (!available.includes(path.timespan)) return json(404, { detail: "no data for this timespan" })
        if (operation.id === "getNamespaceTimespanMetadata") {
          return json(200, type === "weeks" ? { week: path.timespan } : { month: path.timespan })
        }
        const files = filesOf(path.namespace, path.year, type, path.timespan, path.dataview)
        const data = []
        for (const key of files) data.push({ url: fileUrl(key), size: await sizeOf(key) })
        return json(200, { data })
      }
    }
    return json(500, { detail: `no handler for ${operation.id}` })
  }

  // ---- plumbing ----------------------------------------------------------------------------------------------------

  const takeFault = (operation: string): Fault | undefined => {
    const index = faults.findIndex((f) => f.operation === operation || f.operation === "*")
    if (index === -1) return undefined
    const fault = faults[index]!
    fault.remaining--
    if (fault.remaining <= 0) faults.splice(index, 1)
    return fault
  }

  const faultAnswer = (fault: Fault): Answer =>
    fault.body !== undefined
      ? { status: fault.status, raw: fault.body }
      : json(
        fault.status,
        { detail: fault.detail ?? `injected ${fault.status}` },
        fault.retryAfter === undefined ? {} : { "Retry-After": fault.retryAfter }
      )

  const send = (res: http.ServerResponse, answer: Answer) => {
    const text = answer.raw ?? (answer.body === undefined ? "" : JSON.stringify(answer.body))
    res.writeHead(answer.status, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...answer.headers
    })
    res.end(text)
  }

  const readBody = async (req: http.IncomingMessage): Promise<string> => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  }

  const record = (server: LogEntry["server"], req: http.IncomingMessage, url: URL, operation: string, status: number) =>
    log.push({
      at: performance.now(),
      server,
      method: req.method ?? "",
      path: url.pathname,
      operation,
      status,
      authorization: req.headers.authorization !== undefined,
      query: url.search
    })

  const api = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const method = req.method ?? "GET"
    const result = match(method, url)
    if (result._tag !== "Matched") {
      const status = result._tag === "NoRoute" ? 404 : result._tag === "MethodNotAllowed" ? 405 : 400
      const problems = result._tag === "Invalid" ? result.problems.join("; ") : result._tag
      violations.push(`${method} ${url.pathname}${url.search}: ${problems}`)
      record("api", req, url, "-", status)
      return send(res, json(status, { detail: problems }))
    }
    const { operation, path, query } = result.matched
    const fault = takeFault(operation.id)
    if (fault) {
      await readBody(req)
      record("api", req, url, operation.id, fault.status)
      return send(res, faultAnswer(fault))
    }
    let user: string | undefined
    if (operation.needsAuth) {
      const header = req.headers.authorization
      const bearer = header?.startsWith("Bearer ") ? header.slice(7) : undefined
      if (bearer === undefined) violations.push(`${operation.id}: no bearer token`)
      user = bearer === undefined ? undefined : tokens.get(bearer)
      if (user === undefined) {
        record("api", req, url, operation.id, 401)
        return send(res, json(401, { detail: "token expired or invalid" }))
      }
    }
    let body: unknown
    if (operation.requestBody) {
      const text = await readBody(req)
      const type = req.headers["content-type"] ?? ""
      if (!type.startsWith("application/json")) violations.push(`${operation.id}: content-type ${type}`)
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      const problems = validateBody(operation, body)
      if (problems.length > 0) {
        violations.push(`${operation.id}: ${problems.join("; ")}`)
        record("api", req, url, operation.id, 400)
        return send(res, json(400, { detail: problems.join("; ") }))
      }
    }
    const busy = (inFlight.get(operation.id) ?? 0) + 1
    inFlight.set(operation.id, busy)
    maxInFlight.set(operation.id, Math.max(busy, maxInFlight.get(operation.id) ?? 0))
    // answers take a few milliseconds, so concurrent requests overlap measurably
    await new Promise((resolve) => setTimeout(resolve, 5))
    const answer = await handle(operation, path, query, user, body).finally(() =>
      inFlight.set(operation.id, inFlight.get(operation.id)! - 1)
    )
    if (answer.status < 300 || operation.responses[String(answer.status)]) {
      for (const problem of validateResponse(operation, answer.status, answer.body)) violations.push(problem)
    }
    record("api", req, url, operation.id, answer.status)
    send(res, answer)
  })

  const storage = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const m = /^\/(r|files)\/([A-Za-z0-9_-]+)$/.exec(url.pathname)
    const refuse = (status: number, detail: string) => {
      record("storage", req, url, "download", status)
      res.writeHead(status, { "Content-Type": "application/xml" })
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Message>${detail}</Message></Error>`)
    }
    if (req.method !== "GET" || !m) return refuse(404, "NoSuchKey")
    if (req.headers.authorization !== undefined) {
      violations.push(`download: an Authorization header was sent to the storage server`)
      return refuse(400, "Only one auth mechanism allowed")
    }
    const id = m[2]!
    if (url.searchParams.get("sig") !== sign(id)) return refuse(403, "SignatureDoesNotMatch")
    const fault = takeFault("download")
    if (fault) {
      record("storage", req, url, "download", fault.status)
      return send(res, faultAnswer(fault))
    }
    if (m[1] === "r") {
      record("storage", req, url, "download", 302)
      res.writeHead(302, { Location: `${storageUrl}/files/${id}?sig=${sign(id)}` })
      return res.end()
    }
    const key = JSON.parse(Buffer.from(id, "base64url").toString("utf8")) as FileKey
    const headers: Record<string, string> = {}
    switch (key.encoding) {
      case "plain":
      case "plain-cut":
        headers["Content-Type"] = "text/csv; charset=utf-8"
        break
      case "gzip":
      case "gzip-members":
        headers["Content-Type"] = "application/gzip"
        break
      case "zlib":
      case "deflate-raw":
        headers["Content-Type"] = "application/octet-stream"
        break
      case "gzip-wrong-type":
        headers["Content-Type"] = "text/csv"
        break
      case "gzip-no-type":
      case "gzip-truncated":
        break
      case "gzip-encoding":
        headers["Content-Type"] = "text/csv"
        headers["Content-Encoding"] = "gzip"
        break
    }
    record("storage", req, url, "download", 200)
    res.writeHead(200, headers)
    const body = bodyOf(key)
    body.on("error", () => res.destroy())
    body.pipe(res)
    res.on("close", () => body.destroy())
  })

  const listen = (server: http.Server) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject)
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
    })
  const apiPort = await listen(api)
  const storagePort = await listen(storage)
  const hubUrl = `http://127.0.0.1:${apiPort}`
  const storageUrl = `http://127.0.0.1:${storagePort}`

  const fileUrl = (key: FileKey) => {
    const id = keyId(key)
    return `${storageUrl}/${key.redirect ? "r" : "files"}/${id}?sig=${sign(id)}`
  }

  return {
    hubUrl,
    baseUrl: `${hubUrl}${dvpPrefix}`,
    storageUrl,
    users,
    totpCode: TOTP,
    largeExport: { namespace: "acme", year: thisYear, week: largeWeek, rows: largeRows },
    log,
    violations,
    logins: () => issued,
    secrets: () => [...new Set(handedOut)],
    count: (operation) => log.filter((e) => e.operation === operation).length,
    maxConcurrent: (operation) => maxInFlight.get(operation) ?? 0,
    inject: (fault) => faults.push({ ...fault, remaining: fault.times ?? 1 }),
    expireTokens: () => tokens.clear(),
    reset: () => {
      issued = 0
      maxInFlight.clear()
      log.length = 0
      violations.length = 0
      faults.length = 0
    },
    fileUrl,
    rawSource,
    rawRowCount,
    close: () =>
      new Promise<void>((resolve) => {
        api.closeAllConnections()
        storage.closeAllConnections()
        let open = 2
        const done = () => --open === 0 && resolve()
        api.close(done)
        storage.close(done)
      })
  }
}
