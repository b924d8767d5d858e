/**
 * Runs the TLS cases against the second daemon of `scripts/tls-daemon.sh` with the transport of the runtime it
 * runs on (Node, Deno or Bun) and prints one JSON line per case. `TLS_CERTS` is the certificate folder,
 * `TLS_HOST` the daemon's address; the test (`tls.test.ts`) checks the lines.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import * as Demux from "../../src/Demux.ts"
import * as Docker from "../../src/Docker.ts"
import type * as DockerEnv from "../../src/DockerEnv.ts"
import * as Ops from "../../src/generated/operations.ts"
import type * as Host from "../../src/Host.ts"
import * as DockerAuto from "../../src/platform/auto.ts"

const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env
const certs = env["TLS_CERTS"]!
const host = env["TLS_HOST"]!
const image = env["TLS_IMAGE"] ?? "effect-docker/busybox:latest"
const pem = (name: string) => readFileSync(`${certs}/${name}`, "utf8")

const report = (
  name: string,
  layer: Layer.Layer<Docker.Docker, Host.InvalidHost | DockerEnv.DockerConfigError>,
  withExec: boolean
) =>
  Effect.gen(function*() {
    const ping = yield* Docker.call(Ops.SystemPing)()
    if (!withExec) return { ping }
    const { Id: id } = yield* Docker.call(Ops.ContainerCreate)({
      body: { Image: image, Cmd: ["sleep", "30"], HostConfig: { NetworkMode: "none" } }
    })
    return yield* Effect.gen(function*() {
      yield* Docker.call(Ops.ContainerStart)({ id })
      const exec = yield* Docker.call(Ops.ContainerExec)({
        id,
        body: { Cmd: ["echo", "over tls"], AttachStdout: true, AttachStderr: true }
      })
      const output = yield* Effect.scoped(Effect.flatMap(
        Docker.hijack(Ops.ExecStart, { id: exec.Id, body: { Detach: false, Tty: false } }),
        (socket) =>
          Demux.toStrings(Demux.demuxStream(
            Socket.toStream(socket).pipe(
              Stream.catchIf((e) => e.reason._tag === "SocketCloseError", () => Stream.empty)
            )
          ))
      ))
      return { ping, exec: output.stdout }
    }).pipe(Effect.ensuring(Effect.ignore(Docker.call(Ops.ContainerDelete)({ id, force: true }))))
  }).pipe(
    Effect.provide(layer),
    Effect.match({
      onSuccess: (value) => ({ case: name, ok: true, value }),
      onFailure: (error) => ({
        case: name,
        ok: false,
        tag: (error as { _tag?: string })._tag,
        message: String((error as Error).message)
      })
    }),
    Effect.tap((line) => Effect.sync(() => console.log(JSON.stringify(line))))
  )

const program = Effect.gen(function*() {
  // from the environment, as the docker CLI: DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH (set by the test)
  yield* report("env", DockerAuto.layerFromEnv, true)
  yield* report(
    "wrongCa",
    DockerAuto.layer({ host, tls: { ca: pem("wrong-ca.pem"), cert: pem("cert.pem"), key: pem("key.pem") } }),
    false
  )
  yield* report("noClientCert", DockerAuto.layer({ host, tls: { ca: pem("ca.pem") } }), false)
  yield* report(
    "insecure",
    DockerAuto.layer({
      host,
      tls: { ca: pem("wrong-ca.pem"), cert: pem("cert.pem"), key: pem("key.pem"), insecureSkipVerify: true }
    }),
    false
  )
})

await Effect.runPromise(program)
