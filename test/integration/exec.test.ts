import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Api, Containers, Demux, Docker, Operations } from "../../mod.ts"
import { socketBytes } from "../../src/internal/hijack.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"
import { onEngine } from "../support/podman.ts"

const LABELS = { "effect-docker-test": "exec" }

const runningContainer = Effect.gen(function*() {
  const id = yield* scopedContainer({ Cmd: ["sleep", "120"], Labels: LABELS, HostConfig: { NetworkMode: "none" } })
  yield* Containers.start(id)
  return id
})

layer(DockerLive)("exec against the real engine", (it) => {
  it.effect("create, inspect before start, start over a hijacked connection, inspect the exit code", () =>
    Effect.gen(function*() {
      const containerId = yield* runningContainer
      const created = yield* Api.containerExec({
        id: containerId,
        body: {
          Cmd: ["sh", "-c", "echo out; echo err >&2; exit 4"],
          AttachStdout: true,
          AttachStderr: true,
          Env: ["X=1"]
        }
      })
      expect(created.Id).toMatch(/^[0-9a-f]{64}$/)
      const before = yield* Api.execInspect({ id: created.Id })
      expect(before.Running).toBe(false)
      // Docker sends null (read as absent), Podman 0
      expect(before.ExitCode).toBe(onEngine("execExitCodeBeforeStart", { docker: undefined, podman: 0 }))
      expect(before.ContainerID).toBe(containerId)
      expect(before.ProcessConfig?.entrypoint).toBe("sh")
      const output = yield* Effect.scoped(
        Effect.flatMap(
          Docker.hijack(Operations.ExecStart, { id: created.Id, body: { Detach: false, Tty: false } }),
          (socket) => Demux.toStrings(Demux.demuxStream(socketBytes(socket)))
        )
      )
      expect(output).toEqual({ stdout: "out\n", stderr: "err\n" })
      const after = yield* Api.execInspect({ id: created.Id })
      expect(after.Running).toBe(false)
      expect(after.ExitCode).toBe(4)
      // An exec runs once. Docker upgrades the connection before it checks, so the refusal arrives as raw text on
      // the hijacked connection, not as a status; Podman refuses before the upgrade (500, read as a Conflict).
      const again = Effect.scoped(
        Effect.flatMap(
          Docker.hijack(Operations.ExecStart, { id: created.Id, body: { Detach: false, Tty: false } }),
          (socket) => Stream.mkString(Stream.decodeText(socketBytes(socket)))
        )
      )
      if (onEngine("execStartedTwice", { docker: true, podman: false })) {
        expect(yield* again).toContain(`Exec command ${created.Id} has already run`)
      } else {
        const refused = yield* Effect.flip(again)
        expect(refused).toMatchObject({ _tag: "Conflict", status: 500 })
        expect(refused.message).toContain("exec session state improper")
      }
    }).pipe(Effect.scoped))

  it.effect("resize: Engine 20.10 accepts it for a running non-TTY exec; a missing exec is NotFound", () =>
    Effect.gen(function*() {
      const containerId = yield* runningContainer
      const created = yield* Api.containerExec({ id: containerId, body: { Cmd: ["sleep", "30"], AttachStdout: true } })
      yield* Docker.hijack(Operations.ExecStart, { id: created.Id, body: { Detach: false, Tty: false } })
      const running = yield* Effect.repeat(Api.execInspect({ id: created.Id }), {
        until: (inspected) => inspected.Running === true,
        times: 50
      })
      expect(running.Running).toBe(true)
      expect(running.ProcessConfig?.tty).toBe(false)
      yield* Api.execResize({ id: created.Id, h: 40, w: 120 })
      const missing = yield* Effect.flip(Api.execResize({ id: "effect-docker-no-such-exec", h: 40, w: 120 }))
      expect(missing._tag).toBe("NotFound")
      const onMissing = yield* Effect.flip(
        Api.containerExec({ id: "effect-docker-no-such-container", body: { Cmd: ["true"] } })
      )
      expect(onMissing._tag).toBe("NotFound")
    }).pipe(Effect.scoped))
})
