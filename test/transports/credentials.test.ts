/**
 * Registry credentials: encoding, the docker CLI's lookup order, a real credential helper script on PATH (run by
 * Node, Deno and Bun), a real pull from the registry that needs a login, and a search for the secret in every
 * error, log line and span the failing paths produce.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { fileURLToPath } from "node:url"
import { Agent, fetch as undiciFetch } from "undici"
import * as Credentials from "../../src/Credentials.ts"
import * as Distribution from "../../src/Distribution.ts"
import * as Docker from "../../src/Docker.ts"
import * as DockerEnv from "../../src/DockerEnv.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as Images from "../../src/Images.ts"
import * as DockerFetch from "../../src/platform/fetch.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { type Runtime, runtimeCommand } from "../support/runtimes.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const image = "127.0.0.1:5001/effect-docker/private:latest"
const secret = `S3cr3t-${Math.random().toString(36).slice(2)}`
const b64 = (s: string) => Buffer.from(s).toString("base64")
const b64url = (s: string) => Buffer.from(s).toString("base64url")

let dir = ""
let configDir = ""
let savedPath = ""

const helper = (name: string, body: string) => {
  const file = `${dir}/bin/docker-credential-${name}`
  writeFileSync(file, `#!/bin/sh\n${body}\n`)
  chmodSync(file, 0o755)
}

const environmentWith = (config: object): Effect.Effect<DockerEnv.Environment> => {
  writeFileSync(`${configDir}/config.json`, JSON.stringify(config))
  return Effect.map(DockerNode.environment, (environment) => ({
    ...environment,
    env: { ...environment.env, DOCKER_CONFIG: configDir }
  }))
}

describe("Credentials (pure)", () => {
  it("encodes X-Registry-Auth as base64url JSON with the daemon's field names", () => {
    const header = Credentials.encodeAuth({
      username: "u",
      password: Redacted.make("p?>"),
      serverAddress: "127.0.0.1:5001"
    })
    expect(String(header)).toBe("<redacted>")
    const value = Redacted.value(header)
    expect(value).not.toMatch(/[+/]/)
    expect(JSON.parse(Buffer.from(value, "base64url").toString())).toEqual({
      username: "u",
      password: "p?>",
      serveraddress: "127.0.0.1:5001"
    })
    const config = Redacted.value(Credentials.encodeConfig({ "ghcr.io": { identityToken: Redacted.make("tok") } }))
    expect(JSON.parse(Buffer.from(config, "base64url").toString())).toEqual({ "ghcr.io": { identitytoken: "tok" } })
  })

  it("finds the registry of an image and normalizes addresses", () => {
    expect(Credentials.registryOf("busybox")).toBe("docker.io")
    expect(Credentials.registryOf("library/busybox:1")).toBe("docker.io")
    expect(Credentials.registryOf("127.0.0.1:5001/a/b:c")).toBe("127.0.0.1:5001")
    expect(Credentials.registryOf("localhost/x")).toBe("localhost")
    expect(Credentials.registryOf("ghcr.io/o/r")).toBe("ghcr.io")
    expect(Credentials.normalizeRegistry("https://index.docker.io/v1/")).toBe("docker.io")
    expect(Credentials.normalizeRegistry("http://127.0.0.1:5001/v2/")).toBe("127.0.0.1:5001")
  })

  it.effect("looks up explicit > credHelpers > credsStore > auths, decodes auth and identity tokens", () =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const runHelper: Credentials.HelperRunner = (name, server) => {
        calls.push(`${name} ${server}`)
        if (name === "store" && server === "ghcr.io") {
          return Effect.succeed(
            Redacted.make(JSON.stringify({ ServerURL: server, Username: "<token>", Secret: "idtok" }))
          )
        }
        if (name === "per") {
          return Effect.succeed(Redacted.make(JSON.stringify({ Username: "per-user", Secret: "per-pass" })))
        }
        return Effect.succeed(undefined)
      }
      const credentials = Credentials.make({
        config: {
          auths: {
            "https://index.docker.io/v1/": { auth: b64("hubuser:hub:pass") },
            "quay.io": { identitytoken: "quay-token" }
          },
          credsStore: "store",
          credHelpers: { "registry.example.com": "per" }
        },
        runHelper,
        explicit: { "explicit.example.com": { username: "e", password: Redacted.make("x") } }
      })
      const hub = yield* credentials.get("docker.io")
      expect(hub?.username).toBe("hubuser")
      expect(Redacted.value(hub!.password!)).toBe("hub:pass")
      const ghcr = yield* credentials.get("ghcr.io")
      expect(Redacted.value(ghcr!.identityToken!)).toBe("idtok")
      expect(ghcr?.username).toBeUndefined()
      const per = yield* credentials.get("registry.example.com")
      expect(per?.username).toBe("per-user")
      const quay = yield* credentials.get("quay.io")
      expect(Redacted.value(quay!.identityToken!)).toBe("quay-token")
      expect((yield* credentials.get("explicit.example.com"))?.username).toBe("e")
      expect(yield* credentials.get("nothing.example.com")).toBeUndefined()
      expect(calls).toEqual([
        "store https://index.docker.io/v1/",
        "store ghcr.io",
        "per registry.example.com",
        "store quay.io",
        "store nothing.example.com"
      ])
    }))

  it.effect("a malformed auths entry fails with CredentialsError that does not quote it", () =>
    Effect.gen(function*() {
      const credentials = Credentials.make({ config: { auths: { "r.example.com": { auth: b64("no-colon-secret") } } } })
      const error = yield* Effect.flip(credentials.get("r.example.com"))
      expect(error._tag).toBe("CredentialsError")
      expect(error.message).not.toContain("no-colon-secret")
      expect(error.message).toContain("r.example.com")
    }))
})

describe("Credentials with a real helper and registry", () => {
  beforeAll(() => {
    dir = mkdtempSync(`${tmpdir()}/effect-docker-creds-`)
    configDir = `${dir}/config`
    execFileSync("mkdir", ["-p", `${dir}/bin`, configDir])
    helper(
      "testhelper",
      `read server\necho "get $* server=$server" >> ${dir}/calls.log\n` +
        `[ "$1" = get ] || exit 3\n` +
        `case "$server" in 127.0.0.1:5001) printf '{"ServerURL":"%s","Username":"testuser","Secret":"testpassword"}' "$server";;\n` +
        `*) echo "credentials not found in native keychain"; exit 1;; esac`
    )
    helper("badhelper", `read server\nprintf '{"ServerURL":"%s","Username":"testuser","Secret":"${secret}"}' "$server"`)
    helper("brokenhelper", `read server\necho "${secret}" >&2\nexit 9`)
    savedPath = process.env["PATH"] ?? ""
    process.env["PATH"] = `${dir}/bin:${savedPath}`
    execFileSync("bash", [`${root}scripts/push-auth-image.sh`], { stdio: ["ignore", "ignore", "inherit"] })
  }, 120_000)
  afterAll(() => {
    process.env["PATH"] = savedPath
    rmSync(dir, { recursive: true, force: true })
  })

  const runChild = (runtime: Runtime, config: object, env: Record<string, string> = {}) => {
    writeFileSync(`${configDir}/config.json`, JSON.stringify(config))
    const command = runtimeCommand(runtime, "test/transports/credentials-runner.ts")
    const result = spawnSync(command[0]!, command.slice(1), {
      cwd: root,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, DOCKER_CONFIG: configDir, CRED_IMAGE: image, ...env }
    })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout + result.stderr).not.toContain("testpassword")
    expect(result.stdout + result.stderr).not.toContain(b64("testuser:testpassword"))
    return JSON.parse(result.stdout) as unknown
  }
  const pulledWithoutCode = { status: "Status: Downloaded newer image", without: "RegistryUnauthorized" }
  // what `docker login 127.0.0.1:5001` writes without a credential store
  const loggedIn = { auths: { "127.0.0.1:5001": { auth: b64("testuser:testpassword") } } }

  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: after docker login (config.json auths), Images.pull needs no credentials in code`, () => {
      expect(runChild(runtime, loggedIn)).toEqual(pulledWithoutCode)
    })

    it(`${runtime}: credHelpers runs docker-credential-testhelper for the pull`, () => {
      rmSync(`${dir}/calls.log`, { force: true })
      expect(runChild(runtime, { credHelpers: { "127.0.0.1:5001": "testhelper" } })).toEqual(pulledWithoutCode)
      expect(readFileSync(`${dir}/calls.log`, "utf8")).toContain("get server=127.0.0.1:5001")
    })
  }

  it("node: credsStore (as docker login writes it with a store: an empty auths entry) runs the helper", () => {
    rmSync(`${dir}/calls.log`, { force: true })
    const config = { auths: { "127.0.0.1:5001": {} }, credsStore: "testhelper" }
    expect(runChild("node", config)).toEqual(pulledWithoutCode)
    expect(readFileSync(`${dir}/calls.log`, "utf8")).toContain("get server=127.0.0.1:5001")
  })

  it("Run.start: the container is still running after the program that started it exited", () => {
    const { id } = runChild("node", {}, { CRED_MODE: "start", CRED_IMAGE: "effect-docker/busybox:latest" }) as {
      id: string
    }
    try {
      const state = execFileSync("docker", ["inspect", "-f", "{{.State.Running}} {{.HostConfig.AutoRemove}}", id], {
        encoding: "utf8"
      })
      expect(state.trim()).toBe("true false")
    } finally {
      execFileSync("docker", ["rm", "-f", id], { stdio: "ignore" })
    }
  })

  it.effect("auths in config.json (no helper) work too", () =>
    Effect.gen(function*() {
      const credentials = yield* Credentials.Credentials
      const auth = yield* credentials.get("127.0.0.1:5001")
      expect(auth?.username).toBe("testuser")
      const header = yield* Credentials.authHeader(image)
      expect(JSON.parse(Buffer.from(Redacted.value(header!), "base64url").toString())).toMatchObject({
        username: "testuser",
        password: "testpassword",
        serveraddress: "127.0.0.1:5001"
      })
    }).pipe(
      Effect.provide(Layer.unwrap(Effect.sync(() =>
        Credentials.layerFromEnvironment(
          environmentWith({ auths: { "http://127.0.0.1:5001": { auth: b64("testuser:testpassword") } } }),
          DockerNode.credentialHelper
        )
      )))
    ))

  it.live(
    "a wrong password fails pull, push and distribution inspect with RegistryUnauthorized, unquoted",
    () =>
      Effect.gen(function*() {
        const wrong = { username: "testuser", password: Redacted.make(secret), serverAddress: "127.0.0.1:5001" }
        const fromConfig = yield* Effect.flip(Images.pull(image)).pipe(
          Effect.provide(Layer.unwrap(Effect.sync(() =>
            Credentials.layerFromEnvironment(
              environmentWith({ auths: { "127.0.0.1:5001": { auth: b64(`testuser:${secret}`) } } }),
              DockerNode.credentialHelper
            )
          )))
        )
        const explicit = yield* Effect.flip(Images.pull(image, { auth: wrong }))
        const target = `127.0.0.1:5001/effect-docker/private:wrong-${secret.toLowerCase()}`
        yield* Effect.acquireRelease(
          Images.tag("effect-docker/busybox:latest", target),
          () => Effect.ignore(Images.remove(target))
        )
        const pushed = yield* Effect.flip(Images.push(target, { auth: wrong }))
        const inspected = yield* Effect.flip(Distribution.inspect(image, { auth: wrong }))
        for (const error of [fromConfig, explicit, pushed, inspected]) {
          expect(error._tag).toBe("RegistryUnauthorized")
          if (error._tag !== "RegistryUnauthorized") continue
          expect(error.registry).toBe("127.0.0.1:5001")
          expect(error.message).toMatch(/unauthorized|authentication required/i)
          const text = [String(error), error.message, JSON.stringify(error), error.stack ?? ""].join("\n")
          for (const needle of [secret, b64(`testuser:${secret}`), b64url(secret)]) expect(text).not.toContain(needle)
        }
        // one tag whatever the daemon used: Engine 20.10 answers a wrong password on pull with a 500
        expect(fromConfig._tag === "RegistryUnauthorized" && fromConfig.status).toBe(500)
      }).pipe(Effect.scoped, Effect.provide(DockerNode.layer())),
    60_000
  )

  it.live("a secret never reaches errors, logs or spans (failed pull with a wrong secret, a failing helper)", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const spans: Array<Tracer.NativeSpan> = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = new Tracer.NativeSpan(options)
          spans.push(span)
          return span
        }
      })
      const logger = Logger.make((options) => {
        logs.push(JSON.stringify({ message: options.message, cause: String(options.cause) }))
      })
      // the fetch transport records request headers on its spans when asked: run it over the unix socket
      const dispatcher = new Agent({ connect: { socketPath: "/var/run/docker.sock" } })
      const docker = DockerFetch.layer({
        baseUrl: "http://localhost",
        fetch: undiciFetch as unknown as typeof fetch,
        requestInit: { dispatcher } as RequestInit
      })
      const observed = Effect.gen(function*() {
        const header = yield* Credentials.authHeader(image)
        expect(header).toBeDefined()
        const failure = yield* Stream.runCollect(
          Docker.call(Ops.ImageCreate)({
            fromImage: image.slice(0, image.lastIndexOf(":")),
            tag: "latest",
            "X-Registry-Auth": Redacted.value(header!)
          })
        ).pipe(Effect.flip)
        yield* Effect.logError("pull failed", failure)
        const broken = Credentials.make({
          config: { credsStore: "brokenhelper" },
          runHelper: DockerNode.credentialHelper
        })
        const helperFailure = yield* Effect.flip(broken.get("127.0.0.1:5001"))
        yield* Effect.logError("helper failed", helperFailure)
        return [failure, helperFailure] as const
      }).pipe(
        Effect.provide(
          Layer.unwrap(
            Effect.sync(() =>
              Credentials.layerFromEnvironment(
                environmentWith({ credsStore: "badhelper" }),
                DockerNode.credentialHelper
              )
            )
          )
        ),
        Effect.provide(docker),
        Effect.provide(Logger.layer([logger])),
        Effect.provideService(References.MinimumLogLevel, "All"),
        Effect.provideService(HttpClient.TracerHeaderFilter, () => true),
        Effect.withTracer(tracer)
      )
      const [failure, helperFailure] = yield* observed
      expect(failure._tag).toBe("ServerError")
      expect(helperFailure.message).toContain("exited with 9")
      const headerValue = Redacted.value(Credentials.encodeAuth({
        username: "testuser",
        password: Redacted.make(secret),
        serverAddress: "127.0.0.1:5001"
      }))
      const spanText = spans.map((span) => JSON.stringify({ name: span.name, attributes: [...span.attributes] }))
      const everything = [
        String(failure),
        failure.message,
        JSON.stringify(failure),
        String(helperFailure),
        JSON.stringify(helperFailure),
        ...logs,
        ...spanText
      ].join("\n")
      expect(spanText.join("\n")).toContain("http.request.header.x-registry-auth")
      expect(spans.some((span) => span.attributes.get("http.request.header.x-registry-auth") === "<redacted>")).toBe(
        true
      )
      expect(logs.length).toBeGreaterThanOrEqual(2)
      for (const needle of [secret, b64(secret), b64url(secret), headerValue, headerValue.slice(20, 60)]) {
        expect(everything).not.toContain(needle)
      }
      yield* Effect.promise(() => dispatcher.close())
    }))
})
