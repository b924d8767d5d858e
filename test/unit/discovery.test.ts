/**
 * Discovery of Podman's sockets (`DockerEnv.resolve` with the Node socket probe): small local servers on unix
 * sockets in a temporary folder stand in for Docker's and Podman's sockets; the well-known paths are mapped onto
 * them, so the order and the probe run for real.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { mkdtempSync, rmSync } from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { DockerEnv } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"

const dir = mkdtempSync(Path.join(tmpdir(), "effect-docker-discovery-"))
const socket = (name: string) => Path.join(dir, name)
const servers: Array<net.Server> = []

/** An engine answering every request with 200 OK (its ping). */
const engine = (path: string) =>
  new Promise<void>((resolve) => {
    const server = http.createServer((_req, res) => res.end("OK"))
    servers.push(server)
    server.listen(path, resolve)
  })

/** A socket that accepts and hangs up without answering (a dead daemon's socket, or something else). */
const mute = (path: string) =>
  new Promise<void>((resolve) => {
    const server = net.createServer((c) => c.destroy())
    servers.push(server)
    server.listen(path, resolve)
  })

/** A server that answers 500 to the ping. */
const failing = (path: string) =>
  new Promise<void>((resolve) => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 500
      res.end("down")
    })
    servers.push(server)
    server.listen(path, resolve)
  })

beforeAll(async () => {
  await engine(socket("docker-up.sock"))
  await engine(socket("podman-rootless-up.sock"))
  await engine(socket("podman-rootful-up.sock"))
  await mute(socket("mute.sock"))
  await failing(socket("failing.sock"))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  rmSync(dir, { recursive: true, force: true })
})

const RUNTIME = "/run/user/1000"
const ROOTLESS = `${RUNTIME}/podman/podman.sock`

/** Resolves with the well-known sockets mapped onto the stand-ins (a missing entry is a missing socket). */
const resolveWith = (env: Record<string, string>, stand: Record<string, string>) =>
  DockerEnv.resolve({
    env,
    homeDir: undefined,
    readFile: () => Effect.succeed(undefined),
    socketAnswers: (path) => DockerNode.socketAnswers(socket(stand[path] ?? "missing.sock"), 2000)
  })

describe("Podman discovery", () => {
  it("lists Docker's socket, then Podman's rootless and rootful sockets", () => {
    expect(DockerEnv.discoveryOrder({ XDG_RUNTIME_DIR: RUNTIME })).toEqual([
      "/var/run/docker.sock",
      ROOTLESS,
      "/run/podman/podman.sock"
    ])
    expect(DockerEnv.discoveryOrder({})).toEqual(["/var/run/docker.sock", "/run/podman/podman.sock"])
  })

  it("the Node probe: 200 on /_ping answers; a mute socket, a 500 and a missing socket do not", () =>
    Effect.runPromise(Effect.gen(function*() {
      expect(yield* DockerNode.socketAnswers(socket("docker-up.sock"))).toBe(true)
      expect(yield* DockerNode.socketAnswers(socket("mute.sock"))).toBe(false)
      expect(yield* DockerNode.socketAnswers(socket("failing.sock"))).toBe(false)
      expect(yield* DockerNode.socketAnswers(socket("missing.sock"))).toBe(false)
    })))

  it("never picks Podman over a Docker daemon that answers", () =>
    Effect.runPromise(Effect.gen(function*() {
      const resolved = yield* resolveWith({ XDG_RUNTIME_DIR: RUNTIME }, {
        "/var/run/docker.sock": "docker-up.sock",
        [ROOTLESS]: "podman-rootless-up.sock",
        "/run/podman/podman.sock": "podman-rootful-up.sock"
      })
      expect(resolved).toEqual({
        context: "default",
        source: "default",
        host: { _tag: "Unix", path: "/var/run/docker.sock" }
      })
    })))

  it("rootless Podman first, then rootful, when Docker's socket does not answer", () =>
    Effect.runPromise(Effect.gen(function*() {
      const both = yield* resolveWith({ XDG_RUNTIME_DIR: RUNTIME }, {
        "/var/run/docker.sock": "mute.sock",
        [ROOTLESS]: "podman-rootless-up.sock",
        "/run/podman/podman.sock": "podman-rootful-up.sock"
      })
      expect(both.source).toBe("podman")
      expect(both.host).toEqual({ _tag: "Unix", path: ROOTLESS })
      const rootful = yield* resolveWith({ XDG_RUNTIME_DIR: RUNTIME }, {
        [ROOTLESS]: "failing.sock",
        "/run/podman/podman.sock": "podman-rootful-up.sock"
      })
      expect(rootful.host).toEqual({ _tag: "Unix", path: "/run/podman/podman.sock" })
      // without XDG_RUNTIME_DIR the rootless socket is not tried
      const noRuntime = yield* resolveWith({}, { [ROOTLESS]: "podman-rootless-up.sock" })
      expect(noRuntime).toMatchObject({ source: "default", host: { _tag: "Unix", path: "/var/run/docker.sock" } })
    })))

  it("falls back to Docker's socket when nothing answers, and when the environment cannot probe", () =>
    Effect.runPromise(Effect.gen(function*() {
      const none = yield* resolveWith({ XDG_RUNTIME_DIR: RUNTIME }, {})
      expect(none).toMatchObject({ source: "default", host: { _tag: "Unix", path: "/var/run/docker.sock" } })
      const noProbe = yield* DockerEnv.resolve({
        env: {},
        homeDir: undefined,
        readFile: () => Effect.succeed(undefined)
      })
      expect(noProbe.host).toEqual({ _tag: "Unix", path: "/var/run/docker.sock" })
    })))

  it("CONTAINER_HOST is honoured without probing; DOCKER_HOST wins when both are set", () =>
    Effect.runPromise(Effect.gen(function*() {
      const probed: Array<string> = []
      const environment = (env: Record<string, string>): DockerEnv.Environment => ({
        env,
        homeDir: undefined,
        readFile: () => Effect.succeed(undefined),
        socketAnswers: (path) => Effect.sync(() => (probed.push(path), true))
      })
      const podman = yield* DockerEnv.resolve(environment({ CONTAINER_HOST: "unix:///run/podman/podman.sock" }))
      expect(podman).toEqual({
        context: "default",
        source: "CONTAINER_HOST",
        host: { _tag: "Unix", path: "/run/podman/podman.sock" }
      })
      const both = yield* DockerEnv.resolve(environment({
        DOCKER_HOST: "tcp://127.0.0.1:2375",
        CONTAINER_HOST: "unix:///run/podman/podman.sock"
      }))
      expect(both).toMatchObject({ source: "DOCKER_HOST", host: { _tag: "Tcp", host: "127.0.0.1", port: 2375 } })
      expect(probed).toEqual([])
      const bad = yield* Effect.flip(DockerEnv.resolve(environment({ CONTAINER_HOST: "ftp://x" })))
      expect(bad._tag).toBe("InvalidHost")
    })))
})
