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
  statsIdKey: {
    operations: ["ContainerStats"],
    kind: "handled",
    docker: "the sample's container id is `id`",
    podman: "the sample's container id is `Id` (Go clients read either: Go's JSON keys match case-insensitively)",
    handledBy: "generator table `RESPONSE_NORMALIZERS` (`statsId`): `Id` is read as `id`"
  },
  topWholeLines: {
    operations: ["ContainerTop"],
    kind: "handled",
    docker: "`Titles` and each process split into columns",
    podman: "each `ps` line whole: `Titles: [\"PID   USER     COMMAND\"]`, one string per process",
    handledBy: "generator table `RESPONSE_NORMALIZERS` (`topColumns`): split at whitespace, the command keeps " +
      "its spaces"
  },
  bareImageIds: {
    operations: ["ImageCommit", "ImageHistory"],
    kind: "handled",
    docker: "image ids as `sha256:<hex>`",
    podman: "the bare hex for a commit and the layers of a history (its inspection and list carry `sha256:`)",
    handledBy: "generator table `RESPONSE_NORMALIZERS` (`imageIds`): `sha256:` added to a bare 64-hex id"
  },
  execStartedTwice: {
    operations: ["ExecStart"],
    kind: "handled",
    docker: "upgrades the connection, then writes `Exec command <id> has already run` on it",
    podman: "refuses before the upgrade: 500 `… exec session state improper`",
    handledBy: "`Errors.fromStatus`: `Conflict` (with `status` 500), as for `stateImproper`"
  },
  qualifiedNames: {
    operations: [
      "ImageList",
      "ImageInspect",
      "ImageTag",
      "ImageDelete",
      "ImageGet",
      "ImageGetAll",
      "ImageLoad",
      "ImagePrune"
    ],
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
  },
  updateRouteAbsent: {
    operations: ["ContainerUpdate"],
    kind: "handled",
    docker: "updates the resources and restart policy",
    podman: "4.3.1 has no such route: its router answers 404 `Not Found` in plain text, for a container that " +
      "exists; nothing changes",
    handledBy: "`Errors.OperationUnavailable` (`Errors.fromStatus`: a router's 404), not `NotFound`"
  },
  pausedTwice: {
    operations: ["ContainerPause"],
    kind: "behaviour",
    docker: "409 `Container <id> is already paused` (not in the spec for this operation: `UnexpectedStatus`)",
    podman: "500 `… can't pause: container state improper` (`ServerError`: the operation documents no 409)"
  },
  buildPruneAbsent: {
    operations: ["BuildPrune"],
    kind: "handled",
    docker: "prunes the build cache, answering `SpaceReclaimed`",
    podman: "4.3.1 has no such route: its router answers 404 `Not Found` in plain text",
    handledBy: "`Errors.OperationUnavailable` (`Errors.fromStatus`: a router's 404), not `UnexpectedStatus`"
  },
  topTitles: {
    operations: ["ContainerTop"],
    kind: "behaviour",
    docker: "`ps -ef` on the host: `UID PID PPID C STIME TTY TIME CMD`",
    podman: "`ps` in the container (busybox's here): `PID USER COMMAND`"
  },
  archiveIntoMissingDirectory: {
    operations: ["PutContainerArchive"],
    kind: "behaviour",
    docker: "404 when the target directory does not exist",
    podman: "creates the directory and extracts into it (200)"
  },
  pullErrorInStream: {
    operations: ["ImageCreate"],
    kind: "behaviour",
    docker: "404 `manifest … not found` before any progress when the image is not in the registry",
    podman: "200, then a progress message whose `error` reads `… manifest unknown`"
  },
  commitBodyIgnored: {
    operations: ["ImageCommit"],
    kind: "behaviour",
    docker: "merges the body's container config (`Labels`, `Cmd`, …) into the committed image's",
    podman: "reads the body but applies only `changes`: the image's config is the container's"
  },
  imagePruneDangling: {
    operations: ["ImagePrune"],
    kind: "behaviour",
    docker: "`dangling=false` prunes unused tagged images too",
    podman: "adds its own `dangling=true`: a `dangling=false` filter is 500 `specifying \"dangling\" filter more " +
      "than once with different values is not supported`, and prune takes only dangling images"
  },
  searchOffline: {
    operations: ["ImageSearch"],
    kind: "behaviour",
    docker: "500 naming `index.docker.io` when Docker Hub is out of reach",
    podman: "404 `image not known` (no search registry configured, as in the offline harness)"
  },
  pushWithoutAux: {
    operations: ["ImagePush"],
    kind: "behaviour",
    docker: "`latest: digest: sha256:… size: N`, then the digest again as `aux` (`Tag`, `Digest`, `Size`)",
    podman: "only the status line `latest: digest: sha256:… size: N`"
  },
  buildOutput: {
    operations: ["ImageBuild"],
    kind: "behaviour",
    docker: "classic builder output: `Step 3/5 : RUN …`; a failed step reads `returned a non-zero code: 3`",
    podman: "Buildah's output: `STEP 3/5: RUN …`, `COMMIT <name>`, `--> <short id>`; a failed step reads " +
      "`while running runtime: exit status 3`"
  },
  buildahLabel: {
    operations: ["ImageBuild"],
    kind: "behaviour",
    docker: "the image's labels are those of the Dockerfile and the `labels` parameter",
    podman: "adds `io.buildah.version` (the Buildah version that built it)"
  },
  bridgeOptions: {
    operations: ["NetworkCreate"],
    kind: "behaviour",
    docker: "accepts `com.docker.network.bridge.*` options",
    podman: "creates the network; its `Warning` reads `\"com.docker.network.bridge.enable_icc: true\" is not a " +
      "recognized option`"
  },
  networkNameTaken: {
    operations: ["NetworkCreate"],
    kind: "behaviour",
    docker: "409 for a duplicate name (API 1.41; the v1.55 spec no longer lists it: `UnexpectedStatus`)",
    podman: "500 `network name <name> already used: network already exists` (`ServerError`)"
  },
  predefinedNetworks: {
    operations: ["NetworkDelete"],
    kind: "behaviour",
    docker: "`bridge`, `host` and `none` exist; removing one is 403",
    podman: "one default network, `podman`; removing it is 500 `default network podman cannot be removed` (or, " +
      "while containers use it, `\"podman\" has associated containers with it`)"
  },
  logTimestampPrecision: {
    operations: ["ContainerLogs"],
    kind: "behaviour",
    docker: "`timestamps` prefixes each entry with RFC 3339 to the nanosecond",
    podman: "RFC 3339 to the second (`2006-01-02T15:04:05Z`): entries of one second share a timestamp"
  },
  volumeOptionsEmpty: {
    operations: ["VolumeInspect"],
    kind: "behaviour",
    docker: "`Options: null` for a volume created without driver options",
    podman: "`Options: null` in the create answer, `Options: {}` when inspected or listed"
  },
  pruneAllFilter: {
    operations: ["VolumePrune"],
    kind: "behaviour",
    docker: "400 `Invalid filter 'all'` (the filter arrived with API 1.42)",
    podman: "500 `failed to parse filters …: \"all\" is an invalid volume filter`"
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
