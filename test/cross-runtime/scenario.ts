/**
 * The cross-runtime scenario: the same program, run by Node, Deno and Bun against the real engine with each
 * runtime's own transport (`src/platform/auto.ts` picks it). It prints one JSON line per step; the test
 * (`test/cross-runtime/cross-runtime.test.ts`) runs it under the three runtimes and compares the outputs.
 *
 * Run by hand: `node test/cross-runtime/scenario.ts`, `deno run -A test/cross-runtime/scenario.ts`,
 * `bun test/cross-runtime/scenario.ts`. `SCENARIO_IMAGE` is the local image to run, `SCENARIO_PULL` the image
 * to pull (a fresh layer on the local registry, pushed by the test's setup).
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import * as Ops from "../../src/generated/operations.ts"
import type * as Models from "../../src/generated/schemas.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as Resources from "../../src/Resources.ts"
import * as Wait from "../../src/Wait.ts"

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
const image = env["SCENARIO_IMAGE"] ?? "effect-docker/busybox:latest"
const pullImage = env["SCENARIO_PULL"] ?? "127.0.0.1:5000/effect-docker/progress:latest"
const runtime = DockerAuto.runtime()
const suffix = `${runtime}-${Date.now().toString(36)}`

const out = (step: string, value: unknown) => Effect.sync(() => console.log(JSON.stringify({ step, value })))

const withContainer = <A, E, R>(
  name: string,
  cmd: ReadonlyArray<string>,
  use: (id: string) => Effect.Effect<A, E, R>,
  extra: Omit<Models.ContainerCreateBody, "Image" | "Cmd"> = {}
) =>
  Effect.acquireUseRelease(
    Effect.map(
      Docker.call(Ops.ContainerCreate)({ name: `${name}-${suffix}`, body: { Image: image, Cmd: cmd, ...extra } }),
      (r) => r.Id
    ),
    use,
    (id) => Effect.ignore(Docker.call(Ops.ContainerDelete)({ id, force: true }))
  )

/** A hijacked connection as bytes, ending on a clean close. */
const socketBytes = (socket: Socket.Socket) =>
  Socket.toStream(socket).pipe(
    Stream.catchIf(
      (error) => error.reason._tag === "SocketCloseError" && error.reason.code === 1000,
      () => Stream.empty
    )
  )

const program: Effect.Effect<void, unknown, Docker.Docker> = Effect.gen(function*() {
  yield* out("ping", yield* Docker.call(Ops.SystemPing)())
  const version = yield* Docker.call(Ops.SystemVersion)()
  yield* out("version", { os: version.Os, api: version.ApiVersion })

  // create / start / wait / logs / remove
  yield* withContainer("scenario-run", ["sh", "-c", "echo out; echo err >&2; exit 3"], (id) =>
    Effect.gen(function*() {
      yield* Docker.call(Ops.ContainerStart)({ id })
      const { StatusCode } = yield* Docker.call(Ops.ContainerWait)({ id })
      const logs = yield* Demux.toStrings(Docker.call(Ops.ContainerLogs)({ id, stdout: true, stderr: true }))
      yield* out("run", { exit: StatusCode, stdout: logs.stdout, stderr: logs.stderr })
    }))

  // a follow-logs stream cut short while the container keeps writing
  yield* withContainer(
    "scenario-follow",
    ["sh", "-c", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.05; done"],
    (id) =>
      Effect.gen(function*() {
        yield* Docker.call(Ops.ContainerStart)({ id })
        const started = Date.now()
        const lines = yield* Docker.call(Ops.ContainerLogs)({ id, follow: true, stdout: true }).pipe(
          Demux.toLines,
          Stream.map((line) => line.line),
          Stream.take(5),
          Stream.runCollect
        )
        const quick = Date.now() - started < 10_000
        yield* out("follow", { lines, stoppedEarly: quick })
      })
  )

  // pull from the local registry with progress
  yield* Effect.ignore(Docker.call(Ops.ImageDelete)({ name: pullImage, force: true }))
  const [repo, tag] = [pullImage.slice(0, pullImage.lastIndexOf(":")), pullImage.slice(pullImage.lastIndexOf(":") + 1)]
  const events = yield* Stream.runCollect(Docker.call(Ops.ImageCreate)({ fromImage: repo, tag }))
  const downloading = events.filter((e) => e.status === "Downloading" && (e.progressDetail?.total ?? 0) > 0)
  const last = events.at(-1)?.status ?? ""
  yield* out("pull", {
    first: events[0]?.status,
    progress: downloading.length > 0,
    progressMonotonic: downloading.every((e, i) =>
      i === 0 || e.progressDetail!.current! >= downloading[i - 1]!.progressDetail!.current!
    ),
    errors: events.filter((e) => e.error !== undefined).length,
    last: last.replace(/ for .*/, "")
  })
  yield* Effect.ignore(Docker.call(Ops.ImageDelete)({ name: pullImage, force: true }))

  // an exec, over a hijacked connection
  yield* withContainer("scenario-exec", ["sleep", "60"], (id) =>
    Effect.gen(function*() {
      yield* Docker.call(Ops.ContainerStart)({ id })
      const exec = yield* Docker.call(Ops.ContainerExec)({
        id,
        body: { Cmd: ["sh", "-c", "echo exec-out; echo exec-err >&2; exit 7"], AttachStdout: true, AttachStderr: true }
      })
      const output = yield* Effect.scoped(
        Effect.flatMap(
          Docker.hijack(Ops.ExecStart, { id: exec.Id, body: { Detach: false, Tty: false } }),
          (socket) => Demux.toStrings(Demux.demuxStream(socketBytes(socket)))
        )
      )
      const inspect = yield* Docker.call(Ops.ExecInspect)({ id: exec.Id })
      yield* out("exec", { exit: inspect.ExitCode, stdout: output.stdout, stderr: output.stderr })
    }))

  // attach with stdin: a line goes in, comes back out; then half-closing stdin makes `cat` exit
  yield* withContainer("scenario-attach", ["cat"], (id) =>
    Effect.scoped(Effect.gen(function*() {
      const socket = yield* Docker.hijack(Ops.ContainerAttach, {
        id,
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true
      })
      yield* Docker.call(Ops.ContainerStart)({ id })
      const echoed = yield* Deferred.make<void>()
      const output = yield* Effect.forkChild(
        Demux.demuxStream(socketBytes(socket)).pipe(
          Stream.tap(() => Deferred.succeed(echoed, undefined)),
          Demux.toStrings
        )
      )
      yield* Effect.scoped(Effect.gen(function*() {
        const writer = yield* socket.writer
        yield* writer.write("hello from stdin\n")
        yield* Deferred.await(echoed)
      }))
      const { stdout } = yield* Fiber.join(output)
      const { StatusCode } = yield* Docker.call(Ops.ContainerWait)({ id })
      yield* out("attach", { stdout, exit: StatusCode })
    })), { OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true })

  // a scoped container: files, a published port, a wait, a request; removed when its scope closes, and when the
  // fiber that holds one is interrupted
  const gone = (id: string) =>
    Docker.call(Ops.ContainerInspect)({ id }).pipe(
      Effect.as(false),
      Effect.catchTag("NotFound", () => Effect.succeed(true))
    )
  const served = yield* Effect.scoped(Effect.gen(function*() {
    const web = yield* Resources.container({
      image,
      name: `scenario-resources-${suffix}`,
      cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
      ports: [8080],
      files: [{ path: "www/index.html", content: `served on ${runtime}` }],
      wait: Wait.all(Wait.forListeningPort(8080), Wait.forHttp({ port: 8080 }))
    })
    const body = yield* Effect.promise(() => fetch(`http://${web.address(8080)}/`).then((r) => r.text()))
    return {
      id: web.id,
      host: web.host,
      body: body.replace(runtime, "<runtime>"),
      running: (yield* gone(web.id)) === false
    }
  }))
  const held = yield* Deferred.make<string>()
  const holder = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
    const sleeper = yield* Resources.container({ image, name: `scenario-held-${suffix}`, cmd: ["sleep", "3600"] })
    yield* Deferred.succeed(held, sleeper.id)
    return yield* Effect.never
  })))
  const heldId = yield* Deferred.await(held)
  const heldBefore = (yield* gone(heldId)) === false
  yield* Fiber.interrupt(holder)
  yield* out("resources", {
    host: served.host,
    body: served.body,
    runningInScope: served.running,
    removedAfterScope: yield* gone(served.id),
    runningBeforeInterrupt: heldBefore,
    removedOnInterrupt: yield* gone(heldId)
  })
})

await Effect.runPromise(program.pipe(Effect.provide(DockerAuto.layerFromEnv))).catch((error) => {
  console.error(String(error))
  const exit = (globalThis as { process?: { exit(code: number): never } }).process?.exit
  if (exit !== undefined) exit(1)
  throw error
})
