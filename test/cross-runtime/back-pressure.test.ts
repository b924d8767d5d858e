/**
 * Reads of a hijacked connection follow the consumer on Node, Deno and Bun: a fake daemon on a unix socket answers
 * an attach with `101` and writes 64 MiB of stdout frames as fast as the connection takes them, while the client
 * (`back-pressure-runner.ts`) stops reading after the first frame. The daemon's writes must stall (no `drain` for
 * 500 ms) long before the end; then the client reads on and every byte arrives.
 *
 * The stall is observed, not timed: a client that kept reading would let the daemon write all 64 MiB, and the
 * test fails. A client stalled by a busy machine can only make the test pass more easily, never fail.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { encodeFrame } from "../../src/internal/demuxParser.ts"
import { root, type Runtime, runtimeCommand } from "../support/runtimes.ts"

const runner = "test/cross-runtime/back-pressure-runner.ts"
const MiB = 1024 * 1024
const total = 64 * MiB
const frame = encodeFrame(1, new Uint8Array(64 * 1024).fill(120))

interface Outcome {
  /** Payload bytes the connection had taken when its writes stalled; undefined if they never did. */
  readonly stalledAt: number | undefined
  readonly received: number
}

/** A fake daemon: any request gets a `101` and the frames; `onVerdict` runs once the writes stall or end. */
const fakeDaemon = (onVerdict: () => void) => {
  const state: { stalledAt: number | undefined } = { stalledAt: undefined }
  let decided = false
  const decide = () => {
    if (decided) return
    decided = true
    onVerdict()
  }
  const server = net.createServer((connection) => {
    let head = ""
    connection.on("error", () => undefined)
    connection.on("data", (data) => {
      if (head.includes("\r\n\r\n")) return
      head += data.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      connection.write(
        "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n" +
          "Upgrade: tcp\r\n\r\n"
      )
      let written = 0
      const pump = () => {
        while (written < total) {
          written += frame.length - 8
          if (!connection.write(frame)) {
            const timer = setTimeout(() => {
              if (state.stalledAt === undefined) state.stalledAt = written
              decide()
            }, 500)
            connection.once("drain", () => {
              clearTimeout(timer)
              pump()
            })
            return
          }
        }
        decide()
        connection.end()
      }
      pump()
    })
  })
  return { server, state }
}

const run = (runtime: Runtime) =>
  new Promise<Outcome>((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), "effect-docker-bp-"))
    const path = join(dir, "daemon.sock")
    const go = join(dir, "go")
    const { server, state } = fakeDaemon(() => writeFileSync(go, ""))
    const done = (error: Error | undefined, received = 0) => {
      server.close()
      rmSync(dir, { recursive: true, force: true })
      if (error !== undefined) reject(error)
      else resolve({ stalledAt: state.stalledAt, received })
    }
    server.listen(path, () => {
      const [command, ...args] = runtimeCommand(runtime, runner)
      const env = { ...process.env, BACK_PRESSURE_SOCKET: path, BACK_PRESSURE_GO: go }
      const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text))
      child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text))
      child.on("error", (error) => done(error))
      child.on("close", (code, signal) => {
        if (code !== 0) return done(new Error(`${runtime} failed (${code ?? signal}):\n${stderr}\n${stdout}`))
        done(undefined, (JSON.parse(stdout.trim()) as { received: number }).received)
      })
    })
  })

describe("hijacked connections: reads follow the consumer", () => {
  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: a stalled reader stalls the daemon's writes well before 64 MiB, then gets every byte`, {
      timeout: 150_000
    }, async () => {
      const { received, stalledAt } = await run(runtime)
      expect(stalledAt).toBeDefined()
      expect(stalledAt!).toBeLessThan(16 * MiB)
      expect(received).toBe(total)
    })
  }
})
