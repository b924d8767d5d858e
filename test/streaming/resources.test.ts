/**
 * Back-pressure and interruption against the real engine:
 *
 * - 1,000 follow-log streams interrupted by `Stream.take` (20 at a time) leave the process with as many open file
 *   descriptors as before: every connection was closed;
 * - a follow stream with no output stopped by a timeout, an events stream and an attach session closed by their
 *   scope close their connections too;
 * - 1 GiB of container output consumed through the SDK with a counting Sink at < 64 MiB RSS growth (RSS read
 *   after a full collection every 50 ms: what is kept, not the chunk garbage V8 has not collected yet, which at
 *   150 MiB/s reaches 60-75 MiB between V8's own collections, as it does for a plain `net.Socket` read);
 * - a consumer that stops reading stops the container's writes (the daemon blocks on the full socket) and memory
 *   stays flat until it reads again.
 */
import { expect, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import { Containers } from "../../mod.ts"
import * as Events from "../../src/Events.ts"
import { collectGarbage, container, DockerLive, openFds, peakRssGrowth } from "./support.ts"

const MiB = 1024 * 1024

/** Waits until the open descriptors fall back to `baseline` (closing is asynchronous), up to 5 s. */
const settledFds = (baseline: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 50 && openFds() > baseline; i++) yield* Effect.sleep("100 millis")
    return openFds()
  })

/** Counts stdout payload bytes of a frame stream. */
const countBytes = Sink.reduceArray(() => 0, (n: number, frames: ReadonlyArray<{ readonly payload: Uint8Array }>) => {
  for (let i = 0; i < frames.length; i++) n += frames[i]!.payload.length
  return n
})

layer(DockerLive, { excludeTestServices: true })("back-pressure and interruption", (it) => {
  it.effect(
    "1,000 interrupted follow-log streams: open file descriptors return to their baseline",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sh", "-c", "seq 1 100; sleep 3600"] })
        yield* Containers.start(id)
        const tenLines = Containers.logLines(id, { follow: true, tty: false }).pipe(Stream.take(10), Stream.runCollect)
        // warm up the client (agent, negotiated version) before taking the baseline
        expect((yield* tenLines).map((l) => l.line)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"])
        const baseline = yield* settledFds(openFds())
        let peak = baseline
        const counts = yield* Effect.forEach(
          Array.from({ length: 1000 }, (_, i) => i),
          () =>
            Effect.map(tenLines, (lines) => {
              peak = Math.max(peak, openFds())
              return lines.length
            }),
          { concurrency: 20 }
        )
        expect(counts.every((n) => n === 10)).toBe(true)
        // the streams really held connections open while they ran
        expect(peak).toBeGreaterThan(baseline + 5)
        expect(yield* settledFds(baseline)).toBeLessThanOrEqual(baseline)
        // the daemon still serves the container: nothing was left half-open
        expect((yield* Containers.inspect(id)).State?.Running).toBe(true)
      }).pipe(Effect.scoped),
    120_000
  )

  it.effect(
    "a timeout on a silent follow stream, an events stream and a closed attach scope close their connections",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sleep", "3600"], OpenStdin: true })
        yield* Containers.start(id)
        yield* Containers.logLines(id, { follow: true, tty: false }).pipe(
          Stream.runDrain,
          Effect.timeout("50 millis"),
          Effect.ignore
        )
        const baseline = yield* settledFds(openFds())
        const timedOut = yield* Effect.flip(
          Effect.forEach(
            Array.from({ length: 50 }),
            () =>
              Containers.logLines(id, { follow: true, tty: false }).pipe(Stream.runDrain, Effect.timeout("300 millis")),
            { concurrency: 50 }
          )
        )
        expect(timedOut._tag).toBe("TimeoutError")
        const events = yield* Effect.forkChild(Stream.runDrain(Events.stream({ filters: { container: [id] } })))
        const sessions = yield* Effect.forkChild(
          Effect.scoped(Effect.gen(function*() {
            const session = yield* Containers.attach(id, { stdin: true })
            yield* session.write("ignored\n")
            yield* Effect.never
          }))
        )
        // both connections are open before they are interrupted (opening is asynchronous: wait up to 5 s)
        for (let i = 0; i < 50 && openFds() < baseline + 2; i++) yield* Effect.sleep("100 millis")
        expect(openFds()).toBeGreaterThanOrEqual(baseline + 2)
        yield* Fiber.interrupt(events)
        yield* Fiber.interrupt(sessions)
        expect(yield* settledFds(baseline)).toBeLessThanOrEqual(baseline)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect("1 GiB of output consumed with a counting Sink at < 64 MiB RSS growth", () =>
    Effect.gen(function*() {
      const id = yield* container({
        Cmd: ["dd", "if=/dev/zero", "bs=1048576", "count=1024"],
        // no logging driver: the bytes go from the container to the attached client only
        HostConfig: { LogConfig: { Type: "none" } }
      })
      const session = yield* Containers.attach(id, { stderr: false })
      yield* Containers.start(id)
      const started = Date.now()
      const { growth, growthWithoutCollection, result } = yield* peakRssGrowth(
        Stream.run(session.output, countBytes),
        50
      )
      const seconds = (Date.now() - started) / 1000
      expect(result).toBe(1024 * MiB)
      expect(growth).toBeLessThan(64 * MiB)
      console.log(
        `1 GiB through attach in ${seconds.toFixed(1)} s (${(1024 / seconds).toFixed(0)} MiB/s), peak RSS growth ` +
          `${(growth / MiB).toFixed(1)} MiB (${(growthWithoutCollection / MiB).toFixed(1)} MiB between collections)`
      )
    }).pipe(Effect.scoped), 300_000)

  it.effect(
    "a consumer that stops reading stops the container's writes; memory stays flat; all bytes arrive",
    () =>
      Effect.gen(function*() {
        const total = 256 * MiB
        const id = yield* container({
          Cmd: ["sh", "-c", `dd if=/dev/zero bs=65536 count=${total / 65536} 2>/dev/null; echo done > /tmp/finished`],
          HostConfig: { LogConfig: { Type: "none" } }
        })
        const session = yield* Containers.attach(id)
        yield* Containers.start(id)
        collectGarbage()
        const rssBefore = process.memoryUsage().rss
        let received = 0
        let paused = false
        const pausedAt = yield* Deferred.make<void>()
        const resume = yield* Deferred.make<void>()
        const reader = yield* Effect.forkChild(
          session.output.pipe(
            Stream.runForEach((frame) =>
              Effect.gen(function*() {
                received += frame.payload.length
                if (!paused && received >= 8 * MiB) {
                  paused = true
                  yield* Deferred.succeed(pausedAt, undefined)
                  yield* Deferred.await(resume)
                }
              })
            )
          )
        )
        yield* Deferred.await(pausedAt)
        // While the reader waits, give the daemon time in which it would push the rest (> 100 MiB/s here) if nothing
        // held it back; a slower machine only makes the container more likely to still be running.
        yield* Effect.sleep("1500 millis")
        expect((yield* Containers.inspect(id)).State?.Running).toBe(true)
        collectGarbage()
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(48 * MiB)
        yield* Deferred.succeed(resume, undefined)
        yield* Fiber.join(reader)
        expect(received).toBe(total)
        expect((yield* Containers.wait(id)).StatusCode).toBe(0)
      }).pipe(Effect.scoped),
    60_000
  )
})
