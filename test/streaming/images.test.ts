/**
 * Image streams against the real engine and the local registries: build from a tar context (bytes and a byte
 * Stream) with the image id from `aux`, build failures, push and pull through 127.0.0.1:5000 with per-layer
 * progress, credentials on 127.0.0.1:5001, errors before the stream (404) and inside it (ImageStreamError,
 * RegistryUnauthorized),
 * save/load and export/import round trips, commit, tag, history, remove.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { existsSync, writeFileSync } from "node:fs"
import { Containers } from "../../mod.ts"
import * as Images from "../../src/Images.ts"
import * as Progress from "../../src/Progress.ts"
import * as Run from "../../src/Run.ts"
import * as System from "../../src/System.ts"
import { container, DockerLive, LABEL, TEST_IMAGE } from "./support.ts"

const nonce = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`

/** An image name removed (forced, all its tags) when the scope closes. */
const scopedImage = (name: string) =>
  Effect.acquireRelease(Effect.succeed(name), (image) => Effect.ignore(Images.remove(image, { force: true })))

const chunked = (bytes: Uint8Array, size: number) => {
  const chunks: Array<Uint8Array> = []
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size))
  return Stream.fromIterable(chunks)
}

const context = (marker: string, extra = "") =>
  Images.buildContext({
    Dockerfile: [
      `FROM ${TEST_IMAGE}`,
      "ARG GREETING=hello",
      "COPY files/ /files/",
      "RUN cat /files/marker.txt > /copied.txt && echo \"$GREETING\" >> /copied.txt",
      `LABEL ${LABEL}=1`,
      extra
    ].join("\n"),
    "files/marker.txt": `${marker}\n`
  })

const REGISTRY_AUTH = { username: "testuser", password: Redacted.make("testpassword"), serverAddress: "127.0.0.1:5001" }

layer(DockerLive, { excludeTestServices: true })("image streams", (it) => {
  it.effect(
    "build from a tar context given as bytes: output stream, image id from aux, the files are in the image",
    () =>
      Effect.gen(function*() {
        const marker = nonce()
        const tag = yield* scopedImage(`effect-docker/stream-build:${marker}`)
        const seen: Array<string> = []
        const built = yield* Images.build(context(marker), {
          t: tag,
          networkmode: "none",
          buildargs: { GREETING: "bonjour" },
          onOutput: (message) => Effect.sync(() => message.stream !== undefined && seen.push(message.stream))
        })
        expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(built.output).toContain("Step 1/")
        expect(seen.join("")).toBe(built.output)
        const image = yield* Images.inspect(tag)
        expect(image.Id).toBe(built.imageId)
        expect(image.Config?.Labels?.[LABEL]).toBe("1")
        const result = yield* Run.run({
          image: tag,
          cmd: ["cat", "/copied.txt"],
          pull: "never",
          HostConfig: { NetworkMode: "none" }
        })
        expect(result).toMatchObject({ exitCode: 0, stdout: `${marker}\nbonjour\n`, stderr: "" })
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "build from a byte Stream context; buildStream yields typed messages including aux",
    () =>
      Effect.gen(function*() {
        const marker = nonce()
        const tag = yield* scopedImage(`effect-docker/stream-build:${marker}`)
        const messages = yield* Images.buildStream(chunked(context(marker), 700), { t: tag, networkmode: "none" }).pipe(
          Stream.runCollect
        )
        const aux = messages.flatMap((m) => (typeof m.aux === "object" && m.aux.ID !== undefined ? [m.aux.ID] : []))
        expect(aux.length).toBe(1)
        expect((yield* Images.inspect(tag)).Id).toBe(aux[0])
        expect(messages.some((m) => m.stream?.includes("COPY files/ /files/") === true)).toBe(true)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "a failing step fails the build with ImageStreamError: the daemon's message and the output so far",
    () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Images.build(context(nonce(), "RUN echo about to fail && exit 3"), {
            networkmode: "none",
            rm: true,
            forcerm: true
          })
        )
        expect(error._tag).toBe("ImageStreamError")
        if (error._tag !== "ImageStreamError") return
        expect(error.operation).toBe("build")
        expect(error.message).toMatch(/returned a non-zero code: 3/)
        expect(error.output).toContain("about to fail")
        const missing = yield* Effect.flip(
          Images.build(Images.buildContext({ Dockerfile: `FROM ${TEST_IMAGE}\nCOPY nope /\n` }))
        )
        expect(missing._tag).toBe("ImageStreamError")
        expect(missing.message).toMatch(/nope/)
      }),
    60_000
  )

  it.effect(
    "push to and pull from the local registry, with per-layer progress; pull finishes when its stream ends",
    () =>
      Effect.gen(function*() {
        const marker = nonce()
        const local = `effect-docker/stream-build:${marker}`
        const remote = `127.0.0.1:5000/effect-docker/busybox:stream-test-${marker}`
        yield* scopedImage(local)
        yield* scopedImage(remote)
        yield* Images.build(context(marker), { t: local, networkmode: "none" })
        yield* Images.tag(local, remote)
        const pushProgress: Array<Progress.Progress> = []
        const pushed = yield* Images.push(remote, { onProgress: (p) => Effect.sync(() => pushProgress.push(p)) })
        expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
        expect(pushed.tag).toBe(`stream-test-${marker}`)
        expect(pushed.size).toBeGreaterThan(0)
        expect(pushed.progress.layers.length).toBeGreaterThanOrEqual(2)
        expect(Progress.isDone(pushed.progress)).toBe(true)
        expect(pushed.progress.layers.some((l) => l.phase === "pushed")).toBe(true)
        // remove every local name: the image's own layer is gone, the base layer stays (busybox)
        yield* Images.remove(remote)
        yield* Images.remove(local)
        const missing = yield* Effect.flip(Images.inspect(remote))
        expect(missing._tag).toBe("NotFound")
        const drawn: Array<string> = []
        const draw = Progress.drawer((text) => drawn.push(text))
        const fractions: Array<number> = []
        const pulled = yield* Images.pull(remote, {
          onProgress: (p) =>
            Effect.sync(() => {
              draw(p)
              fractions.push(Progress.fraction(p))
            })
        })
        // finished: the image is there as soon as pull returns
        const image = yield* Images.inspect(remote)
        expect(image.RepoDigests?.some((d) => d.endsWith(pushed.digest!))).toBe(true)
        expect(pulled.digest).toBe(pushed.digest)
        expect(pulled.status).toBe(`Status: Downloaded newer image for ${remote}`)
        const phases = new Set(pulled.progress.layers.map((l) => l.phase))
        expect(phases.has("complete")).toBe(true)
        expect(phases.has("exists")).toBe(true)
        expect(fractions.at(-1)).toBe(1)
        expect(drawn.join("")).toContain("Pull complete")
        // pulling again: up to date, no layer to fetch
        const again = yield* Images.pull(remote)
        expect(again.status).toBe(`Status: Image is up to date for ${remote}`)
        // the Stream form yields the raw messages
        const statuses = yield* Images.pullStream(remote).pipe(Stream.map((m) => m.status), Stream.runCollect)
        expect(statuses.at(-1)).toBe(`Status: Image is up to date for ${remote}`)
      }).pipe(Effect.scoped),
    90_000
  )

  it.effect("a pull of a missing image fails before the stream with NotFound naming the manifest", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Images.pull(`127.0.0.1:5000/effect-docker/absent-${nonce()}:missing`))
      expect(error._tag).toBe("NotFound")
      expect(error.message).toMatch(/manifest .* not found|manifest unknown/)
    }))

  it.effect(
    "a layer that fails verification during the pull fails the stream with ImageStreamError",
    () =>
      Effect.gen(function*() {
        const marker = nonce()
        const local = `effect-docker/stream-build:${marker}`
        const remote = `127.0.0.1:5000/effect-docker/corrupt:${marker}`
        yield* scopedImage(local)
        yield* scopedImage(remote)
        yield* Images.build(context(marker), { t: local, networkmode: "none" })
        yield* Images.tag(local, remote)
        yield* Images.push(remote)
        // the image's own layer is unique to this test: overwrite its blob in the registry's storage
        const history = yield* Images.inspect(local)
        const ownLayer = history.RootFS?.Layers?.at(-1)
        expect(ownLayer).toBeDefined()
        yield* Images.remove(remote)
        yield* Images.remove(local)
        const manifest = yield* Effect.promise(() =>
          fetch(`http://127.0.0.1:5000/v2/effect-docker/corrupt/manifests/${marker}`, {
            headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" }
          }).then((r) => r.json() as Promise<{ layers: Array<{ digest: string; size: number }> }>)
        )
        const blob = manifest.layers.at(-1)!
        const hex = blob.digest.slice("sha256:".length)
        const file = `/tmp/effect-docker-engine/registry-open/data/docker/registry/v2/blobs/sha256/${
          hex.slice(0, 2)
        }/${hex}/data`
        expect(existsSync(file)).toBe(true)
        writeFileSync(file, new Uint8Array(blob.size).fill(0x5a))
        const error = yield* Effect.flip(Images.pull(remote))
        expect(error._tag).toBe("ImageStreamError")
        if (error._tag !== "ImageStreamError") return
        expect(error.operation).toBe("pull")
        expect(error.image).toBe(remote)
        expect(error.message).toMatch(/verification failed|digest|unexpected EOF|invalid/i)
      }).pipe(Effect.scoped),
    90_000
  )

  it.effect(
    "credentials: login, push and pull on the htpasswd registry; without them RegistryUnauthorized",
    () =>
      Effect.gen(function*() {
        const login = yield* System.auth(REGISTRY_AUTH)
        expect(login.Status).toBe("Login Succeeded")
        const refused = yield* Effect.flip(System.auth({ ...REGISTRY_AUTH, password: Redacted.make("wrong") }))
        expect(refused.message).toMatch(/401|unauthorized/i)
        const marker = nonce()
        const remote = yield* scopedImage(`127.0.0.1:5001/effect-docker/busybox:auth-${marker}`)
        yield* Images.tag(TEST_IMAGE, remote)
        const anonymous = yield* Effect.flip(Images.push(remote))
        expect(anonymous._tag).toBe("RegistryUnauthorized")
        if (anonymous._tag !== "RegistryUnauthorized") return
        expect(anonymous.registry).toBe("127.0.0.1:5001")
        expect(anonymous.message).toMatch(/no basic auth credentials|unauthorized/)
        const pushed = yield* Images.push(remote, { auth: REGISTRY_AUTH })
        expect(pushed.digest).toMatch(/^sha256:/)
        yield* Images.remove(remote)
        const noAuth = yield* Effect.flip(Images.pull(remote))
        expect(noAuth._tag).toBe("RegistryUnauthorized")
        expect(noAuth.message).toMatch(/no basic auth credentials|unauthorized/)
        const pulled = yield* Images.pull(remote, { auth: REGISTRY_AUTH })
        expect(pulled.digest).toBe(pushed.digest)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect("save and load round trip, from bytes and from a byte Stream", () =>
    Effect.gen(function*() {
      const marker = nonce()
      const tag = yield* scopedImage(`effect-docker/stream-build:${marker}`)
      const { imageId } = yield* Images.build(context(marker), { t: tag, networkmode: "none" })
      const archive = yield* Stream.mkUint8Array(Images.save(tag))
      expect(archive.length).toBeGreaterThan(100_000)
      const all = yield* Stream.mkUint8Array(Images.saveAll([tag]))
      expect(all.length).toBeGreaterThan(100_000)
      yield* Images.remove(tag)
      const loaded = yield* Images.load(archive)
      expect(loaded.images).toEqual([tag])
      expect((yield* Images.inspect(tag)).Id).toBe(imageId)
      yield* Images.remove(tag)
      const messages = yield* Images.loadStream(chunked(all, 32_768)).pipe(Stream.runCollect)
      expect(messages.some((m) => m.stream?.includes(`Loaded image: ${tag}`) === true)).toBe(true)
      expect((yield* Images.inspect(tag)).Id).toBe(imageId)
      const broken = yield* Effect.flip(Images.load(archive.subarray(0, 2048)))
      expect(["ImageStreamError", "ServerError", "BadRequest"]).toContain(broken._tag)
    }).pipe(Effect.scoped), 60_000)

  it.effect(
    "export a container's filesystem straight into an import; commit, tag, history, remove",
    () =>
      Effect.gen(function*() {
        const marker = nonce()
        const source = yield* container({ Cmd: ["sh", "-c", `echo ${marker} > /marker`] })
        yield* Containers.start(source)
        yield* Containers.wait(source)
        const imported = yield* scopedImage(`effect-docker/stream-import:${marker}`)
        const { id } = yield* Images.importArchive(Containers.exportFilesystem(source), {
          repo: "effect-docker/stream-import",
          tag: marker
        })
        expect((yield* Images.inspect(imported)).Id).toBe(id)
        const fromImport = yield* Run.run({ image: imported, cmd: ["cat", "/marker"], pull: "never" })
        expect(fromImport.stdout).toBe(`${marker}\n`)
        const committed = yield* scopedImage(`effect-docker/stream-commit:${marker}`)
        const commit = yield* Images.commit(source, {
          repo: "effect-docker/stream-commit",
          tag: marker,
          comment: "streaming test",
          config: { Cmd: ["cat", "/marker"], Labels: { [LABEL]: "1" } }
        })
        expect(commit.Id).toMatch(/^sha256:/)
        const history = yield* Images.history(committed)
        expect(history[0]?.Comment).toBe("streaming test")
        const extra = `effect-docker/stream-commit:extra-${marker}`
        yield* Images.tag(committed, { repo: "effect-docker/stream-commit", tag: `extra-${marker}` })
        expect((yield* Images.inspect(extra)).Id).toBe(commit.Id)
        const untagged = yield* Images.remove(extra)
        expect(untagged.some((r) => r.Untagged === extra)).toBe(true)
        const fromCommit = yield* Run.run({ image: committed, pull: "never" })
        expect(fromCommit.stdout).toBe(`${marker}\n`)
      }).pipe(Effect.scoped),
    60_000
  )
})
