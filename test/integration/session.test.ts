import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Socket from "effect/socket/Socket"
import { Api } from "../../mod.ts"
import * as Session from "../../src/Session.ts"
import { DockerLive } from "../support/engine.ts"

/** What an HTTP/2 client sends first (RFC 9113 §3.4): the daemon is the gRPC client of the session. */
const HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

describe("session against the real engine", () => {
  it.live("opening a session upgrades to h2c and the daemon starts speaking HTTP/2 on it", () =>
    Effect.gen(function*() {
      const session = yield* Session.open({ name: "effect-docker-test", sharedKey: "effect-docker-test" })
      expect(session.id).toMatch(/^[0-9a-f-]{36}$/)
      const pull = yield* Socket.readerBytes(session.socket)
      let received = new Uint8Array(0)
      while (received.length < HTTP2_PREFACE.length) {
        for (const chunk of yield* pull) {
          const next = new Uint8Array(received.length + chunk.length)
          next.set(received)
          next.set(chunk, received.length)
          received = next
        }
      }
      expect(new TextDecoder().decode(received.subarray(0, HTTP2_PREFACE.length))).toBe(HTTP2_PREFACE)
      // then a SETTINGS frame: type 0x4 at offset 3 of the frame header
      if (received.length >= HTTP2_PREFACE.length + 9) expect(received[HTTP2_PREFACE.length + 3]).toBe(0x4)
    }).pipe(Effect.scoped, Effect.provide(DockerLive)))

  it.live("the generated call asks for the protocol of its description (h2c), which the daemon accepts", () =>
    Effect.gen(function*() {
      // a plain `tcp` upgrade is refused with 400 "protocol tcp not supported"
      const socket = yield* Effect.scoped(Api.session())
      expect(Socket.isSocket(socket)).toBe(true)
    }).pipe(Effect.provide(DockerLive)))
})
