/**
 * Configuration as the docker CLI resolves it: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
 * DOCKER_API_VERSION, DOCKER_CONTEXT, config.json's currentContext and the context store — pure cases with an
 * in-memory file reader, and a real context store on disk read by Node, Deno and Bun, which then reach the
 * real daemon through `layerFromEnv`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"
import * as DockerEnv from "../../src/DockerEnv.ts"
import * as Api from "../../src/generated/api.ts"
import * as Host from "../../src/Host.ts"
import * as DockerAuto from "../../src/platform/auto.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { runtimeCommand } from "../support/runtimes.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const sha = (name: string) => createHash("sha256").update(name).digest("hex")

const memory = (env: Record<string, string>, files: Record<string, string>): DockerEnv.Environment => ({
  env,
  homeDir: "/home/me",
  readFile: (path) => Effect.succeed(files[path])
})

const meta = (name: string, host: string, skip = false) =>
  JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } })

describe("DockerEnv (pure)", () => {
  it.effect("nothing set: the default socket", () =>
    Effect.gen(function*() {
      const resolved = yield* DockerEnv.resolve(memory({}, {}))
      expect(resolved).toEqual({ context: "default", source: "default", host: Host.defaultHost })
    }))

  it.effect("the context folder is the SHA-256 of the name (Web Crypto = node:crypto)", () =>
    Effect.gen(function*() {
      for (const name of ["remote", "my ctx", "ünïcode"]) expect(yield* DockerEnv.contextDigest(name)).toBe(sha(name))
    }))

  it.effect("DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH: TLS on port 2376 with the folder's PEM files", () =>
    Effect.gen(function*() {
      const resolved = yield* DockerEnv.resolve(memory(
        {
          DOCKER_HOST: "tcp://10.0.0.5",
          DOCKER_TLS_VERIFY: "1",
          DOCKER_CERT_PATH: "/certs",
          DOCKER_API_VERSION: "1.40"
        },
        { "/certs/ca.pem": "CA", "/certs/cert.pem": "CERT", "/certs/key.pem": "KEY" }
      ))
      expect(resolved.host).toEqual({ _tag: "Tcp", host: "10.0.0.5", port: 2376, tls: true })
      expect(resolved.source).toBe("DOCKER_HOST")
      expect(resolved.apiVersion).toBe("1.40")
      expect(resolved.tls?.ca).toBe("CA")
      expect(resolved.tls?.cert).toBe("CERT")
      expect(Redacted.value(resolved.tls!.key as Redacted.Redacted<string>)).toBe("KEY")
      expect(resolved.tls?.insecureSkipVerify).toBe(false)
    }))

  it.effect("DOCKER_TLS_VERIFY without DOCKER_CERT_PATH reads ~/.docker (or DOCKER_CONFIG); a missing ca.pem fails", () =>
    Effect.gen(function*() {
      const ok = yield* DockerEnv.resolve(memory(
        { DOCKER_HOST: "tcp://h:1", DOCKER_TLS_VERIFY: "1" },
        { "/home/me/.docker/ca.pem": "CA" }
      ))
      expect(ok.tls?.ca).toBe("CA")
      const error = yield* Effect.flip(
        DockerEnv.resolve(memory({ DOCKER_HOST: "tcp://h:1", DOCKER_TLS_VERIFY: "1", DOCKER_CONFIG: "/cfg" }, {}))
      )
      expect(error._tag).toBe("DockerConfigError")
      expect(error.message).toContain("/cfg/ca.pem")
    }))

  it.effect("DOCKER_HOST wins over DOCKER_CONTEXT and currentContext; DOCKER_CONTEXT wins over currentContext", () =>
    Effect.gen(function*() {
      const files = {
        "/home/me/.docker/config.json": JSON.stringify({ currentContext: "fromfile" }),
        [`/home/me/.docker/contexts/meta/${sha("fromfile")}/meta.json`]: meta("fromfile", "unix:///file.sock"),
        [`/home/me/.docker/contexts/meta/${sha("fromenv")}/meta.json`]: meta("fromenv", "ssh://me@box:2200")
      }
      const byHost = yield* DockerEnv.resolve(
        memory({ DOCKER_HOST: "unix:///h.sock", DOCKER_CONTEXT: "fromenv" }, files)
      )
      expect(byHost).toMatchObject({ context: "default", host: { _tag: "Unix", path: "/h.sock" } })
      const byEnv = yield* DockerEnv.resolve(memory({ DOCKER_CONTEXT: "fromenv" }, files))
      expect(byEnv).toMatchObject({
        context: "fromenv",
        source: "context",
        host: { _tag: "Ssh", user: "me", host: "box", port: 2200 }
      })
      const byFile = yield* DockerEnv.resolve(memory({}, files))
      expect(byFile).toMatchObject({ context: "fromfile", host: { _tag: "Unix", path: "/file.sock" } })
    }))

  it.effect("a context with TLS material and SkipTLSVerify; an unknown context and a bad version fail clearly", () =>
    Effect.gen(function*() {
      const d = sha("secure")
      const files = {
        [`/cfg/contexts/meta/${d}/meta.json`]: meta("secure", "tcp://10.1.1.1:2376", true),
        [`/cfg/contexts/tls/${d}/docker/ca.pem`]: "CA"
      }
      const secure = yield* DockerEnv.resolve(memory({ DOCKER_CONFIG: "/cfg", DOCKER_CONTEXT: "secure" }, files))
      expect(secure.host).toEqual({ _tag: "Tcp", host: "10.1.1.1", port: 2376, tls: true })
      expect(secure.tls).toMatchObject({ ca: "CA", insecureSkipVerify: true })
      const missing = yield* Effect.flip(
        DockerEnv.resolve(memory({ DOCKER_CONFIG: "/cfg", DOCKER_CONTEXT: "nope" }, files))
      )
      expect(missing.message).toBe(
        `Docker configuration: context "nope" not found in the context store (/cfg/contexts/meta/${
          sha("nope")
        }/meta.json)`
      )
      const version = yield* Effect.flip(DockerEnv.resolve(memory({ DOCKER_API_VERSION: "latest" }, {})))
      expect(version.message).toContain("DOCKER_API_VERSION")
      const broken = yield* Effect.flip(
        DockerEnv.resolve(memory({}, { "/home/me/.docker/config.json": "{ \"auths\": secret" }))
      )
      expect(broken.message).toContain("not valid JSON")
      expect(broken.message).not.toContain("secret")
    }))

  it("npipe:// maps to the Windows pipe path node:net opens; the request is the unix socket's", () => {
    const { agent, connection } = DockerNode.settings({ _tag: "Npipe", path: "//./pipe/docker_engine" }, {})
    expect(agent).toEqual({ socketPath: "\\\\.\\pipe\\docker_engine", keepAlive: true })
    expect(connection.baseUrl).toBe("http://localhost")
    expect(connection.target).toBe("npipe:////./pipe/docker_engine")
    expect(DockerNode.pipePath("//./pipe/podman-machine-default")).toBe("\\\\.\\pipe\\podman-machine-default")
  })

  it("npipe:// is parsed (though no transport here opens pipes)", () => {
    expect(Host.parse("npipe:////./pipe/docker_engine")).toEqual({ _tag: "Npipe", path: "//./pipe/docker_engine" })
    expect(Host.describe({ _tag: "Npipe", path: "//./pipe/docker_engine" })).toBe("npipe:////./pipe/docker_engine")
  })
})

describe("DockerEnv on disk, per runtime", () => {
  let dir = ""
  beforeAll(() => {
    dir = mkdtempSync(`${tmpdir()}/effect-docker-env-`)
    writeFileSync(`${dir}/config.json`, JSON.stringify({ currentContext: "sdk-local" }))
    for (
      const [name, host] of [["sdk-local", "unix:///var/run/docker.sock"], [
        "sdk-broken",
        "unix:///nonexistent/docker.sock"
      ]]
    ) {
      mkdirSync(`${dir}/contexts/meta/${sha(name!)}`, { recursive: true })
      writeFileSync(`${dir}/contexts/meta/${sha(name!)}/meta.json`, meta(name!, host!))
    }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const run = (runtime: "node" | "deno" | "bun", env: Record<string, string>) => {
    const command = runtimeCommand(runtime, "test/transports/env-runner.ts")
    const base: Record<string, string | undefined> = { ...process.env, DOCKER_CONFIG: dir, ...env }
    for (const key of ["DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_API_VERSION"]) if (!(key in env)) delete base[key]
    const result = spawnSync(command[0]!, command.slice(1), { cwd: root, encoding: "utf8", timeout: 60_000, env: base })
    expect(result.status, result.stderr).toBe(0)
    return JSON.parse(result.stdout) as Record<string, unknown>
  }

  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: currentContext from config.json reaches the daemon; DOCKER_CONTEXT and DOCKER_API_VERSION are honoured`, () => {
      expect(run(runtime, {})).toEqual({
        context: "sdk-local",
        source: "context",
        host: { _tag: "Unix", path: "/var/run/docker.sock" },
        ping: "OK",
        version: expect.stringMatching(/^1\.\d+$/)
      })
      expect(run(runtime, { DOCKER_API_VERSION: "1.30" })).toMatchObject({ ping: "OK", version: "1.30" })
      const broken = run(runtime, { DOCKER_CONTEXT: "sdk-broken" })
      expect(broken).toMatchObject({ error: "TransportError" })
      expect(broken["message"]).toContain("unix:///nonexistent/docker.sock")
      const unknown = run(runtime, { DOCKER_CONTEXT: "no-such-context" })
      expect(unknown).toMatchObject({ error: "DockerConfigError" })
    })
  }
})

describe("layerFromEnv reads the environment each time it is provided", () => {
  const layers = [["node", DockerNode.layerFromEnv], ["auto", DockerAuto.layerFromEnv]] as const
  for (const [name, layerFromEnv] of layers) {
    it.live(`${name}: a nested provide after DOCKER_HOST changed uses the new DOCKER_HOST`, () => {
      const saved = process.env["DOCKER_HOST"]
      const setHost = (host: string) => Effect.sync(() => (process.env["DOCKER_HOST"] = host))
      const absent = `unix://${tmpdir()}/effect-docker-absent-${process.pid}-${name}.sock`
      return Effect.gen(function*() {
        yield* setHost("unix:///var/run/docker.sock")
        const outcome = yield* Effect.gen(function*() {
          const first = yield* Api.systemPing()
          yield* setHost(absent)
          const moved = yield* Effect.flip(Effect.provide(Api.systemPing(), layerFromEnv))
          yield* setHost("unix:///var/run/docker.sock")
          const back = yield* Effect.provide(Api.systemPing(), layerFromEnv)
          return { first, moved: moved._tag, message: moved.message, back }
        }).pipe(Effect.provide(layerFromEnv))
        expect(outcome).toMatchObject({ first: "OK", moved: "TransportError", back: "OK" })
        expect(outcome.message).toContain("effect-docker-absent")
      }).pipe(Effect.ensuring(Effect.sync(() => {
        if (saved === undefined) delete process.env["DOCKER_HOST"]
        else process.env["DOCKER_HOST"] = saved
      })))
    })
  }
})
