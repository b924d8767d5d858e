import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { TestClock } from "effect/testing"
import * as Docker from "../../src/Docker.ts"
import { listensOn } from "../../src/internal/procNet.ts"
import * as Wait from "../../src/Wait.ts"

/** These checks never call the daemon: a service that is never used. */
const offline = <A, E>(effect: Effect.Effect<A, E, Docker.Docker>) =>
  Effect.provideService(effect, Docker.Docker, {} as Docker.Docker["Service"])

// Captured from busybox (`nc -l -p 8080` and httpd on 8080 over IPv6), trimmed to the columns read
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:0050 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
`
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue
   0: 00000000000000000000000000000000:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:0
`

describe("listening ports from /proc/net/tcp", () => {
  it("finds a listening socket by port on IPv4 and IPv6; established sockets and other ports do not count", () => {
    expect(listensOn(TCP, 8080)).toBe(true)
    expect(listensOn(TCP, 80)).toBe(false) // 0050 is ESTABLISHED (01)
    expect(listensOn(TCP6, 9090)).toBe(true)
    expect(listensOn(TCP + TCP6, 443)).toBe(false)
  })

  it("hostile text: headers, blank lines, garbage and overlong port fields do not match", () => {
    expect(listensOn("", 0)).toBe(false)
    expect(listensOn("sl local_address rem_address st\n\n\n", 0)).toBe(false)
    expect(listensOn("0: 00000000: 00000000:0000 0A", 0)).toBe(false)
    expect(listensOn("0: 00000000:11F90 00000000:0000 0A", 0x1f90)).toBe(false)
    expect(listensOn("0: 00000000:zz90 00000000:0000 0A", 0x90)).toBe(false)
  })
})

const never = Wait.make("never", () => Effect.never)

describe("Wait values", () => {
  it("descriptions name what is waited for, composites name their parts", () => {
    expect(Wait.forLogLine(/ready/gi, { times: 2, stream: "stderr" }).description).toBe(
      "log line /ready/i ×2 on stderr"
    )
    expect(Wait.forLogLine("up").description).toBe("log line \"up\"")
    expect(Wait.forHealthy().description).toBe("healthy")
    expect(Wait.forListeningPort(5432).description).toBe("port 5432/tcp listening")
    expect(Wait.forHttp({ port: "80/tcp", path: "health", method: "HEAD", status: 204 }).description)
      .toBe("HTTP HEAD /health on 80/tcp answering 204")
    expect(Wait.forHttp({ port: 80, status: (s) => s < 500 }).description).toBe("HTTP GET / on 80/tcp")
    expect(Wait.all(Wait.forHealthy(), Wait.any(Wait.forLogLine("a"), Wait.forListeningPort(1))).description)
      .toBe("all of (healthy, any of (log line \"a\", port 1/tcp listening))")
  })

  it.effect("withTimeout bounds a check with WaitTimeout naming it; any() of nothing fails at once", () =>
    offline(Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.flip(Wait.withTimeout(never, "5 seconds").check("c1")))
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "WaitTimeout", container: "c1", strategy: "never", timeoutMillis: 5000 })
      const nothing = yield* Effect.flip(Wait.any().check("c2"))
      expect(nothing).toMatchObject({ _tag: "WaitFailed", container: "c2", reason: "no strategy to wait for" })
    })))

  it.effect("all() fails with the first part that fails; any() succeeds with the first part that succeeds", () =>
    offline(Effect.gen(function*() {
      const fails = Wait.make("fails", (c) => Effect.fail(Wait.failed(c, "fails", "broken")))
      const ok = Wait.make("ok", () => Effect.void)
      expect(yield* Effect.flip(Wait.all(never, fails).check("c"))).toMatchObject({
        strategy: "fails",
        reason: "broken"
      })
      yield* Wait.any(never, fails, ok).check("c")
      yield* Wait.all().check("c")
    })))
})
