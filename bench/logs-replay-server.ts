/**
 * The replay server of `bench/logs.ts`: a small Docker-like HTTP server on 127.0.0.1 that answers the logs endpoint
 * with recorded bytes (a real daemon's multiplexed logs body) in 64 KiB chunks of a chunked HTTP response, as a
 * proxy, TCP or SSH path delivers them once the daemon's per-frame writes are merged. It runs in its own process so
 * the clients measured in `bench/logs.ts` have their event loop to themselves.
 *
 *   node bench/logs-replay-server.ts <recorded-body-file> [chunkBytes]
 *
 * Prints `listening <port>` once ready; answers `/_ping` (API 1.41), `GET /v1.41/containers/<any>/logs` (the
 * recording) and 404 otherwise; writes with back-pressure (waits for `drain`).
 */
import { readFileSync } from "node:fs"
import * as http from "node:http"

const file = process.argv[2]
if (file === undefined) throw new Error("usage: node bench/logs-replay-server.ts <recorded-body-file> [chunkBytes]")
const chunkBytes = Number(process.argv[3] ?? 65536)
const body = readFileSync(file)

const server = http.createServer((request, response) => {
  const url = request.url ?? "/"
  if (url === "/_ping" || url.endsWith("/_ping")) {
    response.writeHead(200, { "Api-Version": "1.41", "Content-Type": "text/plain; charset=utf-8" })
    response.end("OK")
    return
  }
  if (request.method === "GET" && /\/containers\/[^/]+\/logs/.test(url)) {
    response.writeHead(200, { "Api-Version": "1.41", "Content-Type": "application/vnd.docker.multiplexed-stream" })
    let offset = 0
    const pump = () => {
      while (offset < body.length) {
        const end = Math.min(body.length, offset + chunkBytes)
        const ok = response.write(body.subarray(offset, end))
        offset = end
        if (!ok) {
          response.once("drain", pump)
          return
        }
      }
      response.end()
    }
    request.on("close", () => response.destroy())
    pump()
    return
  }
  response.writeHead(404, { "Content-Type": "application/json" })
  response.end(JSON.stringify({ message: `not replayed: ${request.method} ${url}` }))
})

server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  process.stdout.write(`listening ${typeof address === "object" && address !== null ? address.port : 0}\n`)
})
process.on("SIGTERM", () => server.close(() => process.exit(0)))
