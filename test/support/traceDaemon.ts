/**
 * A fake daemon for the tracing tests, on 127.0.0.1 and optionally a unix socket: pings, one container `web` to
 * inspect, its path stat (`HEAD /containers/web/archive`, header only), its multiplexed log, an exec start that
 * upgrades (`e1`) or answers detached (`e2`), a session upgrade to h2c and 404 for anything else. It records the
 * `traceparent` header of every request and the headers of every upgrade.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import * as Demux from "../../src/Demux.ts"

/** What `HEAD /containers/web/archive?path=/etc` answers, in its `X-Docker-Container-Path-Stat` header. */
export const pathStat = {
  name: "etc",
  size: 4096,
  mode: 0x80000000 | 0o755,
  mtime: "2024-01-01T00:00:00Z",
  linkTarget: ""
}

const text = (value: string) => new TextEncoder().encode(value)

export interface TraceDaemon {
  readonly url: string
  readonly port: number
  readonly traceparents: Array<string | undefined>
  readonly upgrades: Array<http.IncomingHttpHeaders>
  readonly close: () => Promise<void>
}

export const startTraceDaemon = async (options: { readonly unixPath?: string } = {}): Promise<TraceDaemon> => {
  const traceparents: Array<string | undefined> = []
  const upgrades: Array<http.IncomingHttpHeaders> = []
  // Deno's unix-socket client speaks to the socket as to a proxy: absolute URIs in the request line
  const pathOf = (request: http.IncomingMessage) => {
    const url = new URL(request.url ?? "/", "http://localhost")
    return `${url.pathname}${url.search}`
  }
  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const path = pathOf(request)
    traceparents.push(request.headers["traceparent"] as string | undefined)
    response.setHeader("Api-Version", "1.41")
    if (request.method === "HEAD" && path === "/v1.41/containers/web/archive?path=%2Fetc") {
      response.setHeader("X-Docker-Container-Path-Stat", Buffer.from(JSON.stringify(pathStat)).toString("base64"))
      response.end()
    } else if (path.startsWith("/v1.41/containers/web/logs?")) {
      response.setHeader("Content-Type", "application/vnd.docker.multiplexed-stream")
      response.write(Demux.encodeFrame(1, text("out\n")))
      response.end(Demux.encodeFrame(2, text("err\n")))
    } else if (request.method === "POST" && path === "/v1.41/exec/e2/start") {
      request.resume()
      request.on("end", () => response.end())
    } else if (path === "/_ping" || path === "/v1.41/_ping") {
      response.end("OK")
    } else if (path === "/v1.41/containers/web/json") {
      response.setHeader("Content-Type", "application/json")
      response.end(JSON.stringify({ Id: "0123456789ab", Name: "/web" }))
    } else {
      response.statusCode = 404
      response.setHeader("Content-Type", "application/json")
      response.end(JSON.stringify({ message: "No such container: nope" }))
    }
  }
  const upgraded = new Set<Duplex>()
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex) => {
    upgraded.add(socket)
    socket.on("close", () => upgraded.delete(socket))
    traceparents.push(request.headers["traceparent"] as string | undefined)
    upgrades.push(request.headers)
    const protocol = pathOf(request) === "/v1.41/session" ? "h2c" : "tcp"
    socket.write(
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n" +
        `Upgrade: ${protocol}\r\n\r\n`
    )
    socket.end(protocol === "tcp" ? Demux.encodeFrame(1, text("exec-out\n")) : undefined)
  }
  const listen = (server: http.Server, ...at: [number, string] | [string]) =>
    new Promise<void>((resolve) => server.listen(...(at as [number, string]), () => resolve()))
  const servers: Array<http.Server> = []
  const make = () => {
    const server = http.createServer(onRequest)
    server.on("upgrade", onUpgrade)
    servers.push(server)
    return server
  }
  const tcp = make()
  await listen(tcp, 0, "127.0.0.1")
  if (options.unixPath !== undefined) await listen(make(), options.unixPath)
  const { port } = tcp.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    traceparents,
    upgrades,
    close: () => {
      for (const socket of upgraded) socket.destroy()
      return Promise.all(servers.map((server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )).then(() => undefined)
    }
  }
}
