/**
 * `Errors.Timeout` writes its limit as `Duration.format` does, without calling it (so that a bundle does not carry
 * `Duration.format` for this message): the text must be the same for every duration, the edge cases included
 * (zero, negative, infinite, fractions of a millisecond, more than a day).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as fc from "fast-check"
import { Timeout } from "../../src/Errors.ts"

const SEED = 20261129
const RUNS = 2000

const message = (limit: Duration.Duration, phase: "connect" | "request" = "request") =>
  new Timeout({ operation: "SystemPing", target: "tcp://127.0.0.1:2375", phase, limit }).message

const expected = (limit: Duration.Duration, phase: "connect" | "request" = "request") =>
  phase === "connect"
    ? `SystemPing: cannot connect to the Docker daemon at tcp://127.0.0.1:2375 within ${
      Duration.format(limit)
    } (connect timeout)`
    : `SystemPing: no answer from the Docker daemon at tcp://127.0.0.1:2375 within ${
      Duration.format(limit)
    } (request timeout)`

const durations: fc.Arbitrary<Duration.Duration> = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }).map(Duration.millis),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }).map(Duration.millis),
  fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }).map(Duration.nanos),
  fc.bigInt({ min: -2_000_000n, max: 2_000_000n }).map(Duration.nanos),
  fc.constantFrom(Duration.zero, Duration.infinity, Duration.negativeInfinity, Duration.millis(-0))
)

describe("Errors.Timeout message", () => {
  it("writes the limit as Duration.format does", () => {
    for (
      const limit of [
        Duration.seconds(5),
        Duration.seconds(90),
        Duration.minutes(30),
        Duration.days(2),
        Duration.millis(1500),
        Duration.nanos(1n),
        Duration.nanos(-1_000_001n),
        Duration.millis(0.0000001),
        Duration.zero,
        Duration.infinity,
        Duration.negativeInfinity
      ]
    ) {
      expect(message(limit)).toBe(expected(limit))
      expect(message(limit, "connect")).toBe(expected(limit, "connect"))
    }
    expect(message(Duration.seconds(90))).toContain("within 1m 30s (request timeout)")
  })

  it("matches Duration.format for any duration", () => {
    fc.assert(
      fc.property(durations, fc.constantFrom("connect" as const, "request" as const), (limit, phase) => {
        expect(message(limit, phase)).toBe(expected(limit, phase))
      }),
      { seed: SEED, numRuns: RUNS }
    )
  })
})
