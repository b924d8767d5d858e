/**
 * What Podman's Docker-compatible API (4.3.1, API 1.41) does differently from Docker Engine 20.10, found by running
 * the shared suites against both. Two kinds:
 *
 * - `handled`: the difference is in the protocol and the SDK absorbs it (the reason says where); the shared tests
 *   assert the same thing on both engines.
 * - `behaviour`: Podman's own behaviour, kept as it is; the shared tests assert each engine's documented answer
 *   through {@link onEngine}, so a change on either side fails a test.
 *
 * `scripts/podman-report.ts` renders this table into docs/podman.md.
 */
import { ENGINE, type EngineName } from "./engine.ts"

/** One difference between the engines. */
export interface Difference {
  /** The operations it concerns (operation ids of the Engine API). */
  readonly operations: ReadonlyArray<string>
  readonly kind: "handled" | "behaviour"
  readonly docker: string
  readonly podman: string
  /** For `handled`: where the SDK absorbs it. */
  readonly handledBy?: string
}

/** Every difference found, by a short key the tests name. */
export const DIFFERENCES = {
  healthStatusEmpty: {
    operations: ["ContainerInspect"],
    kind: "handled",
    docker: "omits `State.Health` for a container without a healthcheck",
    podman: "sends `State.Health.Status: \"\"`",
    handledBy: "generator override (`ENUM_EXTRA_VALUES`, `Health.Status` also accepts `\"\"`)"
  },
  cgroupnsModeEmpty: {
    operations: ["ContainerInspect"],
    kind: "handled",
    docker: "`HostConfig.CgroupnsMode` is `host` or `private`",
    podman: "`HostConfig.CgroupnsMode` is `\"\"` when the container was created without one",
    handledBy: "generator override (`ENUM_EXTRA_VALUES`, `HostConfig.CgroupnsMode` also accepts `\"\"`)"
  },
  commitNeedsBody: {
    operations: ["ImageCommit"],
    kind: "handled",
    docker: "accepts a commit without a body",
    podman: "answers 500 `Decode(): EOF` to a commit without a body",
    handledBy: "generator table `EMPTY_BODY_WHEN_ABSENT`: the SDK sends `{}` (same image config on Docker)"
  },
  swarmAbsent: {
    operations: ["SwarmInspect", "SwarmInit", "NodeList", "ServiceList", "TaskList", "ConfigList"],
    kind: "handled",
    docker: "swarm mode is available (answers 503 `This node is not a swarm manager` when it is off)",
    podman: "has no swarm: the routes answer 404 `Not Found` (plain text) or 503 `Podman does not support service`",
    handledBy: "`Errors.SwarmUnavailable`, raised by the Swarm, Nodes, Services, Tasks and Configs modules"
  },
  stateImproper: {
    operations: ["ContainerDelete", "ContainerKill"],
    kind: "handled",
    docker: "409 Conflict (remove a running container, kill a stopped one)",
    podman: "500 `… container state improper`",
    handledBy: "`Errors.fromStatus`: `Conflict` (with `status` 500) when the operation documents 409"
  },
  qualifiedNames: {
    operations: ["ImageList", "ImageInspect"],
    kind: "behaviour",
    docker: "`RepoTags` as tagged: `effect-docker/busybox:latest`",
    podman: "fully qualified: `localhost/effect-docker/busybox:latest` for a loaded image, `docker.io/…` for a tag"
  },
  execExitCodeBeforeStart: {
    operations: ["ExecInspect"],
    kind: "behaviour",
    docker: "`ExitCode: null` before the exec instance started",
    podman: "`ExitCode: 0` before the exec instance started"
  },
  volumeInUseMessage: {
    operations: ["VolumeDelete"],
    kind: "behaviour",
    docker: "409 `remove <name>: volume is in use - [<container>]`",
    podman: "409 `volume <name> is being used by the following container(s): <container>: volume is being used`"
  },
  notFoundMessage: {
    operations: ["ContainerInspect"],
    kind: "behaviour",
    docker: "404 `No such container: <id>`",
    podman: "404 `no container with name or ID \"<id>\" found: no such container`"
  },
  pullProgress: {
    operations: ["ImageCreate"],
    kind: "behaviour",
    docker: "progress messages from `Pulling from <repo>` to `Status: Downloaded newer image`, with byte counts",
    podman: "messages from `Pulling fs layer` (`Already exists` when the layer is still in its storage) to " +
      "`Download complete`, without byte counts (`progressDetail` empty)"
  }
} as const satisfies Readonly<Record<string, Difference>>

/** The key of a recorded difference. */
export type DifferenceKey = keyof typeof DIFFERENCES

/**
 * The value this run's engine should give where the engines differ, naming the recorded difference (so every
 * engine-specific assertion points at a line of docs/podman.md).
 */
export const onEngine = <A>(key: DifferenceKey, values: Readonly<Record<EngineName, A>>): A => {
  if (!(key in DIFFERENCES)) throw new Error(`no recorded difference ${key}`)
  return values[ENGINE]
}
