/**
 * One span per call on every transport of every runtime: `tracing-runner.ts` runs the same calls under Node, Deno
 * and Bun with each of their transports (unix socket, TCP, fetch) under a recording tracer, against the fake
 * daemon of `test/support/traceDaemon.ts`, and prints the `docker.*` spans it saw. Each call (a JSON answer, a
 * status error, a header-only answer, a multiplexed stream, a hijack, a detached exec and a session) has exactly
 * one span, with the operation's method, path template and the status; a transport that cannot upgrade fails the
 * hijacks before any I/O, still in their span.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { root, type Runtime, runtimeCommand } from "../support/runtimes.ts"
import { startTraceDaemon, type TraceDaemon } from "../support/traceDaemon.ts"

interface Line {
  readonly transport: string
  readonly results: unknown
  readonly spans: ReadonlyArray<unknown>
}

const dir = mkdtempSync(join(tmpdir(), "effect-docker-tracing-"))
let daemon: TraceDaemon

const run = async (runtime: Runtime): Promise<Array<Line>> => {
  const [command, ...args] = runtimeCommand(runtime, "test/transports/tracing-runner.ts")
  const env = { ...process.env, TRACE_UNIX: join(dir, "daemon.sock"), TRACE_TCP: String(daemon.port) }
  // async: the daemon runs in this process and must keep answering while the child runs
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
  if (code !== 0) throw new Error(`${runtime} failed (${code}):\n${stderr}\n${stdout}`)
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Line)
}

const span = (name: string, method: string, template: string, status: number | null, exit = "Success") => ({
  name: `docker.${name}`,
  method,
  template,
  status,
  exit
})

const expected = (canHijack: boolean) => ({
  results: {
    inspected: "0123456789ab",
    missing: "NotFound",
    stat: "etc",
    logs: { stdout: "out\n", stderr: "err\n" },
    exec: canHijack ? { stdout: "exec-out\n", stderr: "" } : "HijackNotSupported",
    session: canHijack ? "s-1" : "HijackNotSupported"
  },
  spans: [
    span("SystemPing", "GET", "/_ping", 200),
    span("ContainerInspect", "GET", "/containers/{id}/json", 200),
    span("ContainerInspect", "GET", "/containers/{id}/json", 404, "Failure"),
    span("ContainerArchiveInfo", "HEAD", "/containers/{id}/archive", 200),
    span("ContainerLogs", "GET", "/containers/{id}/logs", 200),
    canHijack
      ? span("ExecStart", "POST", "/exec/{id}/start", 101)
      : span("ExecStart", "POST", "/exec/{id}/start", null, "Failure"),
    span("ExecStart", "POST", "/exec/{id}/start", 200),
    canHijack ? span("Session", "POST", "/session", 101) : span("Session", "POST", "/session", null, "Failure")
  ]
})

describe("tracing on every transport of every runtime", () => {
  beforeAll(async () => {
    daemon = await startTraceDaemon({ unixPath: join(dir, "daemon.sock") })
  })
  afterAll(async () => {
    await daemon?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: one docker.* span per call on the unix socket, TCP and fetch transports`, async () => {
      const before = daemon.traceparents.length
      const lines = await run(runtime)
      expect(lines.map((line) => line.transport)).toEqual(["unix", "tcp", "fetch"])
      for (const line of lines) {
        expect({ transport: line.transport, results: line.results, spans: line.spans }).toEqual({
          transport: line.transport,
          ...expected(line.transport !== "fetch")
        })
      }
      // every request the daemon saw carried the trace context: 8 calls on each hijacking transport, 6 on fetch
      const sent = daemon.traceparents.slice(before)
      expect(sent).toHaveLength(8 + 8 + 6)
      for (const header of sent) expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    }, 120_000)
  }
})
