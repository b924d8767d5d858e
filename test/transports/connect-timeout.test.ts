/**
 * The connect timeout on the Node transport: a TCP listener on 127.0.0.1 that never accepts, whose backlog this test
 * fills first, so the kernel drops the next SYN and a connect hangs (Linux keeps retrying the SYN for about two
 * minutes). The call fails with `Timeout` in the `connect` phase at the layer's `connectTimeout`, long before the
 * kernel would give up.
 *
 * The listener is a small Python program: Node's own servers accept every connection, which would defeat the test.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import * as net from "node:net"
import { System } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"

const listener = `
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
print(s.getsockname()[1], flush=True)
time.sleep(600)
`

let python: ChildProcess
let port = 0
const fillers: Array<net.Socket> = []

/** Whether a connect to the listener is still pending after `millis`: the backlog is full. */
const connectHangs = async (millis: number): Promise<boolean> => {
  const socket = net.connect(port, "127.0.0.1")
  socket.on("error", () => {})
  const connected = await Promise.race([
    once(socket, "connect").then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), millis))
  ])
  if (connected) fillers.push(socket)
  else socket.destroy()
  return !connected
}

describe("connect timeout (Node transport)", () => {
  beforeAll(async () => {
    python = spawn("python3", ["-c", listener], { stdio: ["ignore", "pipe", "inherit"] })
    const [line] = await once(python.stdout!, "data") as [Buffer]
    port = Number(line.toString().trim())
    // fill the accept queue: connects complete until it is full, then the kernel drops SYNs
    for (let i = 0; i < 16 && !(await connectHangs(500)); i++);
  })
  afterAll(() => {
    for (const socket of fillers) socket.destroy()
    python?.kill()
  })

  it.effect(
    "a connect that hangs fails with Timeout (phase connect) at the layer's connectTimeout",
    () =>
      Effect.gen(function*() {
        expect(yield* Effect.promise(() => connectHangs(300))).toBe(true)
        const error = yield* Effect.flip(
          System.ping().pipe(
            Effect.provide(DockerNode.layer({ host: `tcp://127.0.0.1:${port}`, connectTimeout: "400 millis" }))
          )
        )
        expect(error._tag).toBe("Timeout")
        if (error._tag === "Timeout") {
          expect(error.phase).toBe("connect")
          expect(Duration.toMillis(error.limit)).toBe(400)
          expect(error.message).toContain(`tcp://127.0.0.1:${port}`)
        }
      }),
    30_000
  )
})
