/**
 * Events and stats against the real engine: the events of a container created, started and removed while the
 * stream runs (since now, taken until the destroy event), a finite window with `until`; stats streaming and
 * one-shot, with the CLI's formulas and `docker stats` as a reference for the memory limit.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Containers } from "../../mod.ts"
import * as Events from "../../src/Events.ts"
import * as Stats from "../../src/Stats.ts"
import * as System from "../../src/System.ts"
import { container, dockerCli, DockerLive, LABEL, TEST_IMAGE } from "./support.ts"

layer(DockerLive, { excludeTestServices: true })("events", (it) => {
  it.effect(
    "events seen while a container is created, started and removed, up to its destroy event",
    () =>
      Effect.gen(function*() {
        const marker = `events-${Date.now()}`
        const since = new Date()
        const events = yield* Events.stream({ since, filters: { type: ["container"], label: [`${LABEL}=${marker}`] } })
          .pipe(
            Stream.takeUntil(Events.is("container", "destroy")),
            Stream.runCollect,
            Effect.forkChild
          )
        const { Id: id } = yield* Containers.create({
          Image: TEST_IMAGE,
          Cmd: ["true"],
          Labels: { [LABEL]: marker },
          HostConfig: { NetworkMode: "none" }
        })
        yield* Containers.start(id)
        yield* Containers.wait(id)
        yield* Containers.remove(id)
        const seen = yield* Fiber.join(events).pipe(Effect.timeout("20 seconds"))
        expect(seen.every((e) => e.Type === "container" && e.Actor.ID === id)).toBe(true)
        const actions = seen.map(Events.actionName)
        expect(actions[0]).toBe("create")
        expect(actions.at(-1)).toBe("destroy")
        for (const action of ["create", "start", "die", "destroy"]) expect(actions).toContain(action)
        expect(actions.indexOf("start")).toBeLessThan(actions.indexOf("die"))
        const die = seen.find(Events.is("container", "die"))!
        expect(die.Actor.Attributes?.["exitCode"]).toBe("0")
        expect(die.Actor.Attributes?.["image"]).toBe(TEST_IMAGE)
        expect(Events.time(die).getTime()).toBeGreaterThanOrEqual(since.getTime() - 1000)
        expect(die.scope).toBe("local")
      }),
    30_000
  )

  it.effect(
    "with until the stream replays a past window and ends by itself; System.events is the same stream",
    () =>
      Effect.gen(function*() {
        const marker = `window-${Date.now()}`
        const start = new Date(Date.now() - 1000)
        const id = yield* container({ Cmd: ["true"], Labels: { [LABEL]: marker } })
        yield* Effect.sleep("1100 millis")
        const end = new Date()
        const window = yield* System.events({ since: start, until: end, filters: { label: [`${LABEL}=${marker}`] } })
          .pipe(
            Stream.runCollect,
            Effect.timeout("10 seconds")
          )
        expect(window.map((e) => [e.Type, e.Action, e.Actor.ID])).toEqual([["container", "create", id]])
      }).pipe(Effect.scoped),
    30_000
  )
})

layer(DockerLive, { excludeTestServices: true })("stats", (it) => {
  it.effect(
    "streaming: take 2 samples of a busy container; CPU and memory as the CLI computes them",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sh", "-c", "yes > /dev/null"], HostConfig: { Memory: 64 * 1024 * 1024 } })
        yield* Containers.start(id)
        const samples = yield* Containers.stats(id).pipe(Stream.take(2), Stream.runCollect)
        expect(samples.length).toBe(2)
        const [first, second] = samples as unknown as [Stats.Sample, Stats.Sample]
        expect(Date.parse(second.read!)).toBeGreaterThan(Date.parse(first.read!))
        expect(second.id).toBe(id)
        const summary = Stats.summary(second)
        // the busy loop's share of a CPU depends on the machine's load: only "some" is promised
        expect(summary.cpuPercent).toBeGreaterThan(0)
        expect(summary.cpuPercent).toBeLessThanOrEqual(100 * Stats.onlineCpus(second) + 1)
        expect(summary.memoryLimit).toBe(64 * 1024 * 1024)
        expect(summary.memoryUsage).toBeGreaterThan(0)
        expect(summary.memoryUsage).toBeLessThan(summary.memoryLimit)
        expect(summary.memoryPercent).toBeCloseTo((summary.memoryUsage / summary.memoryLimit) * 100)
        expect(summary.pids).toBeGreaterThanOrEqual(1)
        expect(Stats.cpuPercentBetween(first, second)).toBeGreaterThan(0)
        const cli = yield* dockerCli(["stats", "--no-stream", "--format", "{{.MemUsage}}|{{.PIDs}}", id])
        const [memUsage, pids] = cli.stdout.toString().trim().split("|")
        expect(memUsage!.split(" / ")[1]).toBe("64MiB")
        expect(Number(pids)).toBe(summary.pids)
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect(
    "one sample: with precpu filled (stream false) or at once (one-shot, empty precpu)",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sh", "-c", "yes > /dev/null"] })
        yield* Containers.start(id)
        const sample = yield* Containers.statsOnce(id)
        expect(Stats.cpuPercent(sample)).toBeGreaterThan(0)
        // one-shot answers at once, without the second sample that fills precpu
        const oneShot = yield* Containers.statsOnce(id, { oneShot: true })
        expect(oneShot.preread).toBe("0001-01-01T00:00:00Z")
        expect(Number(oneShot.precpu_stats?.cpu_usage?.total_usage ?? 0)).toBe(0)
        expect(Stats.memoryUsage(oneShot)).toBeGreaterThan(0)
        const stopped = yield* container({ Cmd: ["true"] })
        const idle = yield* Containers.statsOnce(stopped, { oneShot: true })
        expect(Stats.summary(idle).pids).toBe(0)
        const missing = yield* Effect.flip(Containers.statsOnce("effect-docker-no-such-container"))
        expect(missing._tag).toBe("NotFound")
      }).pipe(Effect.scoped),
    30_000
  )
})
