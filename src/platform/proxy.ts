/**
 * An allow-list proxy in front of the Docker daemon, on Node's `node:http` server (the same server runs under Deno
 * and Bun through their Node compatibility, upgrades included): each request is attributed to the operation the
 * daemon would run and forwarded only when the policy allows it (see `effect-docker/ProxyPolicy` and
 * `docs/proxy.md`). Denied requests get `403` with a JSON body `{ message, operation }`. Responses are piped with
 * back-pressure; upgrades (attach, exec) are spliced only for allowed operations that upgrade. CORS for configured
 * origins, a `Host` check against DNS rebinding and an optional bearer token protect it from other pages.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import * as net from "node:net"
import type * as Host from "../Host.ts"
import type { TaggedErrorClass } from "../internal/taggedError.ts"
import * as ProxyPolicy from "../ProxyPolicy.ts"

/**
 * A file the proxy serves itself (a page and its script), by exact path, on `GET`.
 *
 * @example
 * ```ts
 * import type * as Proxy from "effect-docker/proxy"
 * const page: Proxy.Asset = { contentType: "text/html; charset=utf-8", body: "<h1>hi</h1>" }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface Asset {
  readonly contentType: string
  readonly body: string | Uint8Array
}

/**
 * The proxy's options.
 * - `policy`: what is allowed (e.g. `ProxyPolicy.readOnly`).
 * - `host`: the daemon (`unix://…` or plain `tcp://…` as `Host.parse` gives; default `/var/run/docker.sock`).
 * - `port` / `hostname`: where to listen (default `127.0.0.1`, a free port).
 * - `origins`: the page origins allowed to call it (CORS); requests from the proxy's own origin are always allowed.
 * - `hosts`: the `Host` header values accepted (default: `127.0.0.1`, `localhost`, `[::1]` and `hostname`, with the
 *   port), against DNS rebinding.
 * - `token`: when set, every API request must carry `Authorization: Bearer <token>`.
 * - `maxBodyBytes`: the largest JSON request body (default 1 MiB).
 * - `assets`: files served by path.
 *
 * @example
 * ```ts
 * import * as Proxy from "effect-docker/proxy"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const options: Proxy.ProxyOptions = { policy: ProxyPolicy.readOnly, origins: ["http://localhost:5173"] }
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ProxyOptions<R = never> {
  readonly policy: ProxyPolicy.Policy<R>
  readonly host?: Host.Host | undefined
  readonly port?: number | undefined
  readonly hostname?: string | undefined
  readonly origins?: ReadonlyArray<string> | "*" | undefined
  readonly hosts?: ReadonlyArray<string> | undefined
  readonly token?: Redacted.Redacted<string> | undefined
  readonly maxBodyBytes?: number | undefined
  readonly assets?: Readonly<Record<string, Asset>> | undefined
}

/**
 * A running proxy: its base URL (`http://127.0.0.1:PORT`) and port.
 *
 * @example
 * ```ts
 * import type * as Proxy from "effect-docker/proxy"
 * const show = (server: Proxy.ProxyServer) => server.url
 * ```
 * @since 0.2.0
 * @category models
 */
export interface ProxyServer {
  readonly url: string
  readonly port: number
}

const ProxyServeErrorBase: TaggedErrorClass<"ProxyServeError"> = /*#__PURE__*/ Data.TaggedError("ProxyServeError")

/**
 * The proxy could not start: the port is taken, or the daemon address is one the proxy cannot reach (ssh, TLS).
 *
 * @example
 * ```ts
 * import * as Proxy from "effect-docker/proxy"
 * const e = new Proxy.ProxyServeError({ message: "listen EADDRINUSE" })
 * ```
 * @since 0.2.0
 * @category errors
 */
export class ProxyServeError extends ProxyServeErrorBase<{ readonly message: string }> {}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "authorization",
  "cookie",
  "host"
])

type Upstream = { readonly socketPath: string } | { readonly host: string; readonly port: number }

const upstreamOf = (host: Host.Host): Upstream | ProxyServeError => {
  switch (host._tag) {
    case "Unix":
    case "Npipe":
      return { socketPath: host.path }
    case "Tcp":
      return host.tls
        ? new ProxyServeError({ message: "the proxy forwards to a unix socket or plain TCP only, not TLS" })
        : { host: host.host, port: host.port }
    case "Ssh":
      return new ProxyServeError({ message: "the proxy cannot forward over ssh" })
  }
}

const forwardHeaders = (
  headers: http.IncomingHttpHeaders,
  keep: ReadonlySet<string>
): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = { host: "docker" }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && !keep.has(name))) continue
    out[name] = value
  }
  return out
}

/** A refusal's JSON answer: `{ message, operation }`. */
const refusal = (status: number, message: string, operation: string | undefined) =>
  json(status, { message, operation: operation ?? null })

const json = (status: number, body: unknown, extra: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  return {
    status,
    headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...extra },
    text
  }
}

/**
 * Starts the proxy, closed when the scope closes. Predicates of the policy run with the services of the calling
 * context (`R`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Proxy from "effect-docker/proxy"
 * import * as ProxyPolicy from "effect-docker/ProxyPolicy"
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const server = yield* Proxy.serve({ policy: ProxyPolicy.readOnly })
 *   yield* Effect.log(`proxy on ${server.url}`)
 *   return yield* Effect.never
 * }))
 * ```
 * @since 0.2.0
 * @category constructors
 */
export const serve = <R = never>(
  options: ProxyOptions<R>
): Effect.Effect<ProxyServer, ProxyServeError, Scope.Scope | R> =>
  Effect.gen(function*() {
    const upstream = upstreamOf(options.host ?? { _tag: "Unix", path: "/var/run/docker.sock" })
    if (upstream instanceof ProxyServeError) return yield* upstream
    const context = yield* Effect.context<R>()
    const hostname = options.hostname ?? "127.0.0.1"
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024
    const token = options.token === undefined ? undefined : Redacted.value(options.token)
    const sockets = new Set<net.Socket>()
    let hosts: ReadonlySet<string> = new Set()

    const allowedOrigin = (origin: string | undefined, host: string | undefined): boolean =>
      origin === undefined || origin === `http://${host}` || options.origins === "*" ||
      (options.origins?.includes(origin) ?? false)

    const corsHeaders = (origin: string | undefined): Record<string, string> =>
      origin === undefined ? {} : {
        "access-control-allow-origin": options.origins === "*" ? "*" : origin,
        "access-control-expose-headers": "api-version, docker-experimental, ostype, server",
        vary: "Origin"
      }

    /** The checks that come before the policy: Host, Origin, token. */
    const gate = (req: http.IncomingMessage) => {
      const origin = req.headers.origin
      if (!hosts.has(req.headers.host ?? "")) {
        return json(403, { message: "the Host header is not one this proxy serves", operation: null })
      }
      if (!allowedOrigin(origin, req.headers.host)) {
        return json(403, { message: `the origin ${origin} is not allowed`, operation: null })
      }
      if (token !== undefined && !ProxyPolicy.bearerMatches(req.headers.authorization, token)) {
        return json(401, { message: "a bearer token is required", operation: null }, {
          "www-authenticate": "Bearer",
          ...corsHeaders(origin)
        })
      }
      return undefined
    }

    const readBody = (req: http.IncomingMessage) =>
      new Promise<Uint8Array | "tooLarge">((resolve, reject) => {
        const chunks: Array<Buffer> = []
        let size = 0
        req.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBodyBytes) {
            resolve("tooLarge")
            req.removeAllListeners("data")
            req.resume()
            return
          }
          chunks.push(chunk)
        })
        req.on("end", () => resolve(Buffer.concat(chunks)))
        req.on("error", reject)
      })

    /** Body and predicate checks of a forwarded request; the body when it was buffered. */
    type Forward = Extract<ProxyPolicy.Decision<R>, { _tag: "Forward" }>
    const check = async (req: http.IncomingMessage, decision: Forward) => {
      let buffered: Uint8Array | undefined
      let body: unknown = undefined
      if (decision.operation.body?._tag === "Json") {
        const bytes = await readBody(req)
        if (bytes === "tooLarge") {
          return refusal(413, `the body is larger than ${maxBodyBytes} bytes`, decision.operation.id)
        }
        const parsed = ProxyPolicy.parseBody(decision.operation, bytes)
        if (parsed._tag === "Invalid") return json(403, { message: parsed.reason, operation: decision.operation.id })
        buffered = bytes
        body = parsed.body
      }
      const ok = await Effect.runPromiseWith(context)(ProxyPolicy.permits(decision.rules, {
        operation: decision.operation,
        method: req.method ?? "GET",
        path: decision.path,
        query: decision.query,
        body
      }))
      if (!ok) return refusal(403, `${decision.operation.id} is not allowed for this request`, decision.operation.id)
      return { buffered }
    }

    /** The checks before the policy, then the policy: a refusal, or the request's route and rules. */
    const admit = (req: http.IncomingMessage): ReturnType<typeof json> | Forward => {
      const gated = gate(req)
      if (gated !== undefined) return gated
      const decision = ProxyPolicy.decide(options.policy, {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers
      })
      return decision._tag === "Deny" ? refusal(403, decision.reason, decision.operation) : decision
    }

    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const origin = req.headers.origin
      const refuse = (answer: ReturnType<typeof json>) => {
        const cors = corsHeaders(allowedOrigin(origin, req.headers.host) ? origin : undefined)
        res.writeHead(answer.status, { ...cors, ...answer.headers })
        res.end(answer.text)
        req.resume()
      }
      if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
        if (!hosts.has(req.headers.host ?? "") || !allowedOrigin(origin, req.headers.host)) {
          return refuse(json(403, { message: `the origin ${origin} is not allowed`, operation: null }))
        }
        res.writeHead(204, {
          ...corsHeaders(origin),
          "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE",
          "access-control-allow-headers": "authorization, content-type, x-registry-auth, x-registry-config",
          "access-control-max-age": "600"
        })
        return res.end()
      }
      const asset = req.method === "GET" ? options.assets?.[(req.url ?? "").split("?")[0]!] : undefined
      if (asset !== undefined && hosts.has(req.headers.host ?? "")) {
        res.writeHead(200, { "content-type": asset.contentType, "cache-control": "no-store" })
        return res.end(asset.body)
      }
      const decision = admit(req)
      if ("status" in decision) return refuse(decision)
      if (decision.upgrade) {
        return refuse(refusal(403, "an upgrade needs both Upgrade and Connection: Upgrade", decision.operation.id))
      }
      const checked = await check(req, decision)
      if ("status" in checked) return refuse(checked)
      const headers = forwardHeaders(req.headers, new Set())
      if (checked.buffered !== undefined) {
        delete headers["transfer-encoding"]
        headers["content-length"] = String(checked.buffered.length)
      }
      const outgoing = http.request({ ...upstream, method: req.method, path: decision.target, headers }, (answer) => {
        const out: Record<string, string | Array<string>> = corsHeaders(origin)
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name) && name !== "transfer-encoding") out[name] = value
        }
        res.writeHead(answer.statusCode ?? 502, out)
        res.flushHeaders()
        answer.pipe(res)
      })
      res.on("close", () => {
        if (!res.writableFinished) outgoing.destroy()
      })
      outgoing.on("error", () => {
        if (!res.headersSent) refuse(refusal(502, "the daemon did not answer", decision.operation.id))
        else res.destroy()
      })
      if (checked.buffered !== undefined) outgoing.end(checked.buffered)
      else if (decision.operation.body === undefined) outgoing.end()
      else req.pipe(outgoing)
    }

    const handleUpgrade = async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      sockets.add(client)
      client.on("close", () => sockets.delete(client))
      client.on("error", () => client.destroy())
      const refuse = (answer: ReturnType<typeof json>) => {
        const lines = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}`, "connection: close"]
        for (const [name, value] of Object.entries(answer.headers)) lines.push(`${name}: ${value}`)
        client.end(`${lines.join("\r\n")}\r\n\r\n${answer.text}`)
      }
      const decision = admit(req)
      if ("status" in decision) return refuse(decision)
      const checked = await check(req, decision)
      if ("status" in checked) return refuse(checked)
      const engine = "socketPath" in upstream
        ? net.connect(upstream.socketPath)
        : net.connect(upstream.port, upstream.host)
      sockets.add(engine)
      engine.on("close", () => sockets.delete(engine))
      engine.on("error", () => client.destroy())
      client.on("close", () => engine.destroy())
      engine.on("connect", () => {
        const headers = forwardHeaders(req.headers, new Set(["connection", "upgrade"]))
        const lines = [`${req.method} ${decision.target} HTTP/1.1`]
        for (const [name, value] of Object.entries(headers)) {
          for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`)
        }
        engine.write(`${lines.join("\r\n")}\r\n\r\n`)
        if (head.length > 0) engine.write(head)
        engine.pipe(client)
        client.pipe(engine)
      })
    }

    const server = http.createServer((req, res) => {
      handle(req, res).catch(() => res.destroy())
    })
    server.on("upgrade", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      handleUpgrade(req, client, head).catch(() => client.destroy())
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number, ProxyServeError>((resume) => {
        const onError = (error: Error) => resume(Effect.fail(new ProxyServeError({ message: error.message })))
        server.once("error", onError)
        server.listen(options.port ?? 0, hostname, () => {
          server.off("error", onError)
          resume(Effect.succeed((server.address() as net.AddressInfo).port))
        })
      }),
      () =>
        Effect.callback<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    const named = hostname.includes(":") ? `[${hostname}]` : hostname
    hosts = new Set(
      (options.hosts ?? ["127.0.0.1", "localhost", "[::1]", named]).map((h) => /:\d+$/.test(h) ? h : `${h}:${port}`)
    )
    return { url: `http://${named}:${port}`, port }
  })
