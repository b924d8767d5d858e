/** The example report runs with one command against the test server it starts, printing a table and an SVG. */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))

describe("examples/dvp-report.ts", () => {
  it("prints weekly pulls per repo and writes the chart", { timeout: 120_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "dvp-report-"))
    try {
      const svgPath = join(dir, "report.svg")
      const env = { ...process.env }
      delete env["DVP_BASE_URL"]
      const result = spawnSync(`${root}node_modules/.bin/node`, ["examples/dvp-report.ts", svgPath], {
        cwd: root,
        env,
        encoding: "utf8",
        timeout: 100_000
      })
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
      const lines = result.stdout.split("\n")
      expect(lines).toContain("Weekly pulls of acme, last 3 months (120 repos; top 8 shown)")
      const header = lines.find((l) => l.startsWith("repository"))!
      // 13 weeks between the name and the total
      expect(header.trim().split(/\s+/).length).toBe(15)
      expect(lines.some((l) => l.startsWith("others (112)"))).toBe(true)
      expect(lines.some((l) => l.startsWith("all repos"))).toBe(true)
      const svg = readFileSync(svgPath, "utf8")
      expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true)
      expect(svg.match(/<polyline /g)?.length).toBe(8)
      expect(svg.trim().endsWith("</svg>")).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
