import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { execFileSync } from "node:child_process"
import { Api } from "../../mod.ts"
import * as Credentials from "../../src/Credentials.ts"
import * as Distribution from "../../src/Distribution.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

const docker = (...args: Array<string>) => execFileSync("docker", args, { encoding: "utf8" })

/** Pushes the test image to the open local registry with the docker CLI; removes the local tag afterwards. */
const pushedWithCli = (repo: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      docker("tag", TEST_IMAGE, `${repo}:latest`)
      const output = docker("push", `${repo}:latest`)
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(output)?.[1]
      if (digest === undefined) throw new Error(`no digest in the push output: ${output}`)
      return digest
    }),
    () => Effect.sync(() => docker("rmi", `${repo}:latest`))
  )

layer(DockerLive)("distribution against the real engine", (it) => {
  it.effect("inspect reads the manifest descriptor and platform of an image pushed with the docker CLI", () =>
    Effect.gen(function*() {
      const repo = `127.0.0.1:5000/effect-docker/distribution-${uniqueName("d")}`
      const digest = yield* pushedWithCli(repo)
      const info = yield* Distribution.inspect(`${repo}:latest`)
      expect(info.Descriptor.digest).toBe(digest)
      expect(info.Descriptor.mediaType).toBe("application/vnd.docker.distribution.manifest.v2+json")
      expect(Number(info.Descriptor.size)).toBeGreaterThan(0)
      expect(info.Platforms).toEqual([expect.objectContaining({ architecture: "amd64", os: "linux" })])
    }).pipe(Effect.scoped))

  it.effect("an unknown repository: the daemon passes on the registry's 404 (not listed by the spec)", () =>
    Effect.gen(function*() {
      const absent = yield* Effect.flip(
        Distribution.inspect(`127.0.0.1:5000/effect-docker/${uniqueName("absent")}:latest`)
      )
      expect(absent._tag).toBe("UnexpectedStatus")
      if (absent._tag === "UnexpectedStatus") expect(absent.status).toBe(404)
    }))

  it.effect("a registry that wants credentials: none or wrong ones are RegistryUnauthorized, right ones read it", () =>
    Effect.gen(function*() {
      const repo = `127.0.0.1:5001/effect-docker/distribution-${uniqueName("auth")}`
      const auth = { username: "testuser", password: Redacted.make("testpassword"), serverAddress: "127.0.0.1:5001" }
      yield* Effect.acquireRelease(
        Api.imageTag({ name: TEST_IMAGE, repo, tag: "latest" }),
        () => Effect.ignore(Api.imageDelete({ name: `${repo}:latest` }))
      )
      const pushed = yield* Api.imagePush({
        name: repo,
        tag: "latest",
        "X-Registry-Auth": Redacted.value(Credentials.encodeAuth(auth))
      }).pipe(Stream.runCollect)
      expect(pushed.filter((m) => m.error !== undefined)).toEqual([])
      const digest = pushed.find((m) => m.aux?.Digest !== undefined)?.aux?.Digest
      const locked = yield* Effect.flip(Distribution.inspect(`${repo}:latest`))
      expect(locked._tag).toBe("RegistryUnauthorized")
      if (locked._tag === "RegistryUnauthorized") {
        expect([locked.status, locked.registry]).toEqual([500, "127.0.0.1:5001"])
      }
      expect(locked.message).toContain("no basic auth credentials")
      const wrong = yield* Effect.flip(
        Distribution.inspect(`${repo}:latest`, { auth: { ...auth, password: Redacted.make("wrong") } })
      )
      expect(wrong._tag).toBe("RegistryUnauthorized")
      if (wrong._tag === "RegistryUnauthorized") expect(wrong.status).toBe(401)
      expect(JSON.stringify(wrong) + wrong.message).not.toContain("wrong")
      const info = yield* Distribution.inspect(`${repo}:latest`, { auth })
      expect(info.Descriptor.digest).toBe(digest)
    }).pipe(Effect.scoped))
})
