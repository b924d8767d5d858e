/**
 * Weekly pulls per repository of a Docker Hub namespace, from the DVP Data API: printed as a table and written as
 * an SVG line chart.
 *
 *   node examples/dvp-report.ts [out.svg]
 *
 * With no `DVP_BASE_URL` in the environment it starts the repository's DVP test server (test/dvp/server.ts) on
 * 127.0.0.1 and reports on its `acme` namespace. Against Docker Hub:
 *
 *   DVP_BASE_URL=https://hub.docker.com/api/publisher/analytics/v1 DVP_NAMESPACE=myorg \
 *   DOCKER_HUB_USERNAME=me DOCKER_HUB_PASSWORD=dckr_pat_… node examples/dvp-report.ts report.svg
 *
 * (`Dvp.layerConfig` reads the credentials: `DOCKER_HUB_TOKEN` instead of username/password uses a bearer token
 * as it is; `DOCKER_HUB_TOTP` answers a two-factor prompt; `DOCKER_HUB_URL` overrides the Hub login host.)
 */
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import { writeFileSync } from "node:fs"
import * as Dvp from "../src/Dvp.ts"

const TOP = 8

interface Series {
  readonly repo: string
  readonly counts: ReadonlyArray<number>
  readonly total: number
}

/** Pull counts per repo and week, the top repos by total and the rest summed as "others". */
const tabulate = (data: Dvp.PullData) => {
  const weeks = [...new Set((data.pulls ?? []).map((p) => p.start ?? "?"))].sort()
  const byRepo = new Map<string, Array<number>>()
  for (const p of data.pulls ?? []) {
    const repo = p.repo ?? "(namespace)"
    let counts = byRepo.get(repo)
    if (!counts) byRepo.set(repo, counts = weeks.map(() => 0))
    counts[weeks.indexOf(p.start ?? "?")]! += p.pullCount ?? 0
  }
  const all: Array<Series> = [...byRepo].map(([repo, counts]) => ({
    repo,
    counts,
    total: counts.reduce((a, b) => a + b, 0)
  }))
  all.sort((a, b) => b.total - a.total || a.repo.localeCompare(b.repo))
  const top = all.slice(0, TOP)
  const rest = all.slice(TOP)
  if (rest.length > 0) {
    const counts = weeks.map((_, i) => rest.reduce((n, s) => n + s.counts[i]!, 0))
    top.push({ repo: `others (${rest.length})`, counts, total: counts.reduce((a, b) => a + b, 0) })
  }
  const totals = weeks.map((_, i) => all.reduce((n, s) => n + s.counts[i]!, 0))
  return { weeks, series: top, totals, repos: all.length }
}

const compact = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : String(n))

const table = (t: ReturnType<typeof tabulate>): string => {
  const head = ["repository", ...t.weeks.map((w) => w.slice(5)), "total"]
  const rows = [
    ...t.series.map((s) => [s.repo, ...s.counts.map(compact), compact(s.total)]),
    ["all repos", ...t.totals.map(compact), compact(t.totals.reduce((a, b) => a + b, 0))]
  ]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  return [line(head), rule, ...rows.slice(0, -1).map(line), rule, line(rows.at(-1)!)].join("\n")
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const palette = ["#1d63ed", "#e5484d", "#30a46c", "#f5a524", "#8e4ec6", "#0d9488", "#d6409f", "#6b7280", "#a3a3a3"]

/** A line chart of the top repos (not "others"): weeks on x, pulls on y, with gridlines and a legend. */
const svg = (table: ReturnType<typeof tabulate>, title: string): string => {
  const t = { ...table, series: table.series.filter((s) => !s.repo.startsWith("others")) }
  const width = 960
  const height = 520
  const m = { top: 48, right: 220, bottom: 56, left: 72 }
  const w = width - m.left - m.right
  const h = height - m.top - m.bottom
  const max = Math.max(1, ...t.series.flatMap((s) => s.counts))
  const step = 10 ** Math.floor(Math.log10(max))
  const top = Math.ceil(max / step) * step
  const x = (i: number) => m.left + (t.weeks.length <= 1 ? w / 2 : (i * w) / (t.weeks.length - 1))
  const y = (v: number) => m.top + h - (v / top) * h
  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${m.left}" y="28" font-size="18" font-weight="600">${escape(title)}</text>`
  ]
  for (let k = 0; k <= 5; k++) {
    const v = (top * k) / 5
    out.push(
      `<line x1="${m.left}" x2="${m.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#4b5563">${compact(Math.round(v))}</text>`
    )
  }
  t.weeks.forEach((week, i) => {
    out.push(`<text x="${x(i)}" y="${m.top + h + 20}" text-anchor="middle" fill="#4b5563">${week.slice(5)}</text>`)
  })
  out.push(
    `<text x="${m.left + w / 2}" y="${height - 12}" text-anchor="middle" fill="#111827">week starting</text>`,
    `<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#111827">` +
      `pulls per week</text>`
  )
  t.series.forEach((s, k) => {
    const color = palette[k % palette.length]!
    const points = s.counts.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`)
    const ly = m.top + 8 + k * 22
    out.push(
      `<line x1="${m.left + w + 24}" x2="${m.left + w + 44}" y1="${ly}" y2="${ly}"` +
        ` stroke="${color}" stroke-width="3"/>`,
      `<text x="${m.left + w + 50}" y="${ly + 4}">${escape(s.repo)} (${compact(s.total)})</text>`
    )
  })
  out.push("</svg>")
  return out.join("\n")
}

const report = (namespace: string, svgPath: string) =>
  Effect.gen(function*() {
    const data = yield* Dvp.namespacePulls(namespace, { timespan: "weeks", period: "last-3-months", group: "repo" })
    const t = tabulate(data)
    console.log(`Weekly pulls of ${namespace}, last 3 months (${t.repos} repos; top ${TOP} shown)\n`)
    console.log(table(t))
    writeFileSync(svgPath, svg(t, `${namespace}: weekly pulls of the top ${TOP} repositories`) + "\n")
    console.log(`\nchart written to ${svgPath}`)
  })

const svgPath = process.argv[2] ?? "dvp-report.svg"
const env = process.env

const main = Effect.gen(function*() {
  if (env["DVP_BASE_URL"] === undefined) {
    // no Docker Hub here: report on the test server's data
    const { startDvpTestServer } = yield* Effect.promise(() => import("../test/dvp/server.ts"))
    const server = yield* Effect.acquireRelease(
      Effect.promise(() => startDvpTestServer()),
      (s) => Effect.promise(() => s.close())
    )
    console.log(`(DVP test server on ${server.baseUrl})\n`)
    const live = Dvp.layer({
      baseUrl: server.baseUrl,
      hubUrl: server.hubUrl,
      credentials: Dvp.password({
        username: server.users.publisher.username,
        password: server.users.publisher.password
      })
    })
    return yield* report("acme", svgPath).pipe(Effect.provide(live))
  }
  // Docker Hub: credentials and URLs from the environment (see Dvp.layerConfig)
  const namespace = env["DVP_NAMESPACE"]
  if (namespace === undefined) return yield* Effect.die(new Error("set DVP_NAMESPACE"))
  return yield* report(namespace, svgPath).pipe(Effect.provide(Dvp.layerConfig()))
})

Effect.runPromise(Effect.scoped(main).pipe(Effect.provide(FetchHttpClient.layer))).catch((error) => {
  console.error(String(error))
  process.exit(1)
})
