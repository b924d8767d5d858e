/**
 * Input that once reached another endpoint, against the real engine: a container id such as `../images/NAME` was
 * percent-encoded, decoded and cleaned by the daemon into `/images/NAME`, so `Containers.remove` deleted an
 * image. Such ids now fail with `InvalidParameter` before any request, and the image is still there; image
 * references with a registry and several path components still reach the image routes.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Api, Containers, Images } from "../../mod.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"

const unique = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`

/** Tags the test image as `repo:tag` and removes that tag when the scope closes. */
const scopedTag = (repo: string, tag: string) =>
  Effect.acquireRelease(
    Effect.as(Api.imageTag({ name: TEST_IMAGE, repo, tag }), `${repo}:${tag}`),
    (ref) => Effect.ignore(Api.imageDelete({ name: ref, force: true }))
  )

layer(DockerLive)("path parameters against the real engine", (it) => {
  it.effect("a container id that climbs to /images fails with InvalidParameter and the image survives", () =>
    Effect.gen(function*() {
      const repo = `effect-docker/input-safety-${unique()}`
      const ref = yield* scopedTag(repo, "victim")
      const before = yield* Api.imageInspect({ name: ref })
      for (const id of [`../images/${ref}`, `../images/${repo}`, `..%2Fimages%2F${ref}`]) {
        const removed = yield* Effect.flip(Containers.remove(id, { force: true }))
        expect(removed).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerDelete", parameter: "id" })
      }
      const inspected = yield* Effect.flip(Containers.inspect("../../images/json"))
      expect(inspected).toMatchObject({ _tag: "InvalidParameter", operation: "ContainerInspect", parameter: "id" })
      const encoded = yield* Effect.flip(Containers.inspect("..%2F..%2Fimages%2Fjson"))
      expect(encoded._tag).toBe("NotFound")
      const after = yield* Api.imageInspect({ name: ref })
      expect(after.Id).toBe(before.Id)
      expect(after.RepoTags).toContain(ref)
    }).pipe(Effect.scoped))

  it.effect("an image reference with a registry port and several components reaches the image routes", () =>
    Effect.gen(function*() {
      const repo = `127.0.0.1:5000/effect-docker/input-safety/${unique()}`
      const ref = yield* scopedTag(repo, "v1")
      const original = yield* Api.imageInspect({ name: TEST_IMAGE })
      const inspected = yield* Api.imageInspect({ name: ref })
      expect(inspected.Id).toBe(original.Id)
      const history = yield* Api.imageHistory({ name: ref })
      expect(history[0]?.Id).toBe(original.Id)
      yield* Api.imageTag({ name: ref, repo, tag: "v2" })
      const retagged = yield* Images.inspect(`${repo}:v2`)
      expect(retagged.Id).toBe(original.Id)
      const deleted = yield* Api.imageDelete({ name: `${repo}:v2` })
      expect(deleted).toEqual([{ Untagged: `${repo}:v2` }])
      const escape = yield* Effect.flip(Api.imageInspect({ name: `${repo}/../../json` }))
      expect(escape).toMatchObject({ _tag: "InvalidParameter", operation: "ImageInspect", parameter: "name" })
    }).pipe(Effect.scoped))
})
