/**
 * The installed package against the real engine, as a user runs it: the README's program (ping, then list
 * containers) under plain Node 22.19 (the floor in `engines`) and Node 24, Bun, and Deno through npm: specifiers, each
 * seeing a container this test made.
 *
 * Node 22.19 is the registry's `node-<platform>-<arch>@22.19.0` package (the binary alone, as the `node` package
 * installs it for 24), installed once into `.cache/` beside the project.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { type Artifact, artifact, bin, namedContainer, root, runIn } from "./artifact.ts"

/** The Node 22.19 binary, installed from the npm registry on first use. */
const node22 = (): string => {
  const dir = join(root, ".cache/node-22.19.0")
  const name = `node-${process.platform}-${process.arch}`
  const binary = join(dir, "node_modules", name, "bin", "node")
  if (!existsSync(binary)) {
    execFileSync("npm", ["install", "--prefix", dir, "--no-save", "--no-audit", "--no-fund", `${name}@22.19.0`], {
      stdio: ["ignore", "ignore", "inherit"]
    })
  }
  return binary
}

let packed: Artifact
let container: ReturnType<typeof namedContainer>

const expectPingAndList = (output: string) => {
  const result = JSON.parse(output) as { ping: string; names: Array<string> }
  expect(result.ping).toBe("OK")
  expect(result.names).toContain(`/${container.name}`)
}

describe("the installed package against the engine", () => {
  beforeAll(async () => {
    packed = await artifact()
    container = namedContainer("runtimes")
  }, 180_000)
  afterAll(() => container?.remove())

  it("plain Node 22.19, no loader, ES module", () => {
    const node = node22()
    expect(runIn(packed.app, node, ["--version"])).toMatch(/^v22\.19\./)
    expectPingAndList(runIn(packed.app, node, ["ping.mjs"]))
  }, 180_000)

  it("plain Node 24, no loader, ES module", () => {
    expect(runIn(packed.app, bin("node"), ["--version"])).toMatch(/^v24\./)
    expectPingAndList(runIn(packed.app, bin("node"), ["ping.mjs"]))
  })

  it("Bun", () => {
    expectPingAndList(runIn(packed.app, bin("bun"), ["ping.mjs"]))
  })

  it("Deno through npm: specifiers from node_modules, type-checked from the declarations", () => {
    runIn(packed.app, bin("deno"), ["check", "deno.ts"])
    expectPingAndList(runIn(packed.app, bin("deno"), ["run", "-A", "deno.ts"]))
  })

  it("Deno running the plain Node program unchanged", () => {
    expectPingAndList(runIn(packed.app, bin("deno"), ["run", "-A", "ping.mjs"]))
  })
})
