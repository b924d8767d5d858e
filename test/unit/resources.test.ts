/**
 * The reaper's rule (`Resources.verdict`) as a pure function: each case of the rule, hostile labels (pids that are
 * not plain positive integers, dates that are not ISO, empty sessions), and a seeded property that nothing of the
 * current session or of a process running here is ever declared removable.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Resources } from "../../mod.ts"

const HOUR = 3_600_000
const now = Date.parse("2026-11-23T12:00:00.000Z")
const machine: Resources.Machine = {
  host: "ci-7",
  isRunning: (pid) => pid === 42 ? true : pid === 41 ? false : undefined
}
const context: Resources.VerdictContext = { session: { id: "me" }, machine, now, ttlMillis: 24 * HOUR }
const L = Resources.labels

const labelsOf = (session: string, extra: Record<string, string> = {}) => ({ [L.session]: session, ...extra })
const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString()

describe("Resources.verdict", () => {
  it("the current session is never removed, even when its process looks dead or it is old", () => {
    expect(Resources.verdict(labelsOf("me", { [L.pid]: "41", [L.host]: "ci-7", [L.created]: at(1000) }), context))
      .toBe("current")
  })

  it("same host: a missing process means exited, a running one is kept however old", () => {
    expect(Resources.verdict(labelsOf("s", { [L.pid]: "41", [L.host]: "ci-7", [L.created]: at(0) }), context))
      .toBe("exited")
    expect(Resources.verdict(labelsOf("s", { [L.pid]: "42", [L.host]: "ci-7", [L.created]: at(1000) }), context))
      .toBe("running")
  })

  it("liveness unknown (other host, no pid, probe cannot tell): removed only past the TTL", () => {
    for (const extra of [{ [L.pid]: "41", [L.host]: "elsewhere" }, {}, { [L.pid]: "43", [L.host]: "ci-7" }]) {
      expect(Resources.verdict(labelsOf("s", { ...extra, [L.created]: at(23) }), context)).toBe("unknown")
      expect(Resources.verdict(labelsOf("s", { ...extra, [L.created]: at(25) }), context)).toBe("expired")
    }
  })

  it("a machine without a host name never uses pids", () => {
    const browser = { ...context, machine: { host: undefined, isRunning: () => false } }
    expect(Resources.verdict(labelsOf("s", { [L.pid]: "41", [L.created]: at(1) }), browser)).toBe("unknown")
  })

  it("hostile labels are kept: pids that are not plain positive integers, dates that are not ISO, empty sessions", () => {
    const probed: Array<number> = []
    const spy = { ...context, machine: { host: "ci-7", isRunning: (pid: number) => (probed.push(pid), false) } }
    for (const pid of ["0", "-1", "1e3", " 41", "41 ", "0x29", "41.0", "99999999999", "", "NaN", "Infinity"]) {
      expect(Resources.verdict(labelsOf("s", { [L.pid]: pid, [L.host]: "ci-7", [L.created]: at(0) }), spy))
        .toBe("unknown")
    }
    expect(probed).toEqual([])
    for (const created of ["yesterday", "0", "2026-11-23", "2020-01-01T00:00:00+02:00", "9999-99-99T99:99:99Z"]) {
      expect(Resources.verdict(labelsOf("s", { [L.created]: created }), context)).toBe("unknown")
    }
    expect(Resources.verdict(labelsOf("", { [L.created]: at(1000) }), context)).toBe("unknown")
    expect(Resources.verdict(undefined, context)).toBe("unknown")
    // a creation time in the future is not old
    expect(Resources.verdict(labelsOf("s", { [L.created]: at(-1000) }), context)).toBe("unknown")
  })

  it("sessionLabels round-trips through verdict", () => {
    const written = Resources.sessionLabels({ id: "old", pid: 41, host: "ci-7" }, now)
    expect(written).toEqual({ [L.session]: "old", [L.created]: at(0), [L.pid]: "41", [L.host]: "ci-7" })
    expect(Resources.verdict(written, context)).toBe("exited")
    expect(Resources.sessionLabels({ id: "b" }, now)).toEqual({ [L.session]: "b", [L.created]: at(0) })
  })

  // seed 16, 2,000 runs
  it("property: the current session and processes running here are never removable", () => {
    const label = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
    )
    fc.assert(
      fc.property(
        fc.record({
          session: fc.oneof(fc.constant("me"), fc.string()),
          pid: label,
          host: fc.oneof(fc.constant("ci-7"), fc.string()),
          created: label
        }),
        fc.integer({ min: 0, max: 1000 * HOUR }),
        (l, ttlMillis) => {
          const running = { ...context, ttlMillis, machine: { host: "ci-7", isRunning: () => true } }
          const labels = { [L.session]: l.session, [L.pid]: l.pid, [L.host]: l.host, [L.created]: l.created }
          const result = Resources.verdict(labels, running)
          if (l.session === "me") expect(result).toBe("current")
          if (l.host === "ci-7" && /^[1-9][0-9]{0,8}$/.test(l.pid) && l.session !== "" && l.session !== "me") {
            expect(result).toBe("running")
          }
          expect(result).not.toBe("exited")
        }
      ),
      { seed: 16, numRuns: 2000 }
    )
  })
})
