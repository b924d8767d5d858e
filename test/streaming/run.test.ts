/**
 * `Run` against the real engine: run to completion, stream output, detach; the container is removed when its scope
 * closes, after success, failure or interruption; a missing image is pulled (with progress) from the local registry.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { Containers, Demux, Exec } from "../../mod.ts"
import * as Images from "../../src/Images.ts"
import * as Progress from "../../src/Progress.ts"
import * as Run from "../../src/Run.ts"
import { DockerLive, LABEL, TEST_IMAGE } from "./support.ts"

const base = { image: TEST_IMAGE, HostConfig: { NetworkMode: "none" } } as const

const gone = (id: string) =>
  Containers.inspect(id).pipe(
    Effect.as(false),
    Effect.catchIf((error) => error._tag === "NotFound", () => Effect.succeed(true))
  )

layer(DockerLive, { excludeTestServices: true })("run", (it) => {
  it.effect(
    "run to completion: exit code, stdout and stderr, output streamed to onOutput; the container is gone",
    () =>
      Effect.gen(function*() {
        const frames: Array<Demux.Frame> = []
        const result = yield* Run.run({
          ...base,
          cmd: ["sh", "-c", "echo hello; echo warn >&2; exit 4"],
          onOutput: (frame) => Effect.sync(() => frames.push(frame))
        })
        expect(result).toMatchObject({ exitCode: 4, stdout: "hello\n", stderr: "warn\n" })
        expect(frames.map((f) => f.stream).sort()).toEqual([1, 2])
        expect(yield* gone(result.id)).toBe(true)
        const tty = yield* Run.run({ ...base, cmd: ["echo", "on a tty"], Tty: true })
        expect(tty.stdout).toBe("on a tty\r\n")
      }),
    30_000
  )

  it.effect("detached: running inside the scope, removed when it closes", () =>
    Effect.gen(function*() {
      const id = yield* Effect.scoped(Effect.gen(function*() {
        const running = yield* Run.detached({ ...base, cmd: ["sleep", "60"], Labels: { [LABEL]: "1" } })
        expect((yield* Containers.inspect(running.id)).State?.Running).toBe(true)
        return running.id
      }))
      expect(yield* gone(id)).toBe(true)
      const waited = yield* Effect.scoped(
        Effect.flatMap(Run.detached({ ...base, cmd: ["sh", "-c", "exit 6"] }), (c) => c.wait)
      )
      expect(waited).toBe(6)
    }), 30_000)

  it.effect(
    "Exec.runBytes gives the output as the command wrote it (bytes that are not UTF-8), stdin as bytes",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const running = yield* Run.detached({ ...base, cmd: ["sleep", "60"], Labels: { [LABEL]: "1" } })
        const script = "printf '\\377\\000\\376'; printf '\\201' >&2; exit 3"
        const result = yield* Exec.runBytes(running.id, ["sh", "-c", script])
        expect(result.exitCode).toBe(3)
        expect([...result.stdout]).toEqual([255, 0, 254])
        expect([...result.stderr]).toEqual([129])
        const echoed = yield* Exec.runBytes(running.id, ["cat"], { stdin: new Uint8Array([0xff, 0x00, 0x80, 0x0a]) })
        expect([...echoed.stdout]).toEqual([0xff, 0x00, 0x80, 0x0a])
        const text = yield* Exec.run(running.id, ["printf", "\\377"])
        expect(text.stdout).toBe("\ufffd")
      })),
    30_000
  )

  it.effect(
    "Run.start leaves the container running and does not remove it; the caller removes it",
    () =>
      Effect.gen(function*() {
        const id = yield* Effect.scoped(Run.start({ ...base, cmd: ["sleep", "60"], Labels: { [LABEL]: "1" } }))
        const inspected = yield* Containers.inspect(id)
        yield* Containers.remove(id, { force: true })
        expect(inspected.State?.Running).toBe(true)
        expect(yield* gone(id)).toBe(true)
      }),
    30_000
  )

  it.effect("the container is removed when the scope fails or is interrupted", () =>
    Effect.gen(function*() {
      let failedId = ""
      const failed = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        const running = yield* Run.detached({ ...base, cmd: ["sleep", "60"] })
        failedId = running.id
        return yield* Effect.fail("boom")
      })))
      expect(Exit.isFailure(failed)).toBe(true)
      expect(yield* gone(failedId)).toBe(true)
      const marker = `run-interrupt-${Date.now()}`
      const fiber = yield* Effect.forkChild(Run.run({ ...base, cmd: ["sleep", "60"], Labels: { [LABEL]: marker } }))
      let ids: ReadonlyArray<string> = []
      for (let i = 0; i < 100 && ids.length === 0; i++) {
        yield* Effect.sleep("100 millis")
        ids = (yield* Containers.list({ filters: { label: [`${LABEL}=${marker}`], status: ["running"] } })).flatMap((
          c
        ) => c.Id ?? [])
      }
      expect(ids.length).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(yield* gone(ids[0]!)).toBe(true)
    }), 30_000)

  it.effect("attached with stdin: the session's Sink feeds the process", () =>
    Effect.gen(function*() {
      const result = yield* Effect.scoped(Effect.gen(function*() {
        const job = yield* Run.attached({ ...base, cmd: ["tr", "a-z", "A-Z"], OpenStdin: true, StdinOnce: true })
        const output = yield* Effect.forkChild(Demux.toStrings(job.output))
        yield* Stream.make("shout\n").pipe(Stream.run(job.stdin))
        return { ...(yield* Fiber.join(output)), exitCode: yield* job.wait }
      }))
      expect(result).toEqual({ stdout: "SHOUT\n", stderr: "", exitCode: 0 })
    }), 30_000)

  it.effect(
    "a missing image is pulled first, with progress; pull: never fails with NotFound",
    () =>
      Effect.gen(function*() {
        const remote = `127.0.0.1:5000/effect-docker/busybox:run-${Date.now().toString(36)}`
        yield* Effect.acquireRelease(Effect.void, () => Effect.ignore(Images.remove(remote, { force: true })))
        yield* Images.tag(TEST_IMAGE, remote)
        yield* Images.push(remote)
        yield* Images.remove(remote)
        const never = yield* Effect.flip(Run.run({ ...base, image: remote, cmd: ["true"], pull: "never" }))
        expect(never._tag).toBe("NotFound")
        const seen: Array<Progress.Progress> = []
        const result = yield* Run.run({
          ...base,
          image: remote,
          cmd: ["echo", "pulled and ran"],
          onPullProgress: (p) => Effect.sync(() => seen.push(p))
        })
        expect(result.stdout).toBe("pulled and ran\n")
        expect(seen.length).toBeGreaterThan(0)
        expect(seen.at(-1)!.notes.at(-1)).toBe(`Status: Downloaded newer image for ${remote}`)
        // present now: no pull the second time
        const again: Array<Progress.Progress> = []
        yield* Run.run({
          ...base,
          image: remote,
          cmd: ["true"],
          onPullProgress: (p) => Effect.sync(() => again.push(p))
        })
        expect(again.length).toBe(0)
      }).pipe(Effect.scoped),
    60_000
  )
})
