/**
 * The browser side of the headless Chromium test: the core and the fetch transport, bundled by esbuild, against
 * the page's own origin (a small proxy in front of the engine). It lists containers, reads one container's logs,
 * attaches to it over the WebSocket endpoint (replaying its output: the container has exited), checks that a hijack is refused before any I/O, and publishes the
 * results on `window.__result` and in `#result`.
 */
import * as Effect from "effect/Effect"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"

const id = new URLSearchParams(location.search).get("container") ?? ""

const program = Effect.gen(function*() {
  const list = yield* Docker.call(Ops.ContainerList)({ all: true })
  const logs = yield* Demux.toStrings(Docker.call(Ops.ContainerLogs)({ id, stdout: true, stderr: true }))
  const hijack = yield* Effect.scoped(Docker.hijack(Ops.ContainerAttach, { id, stream: true, stdout: true })).pipe(
    Effect.flip,
    Effect.map((error) => error._tag)
  )
  const decoder = new TextDecoder()
  const attached = yield* Effect.scoped(Effect.gen(function*() {
    const socket = yield* DockerFetch.attachWebSocket(id, { stdout: true, stderr: true, logs: true, stream: false })
    return yield* Socket.toStream(socket).pipe(
      Stream.catchIf((error) => error.reason._tag === "SocketCloseError", () => Stream.empty),
      Stream.map((chunk) => decoder.decode(chunk, { stream: true })),
      Stream.runFold(() => "", (acc, text) => acc + text)
    )
  }))
  return {
    userAgent: navigator.userAgent,
    names: list.map((c) => c.Names?.[0]),
    logs,
    hijack,
    attached
  }
}).pipe(Effect.provide(DockerFetch.layer({ baseUrl: location.origin })))

Effect.runPromise(program).then(
  (result) => publish({ ok: true, ...result }),
  (error) => publish({ ok: false, error: String(error) })
)

function publish(result: unknown) {
  ;(window as unknown as { __result: unknown }).__result = result
  const pre = document.createElement("pre")
  pre.id = "result"
  pre.textContent = JSON.stringify(result, null, 2)
  document.body.append(pre)
}
