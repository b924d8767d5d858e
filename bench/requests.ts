/**
 * Request benchmark: 2,000 sequential `GET /_ping`, 2,000 sequential `GET /containers/{id}/json` and 200
 * concurrent inspects, through the SDK (node:http and undici transports), dockerode, and raw `node:http` with a
 * keep-alive agent, all in one run against the local engine. Prints requests/s and ratios, and the number of
 * sockets each client opened (connection reuse).
 *
 *   npm run bench:requests
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import Dockerode from "dockerode"
import { execFileSync } from "node:child_process"
import * as http from "node:http"
import * as net from "node:net"
import { Api, Docker } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"

const SOCKET = "/var/run/docker.sock"
const SEQUENTIAL = 2000
const CONCURRENT = 200

let socketsOpened = 0
const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function(this: net.Socket, ...args: Array<unknown>) {
  socketsOpened++
  return (originalConnect as (...a: Array<unknown>) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect

interface Client {
  readonly name: string
  readonly ping: () => Promise<unknown>
  readonly inspect: (id: string) => Promise<unknown>
  /** Runs `n` sequential calls; by default one promise after the other. */
  readonly sequential?: (n: number, call: "ping" | "inspect", id: string) => Promise<unknown>
  readonly close: () => Promise<void>
}

const rawAgent = new http.Agent({ keepAlive: true, socketPath: SOCKET } as http.AgentOptions)
const rawGet = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const req = http.get({ agent: rawAgent, socketPath: SOCKET, path, host: "localhost" }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => body += c)
      res.on("end", () => resolve(body))
      res.on("error", reject)
    })
    req.on("error", reject)
  })

const sdkClient = (name: string, layer: Layer.Layer<Docker.Docker, unknown>): Client => {
  const runtime = ManagedRuntime.make(layer)
  return {
    name,
    ping: () => runtime.runPromise(Api.systemPing()),
    inspect: (id) => runtime.runPromise(Api.containerInspect({ id })),
    // As an Effect program runs them: one fiber, one call after the other.
    sequential: (n, call, id) =>
      runtime.runPromise(
        Effect.gen(function*() {
          for (let i = 0; i < n; i++) {
            if (call === "ping") yield* Api.systemPing()
            else yield* Api.containerInspect({ id })
          }
        })
      ),
    close: () => runtime.dispose()
  }
}

const undiciLayer = Docker.layer({
  baseUrl: "http://localhost",
  target: `unix://${SOCKET}`,
  transport: "undici",
  canHijack: true
}).pipe(Layer.provide(NodeHttpClient.layerUndiciOptions({ connect: { socketPath: SOCKET } })))

const dockerode = new Dockerode({ socketPath: SOCKET })

const clients: ReadonlyArray<Client> = [
  {
    name: "raw node:http (keep-alive)",
    ping: () => rawGet("/v1.41/_ping"),
    inspect: (id) => rawGet(`/v1.41/containers/${id}/json`).then(JSON.parse),
    close: async () => rawAgent.destroy()
  },
  sdkClient("SDK (node:http)", DockerNode.layer()),
  sdkClient("SDK (undici)", undiciLayer),
  {
    name: "dockerode",
    ping: () => dockerode.ping(),
    inspect: (id) => dockerode.getContainer(id).inspect(),
    close: async () => {}
  }
]

const time = async (f: () => Promise<unknown>) => {
  const start = performance.now()
  await f()
  return performance.now() - start
}

const main = async () => {
  const id = execFileSync("docker", ["create", "effect-docker/busybox:latest", "true"], { encoding: "utf8" }).trim()
  try {
    const rows: Array<
      { name: string; ping: number; inspect: number; concurrent: number; sockets: number; concurrentSockets: number }
    > = []
    for (const client of clients) {
      await client.ping() // warm-up: negotiation, first connection
      await client.inspect(id)
      const before = socketsOpened
      const sequential = (call: "ping" | "inspect") =>
        time(async () => {
          if (client.sequential !== undefined) return client.sequential(SEQUENTIAL, call, id)
          for (let i = 0; i < SEQUENTIAL; i++) await (call === "ping" ? client.ping() : client.inspect(id))
        })
      const ping = await sequential("ping")
      const inspect = await sequential("inspect")
      const sequentialSockets = socketsOpened - before
      const concurrent = await time(() => Promise.all(Array.from({ length: CONCURRENT }, () => client.inspect(id))))
      rows.push({
        name: client.name,
        ping: SEQUENTIAL / ping * 1000,
        inspect: SEQUENTIAL / inspect * 1000,
        concurrent: CONCURRENT / concurrent * 1000,
        sockets: sequentialSockets,
        concurrentSockets: socketsOpened - before - sequentialSockets
      })
      await client.close()
    }
    const raw = rows[0]!
    const dode = rows.find((r) => r.name === "dockerode")!
    const pad = (s: string, n: number) => s.padEnd(n)
    const num = (n: number) => n.toFixed(0).padStart(7)
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(7)
    console.log(`requests/s on ${new Date().toISOString().slice(0, 10)}; ratios vs raw node:http | vs dockerode`)
    console.log(`${pad("client", 28)} ${"ping/s".padStart(7)} ${"insp/s".padStart(7)} ${"conc/s".padStart(7)}  ${"ping".padStart(15)}  ${"inspect".padStart(15)}  ${"concurrent".padStart(15)}  new sockets (sequential / concurrent)`)
    for (const r of rows) {
      console.log(
        `${pad(r.name, 28)} ${num(r.ping)} ${num(r.inspect)} ${num(r.concurrent)}  ${ratio(r.ping, raw.ping)} ${ratio(r.ping, dode.ping)}  ${ratio(r.inspect, raw.inspect)} ${ratio(r.inspect, dode.inspect)}  ${ratio(r.concurrent, raw.concurrent)} ${ratio(r.concurrent, dode.concurrent)}  ${r.sockets} / ${r.concurrentSockets}`
      )
    }
  } finally {
    execFileSync("docker", ["rm", "-f", id])
  }
}

await main()
