/**
 * A test that needs an HTTP server and a database-like server gets both from a Layer: each is described once,
 * started, waited for and published on a random port; the tests read `host` and `port(n)`; both containers are
 * removed when the layer is released, also if a test fails or the run is interrupted. (The image is the offline
 * busybox image of this repository's test engine; any image works.) Runs in the suite's `docker` project.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Resources, Wait } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"

class Web extends Resources.Service<Web>()("Web", "effect-docker/busybox:latest", {
  cmd: ["httpd", "-f", "-p", "80", "-h", "/www"],
  files: [{ path: "www/health", content: "ok" }],
  ports: [80],
  wait: Wait.forHttp({ port: 80, path: "/health" })
}) {}

class Db extends Resources.Service<Db>()("Db", "effect-docker/busybox:latest", {
  cmd: ["sh", "-c", "echo db ready; exec nc -ll -p 7000 -e cat"], // an echo server stands in for a database
  ports: [7000],
  wait: Wait.all(Wait.forLogLine("db ready"), Wait.forListeningPort(7000))
}) {}

const Servers = Layer.mergeAll(Web.layer, Db.layer).pipe(Layer.provide(DockerNode.layerFromEnv))

layer(Servers, { timeout: 60_000 })("an app's tests, with servers from a Layer", (it) => {
  it.effect("the HTTP server answers on its published port", () =>
    Web.use(Effect.fn(function*(web) {
      const body = yield* Effect.promise(() => fetch(`http://${web.host}:${web.port(80)}/health`).then((r) => r.text()))
      expect(body).toBe("ok")
    })))

  it.effect("the database-like server is up and answers inside its container", () =>
    Db.use(Effect.fn(function*(db) {
      expect(db.port(7000)).toBeGreaterThan(0)
      const answer = yield* db.exec(["sh", "-c", "echo ping | nc -w 1 127.0.0.1 7000"])
      expect(answer.stdout).toBe("ping\n")
    })))
})
