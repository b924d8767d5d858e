import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Api, Containers } from "../../mod.ts"
import { DockerLive, scopedContainer, TEST_IMAGE } from "../support/engine.ts"
import { onEngine } from "../support/podman.ts"
import { readTar, tarOf, textOf } from "./fixtures/tar.ts"

const LABELS = { "effect-docker-test": "images" }
const OFFLINE = { NetworkMode: "none" } as const
/** `{}` as the daemon's X-Registry-Auth: no credentials (the open registry needs none). */
const NO_AUTH = "e30="

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

/** A name as the engine writes it: Podman qualifies it (`localhost/` for a loaded image, `docker.io/` for a tag). */
const qualified = (name: string, registry: "localhost" | "docker.io" = "docker.io") =>
  onEngine("qualifiedNames", { docker: name, podman: `${registry}/${name}` })

/** Tags the test image as `ref` (`repo:tag`) and removes that tag when the scope closes. */
const scopedTag = (repo: string, tag = "latest") =>
  Effect.acquireRelease(
    Effect.as(Api.imageTag({ name: TEST_IMAGE, repo, tag }), `${repo}:${tag}`),
    (ref) => Effect.ignore(Api.imageDelete({ name: ref, force: true }))
  )

layer(DockerLive)("images against the real engine", (it) => {
  it.effect("tag, inspect the new tag, history, delete the tag (untagged, not deleted)", () =>
    Effect.gen(function*() {
      const repo = `effect-docker/tagged-${uniqueName("t")}`
      const ref = yield* scopedTag(repo, "v1")
      const original = yield* Api.imageInspect({ name: TEST_IMAGE })
      const tagged = yield* Api.imageInspect({ name: ref })
      expect(tagged.Id).toBe(original.Id)
      expect(tagged.RepoTags).toEqual(expect.arrayContaining([qualified(TEST_IMAGE, "localhost"), qualified(ref)]))
      const history = yield* Api.imageHistory({ name: ref })
      expect(history.length).toBeGreaterThan(0)
      expect(history[0]?.Id).toBe(original.Id)
      expect(Number(history.reduce((sum, layer) => sum + Number(layer.Size), 0))).toBeGreaterThan(0)
      const deleted = yield* Api.imageDelete({ name: ref })
      expect(deleted).toEqual([{ Untagged: qualified(ref) }])
      const gone = yield* Effect.flip(Api.imageInspect({ name: ref }))
      expect(gone._tag).toBe("NotFound")
      const missing = yield* Effect.flip(Api.imageTag({ name: "effect-docker/absent:nope", repo, tag: "x" }))
      expect(missing._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("search needs Docker Hub: offline the daemon answers 500 (ServerError) naming the lookup", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Api.imageSearch({ term: "busybox", limit: 1 }))
      expect(error).toMatchObject(onEngine("searchOffline", {
        docker: { _tag: "ServerError", status: 500 },
        podman: { _tag: "UnexpectedStatus", status: 404, message: "image not known (HTTP 404)" }
      }))
      expect(error.message).toContain(
        onEngine("searchOffline", { docker: "index.docker.io", podman: "image not known" })
      )
    }))

  it.effect("push to the local registry, remove, pull it back: same image, with its registry digest", () =>
    Effect.gen(function*() {
      const repo = `127.0.0.1:5000/effect-docker/images-${uniqueName("p")}`
      const ref = yield* scopedTag(repo)
      const pushed = yield* Api.imagePush({ name: repo, tag: "latest", "X-Registry-Auth": NO_AUTH }).pipe(
        Stream.runCollect
      )
      expect(pushed.filter((m) => m.error !== undefined)).toEqual([])
      // both engines end with `latest: digest: sha256:… size: N`; Docker also sends the digest as `aux`
      const digest = pushed.map((m) => /^latest: digest: (sha256:[0-9a-f]{64}) size: \d+$/.exec(m.status ?? "")?.[1])
        .find((d) => d !== undefined)
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      const aux = pushed.find((m) => m.aux !== undefined)?.aux
      expect(aux?.Digest).toBe(onEngine("pushWithoutAux", { docker: digest, podman: undefined }))
      yield* Api.imageDelete({ name: ref })
      const pulled = yield* Api.imageCreate({ fromImage: repo, tag: "latest", "X-Registry-Auth": NO_AUTH }).pipe(
        Stream.runCollect
      )
      expect(pulled.filter((m) => m.error !== undefined)).toEqual([])
      if (onEngine("pullProgress", { docker: true, podman: false })) {
        expect(pulled.map((m) => m.status)).toContain(`Digest: ${digest}`)
      } else {
        expect(pulled.map((m) => m.status)).toContain("Download complete")
      }
      const image = yield* Api.imageInspect({ name: ref })
      expect(image.Id).toBe((yield* Api.imageInspect({ name: TEST_IMAGE })).Id)
      expect(image.RepoDigests).toContain(`${repo}@${digest}`)
      const absent = Api.imageCreate({ fromImage: `${repo}-absent`, tag: "latest", "X-Registry-Auth": NO_AUTH })
      if (onEngine("pullErrorInStream", { docker: true, podman: false })) {
        expect((yield* Effect.flip(Stream.runDrain(absent)))._tag).toBe("NotFound")
      } else {
        const messages = yield* Stream.runCollect(absent)
        expect(messages.find((m) => m.error !== undefined)?.error).toContain("manifest unknown")
      }
    }).pipe(Effect.scoped))

  it.effect("commit a container, save it, delete it, load it back; save several; prune by label", () =>
    Effect.gen(function*() {
      const pruneLabel = uniqueName("prune")
      const repo = `effect-docker/committed-${uniqueName("c")}`
      const ref = `${repo}:v1`
      yield* Effect.addFinalizer(() => Effect.ignore(Api.imageDelete({ name: ref, force: true })))
      const id = yield* scopedContainer({
        Cmd: ["sh", "-c", "echo committed > /committed.txt"],
        Labels: { ...LABELS, prune: pruneLabel },
        HostConfig: OFFLINE
      })
      yield* Containers.start(id)
      yield* Containers.wait(id)
      const committed = yield* Api.imageCommit({
        container: id,
        repo,
        tag: "v1",
        comment: "made by effect-docker",
        changes: "CMD [\"cat\", \"/committed.txt\"]",
        body: { Labels: { committed: "from the body" } }
      })
      const image = yield* Api.imageInspect({ name: ref })
      expect(image.Id).toBe(committed.Id)
      expect(image.Comment).toBe("made by effect-docker")
      expect(image.Config?.Cmd).toEqual(["cat", "/committed.txt"])
      // Docker merges the body's config into the container's; Podman applies only `changes`
      expect(image.Config?.Labels).toEqual({
        ...LABELS,
        prune: pruneLabel,
        ...onEngine("commitBodyIgnored", { docker: { committed: "from the body" }, podman: {} })
      })

      const saved = yield* Stream.mkUint8Array(Api.imageGet({ name: ref }))
      const manifest = JSON.parse(textOf(yield* readTar(Stream.make(saved)), "manifest.json") ?? "[]") as Array<
        { RepoTags: Array<string> }
      >
      expect(manifest.flatMap((m) => m.RepoTags)).toEqual([qualified(ref)])
      yield* Api.imageDelete({ name: ref })
      const loaded = yield* Api.imageLoad({ body: saved, quiet: true }).pipe(Stream.runCollect)
      expect(loaded.map((m) => m.stream ?? "").join("")).toContain(`Loaded image: ${qualified(ref)}`)
      expect((yield* Api.imageInspect({ name: ref })).Id).toBe(committed.Id)

      const both = yield* readTar(Api.imageGetAll({ names: [ref, TEST_IMAGE] }))
      const tags = (JSON.parse(textOf(both, "manifest.json") ?? "[]") as Array<{ RepoTags: Array<string> }>)
        .flatMap((m) => m.RepoTags)
      expect(tags.sort()).toEqual([qualified(ref), qualified(TEST_IMAGE, "localhost")].sort())

      yield* Containers.remove(id)
      const prune = Api.imagePrune({ filters: { label: [`prune=${pruneLabel}`], dangling: ["false"] } })
      if (onEngine("imagePruneDangling", { docker: true, podman: false })) {
        const pruned = yield* prune
        expect(pruned.ImagesDeleted).toEqual(expect.arrayContaining([{ Untagged: ref }, { Deleted: committed.Id }]))
      } else {
        const refused = yield* Effect.flip(prune)
        expect(refused).toMatchObject({ _tag: "ServerError", status: 500 })
        expect(refused.message).toContain("specifying \"dangling\" filter more than once")
        // without it, prune takes only dangling images: the tagged commit stays
        const pruned = yield* Api.imagePrune({ filters: { label: [`prune=${pruneLabel}`] } })
        expect(pruned.ImagesDeleted ?? []).toEqual([])
        expect((yield* Api.imageInspect({ name: ref })).Id).toBe(committed.Id)
        yield* Api.imageDelete({ name: ref })
      }
      expect((yield* Effect.flip(Api.imageInspect({ name: ref })))._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("build from a tar context FROM the local busybox image (classic builder, no network)", () =>
    Effect.gen(function*() {
      const ref = `effect-docker/built-${uniqueName("b")}:latest`
      yield* Effect.addFinalizer(() => Effect.ignore(Api.imageDelete({ name: ref, force: true })))
      const context = yield* tarOf({
        "Dockerfile":
          `FROM ${TEST_IMAGE}\nCOPY greeting.txt /greeting.txt\nRUN cat /greeting.txt > /copy.txt\nCMD ["cat", "/copy.txt"]\n`,
        "greeting.txt": "built by effect-docker\n"
      })
      const output = yield* Api.imageBuild({
        t: ref,
        rm: true,
        forcerm: true,
        networkmode: "none",
        labels: LABELS,
        body: context
      }).pipe(Stream.runCollect)
      expect(output.filter((m) => m.error !== undefined)).toEqual([])
      const text = output.map((m) => m.stream ?? "").join("")
      expect(text).toContain(onEngine("buildOutput", {
        docker: "Step 3/5 : RUN cat /greeting.txt > /copy.txt",
        podman: "STEP 3/5: RUN cat /greeting.txt > /copy.txt"
      }))
      expect(text).toContain(`Successfully tagged ${ref}`)
      const image = yield* Api.imageInspect({ name: ref })
      expect(image.Config?.Cmd).toEqual(["cat", "/copy.txt"])
      expect(image.Config?.Labels).toEqual(onEngine<Readonly<Record<string, unknown>>>("buildahLabel", {
        docker: LABELS,
        podman: { ...LABELS, "io.buildah.version": expect.stringMatching(/^\d+\.\d+\.\d+$/) }
      }))
      const failed = yield* Api.imageBuild({
        networkmode: "none",
        rm: true,
        forcerm: true, // the classic builder keeps a failed step's container unless told otherwise
        body: yield* tarOf({ "Dockerfile": `FROM ${TEST_IMAGE}\nRUN exit 3\n` })
      }).pipe(Stream.runCollect)
      expect(failed.find((m) => m.error !== undefined)?.error).toContain(onEngine("buildOutput", {
        docker: "returned a non-zero code: 3",
        podman: "while running runtime: exit status 3"
      }))
      if (onEngine("buildPruneAbsent", { docker: true, podman: false })) {
        const cache = yield* Api.buildPrune()
        expect(typeof cache.SpaceReclaimed).toBe("number")
      } else {
        // no build cache of BuildKit's kind, and no such route: the router's plain-text 404
        expect(yield* Effect.flip(Api.buildPrune())).toMatchObject({ _tag: "OperationUnavailable", status: 404 })
      }
    }).pipe(Effect.scoped))
})
