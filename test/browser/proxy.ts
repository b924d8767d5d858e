/**
 * A small local proxy for the browser test: serves the page and its bundle, and forwards everything else —
 * including WebSocket upgrades (attach/ws) — to the engine's unix socket. Listens on 127.0.0.1 only.
 */
import * as http from "node:http"
import * as net from "node:net"

export const startProxy = (options: { socketPath: string; html: string; script: string }) =>
  new Promise<{ url: string; close: () => Promise<void> }>((resolve, reject) => {
    const server = http.createServer((req, res) => {
      if (req.url === "/" || req.url?.startsWith("/?")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(options.html)
        return
      }
      if (req.url === "/app.js") {
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(options.script)
        return
      }
      const upstream = http.request(
        {
          socketPath: options.socketPath,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: "docker" }
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      upstream.on("error", (error) => res.writeHead(502).end(String(error)))
      req.pipe(upstream)
    })
    // WebSocket (and any other) upgrades: replay the request head on a raw engine connection, then splice
    const spliced = new Set<net.Socket>()
    server.on("upgrade", (req, client, head) => {
      const engine = net.connect(options.socketPath, () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`]
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!
          lines.push(`${name}: ${name.toLowerCase() === "host" ? "docker" : req.rawHeaders[i + 1]}`)
        }
        engine.write(lines.join("\r\n") + "\r\n\r\n")
        if (head.length > 0) engine.write(head)
        engine.pipe(client)
        client.pipe(engine)
      })
      spliced.add(engine)
      spliced.add(client as net.Socket)
      engine.on("close", () => spliced.delete(engine))
      client.on("close", () => spliced.delete(client as net.Socket))
      engine.on("error", () => client.destroy())
      client.on("error", () => engine.destroy())
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of spliced) socket.destroy()
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
