/**
 * Hijacked connections after the end of stdin, run by `half-close.test.ts` under Node, Deno and Bun with each
 * runtime's own transport (`src/platform/auto.ts`): closing stdin must only half-close the connection, and every
 * byte the command writes afterwards must arrive. Prints one JSON line per case:
 *
 * - `exec-cat`: 1 MiB of seeded pseudo-random bytes through `cat` (Exec, stdin → stdout);
 * - `exec-sh`: `sh -c 'cat; echo done'` with some stdin (the output is the stdin, then `done\n`);
 * - `attach-sh`: the same command as a container's main process, through `Containers.attach` (`OpenStdin`,
 *   `StdinOnce`).
 *
 * Run by hand: `node test/cross-runtime/half-close-runner.ts` (or `deno run -A …`, `bun …`).
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Containers from "../../src/Containers.ts"
import type * as Demux from "../../src/Demux.ts"
import * as Exec from "../../src/Exec.ts"
import type * as Models from "../../src/generated/schemas.ts"
import * as DockerAuto from "../../src/platform/auto.ts"

const image = "effect-docker/busybox:latest"

/** Deterministic pseudo-random bytes (xorshift32), so a mismatch is reproducible. */
export const pseudoRandom = (length: number, seed: number): Uint8Array => {
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

/** Uneven chunks (a prime size), so writes do not line up with any buffer size. */
const chunked = (data: Uint8Array, size = 65_521): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, Math.min(data.length, at + size)))
  return chunks
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i])

/** The index of the first differing byte, or -1. */
const firstDifference = (a: Uint8Array, b: Uint8Array) => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? -1 : n
}

const out = (step: string, value: unknown) => Effect.sync(() => console.log(JSON.stringify({ step, value })))

/** What a session gave back, compared with what was expected on stdout. */
const summary = (frames: ReadonlyArray<Demux.Frame>, expected: Uint8Array, exitCode: number) => {
  const stdout = concat(frames.filter((f) => f.stream === 1).map((f) => f.payload))
  const stderr = concat(frames.filter((f) => f.stream === 2).map((f) => f.payload))
  return {
    stdoutLength: stdout.length,
    expectedLength: expected.length,
    identical: equal(stdout, expected),
    firstDifference: firstDifference(stdout, expected),
    stderr: new TextDecoder().decode(stderr.subarray(0, 200)),
    exitCode
  }
}

/** A container removed (forced) when the scope closes. */
const container = (config: Omit<Models.ContainerCreateBody, "Image">) =>
  Effect.acquireRelease(
    Containers.create({
      Image: image,
      ...config,
      Labels: { "effect-docker-test": "1" },
      HostConfig: { NetworkMode: "none" }
    }).pipe(Effect.map((created) => created.Id)),
    (id) => Effect.ignore(Containers.remove(id, { force: true, v: true }))
  )

/** Starts `cmd` as an exec with stdin, writes `input` (then closes stdin) while reading the whole output. */
const execThrough = (containerId: string, cmd: ReadonlyArray<string>, input: Uint8Array, expected: Uint8Array) =>
  Effect.scoped(Effect.gen(function*() {
    const session = yield* Exec.spawn(containerId, cmd, { stdin: true })
    const output = yield* Effect.forkChild(Stream.runCollect(session.output))
    yield* Stream.fromIterable(chunked(input)).pipe(Stream.run(session.stdin))
    const frames = yield* Fiber.join(output)
    return summary(frames, expected, yield* session.exitCode)
  }))

const encoder = new TextEncoder()

const program = Effect.gen(function*() {
  const host = yield* container({ Cmd: ["sleep", "600"] })
  yield* Containers.start(host)

  const data = pseudoRandom(1024 * 1024, 0x5eed)
  yield* out("exec-cat", yield* execThrough(host, ["cat"], data, data))

  const text = encoder.encode("line of stdin\n".repeat(20_000))
  const withDone = concat([text, encoder.encode("done\n")])
  yield* out("exec-sh", yield* execThrough(host, ["sh", "-c", "cat; echo done"], text, withDone))

  const attached = yield* container({
    Cmd: ["sh", "-c", "cat; echo done"],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true
  })
  const attachResult = yield* Effect.scoped(Effect.gen(function*() {
    const session = yield* Containers.attach(attached, { stdin: true })
    yield* Containers.start(attached)
    const output = yield* Effect.forkChild(Stream.runCollect(session.output))
    yield* Stream.fromIterable(chunked(text)).pipe(Stream.run(session.stdin))
    const frames = yield* Fiber.join(output)
    const { StatusCode } = yield* Containers.wait(attached)
    return summary(frames, withDone, Number(StatusCode))
  }))
  yield* out("attach-sh", attachResult)
})

await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(DockerAuto.layer())))
