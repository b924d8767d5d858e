import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Api, Containers, System } from "../../mod.ts"
import * as Volumes from "../../src/Volumes.ts"
import { recordedDockerLayer } from "../support/engine.ts"
import { formatLine, parseLog } from "./recorder.ts"

const withLog = <A, E>(use: (file: string) => Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-docker-recorder-"))),
    (dir) => use(join(dir, "requests.log")),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

describe("coverage recorder", () => {
  it("formats and parses log lines, skipping malformed ones", () => {
    const entry = { method: "GET", path: "/v1.41/_ping", status: 200, testFile: "/t/a.test.ts", testName: "a > b\tc" }
    const text = `${formatLine(entry)}\nnot a line\nPOST\t/x\tNaN\t\t\n`
    expect(parseLog(text)).toEqual([{ ...entry, testName: "a > b c" }])
  })

  it.effect("records every answered request with its status and the running test, including error statuses", () =>
    withLog((file) =>
      Effect.gen(function*() {
        expect(yield* System.ping()).toBe("OK")
        const missing = yield* Effect.flip(Containers.inspect("effect-docker-recorder-missing"))
        expect(missing._tag).toBe("NotFound")
        const lines = parseLog(readFileSync(file, "utf8"))
        // the negotiation ping (no version prefix), the versioned ping, the 404
        expect(lines.map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([
          "GET /_ping 200",
          expect.stringMatching(/^GET \/v1\.\d+\/_ping 200$/),
          expect.stringMatching(/^GET \/v1\.\d+\/containers\/effect-docker-recorder-missing\/json 404$/)
        ])
        expect(lines.every((l) => l.testFile.endsWith("recorder.test.ts"))).toBe(true)
        expect(lines[0]?.testName).toContain("records every answered request")
      }).pipe(Effect.provide(recordedDockerLayer(file)))
    ))

  it.effect("operations newer than the daemon's API fail with UnsupportedApiVersion before any request", () =>
    withLog((file) =>
      Effect.gen(function*() {
        const version = yield* System.version()
        expect(version.ApiVersion).toBe("1.41")
        const attestations = yield* Effect.flip(Api.imageAttestations({ name: "effect-docker/busybox:latest" }))
        expect(attestations._tag).toBe("UnsupportedApiVersion")
        expect(attestations.message).toBe("ImageAttestations: the operation needs API 1.55, the daemon speaks 1.41")
        const volumeUpdate = yield* Effect.flip(
          Volumes.update("effect-docker-any", { Spec: { AccessMode: { Availability: "drain" } } }, { version: 1 })
        )
        expect(volumeUpdate._tag).toBe("UnsupportedApiVersion")
        expect(volumeUpdate.message).toBe("VolumeUpdate: the operation needs API 1.42, the daemon speaks 1.41")
        const paths = parseLog(readFileSync(file, "utf8")).map((l) => l.path)
        expect(paths.some((p) => p.includes("attestations") || p.includes("/volumes/"))).toBe(false)
      }).pipe(Effect.provide(recordedDockerLayer(file)))
    ))
})
