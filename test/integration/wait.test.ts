/**
 * Wait strategies against the real engine. Readiness is triggered by a file the test writes into the container
 * (never by sleeps), and each test asserts that the wait finished only after the trigger: a strategy that succeeds
 * too early fails the ordering assertion.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { ContainerFiles, Containers, Docker, Wait } from "../../mod.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"

const LABELS = { "effect-docker-test": "wait" }

/** Runs `script` in a started container; `/tmp/go` is the trigger the script polls for. */
const started = (script: string, extra: Parameters<typeof scopedContainer>[0] = {}) =>
  Effect.gen(function*() {
    const id = yield* scopedContainer({ Cmd: ["sh", "-c", script], Labels: LABELS, ...extra })
    yield* Containers.start(id)
    return id
  })

const untilGo = "while [ ! -f /tmp/go ]; do sleep 0.05; done"

/** Starts the wait, writes the trigger, and returns the order in which the two happened. */
const waitAcrossTrigger = (id: string, strategy: Wait.Strategy, trigger = "/tmp/go") =>
  Effect.gen(function*() {
    const order: Array<string> = []
    const fiber = yield* Effect.forkChild(
      Wait.run(id, strategy, { timeout: "30 seconds" }).pipe(Effect.tap(() => Effect.sync(() => order.push("ready"))))
    )
    yield* ContainerFiles.copyContent(id, trigger, "")
    order.push("trigger")
    yield* Fiber.join(fiber)
    return order
  })

layer(DockerLive, { excludeTestServices: true })("wait strategies against the real engine", (it) => {
  it.effect("forLogLine with times: ready only after the lines that follow the trigger", () =>
    Effect.gen(function*() {
      const id = yield* started(
        `echo booting; echo ready-0 >&2; echo ready-0 >&2; ${untilGo}; echo ready-1; echo noise; echo ready-2; sleep 300`
      )
      // the two ready-0 lines (stderr, before the trigger) would be enough on both streams, not on stdout alone
      const order = yield* waitAcrossTrigger(id, Wait.forLogLine(/^ready-\d$/g, { times: 2, stream: "stdout" }))
      expect(order).toEqual(["trigger", "ready"])
      // lines printed before the wait began count: the log is followed from its first line
      yield* Wait.run(id, Wait.forLogLine("ready-", { times: 4 }), { timeout: "30 seconds" })
    }))

  it.effect("forLogLine reads the log once: one follow request from the first line, never a poll", () =>
    Effect.gen(function*() {
      const id = yield* started(`echo early; ${untilGo}; for i in 1 2 3; do echo late-$i; sleep 0.1; done; sleep 300`)
      // the daemon calls the wait makes, recorded by wrapping the client's one call path
      const docker = yield* Docker.Docker
      const calls: Array<{ readonly operation: string; readonly input: unknown }> = []
      const recording: Docker.DockerService = {
        ...docker,
        execute: ((operation: { readonly id: string }, input: unknown, read?: unknown) => {
          calls.push({ operation: operation.id, input })
          return (docker.execute as (...args: ReadonlyArray<unknown>) => unknown)(
            operation,
            input,
            ...(read === undefined ? [] : [read])
          )
        }) as Docker.DockerService["execute"]
      }
      const strategy = Wait.all(Wait.forLogLine("early"), Wait.forLogLine(/^late-\d$/, { times: 3 }))
      const fiber = yield* Effect.forkChild(
        Wait.run(id, strategy, { timeout: "30 seconds" }).pipe(Effect.provideService(Docker.Docker, recording))
      )
      yield* ContainerFiles.copyContent(id, "/tmp/go", "")
      yield* Fiber.join(fiber)
      // per strategy: one inspect (is the log a TTY's?) and one logs request, following from the start (no `since`,
      // no `tail`); no other call, and no second read however long the wait
      const follow = { operation: "ContainerLogs", input: { id, follow: true, stdout: true, stderr: true } }
      const inspect = { operation: "ContainerInspect", input: { id } }
      expect(calls.filter((c) => c.operation === "ContainerLogs")).toEqual([follow, follow])
      expect(calls.filter((c) => c.operation !== "ContainerLogs")).toEqual([inspect, inspect])
    }))

  it.effect("forLogLine with since: a line recorded before it does not count, one after it does", () =>
    Effect.gen(function*() {
      const id = yield* started(`echo old; ${untilGo}; echo new; sleep 300`)
      yield* Wait.run(id, Wait.forLogLine("old"), { timeout: "30 seconds" })
      // "old" is in the log, so the daemon recorded it before this instant (one clock: the host's)
      const since = new Date()
      const error = yield* Effect.flip(Wait.run(id, Wait.forLogLine("old", { since }), { timeout: "1 second" }))
      expect(error).toMatchObject({ _tag: "WaitTimeout", strategy: `log line "old" since ${since.toISOString()}` })
      const order = yield* waitAcrossTrigger(id, Wait.forLogLine(/^(old|new)$/, { since: since.getTime() / 1000 }))
      expect(order).toEqual(["trigger", "ready"])
    }))

  it.effect("forLogLine fails with WaitFailed when the log ends first, carrying the last lines", () =>
    Effect.gen(function*() {
      const id = yield* started(`echo one; ${untilGo}; echo two; exit 3`)
      const fiber = yield* Effect.forkChild(
        Effect.flip(Wait.run(id, Wait.forLogLine(/three/), { timeout: "30 seconds", logLines: 10 }))
      )
      yield* ContainerFiles.copyContent(id, "/tmp/go", "")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({
        _tag: "WaitFailed",
        container: id,
        strategy: "log line /three/",
        logs: ["one", "two"]
      })
      expect(error.message).toContain("the log ended")
    }))

  it.effect("forHealthy: a CMD-SHELL healthcheck turning healthy after the trigger; unhealthy and none fail", () =>
    Effect.gen(function*() {
      const health = (test: string, retries: number) => ({
        Healthcheck: { Test: ["CMD-SHELL", test], Interval: 100_000_000, Timeout: 2_000_000_000, Retries: retries }
      })
      // many retries: the container stays "starting" until the trigger makes the probe pass
      const id = yield* started("sleep 300", health("test -f /tmp/healthy", 100_000))
      const order = yield* waitAcrossTrigger(id, Wait.forHealthy({ interval: "50 millis" }), "/tmp/healthy")
      expect(order).toEqual(["trigger", "ready"])
      expect((yield* Containers.inspect(id)).State?.Health?.Status).toBe("healthy")

      const sick = yield* started("echo sick-log; sleep 300", health("echo probe-said-no; exit 1", 1))
      const unhealthy = yield* Effect.flip(Wait.run(sick, Wait.forHealthy(), { timeout: "30 seconds" }))
      expect(unhealthy).toMatchObject({ _tag: "WaitFailed", strategy: "healthy", logs: ["sick-log"] })
      expect(unhealthy.message).toContain("probe-said-no")

      const none = yield* started("sleep 300")
      const noCheck = yield* Effect.flip(Wait.run(none, Wait.forHealthy(), { timeout: "30 seconds" }))
      expect(noCheck.message).toContain("no healthcheck")
    }))

  it.effect("forHttp and forListeningPort on httpd behind a random published port, started by the trigger", () =>
    Effect.gen(function*() {
      const id = yield* started(
        `mkdir -p /www && echo ok > /www/index.html && ${untilGo} && exec httpd -f -p 8080 -h /www`,
        { ExposedPorts: { "8080/tcp": {} }, HostConfig: { PortBindings: { "8080/tcp": [{ HostPort: "" }] } } }
      )
      const order = yield* waitAcrossTrigger(
        id,
        Wait.all(
          Wait.forHttp({ port: 8080, path: "/index.html" }),
          Wait.forListeningPort(8080, { interval: "50 millis" })
        )
      )
      expect(order).toEqual(["trigger", "ready"])
      // a status the server never answers with times out; a port that is not published fails at once
      const wrong = yield* Effect.flip(
        Wait.run(id, Wait.forHttp({ port: 8080, path: "/missing" }), { timeout: "1 second" })
      )
      expect(wrong).toMatchObject({ _tag: "WaitTimeout", strategy: "HTTP GET /missing on 8080/tcp answering 200" })
      const unpublished = yield* Effect.flip(Wait.run(id, Wait.forHttp({ port: 9090 }), { timeout: "30 seconds" }))
      expect(unpublished).toMatchObject({ _tag: "WaitFailed" })
      expect(unpublished.message).toContain("9090/tcp")
    }))

  it.effect("forListeningPort sees nc -l; any() is ready when one part is", () =>
    Effect.gen(function*() {
      const id = yield* started(`${untilGo}; exec nc -l -p 8080`, { HostConfig: { NetworkMode: "none" } })
      const order = yield* waitAcrossTrigger(
        id,
        Wait.any(Wait.forListeningPort(8080), Wait.forLogLine("never printed"))
      )
      expect(order).toEqual(["trigger", "ready"])
    }))

  it.effect("forListeningPorts waits for every exposed TCP port, not the UDP one; none exposed is ready at once", () =>
    Effect.gen(function*() {
      const id = yield* started(`nc -l -p 7000 & ${untilGo}; exec nc -l -p 7001`, {
        HostConfig: { NetworkMode: "none" },
        ExposedPorts: { "7000/tcp": {}, "7001/tcp": {}, "7002/udp": {} }
      })
      // 7000 listens from the start: ready only once 7001 does too, after the trigger
      yield* Wait.run(id, Wait.forListeningPort(7000), { timeout: "30 seconds" })
      const order = yield* waitAcrossTrigger(id, Wait.forListeningPorts())
      expect(order).toEqual(["trigger", "ready"])
      const bare = yield* started("sleep 300", { HostConfig: { NetworkMode: "none" } })
      yield* Wait.run(bare, Wait.forListeningPorts(), { timeout: "30 seconds" })
    }))

  it.effect("a timeout fails with WaitTimeout carrying the strategy and the last log lines", () =>
    Effect.gen(function*() {
      const id = yield* started("for i in 1 2 3 4 5 6; do echo line-$i; done; sleep 300")
      yield* Wait.run(id, Wait.forLogLine("line-6"), { timeout: "30 seconds" })
      const error = yield* Effect.flip(
        Wait.run(id, Wait.all(Wait.forLogLine("line-1"), Wait.forLogLine(/never/)), {
          timeout: "1 second",
          logLines: 3
        })
      )
      expect(error).toMatchObject({
        _tag: "WaitTimeout",
        container: id,
        strategy: "all of (log line \"line-1\", log line /never/)",
        timeoutMillis: 1000,
        logs: ["line-4", "line-5", "line-6"]
      })
      // a part's own bound names that part
      const part = yield* Effect.flip(
        Wait.run(id, Wait.all(Wait.forLogLine("line-2"), Wait.withTimeout(Wait.forLogLine("nope"), "200 millis")))
      )
      expect(part).toMatchObject({ _tag: "WaitTimeout", strategy: "log line \"nope\"", timeoutMillis: 200 })
    }))
})
