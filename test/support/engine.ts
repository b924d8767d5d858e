/**
 * Shared helpers for tests against the real engine: the Node client layer, the offline test image and scoped
 * containers that are removed when the test's scope closes, whether it passed or failed.
 */
import * as Effect from "effect/Effect"
import { Containers, type Models } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"

/** The offline image built by scripts/engine.sh from busybox-static. */
export const TEST_IMAGE = "effect-docker/busybox:latest"

/** The client for the local engine (negotiating its API version). */
export const DockerLive = DockerNode.layer()

/** Creates a container for the test and removes it (forced) when the scope closes. */
export const scopedContainer = (config: Omit<Models.ContainerCreateBody, "Image"> & { readonly Image?: string }) =>
  Effect.acquireRelease(
    Containers.create({ Image: TEST_IMAGE, Labels: { "effect-docker-test": "1" }, ...config }).pipe(
      Effect.map((created) => created.Id)
    ),
    (id) => Effect.ignore(Containers.remove(id, { force: true, v: true }))
  )
