/**
 * Running commands in containers over a hijacked connection: output demultiplexed per stream, stdin written and
 * then half-closed so the command sees its end, and the exit code read from the exec's inspection.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Docker from "./Docker.ts"
import * as Demux from "./Demux.ts"
import * as Api from "./generated/api.ts"
import * as Operations from "./generated/operations.ts"
import type * as Models from "./generated/schemas.ts"
import { socketBytes } from "./internal/hijack.ts"

/**
 * Options of {@link run}: the exec configuration (`Env`, `User`, `WorkingDir`, `Privileged`) and the bytes or text
 * to send to the command's stdin.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions extends Pick<Models.ExecConfig, "Env" | "User" | "WorkingDir" | "Privileged"> {
  readonly stdin?: string | Uint8Array
}

/**
 * What a finished command left: its exit code and its output per stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command in a running container and waits for it: stdin (if given) is written and closed, stdout and
 * stderr are collected, and the exit code is read back. A non-zero exit code is a result, not a failure.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Exec } from "effect-docker"
 * const echoed = Exec.run("my-container", ["cat"], { stdin: "hello\n" }).pipe(Effect.map((r) => r.stdout)) // "hello\n"
 * ```
 * @since 0.1.0
 * @category running
 */
export const run = (containerId: string, cmd: ReadonlyArray<string>, options: RunOptions = {}) =>
  Effect.scoped(
    Effect.gen(function*() {
      const { stdin, ...config } = options
      const created = yield* Api.containerExec({
        id: containerId,
        body: { ...config, Cmd: cmd, AttachStdin: stdin !== undefined, AttachStdout: true, AttachStderr: true, Tty: false }
      })
      const socket = yield* Docker.hijack(Operations.ExecStart, { id: created.Id, body: { Detach: false, Tty: false } })
      const output = yield* Effect.forkChild(Demux.toStrings(Demux.demuxStream(socketBytes(socket))))
      if (stdin !== undefined) {
        yield* Effect.scoped(Effect.flatMap(socket.writer, (writer) => writer.write(stdin)))
      }
      const { stderr, stdout } = yield* Fiber.join(output)
      const inspected = yield* Api.execInspect({ id: created.Id })
      return { exitCode: inspected.ExitCode ?? -1, stdout, stderr } satisfies RunResult
    })
  )
