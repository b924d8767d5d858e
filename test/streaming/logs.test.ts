/**
 * Container logs against the real engine: lines per stream, timestamps, tail, since/until, follow, TTY output,
 * and the oracle: the demultiplexed stdout/stderr equal, byte for byte, what the `docker logs` CLI prints.
 */
import { expect, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Containers, Exec } from "../../mod.ts"
import { onEngine } from "../support/podman.ts"
import { container, dockerCli, DockerLive } from "./support.ts"

const finished = (cmd: string, extra: Parameters<typeof container>[0] = {}) =>
  Effect.gen(function*() {
    const id = yield* container({ Cmd: ["sh", "-c", cmd], ...extra })
    yield* Containers.start(id)
    yield* Containers.wait(id)
    return id
  })

const concat = (chunks: ReadonlyArray<Uint8Array>): Buffer => Buffer.concat(chunks.map((c) => Buffer.from(c)))

layer(DockerLive, { excludeTestServices: true })("container logs", (it) => {
  it.effect("lines per stream, in order within each stream, without terminators", () =>
    Effect.gen(function*() {
      const id = yield* finished("for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; printf 'no newline'")
      const lines = yield* Containers.logLines(id).pipe(Stream.runCollect)
      expect(lines.filter((l) => l.stream === "stdout").map((l) => l.line)).toEqual([
        "out1",
        "out2",
        "out3",
        "out4",
        "out5",
        "no newline"
      ])
      expect(lines.filter((l) => l.stream === "stderr").map((l) => l.line)).toEqual([
        "err1",
        "err2",
        "err3",
        "err4",
        "err5"
      ])
      const onlyErr = yield* Containers.logLines(id, { stdout: false }).pipe(Stream.runCollect)
      expect(onlyErr.every((l) => l.stream === "stderr")).toBe(true)
      expect(onlyErr.length).toBe(5)
    }).pipe(Effect.scoped))

  it.effect("timestamped entries: RFC 3339Nano, ordered per stream, within the run; tail is the last stored", () =>
    Effect.gen(function*() {
      const before = Date.now()
      const id = yield* finished("for i in 1 2 3 4 5 6; do echo line$i; done; echo oops >&2")
      const after = Date.now()
      const entries = yield* Containers.logEntries(id).pipe(Stream.runCollect)
      expect(entries.filter((e) => e.stream === "stdout").map((e) => e.line)).toEqual(
        ["line1", "line2", "line3", "line4", "line5", "line6"]
      )
      for (const entry of entries) {
        expect(entry.timestamp.getTime()).toBeGreaterThanOrEqual(before - 2000)
        expect(entry.timestamp.getTime()).toBeLessThanOrEqual(after + 2000)
        expect(entry.nanos / 1_000_000n).toBe(BigInt(entry.timestamp.getTime()))
      }
      const stdout = entries.filter((e) => e.stream === "stdout")
      for (let i = 1; i < stdout.length; i++) expect(stdout[i]!.nanos >= stdout[i - 1]!.nanos).toBe(true)
      // the raw prefix is what the CLI shows with --timestamps
      const cli = yield* dockerCli(["logs", "--timestamps", id])
      const firstCliLine = cli.stdout.toString().split("\n")[0]!
      const [stamp, text] = [
        firstCliLine.slice(0, firstCliLine.indexOf(" ")),
        firstCliLine.slice(firstCliLine.indexOf(" ") + 1)
      ]
      expect(text).toBe("line1")
      if (onEngine("logTimestampPrecision", { docker: true, podman: false })) {
        expect(stdout[0]!.timestamp.toISOString().slice(0, 23)).toBe(stamp.slice(0, 23))
        expect(stdout[0]!.nanos % 1_000_000_000n).toBe(BigInt(stamp.slice(20, 29)))
      } else {
        // whole seconds: `2006-01-02T15:04:05Z`
        expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
        expect(stdout[0]!.timestamp.toISOString()).toBe(stamp.replace("Z", ".000Z"))
        expect(entries.every((e) => e.nanos % 1_000_000_000n === 0n)).toBe(true)
      }
      // The json-file driver stores the entries in the order its stdout and stderr copiers write them, which is not
      // timestamp order across the two streams: the tail is the last entries stored, as a full read returns them.
      const stored = (list: ReadonlyArray<Containers.LogEntry>) =>
        list.map((e) => ({ stream: e.stream, line: e.line, nanos: e.nanos }))
      expect(entries.length).toBe(7)
      for (const n of [1, 2, 6, 7]) {
        const tail = yield* Containers.logEntries(id, { tail: n }).pipe(Stream.runCollect)
        expect(stored(tail)).toEqual(stored(entries.slice(-n)))
      }
      const tailAll = yield* Containers.logLines(id, { tail: "all" }).pipe(Stream.runCount)
      expect(tailAll).toBe(7)
    }).pipe(Effect.scoped))

  it.effect("since and until select by time (Date or seconds)", () =>
    Effect.gen(function*() {
      const id = yield* finished("echo early; sleep 2; echo late")
      const entries = yield* Containers.logEntries(id).pipe(Stream.runCollect)
      expect(entries.map((e) => e.line)).toEqual(["early", "late"])
      const middle = new Date((entries[0]!.timestamp.getTime() + entries[1]!.timestamp.getTime()) / 2)
      const since = yield* Containers.logLines(id, { since: middle }).pipe(Stream.runCollect)
      expect(since.map((l) => l.line)).toEqual(["late"])
      const until = yield* Containers.logLines(id, { until: middle.getTime() / 1000 }).pipe(Stream.runCollect)
      expect(until.map((l) => l.line)).toEqual(["early"])
    }).pipe(Effect.scoped), 30_000)

  it.effect("follow streams output as it is written and stops when interrupted", () =>
    Effect.gen(function*() {
      // "second" is written only once the test creates /tmp/go, after it has read "first" from the same stream
      const id = yield* container({
        Cmd: ["sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second; sleep 60"]
      })
      yield* Containers.start(id)
      const first = yield* Deferred.make<string>()
      const reading = yield* Containers.logLines(id, { follow: true }).pipe(
        Stream.tap((l) => Deferred.succeed(first, l.line)),
        Stream.take(2),
        Stream.runCollect,
        Effect.forkChild
      )
      expect(yield* Deferred.await(first)).toBe("first")
      expect((yield* Exec.run(id, ["touch", "/tmp/go"])).exitCode).toBe(0)
      const lines = yield* Fiber.join(reading)
      expect(lines.map((l) => l.line)).toEqual(["first", "second"])
      // the container still runs: the stream ended because it was interrupted, not because the output closed
      expect((yield* Containers.inspect(id)).State?.Running).toBe(true)
      // a follow stream on a container that stops ends by itself
      const short = yield* container({ Cmd: ["sh", "-c", "echo a; sleep 1; echo b"] })
      yield* Containers.start(short)
      const all = yield* Containers.logLines(short, { follow: true }).pipe(Stream.runCollect)
      expect(all.map((l) => l.line)).toEqual(["a", "b"])
    }).pipe(Effect.scoped), 30_000)

  it.effect("a TTY container's logs pass through raw, and its entries parse the per-line timestamps", () =>
    Effect.gen(function*() {
      const id = yield* finished("echo one; echo two >&2", { Tty: true })
      const frames = yield* Containers.logs(id).pipe(Stream.runCollect)
      expect(frames.every((f) => f.stream === 1)).toBe(true)
      expect(concat(frames.map((f) => f.payload)).toString()).toBe("one\r\ntwo\r\n")
      const entries = yield* Containers.logEntries(id).pipe(Stream.runCollect)
      expect(entries.map((e) => [e.stream, e.line])).toEqual([["stdout", "one"], ["stdout", "two"]])
      expect(entries.every((e) => e.timestamp.getTime() > Date.now() - 60_000)).toBe(true)
    }).pipe(Effect.scoped))

  it.effect(
    "oracle: demultiplexed stdout and stderr equal what `docker logs` prints, byte for byte",
    () =>
      Effect.gen(function*() {
        const script = [
          "echo 'plain ascii'",
          "printf 'unicode: été ☃ 日本語\\n' >&2",
          // one line longer than the logging driver's 16 KiB message: stored in parts
          "yes abcdefghijklmnopqrstuvwxyz | head -c 40000 | tr -d '\\n'; echo",
          "head -c 3000 /dev/urandom | base64 >&2",
          "for i in $(seq 1 300); do echo \"out $i\"; echo \"err $i\" >&2; done",
          "printf 'tab\\tand\\rcarriage'",
          "printf 'last on stderr without newline' >&2"
        ].join("; ")
        const id = yield* finished(script)
        const frames = yield* Containers.logs(id).pipe(Stream.runCollect)
        const stdout = concat(frames.filter((f) => f.stream === 1).map((f) => f.payload))
        const stderr = concat(frames.filter((f) => f.stream === 2).map((f) => f.payload))
        const cli = yield* dockerCli(["logs", id])
        expect(cli.code).toBe(0)
        expect(stdout.length).toBeGreaterThan(40_000)
        expect(stderr.length).toBeGreaterThan(4_000)
        expect(stdout.equals(cli.stdout)).toBe(true)
        expect(stderr.equals(cli.stderr)).toBe(true)
        // each stream's bytes, consecutive frames merged (how many depends on how the socket reads fall): the same bytes
        const merged = yield* Containers.logs(id, { coalesce: true }).pipe(Stream.runCollect)
        expect(concat(merged.filter((f) => f.stream === 1).map((f) => f.payload)).equals(cli.stdout)).toBe(true)
        expect(concat(merged.filter((f) => f.stream === 2).map((f) => f.payload)).equals(cli.stderr)).toBe(true)
        const text = yield* Containers.logsText(id)
        expect(text.stdout).toBe(cli.stdout.toString("utf8"))
        expect(text.stderr).toBe(cli.stderr.toString("utf8"))
        const withTimestamps = yield* dockerCli(["logs", "--timestamps", "--tail", "20", id])
        const entries = yield* Containers.logEntries(id, { tail: 20 }).pipe(Stream.runCollect)
        const cliLines = [
          ...withTimestamps.stdout.toString().split("\n").filter((l) => l !== ""),
          ...withTimestamps.stderr.toString().split("\n").filter((l) => l !== "")
        ].map((l) => l.slice(l.indexOf(" ") + 1)).sort()
        expect(entries.map((e) => e.line).sort()).toEqual(cliLines)
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect("logs of a missing container fail with NotFound", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Containers.logLines("effect-docker-no-such-container", { tty: false }).pipe(Stream.runDrain)
      )
      expect(error._tag).toBe("NotFound")
    }))
})
