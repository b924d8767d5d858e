/**
 * The large raw export (120 000 rows over 4 files: gzip, plain, gzip with a wrong type, transport-level gzip; two
 * behind redirects) streams at constant memory: the heap, measured after a forced GC every 10 000 rows, stays
 * within a bound while the same rows collected in memory exceed it many times.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import * as Dvp from "../../src/Dvp.ts"
import { dvpLayer, publisher, useServer } from "./helpers.ts"

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const heap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const server = useServer()
const MB = 1024 * 1024
/** Generous: the streaming run is expected to stay within a few MB. */
const BOUND = 24 * MB

describe("100k-row raw export at constant memory", () => {
  it.live("120 000 rows stream with a flat heap; collecting them does not", () =>
    Effect.gen(function*() {
      const { namespace, rows: total, week, year } = server.current.largeExport
      expect(total).toBeGreaterThanOrEqual(100_000)
      const files = yield* Dvp.dataFiles(namespace, year, "weeks", week, "raw")
      expect(files.data?.length).toBe(4)
      const wireBytes = files.data!.reduce((n, f) => n + f.size!, 0)

      const baseline = heap()
      const samples: Array<number> = []
      const pullsByRepo = new Map<string, number>()
      let count = 0
      const started = performance.now()
      yield* Dvp.rawRows(namespace, year, "weeks", week).pipe(
        Stream.runForEach((row) =>
          Effect.sync(() => {
            count++
            if (row.action !== "version_check") {
              pullsByRepo.set(row.repository!, (pullsByRepo.get(row.repository!) ?? 0) + 1)
            }
            if (count % 10_000 === 0) samples.push(heap() - baseline)
          })
        )
      )
      const seconds = (performance.now() - started) / 1000
      expect(count).toBe(total)
      expect(pullsByRepo.size).toBe(120)
      const growth = Math.max(...samples)

      // the same rows held in memory, to show the bound means something
      const before = heap()
      const all = yield* Stream.runCollect(Dvp.rawRows(namespace, year, "weeks", week))
      const held = heap() - before
      expect(all.length).toBe(total)

      console.log(
        `[dvp memory] ${total} rows, ${(wireBytes / MB).toFixed(1)} MB on the wire, ${seconds.toFixed(2)} s ` +
          `(${Math.round(total / seconds)} rows/s); streaming heap growth max ${(growth / MB).toFixed(1)} MB over ` +
          `${samples.length} samples; collected: ${(held / MB).toFixed(1)} MB`
      )
      expect(samples.length).toBe(Math.floor(total / 10_000))
      expect(growth).toBeLessThan(BOUND)
      expect(held).toBeGreaterThan(4 * BOUND)
    }).pipe(Effect.provide(dvpLayer(server.current, publisher(server.current)))), 120_000)
})
