/**
 * The fake daemon of the transport safety tests (`safety.test.ts`): one request handler served on a unix socket,
 * on TCP and on TLS (loopback only), and a second "other host" server that also answers the runners' control
 * questions. Each case is chosen by the id in `/containers/{id}/…`:
 *
 * - `r301-*`: 301 toward another path of the same server; `r307-*`: 307 toward the other host; `del-*`: a DELETE
 *   answered 301 toward `/images/…` (the escape of the security report). No request may land on either target.
 * - `hang-*`, `hold-*`: the request is read and never answered; the server records when its socket closes.
 * - `slow-*`: headers and the start of a JSON body, then nothing.
 * - `stream-*` (logs): one chunk every 150 ms, ten of them, then the end.
 * - `cut-*` (logs): one chunk every 100 ms until the client closes the connection, which the server records.
 * - `big-*`: a 500 with 1 MiB of HTML (`big-chunked-*` without Content-Length).
 */
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo, Socket } from "node:net"

export interface SafetyServers {
  readonly unixPath: string
  readonly tcpPort: number
  readonly tlsPort: number
  readonly otherPort: number
  /** Every request the daemon servers received: `METHOD path`. */
  readonly daemonLog: Array<string>
  /** Every request the other host received, control requests excepted. */
  readonly otherLog: Array<string>
  readonly close: () => Promise<void>
}

export const bigBodyBytes = 1024 * 1024
export const streamChunks = 10

const waitFor = (check: () => boolean, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const started = Date.now()
    const tick = () => {
      if (check()) return resolve(true)
      if (Date.now() - started > ms) return resolve(false)
      setTimeout(tick, 10)
    }
    tick()
  })

export const startServers = async (
  options: { readonly unixPath: string; readonly tls: { readonly cert: string; readonly key: string } }
): Promise<SafetyServers> => {
  const daemonLog: Array<string> = []
  const otherLog: Array<string> = []
  const seen = new Set<string>()
  const closed = new Set<string>()
  const sockets = new Set<Socket>()
  let otherPort = 0

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // Deno's unix-socket client speaks to the socket as to a proxy: absolute URIs in the request line
    const url = new URL(req.url ?? "/", "http://localhost")
    const path = `${url.pathname}${url.search}`
    daemonLog.push(`${req.method} ${path}`)
    const match = /^\/v1\.41\/containers\/([^/?]+)(\/[^?]*)?/.exec(path)
    const id = match?.[1] ?? ""
    seen.add(id)
    if (id.startsWith("r301-")) {
      res.writeHead(301, { location: `/v1.41/containers/landed-${id}/json`, "content-type": "text/html" })
      return res.end("<a href=\"/elsewhere\">Moved Permanently</a>.\n")
    }
    if (id.startsWith("r307-")) {
      res.writeHead(307, { location: `http://127.0.0.1:${otherPort}/v1.41/containers/landed-${id}/json` })
      return res.end()
    }
    if (id.startsWith("del-")) {
      res.writeHead(301, { location: `/v1.41/images/landed-${id}` })
      return res.end()
    }
    if (id.startsWith("hang-") || id.startsWith("hold-")) {
      req.socket.once("close", () => closed.add(id))
      return // never answered
    }
    if (id.startsWith("slow-")) {
      req.socket.once("close", () => closed.add(id))
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      return res.write("{\"Id\":")
    }
    if (id.startsWith("stream-")) {
      res.writeHead(200, { "content-type": "application/vnd.docker.raw-stream" })
      let sent = 0
      const timer = setInterval(() => {
        res.write(`chunk-${sent}\n`)
        if (++sent === streamChunks) {
          clearInterval(timer)
          res.end()
        }
      }, 150)
      req.socket.once("close", () => clearInterval(timer))
      return
    }
    if (id.startsWith("cut-")) {
      res.writeHead(200, { "content-type": "application/vnd.docker.raw-stream" })
      let sent = 0
      const timer = setInterval(() => res.write(`chunk-${sent++}\n`), 100)
      req.socket.once("close", () => {
        clearInterval(timer)
        closed.add(id)
      })
      return
    }
    if (id.startsWith("big-")) {
      const body = Buffer.alloc(bigBodyBytes, "<p>oops</p>\n")
      body.write("<!DOCTYPE html><html><body>")
      res.writeHead(500, {
        "content-type": "text/html",
        ...(id.startsWith("big-chunked-") ? {} : { "content-length": String(body.length) })
      })
      return res.end(body)
    }
    res.writeHead(200, { "content-type": "application/json" })
    res.end("{}")
  }

  const other = http.createServer((req, res) => {
    const path = req.url ?? "/"
    const control = /^\/control\/(seen|closed)\/(.+)$/.exec(path)
    if (control === null) {
      otherLog.push(`${req.method} ${path}`)
      res.writeHead(200, { "content-type": "application/json" })
      return res.end("{\"Id\":\"landed on the other host\"}")
    }
    const [, what, id] = control
    const set = what === "seen" ? seen : closed
    void waitFor(() => set.has(id!), 5000).then((yes) => res.end(yes ? "yes" : "no"))
  })
  const track = (server: http.Server) =>
    server.on("connection", (socket: Socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
  const unix = track(http.createServer(handler))
  const tcp = track(http.createServer(handler))
  const tls = track(https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler))
  track(other)
  const listen = (server: http.Server, target: string | number) =>
    new Promise<number>((resolve) => {
      if (typeof target === "string") server.listen(target, () => resolve(0))
      else server.listen(target, "127.0.0.1", () => resolve((server.address() as AddressInfo).port))
    })
  await listen(unix, options.unixPath)
  const tcpPort = await listen(tcp, 0)
  const tlsPort = await listen(tls, 0)
  otherPort = await listen(other, 0)
  return {
    unixPath: options.unixPath,
    tcpPort,
    tlsPort,
    otherPort,
    daemonLog,
    otherLog,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await Promise.all([unix, tcp, tls, other].map((server) => new Promise((resolve) => server.close(resolve))))
    }
  }
}
