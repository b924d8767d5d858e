/**
 * Shared helpers for tests against the real engine: the Node client layer, the offline test image and scoped
 * containers that are removed when the test's scope closes, whether it passed or failed.
 *
 * The same suites run against two engines: Docker (dockerd on /var/run/docker.sock, the default) and Podman's
 * Docker-compatible API (`podman system service` on its own socket, started by scripts/podman.sh), chosen by
 * `EFFECT_DOCKER_ENGINE=docker|podman` (the vitest project "podman" sets it).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Containers, Docker, Host, type Models } from "../../mod.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { logFileFromEnv, recorderLayer } from "../coverage/recorder.ts"

/** The offline image built by scripts/engine.sh from busybox-static (and loaded into Podman by scripts/podman.sh). */
export const TEST_IMAGE = "effect-docker/busybox:latest"

/** The engines the shared suites run against. */
export type EngineName = "docker" | "podman"

/** Where each engine listens (scripts/engine.sh and scripts/podman.sh). */
export const ENGINE_SOCKETS: Readonly<Record<EngineName, string>> = {
  docker: "/var/run/docker.sock",
  podman: `${process.env["EFFECT_DOCKER_STATE"] ?? "/tmp/effect-docker-engine"}/podman/podman.sock`
}

/** The engine of this run: `EFFECT_DOCKER_ENGINE`, `docker` when unset; anything else fails loudly. */
export const ENGINE: EngineName = (() => {
  const raw = process.env["EFFECT_DOCKER_ENGINE"] ?? "docker"
  if (raw !== "docker" && raw !== "podman") throw new Error(`EFFECT_DOCKER_ENGINE must be docker or podman, not ${raw}`)
  return raw
})()

/** True when the suites run against Podman. */
export const isPodman: boolean = ENGINE === "podman"

/** The socket of this run's engine. */
export const ENGINE_SOCKET: string = ENGINE_SOCKETS[ENGINE]

/** The `DOCKER_HOST` of this run's engine, for child processes (the cross-runtime runners, the docker CLI). */
export const ENGINE_HOST: string = `unix://${ENGINE_SOCKET}`

/**
 * The Node client of this run's engine over its socket, with the transport's `HttpClient` wrapped by the
 * coverage recorder (test/coverage/recorder.ts), which appends every answered request to `file`.
 */
export const recordedDockerLayer = (file: string): Layer.Layer<Docker.Docker> => {
  const { agent, connection } = DockerNode.settings({ _tag: "Unix", path: ENGINE_SOCKET }, {})
  return Docker.layer(connection).pipe(
    Layer.provide(recorderLayer(file)),
    Layer.provide(NodeHttpClient.layerNodeHttpOptions(agent))
  )
}

/**
 * The client for this run's engine (negotiating its API version). When `EFFECT_DOCKER_COVERAGE_LOG` names a file
 * (`node scripts/coverage.ts` sets it), every request is recorded there for the coverage table.
 */
export const DockerLive: Layer.Layer<Docker.Docker, Host.InvalidHost> = (() => {
  const file = logFileFromEnv()
  return file === undefined ? DockerNode.layer({ host: ENGINE_HOST }) : recordedDockerLayer(file)
})()

/** Creates a container for the test and removes it (forced) when the scope closes. */
export const scopedContainer = (config: Omit<Models.ContainerCreateBody, "Image"> & { readonly Image?: string }) =>
  Effect.acquireRelease(
    Containers.create({ Image: TEST_IMAGE, Labels: { "effect-docker-test": "1" }, ...config }).pipe(
      Effect.map((created) => created.Id)
    ),
    (id) => Effect.ignore(Containers.remove(id, { force: true, v: true }))
  )
