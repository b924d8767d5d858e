/**
 * The dashboard example in headless Chromium (Debian's `chromium`, driven by playwright-core) against the real
 * engine behind the allow-list proxy: a container the test starts appears in the list, its log lines arrive, the
 * CPU/memory chart updates from the stats stream, and stopping it (not allowed: it lacks the
 * `dashboard.actions=yes` label) is answered with the SDK's typed error (`Forbidden`, status 403, the proxy's
 * message naming `ContainerStop`). Screenshots are saved to `test-artifacts/`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { startDashboard } from "../../examples/dashboard/server.ts"
import { launchChromium } from "../support/chromium.ts"
import { TEST_IMAGE } from "../support/engine.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const artifacts = `${root}test-artifacts`
const name = `effect-docker-dashboard-${Date.now().toString(36)}`
let browser: Browser | undefined
let dashboard: { url: string; close: () => Promise<void> } | undefined

describe("dashboard example (headless Chromium, through the proxy)", () => {
  beforeAll(async () => {
    execFileSync("bash", [`${root}scripts/install-chromium.sh`], { stdio: ["ignore", "inherit", "inherit"] })
    mkdirSync(artifacts, { recursive: true })
    execFileSync("docker", [
      "run",
      "-d",
      "--name",
      name,
      TEST_IMAGE,
      "sh",
      "-c",
      "i=0; while [ $i -lt 3000 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done"
    ], { stdio: "ignore" })
    dashboard = await startDashboard({ port: 0 })
    browser = await launchChromium()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await dashboard?.close()
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" })
  })

  it("shows the container, its logs and stats; a denied stop is the typed Forbidden (403)", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 760 } })
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(String(error)))
    await page.goto(dashboard!.url)
    const row = page.locator(`tr[data-name="${name}"]`)
    await row.waitFor({ timeout: 30_000 })
    expect(await row.locator(".state").textContent()).toBe("running")
    expect(await row.textContent()).toContain(TEST_IMAGE)
    await row.click()
    await page.waitForFunction(() => (document.getElementById("logs")?.textContent ?? "").includes("tick 3\n"), null, {
      timeout: 30_000
    })
    await page.waitForFunction(() => Number(document.getElementById("charts")?.dataset["samples"]) >= 4, null, {
      timeout: 30_000
    })
    expect(await page.locator("#cpu polyline").getAttribute("points")).toMatch(/\d/)
    expect(await page.locator("#mem-label").textContent()).toMatch(/^memory \d/)
    // the event feed holds the test container's start
    expect(await page.locator("#events").textContent()).toContain(`container start ${name}`)
    await row.locator("button[data-action=\"stop\"]").click()
    await page.waitForFunction(() => document.getElementById("error")?.dataset["tag"] !== undefined, null, {
      timeout: 30_000
    })
    // ContainerStop documents 304/404/500 only; a 403 is Forbidden for every operation
    expect(await page.locator("#error").getAttribute("data-tag")).toBe("Forbidden")
    expect(await page.locator("#error").getAttribute("data-status")).toBe("403")
    expect(await page.locator("#error").textContent()).toContain("ContainerStop")
    await page.screenshot({ path: `${artifacts}/dashboard.png` })
    expect(errors).toEqual([])
    // the container is still running: the stop never reached the daemon
    const running = execFileSync("docker", ["inspect", "-f", "{{.State.Running}}", name], { encoding: "utf8" })
    expect(running.trim()).toBe("true")
    await page.close()
  })
})
