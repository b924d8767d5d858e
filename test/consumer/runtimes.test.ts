/**
 * The installed package against the real engine, as a user runs it: the README's program (ping, then list
 * containers) under plain Node 24, Bun, and Deno through npm: specifiers, each seeing a container this test made.
 *
 * Node 22.19 (the floor in `engines`) is not run here: no Node 22 binary is available offline on the test machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Artifact, artifact, bin, namedContainer, runIn } from "./artifact.ts"

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
