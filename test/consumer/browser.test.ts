/**
 * A browser page built with esbuild from the installed package (not from this checkout's sources), run in headless
 * Chromium against the engine behind a local proxy: it lists containers and follows a running container's logs
 * through `effect-docker/fetch`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { startProxy } from "../browser/proxy.ts"
import { bundlePage, launchChromium, pageHtml } from "../support/chromium.ts"
import { artifact, root } from "./artifact.ts"

const name = `effect-docker-consumer-page-${process.pid}-${Date.now().toString(36)}`
let browser: Browser | undefined
let proxy: { url: string; close: () => Promise<void> } | undefined
let inputs: ReadonlyArray<string> = []

describe("a browser page bundled from the installed package", () => {
  beforeAll(async () => {
    const packed = await artifact()
    execFileSync("bash", [`${root}scripts/install-chromium.sh`], { stdio: ["ignore", "inherit", "inherit"] })
    execFileSync("docker", [
      "run",
      "-d",
      "--name",
      name,
      "effect-docker/busybox:latest",
      "sh",
      "-c",
      "echo one; echo two >&2; exec sleep 600"
    ], { stdio: "ignore" })
    const page = await bundlePage(join(packed.app, "page.ts"), { absWorkingDir: packed.app, minify: true })
    inputs = page.inputs
    proxy = await startProxy({ socketPath: "/var/run/docker.sock", html: pageHtml, script: page.script })
    browser = await launchChromium()
  }, 180_000)

  afterAll(async () => {
    await proxy?.close()
    await browser?.close()
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" })
  })

  it("bundles the package's compiled modules only, with no Node, Deno, Bun or DVP code", () => {
    const sdk = inputs.filter((file) => file.includes("node_modules/effect-docker/"))
    expect(sdk.length).toBeGreaterThan(0)
    expect(sdk.filter((file) => !/node_modules\/effect-docker\/dist\/.*\.js$/.test(file))).toEqual([])
    expect(sdk.filter((file) => /\/(platform\/(node|deno|bun)|Dvp|dvp\/)/.test(file))).toEqual([])
    expect(inputs.filter((file) => file.startsWith("node:") || file.includes("platform-node"))).toEqual([])
  })

  it("lists containers and follows a running container's logs in Chromium", async () => {
    const page = await browser!.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(String(error)))
    await page.goto(`${proxy!.url}/?container=${name}`)
    await page.waitForSelector("#result", { timeout: 30_000 })
    const result = await page.evaluate(() => (window as unknown as { __result: Record<string, unknown> }).__result)
    expect(errors).toEqual([])
    expect(result["ok"], JSON.stringify(result)).toBe(true)
    expect(result["names"]).toContain(`/${name}`)
    // stdout and stderr are separate pipes: the daemon may log them in either order
    expect([...(result["lines"] as Array<string>)].sort()).toEqual(["stderr:two", "stdout:one"])
    await page.close()
  })
})
