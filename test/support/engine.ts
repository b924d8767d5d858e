/**
 * Shared helpers for tests against the real engine: the Node client layer, the offline test image and scoped
 * containers that are removed when the test's scope closes, whether it passed or failed.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Containers, Docker, Host, type Models } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { logFileFromEnv, recorderLayer } from "../coverage/recorder.ts"

/** The offline image built by scripts/engine.sh from busybox-static. */
export const TEST_IMAGE = "effect-docker/busybox:latest"

/**
 * The Node client of the local engine over its default socket, with the transport's `HttpClient` wrapped by the
 * coverage recorder (test/coverage/recorder.ts), which appends every answered request to `file`.
 */
export const recordedDockerLayer = (file: string): Layer.Layer<Docker.Docker> => {
  const { agent, connection } = DockerNode.settings({ _tag: "Unix", path: "/var/run/docker.sock" }, {})
  return Docker.layer(connection).pipe(
    Layer.provide(recorderLayer(file)),
    Layer.provide(NodeHttpClient.layerNodeHttpOptions(agent))
  )
}

/**
 * The client for the local engine (negotiating its API version). When `EFFECT_DOCKER_COVERAGE_LOG` names a file
 * (`node scripts/coverage.ts` sets it), every request is recorded there for the coverage table.
 */
export const DockerLive: Layer.Layer<Docker.Docker, Host.InvalidHost> = (() => {
  const file = logFileFromEnv()
  return file === undefined ? DockerNode.layer() : recordedDockerLayer(file)
})()

/** Creates a container for the test and removes it (forced) when the scope closes. */
export const scopedContainer = (config: Omit<Models.ContainerCreateBody, "Image"> & { readonly Image?: string }) =>
  Effect.acquireRelease(
    Containers.create({ Image: TEST_IMAGE, Labels: { "effect-docker-test": "1" }, ...config }).pipe(
      Effect.map((created) => created.Id)
    ),
    (id) => Effect.ignore(Containers.remove(id, { force: true, v: true }))
  )
