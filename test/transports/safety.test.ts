/**
 * Redirects, timeouts, interruption and error messages on every transport of every runtime: Node (unix socket,
 * TCP, TLS, fetch, a user's undici client wrapped by `Docker.layer`), Deno and Bun (unix socket, TCP, TLS,
 * fetch). A fake daemon (`safety-server.ts`, loopback and a unix socket in a temporary folder; TLS with a CA and a
 * server certificate made by openssl) answers; `safety-runner.ts` runs the calls under each runtime.
 *
 * - A 301 toward another path, a 307 toward another host and a DELETE answered 301 toward `/images/…` fail with
 *   `Redirected` naming the status and the Location, and neither target ever receives a request.
 * - A server that never answers fails the call with `Timeout` naming the limit (the client's `timeout`, and a
 *   per-call `Docker.withTimeout` while the body is read), and the server sees the connection close; a stream
 *   that flows for longer than the timeout gets every chunk; an interrupted call closes its connection, and so
 *   does a body stream left before its end.
 * - A 500 with 1 MiB of HTML gives a message of at most 4 KiB + a line, naming the status and the full length.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { root, type Runtime, runtimeCommand } from "../support/runtimes.ts"
import { bigBodyBytes, type SafetyServers, startServers, streamChunks } from "./safety-server.ts"

type Line = {
  transport: string
  case: string
  ok?: boolean
  value?: unknown
  tag?: string
  message?: string
  status?: number
  location?: string
  phase?: string
  limit?: number
  closed?: string
  seen?: string
}

const dir = mkdtempSync(join(tmpdir(), "effect-docker-safety-"))
let servers: SafetyServers

const makeCertificates = () => {
  const openssl = (...args: Array<string>) =>
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] })
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=safety test CA",
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem"
  )
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "server.csr")
  execFileSync("sh", [
    "-c",
    "printf 'subjectAltName = IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage = serverAuth\\n' > ext.cnf"
  ], { cwd: dir })
  openssl(
    "x509",
    "-req",
    "-days",
    "1",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-extfile",
    "ext.cnf",
    "-out",
    "cert.pem"
  )
}

const run = async (runtime: Runtime): Promise<Array<Line>> => {
  const [command, ...args] = runtimeCommand(runtime, "test/transports/safety-runner.ts")
  const env = {
    ...process.env,
    SAFETY_UNIX: servers.unixPath,
    SAFETY_TCP: String(servers.tcpPort),
    SAFETY_TLS: String(servers.tlsPort),
    SAFETY_OTHER: String(servers.otherPort),
    SAFETY_CA: join(dir, "ca.pem")
  }
  // async: the servers run in this process and must keep answering while the child runs
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
  if (code !== 0) throw new Error(`${runtime} failed (${code}):\n${stderr}\n${stdout}`)
  return stdout.trim().split("\n").map((line) => JSON.parse(line) as Line)
}

describe("transport safety: redirects, timeouts, interruption, error messages", () => {
  beforeAll(async () => {
    makeCertificates()
    servers = await startServers({
      unixPath: join(dir, "daemon.sock"),
      tls: { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") }
    })
  })
  afterAll(async () => {
    await servers?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: every transport refuses redirects, honours timeouts and closes what it abandons`, async () => {
      const lines = await run(runtime)
      const transports = runtime === "node"
        ? ["unix", "tcp", "tls", "fetch", "custom"]
        : ["unix", "tcp", "tls", "fetch"]
      expect([...new Set(lines.map((line) => line.transport))]).toEqual(transports)
      for (const transport of transports) {
        const tag = `${runtime}-${transport}`
        const get = (name: string) => {
          const line = lines.find((l) => l.transport === transport && l.case === name)
          expect(line, `${transport} ${name}`).toBeDefined()
          return line!
        }
        const r301 = get("301")
        expect(r301).toMatchObject({
          ok: false,
          tag: "Redirected",
          status: 301,
          location: `/v1.41/containers/landed-r301-${tag}/json`
        })
        expect(r301.message).toContain("301")
        expect(r301.message).toContain(`/v1.41/containers/landed-r301-${tag}/json`)
        const r307 = get("307")
        expect(r307).toMatchObject({
          ok: false,
          tag: "Redirected",
          status: 307,
          location: `http://127.0.0.1:${servers.otherPort}/v1.41/containers/landed-r307-${tag}/json`
        })
        expect(get("delete")).toMatchObject({
          ok: false,
          tag: "Redirected",
          status: 301,
          location: `/v1.41/images/landed-del-${tag}`
        })

        for (const name of ["500", "500chunked"]) {
          const big = get(name)
          expect(big).toMatchObject({ ok: false, tag: "ServerError", status: 500 })
          expect(big.message!.length).toBeLessThanOrEqual(4096 + 200)
          expect(big.message).toContain("HTTP 500")
          expect(big.message).toContain(`the body was ${bigBodyBytes} bytes`)
          expect(big.message).toMatch(/^<!DOCTYPE html>/)
        }

        expect(get("hang")).toMatchObject({ ok: false, tag: "Timeout", phase: "request", limit: 1000 })
        expect(get("hang").message).toContain("within 1s")
        expect(get("hangClosed").closed).toBe("yes")
        expect(get("slow")).toMatchObject({ ok: false, tag: "Timeout", phase: "request", limit: 400 })
        expect(get("slowClosed").closed).toBe("yes")
        expect(get("stream")).toEqual({
          transport,
          case: "stream",
          ok: true,
          value: Array.from({ length: streamChunks }, (_, i) => `chunk-${i}\n`).join("")
        })
        expect(get("cut")).toMatchObject({ ok: true })
        expect(get("cut").value).toMatch(/^chunk-0\n/)
        expect(get("cutClosed").closed).toBe("yes")
        expect(get("interrupt")).toMatchObject({ seen: "yes", closed: "yes" })
      }
      // no request ever reached a redirect's target
      expect(servers.daemonLog.filter((request) => request.includes("landed"))).toEqual([])
      expect(servers.otherLog).toEqual([])
      expect(servers.daemonLog.some((request) => request.includes(`r307-${runtime}-`))).toBe(true)
    }, 120_000)
  }
})
