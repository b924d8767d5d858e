/**
 * The allow-list proxy (`effect-docker/proxy`, one `node:http` server) run under Node, Deno and Bun by
 * `proxy-runner.ts`, with the read-only preset plus `ContainerAttach`, this process being the client:
 *
 * - in front of the real daemon: ping, a container list, a followed log stream (`tail=0`, so every line arrives
 *   after the request, while the container writes it), and an attach upgrade spliced both ways (a line written to
 *   a `cat` container comes back as a stdout frame);
 * - in front of a recording fake daemon on a unix socket: denied operations (`ContainerStop`, `ContainerDelete`,
 *   an `ExecStart` upgrade) get 403 naming the operation and hostile encoded paths (`..%2F`, `%2e%2e`) get 403,
 *   and none of them reaches the daemon; closing a client in the middle of a followed stream, and of a spliced
 *   upgrade, closes the proxy's connection to the daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TEST_IMAGE } from "../support/engine.ts"
import { root, type Runtime, runtimeCommand } from "../support/runtimes.ts"

const runtimes: ReadonlyArray<Runtime> = ["node", "deno", "bun"]
const dir = mkdtempSync(join(tmpdir(), "effect-docker-proxy-rt-"))
const fakePath = join(dir, "daemon.sock")
const stamp = Date.now().toString(36)
const containers: Array<string> = []

/** What the fake daemon saw: every request line, and which held connections (by id) have closed. */
const recorded: Array<string> = []
const closed = new Set<string>()
const held = new Set<string>()
/** Upgraded connections whose client side has half-closed (the daemon's end of stdin). */
const halfClosed = new Set<string>()
const fakeSockets = new Set<net.Socket>()
let fake: http.Server | undefined

const startFake = () => {
  fake = http.createServer((req, res) => {
    recorded.push(`${req.method} ${req.url}`)
    const hold = /^\/v1\.41\/containers\/(hold-[^/]+)\/logs/.exec(req.url ?? "")
    if (hold !== null) {
      const id = hold[1]!
      held.add(id)
      req.socket.on("close", () => closed.add(id))
      res.writeHead(200, { "content-type": "application/octet-stream" })
      res.write("first\n")
      return
    }
    res.writeHead(200, { "content-type": "application/json" }).end(`{"fake":true}`)
  })
  fake.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
    recorded.push(`${req.method} ${req.url} upgrade`)
    const id = /^\/v1\.41\/containers\/(echo-[^/]+)\/attach/.exec(req.url ?? "")?.[1] ?? "other"
    held.add(id)
    socket.on("close", () => closed.add(id))
    socket.on("error", () => socket.destroy())
    socket.write("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
    socket.on("data", (chunk: Buffer) => socket.write(`echo:${chunk.toString("latin1")}`))
    // like a container that keeps writing after its stdin ended: output goes on until the connection closes
    socket.on("end", () => {
      halfClosed.add(id)
      const timer = setInterval(() => socket.writable ? socket.write("more\n") : clearInterval(timer), 100)
      socket.on("close", () => clearInterval(timer))
    })
  })
  fake.on("connection", (socket: net.Socket) => {
    fakeSockets.add(socket)
    socket.on("close", () => fakeSockets.delete(socket))
  })
  return new Promise<void>((resolve) => fake!.listen(fakePath, resolve))
}

interface Proxies {
  readonly runtime: string
  readonly real: string
  readonly fake: string
}

const children: Array<ChildProcess> = []

/** Starts `proxy-runner.ts` under a runtime; its two base URLs once it listens. */
const startProxies = (runtime: Runtime) =>
  new Promise<Proxies>((resolve, reject) => {
    const [command, ...args] = runtimeCommand(runtime, "test/cross-runtime/proxy-runner.ts")
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, PROXY_FAKE: fakePath },
      stdio: ["pipe", "pipe", "pipe"]
    })
    children.push(child)
    let stdout = ""
    let stderr = ""
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text))
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      stdout += text
      if (stdout.includes("\n")) resolve(JSON.parse(stdout.split("\n")[0]!) as Proxies)
    })
    child.on("error", reject)
    child.on("close", (code) => reject(new Error(`${runtime} proxy exited (${code}):\n${stderr}\n${stdout}`)))
  })

/** Ends a runner's stdin: it closes its servers, prints `{"closed":true}` and exits 0. */
const stopProxies = (child: ChildProcess) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    let output = ""
    child.stdout!.on("data", (text: string) => (output += text))
    child.on("close", (code) => resolve({ code, output }))
    child.stdin!.end()
  })

/** A request with its path sent as written (a URL string would have its `%2e%2e` segments resolved first). */
const send = (base: string, method: string, path: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const { hostname, port } = new URL(base)
    const req = http.request({ hostname, port, path, method, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }))
    })
    req.on("error", reject)
    req.end()
  })

/** A raw upgrade request on a fresh connection; the socket once the answer's head has arrived, and the head. */
const upgrade = (base: string, path: string, headers = "") =>
  new Promise<{ socket: net.Socket; head: string; rest: Buffer }>((resolve, reject) => {
    const url = new URL(base)
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${headers}\r\n`
      )
    })
    let seen = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk])
      const end = seen.indexOf("\r\n\r\n")
      if (end < 0) return
      socket.off("data", onData)
      resolve({ socket, head: seen.subarray(0, end).toString("latin1"), rest: seen.subarray(end + 4) })
    }
    socket.on("data", onData)
    socket.on("error", reject)
    socket.on("close", () => reject(new Error(`closed before an answer: ${seen.toString("latin1")}`)))
  })

/** Reads from a socket until `done` holds for what arrived (the whole of it, as latin1). */
const readUntil = (socket: net.Socket, first: Buffer, done: (text: string) => boolean) =>
  new Promise<string>((resolve, reject) => {
    let text = first.toString("latin1")
    if (done(text)) return resolve(text)
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1")
      if (done(text)) {
        socket.off("data", onData)
        resolve(text)
      }
    }
    socket.on("data", onData)
    socket.on("close", () => reject(new Error(`closed before the expected bytes: ${JSON.stringify(text)}`)))
  })

/** Waits (up to 20 s, polling) for the fake daemon to see a held connection close. */
const closedOnDaemon = async (id: string) => {
  for (let i = 0; i < 200 && !closed.has(id); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  return closed.has(id)
}

const docker = (...args: Array<string>) => execFileSync("docker", args, { encoding: "utf8" }).trim()

describe("the proxy under Node, Deno and Bun", () => {
  beforeAll(startFake)
  afterAll(async () => {
    if (containers.length > 0) execFileSync("docker", ["rm", "-f", ...containers], { stdio: "ignore" })
    for (const child of children) if (child.exitCode === null) child.kill()
    for (const socket of fakeSockets) socket.destroy()
    fake?.closeAllConnections()
    await new Promise<void>((resolve) => fake === undefined ? resolve() : fake.close(() => resolve()))
    rmSync(dir, { recursive: true, force: true })
  })

  for (const runtime of runtimes) {
    it(`${runtime}: forwards, streams, splices and refuses as on Node; closing a client closes the daemon side`, {
      timeout: 90_000
    }, async () => {
      const proxies = await startProxies(runtime)
      expect(proxies.runtime).toBe(runtime)
      const tag = `${runtime}-${stamp}`
      const writer = `effect-docker-proxyrt-logs-${tag}`
      const cat = `effect-docker-proxyrt-cat-${tag}`
      containers.push(writer, cat)
      docker(
        "run",
        "-d",
        "--name",
        writer,
        TEST_IMAGE,
        "sh",
        "-c",
        "i=0; while [ $i -lt 600 ]; do echo line $i; i=$((i+1)); sleep 0.1; done"
      )
      docker("run", "-d", "-i", "--name", cat, TEST_IMAGE, "cat")

      // allowed calls reach the real daemon
      expect(await send(proxies.real, "GET", "/v1.41/_ping")).toEqual({ status: 200, text: "OK" })
      const list = await send(proxies.real, "GET", "/v1.41/containers/json")
      expect(list.status).toBe(200)
      const names = (JSON.parse(list.text) as Array<{ Names: Array<string> }>).flatMap((c) => c.Names)
      expect(names).toContain(`/${writer}`)

      // a followed log with tail=0: every line arrives after the request, while the container writes it
      const lines = await new Promise<Array<string>>((resolve, reject) => {
        const req = http.get(`${proxies.real}/v1.41/containers/${writer}/logs?follow=1&stdout=1&tail=0`, (res) => {
          expect(res.statusCode).toBe(200)
          let seen = ""
          res.on("data", (c: Buffer) => {
            seen += c.toString("latin1")
            const got = [...seen.matchAll(/line (\d+)\n/g)].map((m) => m[1]!)
            if (got.length >= 3) {
              req.destroy()
              resolve(got)
            }
          })
          res.on("error", () => undefined)
        })
        req.on(
          "error",
          (e) => (e.message.includes("aborted") || e.message.includes("socket hang up") ? undefined : reject(e))
        )
      })
      const numbers = lines.map(Number)
      expect(numbers.slice(1).every((n, i) => n === numbers[i]! + 1)).toBe(true)

      // an allowed upgrade is spliced both ways: a line written to cat's stdin comes back as a stdout frame
      const attached = await upgrade(proxies.real, `/v1.41/containers/${cat}/attach?stream=1&stdin=1&stdout=1`)
      expect(attached.head).toMatch(/^HTTP\/1\.1 101 /)
      attached.socket.write(`hello ${runtime}\n`)
      const echoed = await readUntil(attached.socket, attached.rest, (text) => text.includes(`hello ${runtime}\n`))
      const payload = `hello ${runtime}\n`
      expect(echoed).toContain(
        `\u0001\u0000\u0000\u0000\u0000\u0000\u0000${String.fromCharCode(payload.length)}${payload}`
      )
      attached.socket.destroy()

      // denied operations and hostile paths: 403 (naming the operation when there is one), nothing reaches the daemon
      recorded.length = 0
      const stop = await send(proxies.fake, "POST", "/v1.41/containers/abc/stop")
      expect(stop.status).toBe(403)
      expect(JSON.parse(stop.text)).toMatchObject({ operation: "ContainerStop" })
      expect(stop.text).toContain("ContainerStop")
      const remove = await send(proxies.fake, "DELETE", "/v1.41/containers/abc?force=1")
      expect(remove.status).toBe(403)
      expect(JSON.parse(remove.text)).toMatchObject({ operation: "ContainerDelete" })
      const exec = await upgrade(proxies.fake, "/v1.41/exec/abc/start", "Content-Length: 2\r\n")
      exec.socket.destroy()
      expect(exec.head).toMatch(/^HTTP\/1\.1 403 /)
      const hostile = [
        "/containers/..%2Fimages%2Fx/json",
        "/v1.41/containers/..%2Fimages%2Fx/json",
        "/containers/%2e%2e/images/json",
        "/containers/abc/%2e%2e/%2e%2e/images/json",
        "/v1.41/containers/%2E%2E%2Fimages%2Fx/json",
        "/%2e%2e/containers/json",
        "/containers/abc/%2e%2e/stop"
      ]
      for (const path of hostile) {
        for (const method of ["GET", "POST"]) {
          const answer = await send(proxies.fake, method, path)
          expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(403)
        }
      }
      expect(recorded).toEqual([])

      // closing a client mid-stream closes the proxy's connection to the daemon
      const holdId = `hold-${tag}`
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${proxies.fake}/v1.41/containers/${holdId}/logs?follow=1&stdout=1`, (res) => {
          res.once("data", () => {
            req.destroy()
            resolve()
          })
          res.on("error", () => undefined)
        })
        req.on(
          "error",
          (e) => (e.message.includes("aborted") || e.message.includes("socket hang up") ? undefined : reject(e))
        )
      })
      expect(held.has(holdId)).toBe(true)
      expect(await closedOnDaemon(holdId)).toBe(true)

      // and so does closing the client of a spliced upgrade (after bytes went both ways through it): its FIN
      // reaches the daemon as a half-close (the end of stdin, as a hijacked connection means it), and the
      // daemon's next output, which the closed client refuses, makes the proxy close the daemon's connection
      const echoId = `echo-${tag}`
      const spliced = await upgrade(proxies.fake, `/v1.41/containers/${echoId}/attach?stream=1&stdin=1`)
      expect(spliced.head).toMatch(/^HTTP\/1\.1 101 /)
      spliced.socket.write("ping")
      expect(await readUntil(spliced.socket, spliced.rest, (text) => text.includes("echo:ping"))).toBe("echo:ping")
      expect(closed.has(echoId)).toBe(false)
      spliced.socket.destroy()
      expect(await closedOnDaemon(echoId)).toBe(true)
      expect(halfClosed.has(echoId)).toBe(true)

      // the scope's end closes the servers and the runner exits
      const stopped = await stopProxies(children.at(-1)!)
      expect(stopped).toEqual({ code: 0, output: `{"closed":true}\n` })
    })
  }
})
