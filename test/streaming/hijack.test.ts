/**
 * Attach and exec over hijacked connections, against the real engine: stdin written through the Sink and every
 * byte echoed back by `cat` after the half-close, TTY sessions with resize, exec exit codes, detached execs.
 */
import { expect, layer } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { Containers, Demux } from "../../mod.ts"
import * as Exec from "../../src/Exec.ts"
import { container, DockerLive } from "./support.ts"

/** Deterministic pseudo-random bytes (xorshift), so a mismatch is reproducible. */
const pseudoRandom = (length: number, seed: number): Uint8Array => {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

const decode = (frames: ReadonlyArray<Demux.Frame>) => new TextDecoder().decode(concat(frames.map((f) => f.payload)))

layer(DockerLive, { excludeTestServices: true })("attach and exec", (it) => {
  it.effect(
    "attach: stdin through the Sink is echoed by cat; after the half-close every byte comes back",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["cat"], OpenStdin: true, StdinOnce: true, Tty: false })
        const session = yield* Containers.attach(id, { stdin: true })
        expect(session.tty).toBe(false)
        yield* Containers.start(id)
        const output = yield* Effect.forkChild(session.output.pipe(Stream.runCollect))
        const data = pseudoRandom(3 * 1024 * 1024 + 17, 42)
        // uneven chunks, bytes and a string, written with back-pressure
        const chunks: Array<Uint8Array | string> = []
        for (let at = 0; at < data.length; at += 65_521) {
          chunks.push(data.subarray(at, Math.min(data.length, at + 65_521)))
        }
        chunks.push("and a final line\n")
        yield* Stream.fromIterable(chunks).pipe(Stream.run(session.stdin))
        const frames = yield* Fiber.join(output)
        expect(frames.every((f) => f.stream === 1)).toBe(true)
        const echoed = concat(frames.map((f) => f.payload))
        const expected = concat([data, new TextEncoder().encode("and a final line\n")])
        expect(echoed.length).toBe(expected.length)
        expect(Buffer.from(echoed).equals(Buffer.from(expected))).toBe(true)
        // cat saw the end of its input and exited on its own
        expect((yield* Containers.wait(id)).StatusCode).toBe(0)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "attach: write and closeStdin one call at a time; stderr frames are kept apart",
    () =>
      Effect.gen(function*() {
        const id = yield* container({
          Cmd: ["sh", "-c", "while read line; do echo \"out:$line\"; echo \"err:$line\" >&2; done"],
          OpenStdin: true,
          StdinOnce: true
        })
        const session = yield* Containers.attach(id, { stdin: true, tty: false })
        yield* Containers.start(id)
        const output = yield* Effect.forkChild(Demux.toStrings(session.output))
        yield* session.write("a\n")
        yield* session.write(new TextEncoder().encode("b\n"))
        yield* session.closeStdin
        yield* session.closeStdin // idempotent
        const written = yield* Effect.flip(session.write("too late\n"))
        expect(written._tag).toBe("StdinClosed")
        expect(written.message).toBe("ContainerAttach: stdin is closed, nothing more can be written to it")
        expect(written.message).not.toContain("cannot reach")
        const { stderr, stdout } = yield* Fiber.join(output)
        expect(stdout).toBe("out:a\nout:b\n")
        expect(stderr).toBe("err:a\nerr:b\n")
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect("attach with logs replays earlier output; the output can be read only once", () =>
    Effect.gen(function*() {
      // "after" is written only once /tmp/go exists: the test creates it once the replay of "before" has arrived
      const id = yield* container({
        Cmd: ["sh", "-c", "echo before; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo after"]
      })
      yield* Containers.start(id)
      // wait until "before" is stored, so that only the replay can bring it
      yield* Containers.logsText(id).pipe(
        Effect.repeat({ until: (text) => text.stdout === "before\n", schedule: Schedule.spaced("50 millis") })
      )
      const session = yield* Containers.attach(id, { logs: true })
      const replayed = yield* Deferred.make<void>()
      const output = yield* session.output.pipe(
        Stream.tap(() => Deferred.succeed(replayed, undefined)),
        Demux.toStrings,
        Effect.forkChild
      )
      yield* Deferred.await(replayed)
      expect((yield* Exec.run(id, ["touch", "/tmp/go"])).exitCode).toBe(0)
      const { stdout } = yield* Fiber.join(output)
      expect(stdout).toBe("before\nafter\n")
      const again = yield* Effect.flip(Stream.runDrain(session.output))
      expect(again._tag).toBe("TransportError")
    }).pipe(Effect.scoped), 30_000)

  it.effect(
    "TTY attach: raw output, resize seen by the shell, input echoed by the terminal",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sh"], OpenStdin: true, StdinOnce: true, Tty: true })
        yield* Containers.start(id)
        const session = yield* Containers.attach(id, { stdin: true })
        expect(session.tty).toBe(true)
        yield* session.resize({ h: 33, w: 111 })
        const output = yield* Effect.forkChild(session.output.pipe(Stream.runCollect))
        yield* session.write("stty size; exit\n")
        const frames = yield* Fiber.join(output)
        const text = decode(frames)
        expect(frames.every((f) => f.stream === 1)).toBe(true)
        expect(text).toContain("33 111")
        expect(text).toContain("\r\n")
        expect((yield* Containers.wait(id)).StatusCode).toBe(0)
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect("exec: a non-zero exit code, stdout and stderr apart", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      const failed = yield* Exec.run(id, ["sh", "-c", "echo to-out; echo to-err >&2; exit 42"])
      expect(failed).toEqual({ exitCode: 42, stdout: "to-out\n", stderr: "to-err\n" })
      const created = yield* Exec.create(id, { Cmd: ["sh", "-c", "exit 3"], AttachStdout: true, AttachStderr: true })
      const session = yield* Exec.start(created.Id)
      yield* Stream.runDrain(session.output)
      expect(yield* session.exitCode).toBe(3)
      const inspected = yield* Exec.inspect(created.Id)
      expect(inspected.Running).toBe(false)
      expect(inspected.ExitCode).toBe(3)
      expect(inspected.ContainerID).toBe(id)
    }).pipe(Effect.scoped), 30_000)

  it.effect("exec: stdin through the Sink, large output, exit code after the half-close", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      const proc = yield* Exec.spawn(id, ["sh", "-c", "wc -c; cat /dev/zero | head -c 2000000 >&2; exit 5"], {
        stdin: true
      })
      const output = yield* Effect.forkChild(session(proc.output))
      yield* Stream.make(pseudoRandom(500_000, 7), "tail").pipe(Stream.run(proc.stdin))
      const { stderrBytes, stdout } = yield* Fiber.join(output)
      expect(stdout.trim()).toBe("500004")
      expect(stderrBytes).toBe(2_000_000)
      expect(yield* proc.exitCode).toBe(5)
    }).pipe(Effect.scoped), 30_000)

  it.effect("exec with a TTY: raw output, resize, console size", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      const proc = yield* Exec.spawn(id, ["sh"], { stdin: true, tty: true, ConsoleSize: [20, 70] })
      expect(proc.tty).toBe(true)
      const output = yield* Effect.forkChild(proc.output.pipe(Stream.runCollect))
      yield* proc.write("stty size\n")
      yield* Effect.sleep("300 millis")
      yield* proc.resize({ h: 44, w: 99 })
      yield* proc.write("stty size; exit 2\n")
      const text = decode(yield* Fiber.join(output))
      expect(text).toContain("44 99")
      expect(yield* proc.exitCode).toBe(2)
    }).pipe(Effect.scoped), 30_000)

  it.effect("exec detached: runs in the background; its exit code is read when it ends", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sleep", "60"] })
      yield* Containers.start(id)
      const created = yield* Exec.create(id, { Cmd: ["sh", "-c", "sleep 1; touch /done; exit 9"] })
      yield* Exec.startDetached(created.Id)
      expect((yield* Exec.inspect(created.Id)).Running).toBe(true)
      expect(yield* Exec.exitCode(created.Id)).toBe(9)
      const check = yield* Exec.run(id, ["test", "-f", "/done"])
      expect(check.exitCode).toBe(0)
    }).pipe(Effect.scoped), 30_000)

  it.effect("exec in a missing container and attach to a missing container fail with NotFound", () =>
    Effect.gen(function*() {
      const exec = yield* Effect.flip(Exec.run("effect-docker-no-such-container", ["true"]))
      expect(exec._tag).toBe("NotFound")
      const attach = yield* Effect.flip(Containers.attach("effect-docker-no-such-container", { tty: false }))
      expect(attach._tag).toBe("NotFound")
    }).pipe(Effect.scoped))
})

/** Collects stdout as text and counts stderr bytes. */
const session = <E, R>(output: Stream.Stream<Demux.Frame, E, R>) =>
  Stream.runFold(output, () => ({ stdout: "", stderrBytes: 0 }), (acc, frame) =>
    frame.stream === 2
      ? { ...acc, stderrBytes: acc.stderrBytes + frame.payload.length }
      : { ...acc, stdout: acc.stdout + new TextDecoder().decode(frame.payload) })
