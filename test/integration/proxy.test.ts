/**
 * The proxy server (`effect-docker/proxy`): in front of a recording fake daemon on a unix socket, every one of the
 * 108 operations' requests is answered 403 (naming the operation, nothing reaching the daemon) unless it is on the
 * read-only list, when it reaches the daemon as the same operation; upgrades, Host, Origin, token and body checks;
 * a seeded fuzz of hostile paths through the server. In front of the real engine: ping, a followed log stream that
 * arrives while the container writes it, and a predicate that inspects the container through the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as fc from "fast-check"
import { execFileSync } from "node:child_process"
import * as http from "node:http"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Docker from "../../src/Docker.ts"
import * as Operations from "../../src/generated/operations.ts"
import * as DockerNode from "../../src/platform/node.ts"
import * as Proxy from "../../src/platform/proxy.ts"
import * as ProxyPolicy from "../../src/ProxyPolicy.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"
import { daemonOperation, hostileRequest, sampleRequest } from "../support/proxySamples.ts"

interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

const readOnlyIds = new Set(ProxyPolicy.readOnly.map((op) => op.id))
const scope = Effect.runSync(Scope.make())
const socketPath = join(tmpdir(), `effect-docker-proxy-fake-${process.pid}-${Date.now().toString(36)}.sock`)
const recorded: Array<Recorded> = []
let fake: http.Server | undefined

const start = <R>(options: Proxy.ProxyOptions<R>, context: Layer.Layer<R> = Layer.empty as any) =>
  Effect.runPromise(Proxy.serve(options).pipe(Effect.provideService(Scope.Scope, scope), Effect.provide(context)))

const send = (
  base: string,
  request: { method: string; url: string; headers?: Record<string, string>; body?: string | undefined }
) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const options = { method: request.method, headers: request.headers ?? {} }
    const req = http.request(`${base}${request.url}`, options, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() })
      })
    })
    req.on("error", reject)
    req.end(request.body)
  })

/** A raw request line and headers on a fresh TCP connection; the first bytes of the answer. */
const raw = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text))
    let answer = ""
    socket.on("data", (c) => {
      answer += c.toString()
    })
    socket.on("end", () => resolve(answer))
    socket.on("close", () => resolve(answer))
    socket.on("error", reject)
  })

describe("proxy server", () => {
  let proxy: Proxy.ProxyServer

  beforeAll(async () => {
    fake = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString()
        recorded.push({ method: req.method!, url: req.url!, headers: req.headers, body })
        res.writeHead(200, { "content-type": "application/json", "api-version": "1.41" }).end(`{"fake":true}`)
      })
    })
    fake.on("upgrade", (req, socket) => {
      recorded.push({ method: req.method!, url: req.url!, headers: req.headers, body: "" })
      socket.end("HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw-stream")
    })
    await new Promise<void>((resolve) => fake!.listen(socketPath, resolve))
    proxy = await start({ policy: ProxyPolicy.readOnly, host: { _tag: "Unix", path: socketPath } })
  })

  afterAll(async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await new Promise<void>((resolve) => fake?.close(() => resolve()))
  })

  it("every operation not on the read-only list is refused with 403 naming it; others reach the daemon", async () => {
    let refused = 0
    let forwarded = 0
    for (const op of ProxyPolicy.allOperations) {
      const request = await Effect.runPromise(sampleRequest(op))
      recorded.length = 0
      const answer = await send(proxy.url, request)
      if (readOnlyIds.has(op.id)) {
        expect(answer.status, `${op.id} ${answer.text}`).toBe(200)
        expect(recorded.length).toBe(1)
        expect(daemonOperation(recorded[0]!.method, recorded[0]!.url.split("?")[0]!)).toBe(op.id)
        expect(recorded[0]!.headers.host).toBe("docker")
        forwarded++
      } else {
        expect(answer.status, `${op.id} ${request.method} ${request.url}`).toBe(403)
        if (request.method !== "HEAD") expect(JSON.parse(answer.text)).toMatchObject({ operation: op.id })
        expect(recorded).toEqual([])
        refused++
      }
    }
    expect([forwarded, refused]).toEqual([30, 78])
  })

  it("an SDK call the proxy denies fails with the typed Forbidden, even where the spec documents no 403", async () => {
    recorded.length = 0
    // ContainerStop documents 304, 404 and 500 only; Forbidden is still in its error type (catchTag type-checks)
    const caught = await Effect.runPromise(
      Docker.call(Operations.ContainerStop)({ id: "abc" }).pipe(
        Effect.as(undefined),
        Effect.catchTag("Forbidden", (e) => Effect.succeed(e)),
        Effect.provide(DockerNode.layer({ host: `tcp://127.0.0.1:${proxy.port}`, apiVersion: "1.41" }))
      )
    )
    expect(caught).toMatchObject({ _tag: "Forbidden", operation: "ContainerStop", status: 403 })
    expect(caught?.message).toContain("ContainerStop")
    expect(recorded).toEqual([])
  })

  it("refuses Upgrade on allowed routes that do not upgrade, and upgrades of operations not allowed", async () => {
    const host = `127.0.0.1:${proxy.port}`
    recorded.length = 0
    const upgrade = (kind: string) => `Connection: Upgrade\r\nUpgrade: ${kind}\r\n`
    const heads = [
      `GET /containers/abc/logs?follow=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
      `GET /events HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      `GET /_ping HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive, Upgrade\r\n\r\n`,
      `POST /containers/abc/attach?stream=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`,
      `GET /containers/abc/attach/ws?stream=1 HTTP/1.1\r\nHost: ${host}\r\n${upgrade("websocket")}\r\n`,
      `POST /exec/abc/start HTTP/1.1\r\nHost: ${host}\r\n${upgrade("tcp")}Content-Length: 2\r\n\r\n{}`
    ]
    for (const head of heads) expect(await raw(proxy.port, head), head).toMatch(/^HTTP\/1\.1 403 /)
    expect(recorded).toEqual([])
  })

  it("splices an allowed upgrade", async () => {
    const attach = await start({ policy: [Operations.ContainerAttach], host: { _tag: "Unix", path: socketPath } })
    recorded.length = 0
    const answer = await raw(
      attach.port,
      `POST /v1.41/containers/abc/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: 127.0.0.1:${attach.port}\r\n` +
        `Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n`
    )
    expect(answer).toMatch(/^HTTP\/1\.1 101 /)
    expect(answer).toContain("raw-stream")
    expect(recorded.map((r) => `${r.method} ${r.url} ${r.headers.upgrade}`)).toEqual([
      "POST /v1.41/containers/abc/attach?stream=1&stdout=1 tcp"
    ])
  })

  it("checks Host, Origin and the bearer token; answers CORS preflights for allowed origins", async () => {
    const guarded = await start({
      policy: ProxyPolicy.readOnly,
      host: { _tag: "Unix", path: socketPath },
      origins: ["http://page.test"],
      token: Redacted.make("s3cret")
    })
    recorded.length = 0
    const auth = { authorization: "Bearer s3cret" }
    expect((await send(guarded.url, { method: "GET", url: "/_ping" })).status).toBe(401)
    const ping = (headers: Record<string, string>, method = "GET") =>
      send(guarded.url, { method, url: "/_ping", headers })
    expect((await ping({ authorization: "Bearer s3cre" })).status).toBe(401)
    expect((await ping({ ...auth, host: "evil.test" })).status).toBe(403)
    expect((await ping({ ...auth, origin: "http://evil.test" })).status).toBe(403)
    expect((await ping({ origin: "http://evil.test", "access-control-request-method": "GET" }, "OPTIONS")).status)
      .toBe(403)
    expect(recorded).toEqual([])
    const preflight = await send(guarded.url, {
      method: "OPTIONS",
      url: "/containers/json",
      headers: {
        origin: "http://page.test",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization"
      }
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers["access-control-allow-origin"]).toBe("http://page.test")
    const ok = await ping({ ...auth, origin: "http://page.test" })
    expect(ok.status).toBe(200)
    expect(ok.headers["access-control-allow-origin"]).toBe("http://page.test")
    expect(recorded.length).toBe(1)
    expect(recorded[0]!.headers.authorization).toBeUndefined()
  })

  it("checks JSON bodies: size limit, syntax; forwards the parsed body to predicates", async () => {
    const create = await start({
      policy: [
        ProxyPolicy.allow(
          Operations.ContainerCreate,
          (r) => Effect.succeed((r.body as { Image?: string } | undefined)?.Image === "allowed")
        )
      ],
      host: { _tag: "Unix", path: socketPath },
      maxBodyBytes: 64
    })
    recorded.length = 0
    const post = (body: string) =>
      send(create.url, {
        method: "POST",
        url: "/containers/create",
        headers: { "content-type": "application/json" },
        body
      })
    expect((await post("{")).status).toBe(403)
    expect((await post(JSON.stringify({ Image: "allowed", pad: "x".repeat(100) }))).status).toBe(413)
    expect((await post(JSON.stringify({ Image: "other" }))).status).toBe(403)
    expect(recorded).toEqual([])
    expect((await post(JSON.stringify({ Image: "allowed" }))).status).toBe(200)
    expect(recorded.map((r) => r.body)).toEqual([`{"Image":"allowed"}`])
  })

  it("fuzz through the server (seed 18, 300 runs): the daemon never sees an operation outside the policy", async () => {
    let reached = 0
    await fc.assert(
      fc.asyncProperty(
        hostileRequest,
        async ({ method, segments, trailing }) => {
          recorded.length = 0
          const answer = await send(proxy.url, { method, url: `/${segments.join("/")}${trailing ? "/" : ""}` })
          expect([200, 403]).toContain(answer.status)
          for (const r of recorded) {
            const op = daemonOperation(r.method, r.url.split("?")[0]!)
            expect(op !== undefined && readOnlyIds.has(op), `${r.method} ${r.url}`).toBe(true)
            reached++
          }
        }
      ),
      { seed: 18, numRuns: 300 }
    )
    expect(reached).toBeGreaterThan(0)
  })
})

describe("proxy server in front of the engine", () => {
  const scopeEngine = Effect.runSync(Scope.make())
  const names: Array<string> = []
  afterAll(async () => {
    await Effect.runPromise(Scope.close(scopeEngine, Exit.void))
    if (names.length > 0) execFileSync("docker", ["rm", "-f", ...names], { stdio: "ignore" })
  })

  it("forwards ping and streams a followed log while the container writes it", async () => {
    const name = `effect-docker-proxy-logs-${Date.now().toString(36)}`
    names.push(name)
    execFileSync("docker", [
      "run",
      "-d",
      "--name",
      name,
      TEST_IMAGE,
      "sh",
      "-c",
      "i=0; while [ $i -lt 600 ]; do echo line $i; i=$((i+1)); sleep 0.1; done"
    ], { stdio: "ignore" })
    const server = await Effect.runPromise(
      Proxy.serve({ policy: ProxyPolicy.readOnly }).pipe(Effect.provideService(Scope.Scope, scopeEngine))
    )
    expect((await send(server.url, { method: "GET", url: "/v1.41/_ping" })).text).toBe("OK")
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${server.url}/v1.41/containers/${name}/logs?follow=1&stdout=1`, (res) => {
        let seen = ""
        res.on("data", (c: Buffer) => {
          seen += c.toString("latin1")
          if (seen.includes("line 3\n")) {
            req.destroy()
            resolve(seen)
          }
        })
        res.on("error", () => undefined)
      })
      req.on("error", (e) => (e.message.includes("aborted") ? undefined : reject(e)))
    })
    expect(text).toContain("line 0\n")
  })

  it("a predicate inspects the container through the SDK: only labelled containers are allowed", async () => {
    const tag = Date.now().toString(36)
    const labelled = `effect-docker-proxy-yes-${tag}`
    const other = `effect-docker-proxy-no-${tag}`
    names.push(labelled, other)
    const create = ["create", "--name", labelled, "--label", "proxy.allow=yes", TEST_IMAGE, "true"]
    execFileSync("docker", create, { stdio: "ignore" })
    execFileSync("docker", ["create", "--name", other, TEST_IMAGE, "true"], { stdio: "ignore" })
    const hasLabel = (r: ProxyPolicy.ProxyRequest) =>
      Docker.call(Operations.ContainerInspect)({ id: r.path["id"]! }).pipe(
        Effect.map((c) => c.Config?.Labels?.["proxy.allow"] === "yes")
      )
    const server = await Effect.runPromise(
      Proxy.serve({ policy: [ProxyPolicy.allow(Operations.ContainerInspect, hasLabel)] }).pipe(
        Effect.provideService(Scope.Scope, scopeEngine),
        Effect.provide(DockerLive)
      )
    )
    const yes = await send(server.url, { method: "GET", url: `/v1.41/containers/${labelled}/json` })
    expect(yes.status).toBe(200)
    expect(JSON.parse(yes.text).Name).toBe(`/${labelled}`)
    const no = await send(server.url, { method: "GET", url: `/v1.41/containers/${other}/json` })
    expect(no.status).toBe(403)
    expect(JSON.parse(no.text)).toMatchObject({ operation: "ContainerInspect" })
    const missing = await send(server.url, { method: "GET", url: `/v1.41/containers/nope-${tag}/json` })
    expect(missing.status).toBe(403)
  })
})
