/**
 * The browser-safe core and the fetch transport, in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against the real engine behind a local proxy: the page lists containers, reads a container's
 * logs, attaches over the WebSocket endpoint and sees a hijack refused. Chromium is installed by
 * `scripts/install-chromium.sh` when missing; a failure there fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { bundlePage, launchChromium, pageHtml } from "../support/chromium.ts"
import { startProxy } from "./proxy.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const name = `effect-docker-browser-${Date.now().toString(36)}`
let browser: Browser | undefined
let proxy: { url: string; close: () => Promise<void> } | undefined
let id = ""
let bundleInputs: ReadonlyArray<string> = []

describe("browser (headless Chromium, fetch transport behind a proxy)", () => {
  beforeAll(async () => {
    execFileSync("bash", [`${root}scripts/install-chromium.sh`], { stdio: ["ignore", "inherit", "inherit"] })
    id = execFileSync("docker", [
      "run",
      "--name",
      name,
      "effect-docker/busybox:latest",
      "sh",
      "-c",
      "echo hello from the container; echo to stderr >&2"
    ], { encoding: "utf8" }).trim()
    id = execFileSync("docker", ["inspect", "-f", "{{.Id}}", name], { encoding: "utf8" }).trim()
    const page = await bundlePage(`${root}test/browser/page.ts`)
    bundleInputs = page.inputs
    proxy = await startProxy({ socketPath: "/var/run/docker.sock", html: pageHtml, script: page.script })
    browser = await launchChromium()
  }, 180_000)

  afterAll(async () => {
    await proxy?.close()
    await browser?.close()
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" })
  })

  it("the bundle holds no node:, Deno or Bun code", () => {
    expect(bundleInputs.filter((file) => file.startsWith("node:") || file.includes("platform-node"))).toEqual([])
    expect(bundleInputs.some((file) => file.endsWith("src/platform/fetch.ts"))).toBe(true)
  })

  it("lists containers, reads logs, attaches over WebSocket; hijack is refused", async () => {
    const page = await browser!.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(String(error)))
    await page.goto(`${proxy!.url}/?container=${id}`)
    await page.waitForSelector("#result", { timeout: 30_000 })
    const result = await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result)
    expect(errors).toEqual([])
    expect(result["ok"], JSON.stringify(result)).toBe(true)
    expect(String(result["userAgent"])).toMatch(/HeadlessChrome|Chrome/)
    expect(result["names"]).toContain(`/${name}`)
    expect(result["logs"]).toEqual({ stdout: "hello from the container\n", stderr: "to stderr\n" })
    expect(result["hijack"]).toBe("HijackNotSupported")
    expect(result["attached"]).toContain("hello from the container\n")
    expect(await page.textContent("#result")).toContain("hello from the container")
    await page.close()
  })
})
