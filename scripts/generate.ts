/**
 * Generates `src/generated/` from the Engine API swagger `spec/engine-v1.55.yaml`, using `spec/engine-v1.41.yaml`
 * and `spec/engine-version-history.md` (moby's API changelog) for version facts.
 *
 *   node scripts/generate.ts [output-dir]     (default: src/generated)
 *
 * Output:
 * - `schemas.ts`: an Effect Schema and a TypeScript type for every model the operations use.
 * - `operations.ts`: one `Operation.make(...)` description per spec operation, with its input interface; each
 *   declaration states its `Operation.Operation<Input, Response, Status>` type (JSR needs explicit types).
 * - `api.ts`: one function per operation, `call(Operations.X)`, typed `Call<typeof Operations.X>`.
 * - `README.md`: the version facts (operations and parameters newer than API 1.41) and the overrides applied.
 *
 * The output depends only on the three spec files and this script: running it twice gives the same bytes.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

// ---------------------------------------------------------------------------------------------------------------
// Swagger 2.0 shapes (only what the generator reads)
// ---------------------------------------------------------------------------------------------------------------

interface Node {
  readonly $ref?: string
  readonly type?: string
  readonly format?: string
  readonly title?: string
  readonly description?: string
  readonly properties?: Readonly<Record<string, Node>>
  readonly required?: ReadonlyArray<string>
  readonly additionalProperties?: Node | boolean
  readonly items?: Node
  readonly enum?: ReadonlyArray<unknown>
  readonly allOf?: ReadonlyArray<Node>
  readonly "x-nullable"?: boolean
}

interface ParameterNode {
  readonly name: string
  readonly in: "path" | "query" | "header" | "body"
  readonly type?: string
  readonly description?: string
  readonly required?: boolean
  readonly enum?: ReadonlyArray<unknown>
  readonly default?: unknown
  readonly minimum?: number
  readonly items?: Node
  readonly schema?: Node
}

interface ResponseNode {
  readonly description?: string
  readonly schema?: Node
}

interface OperationNode {
  readonly operationId: string
  readonly summary?: string
  readonly description?: string
  readonly tags?: ReadonlyArray<string>
  readonly produces?: ReadonlyArray<string>
  readonly consumes?: ReadonlyArray<string>
  readonly parameters?: ReadonlyArray<ParameterNode>
  readonly responses: Readonly<Record<string, ResponseNode>>
}

interface Spec {
  readonly definitions: Readonly<Record<string, Node>>
  readonly paths: Readonly<Record<string, Readonly<Record<string, OperationNode>>>>
}

const METHODS = ["get", "post", "put", "delete", "head"] as const
type Method = typeof METHODS[number]

// ---------------------------------------------------------------------------------------------------------------
// Hand-kept tables. Every entry must be used by the generator (it fails on a stale entry), and says why it exists.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Definitions renamed between API 1.41 and 1.55 (1.55 name → 1.41 name), so that a 1.55 model is compared with
 * what a 1.41 daemon sends.
 */
const RENAMED_SINCE_1_41: Readonly<Record<string, string>> = {
  PortSummary: "Port",
  DriverData: "GraphDriverData",
  IDResponse: "IdResponse",
  VolumeCreateRequest: "VolumeCreateOptions",
  EndpointResource: "NetworkContainer"
}

/**
 * Fields a real daemon omits or sends as `null` although the spec lists them in `required` (the SDK's JSON parser
 * reads `null` as absent). Keyed by `Model.property` (the generated model's name).
 */
const OPTIONAL_OVERRIDES: Readonly<Record<string, string>> = {
  "ImageSummary.Labels": "Engine 20.10 (API 1.41) sends `\"Labels\": null` for an image without labels",
  "ImageSummary.RepoDigests": "Engine 20.10 (API 1.41) sends `\"RepoDigests\": null` for a locally built image",
  "ImageSummary.RepoTags": "Engine 20.10 (API 1.41) sends `\"RepoTags\": null` for an untagged image",
  "Volume.Labels": "Engine 20.10 (API 1.41) sends `\"Labels\": null` for a volume created without labels",
  "Volume.Options": "Engine 20.10 (API 1.41) sends `\"Options\": null` for a volume created without driver options",
  "ImageHistoryResponseItem.Tags": "Engine 20.10 (API 1.41) sends `\"Tags\": null` for untagged layers",
  ...Object.fromEntries(
    [
      "PluginConfigArgs.Settable",
      "PluginConfigArgs.Value",
      "PluginMount.Settable",
      "PluginMount.Source",
      "PluginMount.Options",
      "PluginDevice.Settable",
      "PluginDevice.Path",
      "PluginEnv.Settable",
      "PluginEnv.Value",
      "PluginSettings.Args",
      "PluginSettings.Devices",
      "PluginSettings.Env",
      "PluginSettings.Mounts",
      "PluginConfig.Entrypoint",
      "PluginConfig.Env",
      "PluginConfig.Mounts",
      "PluginConfigLinux.Capabilities",
      "PluginConfigLinux.Devices",
      "PluginConfigInterface.Types"
    ].map((key) => [
      key,
      "a nil Go slice or pointer without `omitempty` in moby's plugin types, sent as `null` when the plugin's " +
      "config leaves it out (Docker's plugin docs show `docker plugin inspect` output with `\"Settable\": null` and " +
      "`\"Source\": null`); not observed here: installing a plugin needs internet access"
    ])
  )
}

/**
 * Fields v1.55 requires that the v1.41 spec lists without `required` although API 1.41 has them too (the older
 * spec simply did not say so). They stay required. Keyed by `Model.property`.
 */
const REQUIRED_DESPITE_1_41: Readonly<Record<string, string>> = {
  "NetworkCreateResponse.Id": "Engine 20.10 (API 1.41) always sends it (`{\"Id\":…,\"Warning\":\"\"}`)",
  "NetworkCreateResponse.Warning": "Engine 20.10 (API 1.41) always sends it (a Go string without `omitempty`)",
  "NetworkConnectRequest.Container": "a request field: the daemon rejects the request without it at every version",
  "NetworkDisconnectRequest.Container": "a request field: the daemon rejects the request without it at every version"
}

/**
 * Fields neither spec marks `required` that every daemon sends: moby's Go type declares them without `omitempty`
 * (so they are written even when empty) and the daemon always sets them. Required, so that an id read from a list
 * entry passes to the calls that take it without a check. Keyed by `Model.property`. `Network.Id` is not among
 * them although every network list entry has it: the spec's `Network` model also describes a task's
 * `NetworksAttachments[].Network`, where the daemon sends swarm's network (`ID`, not `Id`); the real engine's
 * `TaskList` answer fails to decode with it required.
 */
const REQUIRED_OVERRIDES: Readonly<Record<string, string>> = {
  "ContainerSummary.Id":
    "moby's `container.Summary` (`types.Container` in Engine 20.10) declares `ID string` with the " +
    "tag `json:\"Id\"`, no `omitempty`; Engine 20.10 sends it for every container",
  ...Object.fromEntries(["Node", "Service", "Task", "Secret", "Config"].map((model) => [
    `${model}.ID`,
    `moby's \`swarm.${model}\` declares \`ID string\` with no JSON tag (so no \`omitempty\`); swarm objects always ` +
    "have an id"
  ]))
}

/**
 * Integers without a `format` that can exceed 2^53 (sizes in bytes, resource limits where -1 or RLIM_INFINITY
 * appears as 2^64-1): decoded as `Int64` like the `int64`/`uint64` ones. Keyed by `Model.property`.
 */
const INT64_WITHOUT_FORMAT: Readonly<Record<string, string>> = {
  "BuildCache.Size": "a size in bytes",
  "ProgressDetail.current": "bytes transferred of a layer",
  "ProgressDetail.total": "a layer's size in bytes",
  "ResourcesUlimitsItem.Soft": "an rlimit: unlimited is 2^64-1",
  "ResourcesUlimitsItem.Hard": "an rlimit: unlimited is 2^64-1",
  "TaskSpecContainerSpecUlimitsItem.Soft": "an rlimit: unlimited is 2^64-1",
  "TaskSpecContainerSpecUlimitsItem.Hard": "an rlimit: unlimited is 2^64-1"
}

interface TypeOverride {
  readonly schema: string
  readonly type: string
  readonly refs: ReadonlyArray<string>
  readonly reason: string
}

/** Fields whose spec type does not describe everything a daemon sends. Keyed by `Model.property`. */
const TYPE_OVERRIDES: Readonly<Record<string, TypeOverride>> = {
  "BuildInfo.aux": {
    schema: "Schema.Union([ImageID, Schema.String])",
    type: "ImageID | string",
    refs: ["ImageID"],
    reason: "BuildKit builds send `aux` as a base64 string (with `id: \"moby.buildkit.trace\"`); the classic builder " +
      "sends `{ \"ID\": … }`"
  }
}

/**
 * Enums whose set of values is open-ended: decoded as any string (the documented values stay in the type for
 * completion). Keyed by `Model.property`.
 */
const OPEN_ENUMS: Readonly<Record<string, string>> = {
  "HostConfigLogConfig.Type": "log drivers are extensible: `gcplogs`, `logentries` and plugin drivers (e.g. `loki`) " +
    "are valid too"
}

/** Enum values daemons send that the spec's enum leaves out. Keyed by `Model.property`. */
interface EnumExtra {
  readonly values: ReadonlyArray<string>
  readonly reason: string
}

const ENUM_EXTRA_VALUES: Readonly<Record<string, EnumExtra>> = {
  "Health.Status": {
    values: [""],
    reason: "Podman 4.3.1's Docker-compatible API sends `\"Health\": {\"Status\": \"\", …}` for a container " +
      "without a healthcheck (Docker omits `Health`); the empty string means no healthcheck, as `none` does. The " +
      "other values stay checked: an unknown non-empty status still fails to decode"
  },
  "HostConfig.CgroupnsMode": {
    values: [""],
    reason: "Podman 4.3.1's Docker-compatible API sends `\"CgroupnsMode\": \"\"` when the container was created " +
      "without one (the engine's default applies; Docker fills in `private` or `host`); other values stay checked"
  },
  "ServiceUpdateStatus.State": {
    values: ["rollback_started", "rollback_paused", "rollback_completed"],
    reason: "moby's `swarm.UpdateState` (api/types/swarm/service.go) also has the rollback states, sent while a " +
      "failed update is rolled back"
  }
}

interface ExtraField {
  readonly name: string
  readonly schema: string
  readonly type: string
  readonly description: string
}

/** Fields every daemon sends that the spec leaves out. Keyed by model; each field is optional. */
const EXTRA_FIELDS: Readonly<Record<string, ReadonlyArray<ExtraField>>> = {
  PushImageInfo: [
    {
      name: "id",
      schema: "Schema.String",
      type: "string",
      description: "The layer the progress message is about (sent by daemons, not listed by the spec)."
    },
    {
      name: "aux",
      schema: [
        "Schema.Struct({",
        "    Tag: Schema.optionalKey(Schema.String),",
        "    Digest: Schema.optionalKey(Schema.String),",
        "    Size: Schema.optionalKey(Int64)",
        "  })"
      ].join("\n"),
      type: "{ readonly Tag?: string; readonly Digest?: string; readonly Size?: Int64 }",
      description: "The pushed manifest, in the last message of a successful push (sent by daemons, not listed " +
        "by the spec)."
    }
  ]
}

/** Operations whose answer is a newline-delimited JSON stream, with the model of one item. */
const JSON_STREAMS: Readonly<Record<string, { readonly item: string; readonly note: string }>> = {
  ImageCreate: { item: "CreateImageInfo", note: "pull/import progress messages" },
  ImagePush: { item: "PushImageInfo", note: "push progress messages" },
  ImageBuild: { item: "BuildInfo", note: "build output and progress messages" },
  ImageLoad: {
    item: "BuildInfo",
    note: "load progress messages (`stream` holds lines such as `Loaded image: …`; the spec names no model)"
  },
  SystemEvents: { item: "EventMessage", note: "one event per line until the request ends" },
  ContainerStats: {
    item: "ContainerStatsResponse",
    note: "one sample per second; with `stream: false` (or `one-shot`) the daemon sends a single sample, which " +
      "is a one-item stream"
  },
  PluginPull: { item: "CreateImageInfo", note: "pull progress messages (the spec documents only the status)" },
  PluginUpgrade: { item: "CreateImageInfo", note: "pull progress messages (the spec documents only the status)" },
  PluginPush: { item: "PushImageInfo", note: "push progress messages (the spec documents only the status)" }
}

/** Operations whose answer is not decoded JSON, and why. */
const OTHER_KINDS: Readonly<Record<string, { readonly kind: string; readonly note: string }>> = {
  ContainerLogs: { kind: "Multiplexed", note: "stdout/stderr frames (raw bytes when the container has a TTY)" },
  ServiceLogs: { kind: "Multiplexed", note: "stdout/stderr frames (raw bytes when the service has a TTY)" },
  TaskLogs: { kind: "Multiplexed", note: "stdout/stderr frames (raw bytes when the task has a TTY)" },
  ContainerAttach: { kind: "Hijack", note: "the connection is hijacked for the container's stdio" },
  ExecStart: { kind: "Hijack", note: "the connection is hijacked for the process's stdio (unless `Detach`)" },
  ContainerAttachWebsocket: {
    kind: "Hijack",
    note: "a WebSocket upgrade, not a raw hijack: the transport has to speak WebSocket for this operation"
  },
  Session: { kind: "Hijack:h2c", note: "the connection is upgraded to h2c for BuildKit's session protocol" },
  ContainerExport: { kind: "Bytes:application/x-tar", note: "the container's filesystem as a tar archive" },
  ContainerArchive: { kind: "Bytes:application/x-tar", note: "the path's content as a tar archive" },
  ImageGet: { kind: "Bytes:application/x-tar", note: "the image as a tar archive (`docker save`)" },
  ImageGetAll: { kind: "Bytes:application/x-tar", note: "the images as one tar archive (`docker save`)" },
  SystemPing: { kind: "Text", note: "the body is `OK`" },
  SystemPingHead: { kind: "Text", note: "a HEAD request: the body is empty" },
  ContainerArchiveInfo: {
    kind: "Headers",
    note: "the path's stat is sent in the `X-Docker-Container-Path-Stat` header (base64 JSON), not in the body"
  },
  SystemAuth: { kind: "Json", note: "the spec also lists 204; daemons answer 200 with an `AuthResponse`" },
  PluginDelete: {
    kind: "Empty",
    note: "daemons answer 200 with an empty body (Engine 20.10 and later), not the `Plugin` the spec documents"
  },
  ContainerWait: {
    kind: "Json",
    note: "the daemon sends the status at once and the body, one JSON object, when the condition is met: the call " +
      "completes then"
  }
}

/**
 * Operations with an optional JSON body that send `{}` when the caller gives none, because a daemon refuses the
 * empty body; each entry says which daemon and why `{}` means the same as no body on Docker.
 */
const EMPTY_BODY_WHEN_ABSENT: Readonly<Record<string, string>> = {
  ImageCommit: "Podman 4.3.1 answers 500 `Decode(): EOF` to a commit without a body; Docker 20.10 reads no body as " +
    "no config and `{}` as an empty one, which it merges with the container's config: the committed image's " +
    "config is the same either way (checked on Engine 20.10: `Env`, `Cmd`, `WorkingDir`, `Labels` identical)"
}

/**
 * Operations whose answer some daemon sends in another shape than Docker Engine: the parsed JSON goes through a
 * normalizer of `src/internal/daemonCompat.ts` before it is decoded (Docker's answers pass unchanged). Each entry
 * names the normalizer and the daemon.
 */
const RESPONSE_NORMALIZERS: Readonly<Record<string, { readonly normalizer: string; readonly reason: string }>> = {
  ContainerStats: {
    normalizer: "statsId",
    reason: "Podman 4.3.1 sends the container id as `Id`, not `id` (Go clients read either: Go's JSON decoding " +
      "matches keys case-insensitively)"
  },
  ContainerTop: {
    normalizer: "topColumns",
    reason: "Podman 4.3.1 sends `ps` lines whole (`Titles: [\"PID   USER     COMMAND\"]`, one string per process), " +
      "not split into the documented columns"
  },
  ImageCommit: {
    normalizer: "imageIds",
    reason: "Podman 4.3.1 answers with the bare hex image id; Docker, and Podman's own image inspection, write " +
      "`sha256:<hex>`"
  },
  ImageHistory: {
    normalizer: "imageIds",
    reason: "Podman 4.3.1 sends the layers' image ids as bare hex; Docker, and Podman's own image inspection, " +
      "write `sha256:<hex>`"
  }
}

/**
 * Operations whose JSON answer the spec misdescribes, with the schema daemons really send (inline Schema code and
 * its type).
 */
const RESPONSE_OVERRIDES: Readonly<
  Record<string, { readonly schema: string; readonly type: string; readonly note: string }>
> = {
  SecretCreate: {
    schema: "CreatedId",
    type: "Schemas.IDResponse",
    note: "daemons answer `{\"ID\": …}` (moby's `SecretCreateResponse`), not the spec's `IDResponse` with " +
      "`Id`; both decode to `{ Id }`"
  },
  ConfigCreate: {
    schema: "CreatedId",
    type: "Schemas.IDResponse",
    note: "daemons answer `{\"ID\": …}` (moby's `ConfigCreateResponse`), not the spec's `IDResponse` with " +
      "`Id`; both decode to `{ Id }`"
  }
}

/**
 * String parameters the spec describes as JSON-encoded: sent with the `json` style (a string passes unchanged,
 * any other value is JSON-encoded), with the input type of the decoded value.
 */
const JSON_PARAMS: Readonly<Record<string, { readonly type: string; readonly refs?: ReadonlyArray<string> }>> = {
  "ImageBuild.cachefrom": { type: "ReadonlyArray<string>" },
  "ImageBuild.buildargs": { type: "{ readonly [name: string]: string }" },
  "ImageBuild.labels": { type: "{ readonly [name: string]: string }" },
  "ImageBuild.outputs": {
    type: "ReadonlyArray<{\n    readonly Type: string\n    readonly Attrs?: { readonly [name: string]: string }\n  }>"
  },
  "ImageInspect.platform": { type: "Schemas.OCIPlatform", refs: ["OCIPlatform"] },
  "ImageHistory.platform": { type: "Schemas.OCIPlatform", refs: ["OCIPlatform"] },
  "ImagePush.platform": { type: "Schemas.OCIPlatform", refs: ["OCIPlatform"] }
}

/**
 * Array parameters whose elements the spec describes as JSON-encoded (one query key per element): sent with the
 * `jsonArray` style (a string element passes unchanged, any other is JSON-encoded).
 */
const JSON_ARRAY_PARAMS: ReadonlySet<string> = new Set([
  "ImageGet.platform",
  "ImageGetAll.platform",
  "ImageLoad.platform",
  "ImageAttestations.platform",
  "ImageDelete.platforms"
])

/** Content types of byte request bodies where the spec's `consumes` is not what the daemon reads. */
const BODY_CONTENT_TYPES: Readonly<Record<string, string>> = {
  ImageBuild: "application/x-tar"
}

/**
 * `since` facts the generator cannot read from the changelog on its own (the changelog names the endpoint with a
 * typo, or names a sibling endpoint that shares the handler). Each was checked by hand in
 * spec/engine-version-history.md.
 */
const SINCE_BY_HAND: Readonly<Record<string, { readonly since: string; readonly evidence: string }>> = {
  VolumeUpdate: { since: "1.42", evidence: "v1.42: \"Added a new `PUT /volumes{name}` endpoint\" (sic)" },
  "ImageLoad.platform": {
    since: "1.48",
    evidence: "v1.48: \"`POST /images/{name}/load` and `GET /images/{name}/get` now support a `platform` parameter\" " +
      "(the load endpoint is `POST /images/load`)"
  },
  "ImageGetAll.platform": {
    since: "1.48",
    evidence: "v1.48: \"`GET /images/{name}/get` now support[s] a `platform` parameter\"; `GET /images/get` is " +
      "served by the same handler"
  }
}

/**
 * Parameters newer than API 1.41 that are left out (instead of failing) when the daemon is older, because the
 * API documents that leaving them out only changes what extra data comes back, or that older daemons ignore them.
 */
const DROP_WHEN_UNSUPPORTED: Readonly<Record<string, string>> = {
  "ImageList.shared-size": "only asks for the `SharedSize` field to be computed; older daemons send -1 instead",
  "ImageList.manifests": "only asks for the `Manifests` field; older daemons do not send it",
  "ImageList.identity": "only asks for `Identity` in manifest summaries; older daemons do not send it",
  "ImageInspect.manifests": "only asks for the `Manifests` field; older daemons do not send it",
  "SystemDataUsage.type": "only narrows which object types are computed; older daemons compute and send all of them",
  "SystemDataUsage.verbose": "only asks for detailed usage; older daemons send their (legacy) detailed answer anyway",
  "ContainerAttachWebsocket.stdin": "the changelog (v1.42) says API versions before 1.42 ignore it and attach all " +
    "streams",
  "ContainerAttachWebsocket.stdout": "the changelog (v1.42) says API versions before 1.42 ignore it and attach all " +
    "streams",
  "ContainerAttachWebsocket.stderr": "the changelog (v1.42) says API versions before 1.42 ignore it and attach all " +
    "streams"
}

/**
 * Path parameters that are references and keep their `/`s, by the route prefix that holds them. The daemon routes
 * them with `{name:.*}` (moby `api/server/router/image/image.go`: `/images/{name:.*}/json`, `…/history`, `…/get`,
 * `…/push`, `…/tag`, `DELETE /images/{name:.*}`; `router/plugin/plugin.go`: `/plugins/{name:.*}/…`;
 * `router/distribution/distribution.go`: `/distribution/{name:.*}/json`) and a reference such as
 * `127.0.0.1:5000/team/app:1` has slashes. Every other path parameter is one path segment: the ids and names of
 * containers, execs, networks, volumes, nodes, services, tasks, secrets and configs never hold a `/`.
 */
const REFERENCE_ROUTES: Readonly<Record<string, string>> = {
  "/images/{name}": "an image reference (`[registry[:port]/]repository[:tag|@digest]`) or id",
  "/plugins/{name}": "a plugin reference (`[registry[:port]/]repository[:tag]`) or id",
  "/distribution/{name}": "an image reference"
}

/**
 * Lower bounds of integer parameters that the spec gives no `minimum` for, from how the daemon reads them
 * (moby parses these with `strconv.ParseUint`, so a negative value is always refused).
 */
const PARAM_MINIMUMS: Readonly<Record<string, { readonly minimum: number; readonly why: string }>> = {
  "ContainerResize.h": { minimum: 0, why: "a TTY height: moby reads it with `strconv.ParseUint(h, 10, 32)`" },
  "ContainerResize.w": { minimum: 0, why: "a TTY width: moby reads it with `strconv.ParseUint(w, 10, 32)`" },
  "ExecResize.h": { minimum: 0, why: "a TTY height: moby reads it with `strconv.ParseUint(h, 10, 32)`" },
  "ExecResize.w": { minimum: 0, why: "a TTY width: moby reads it with `strconv.ParseUint(w, 10, 32)`" },
  "SwarmUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" },
  "ServiceUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" },
  "NodeUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" },
  "SecretUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" },
  "ConfigUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" },
  "VolumeUpdate.version": { minimum: 0, why: "a swarm object version: moby reads it with `strconv.ParseUint`" }
}

/**
 * `integer` parameters that the daemon reads as `seconds[.nanoseconds]` (moby's `timetypes.ParseTimestamps`), so a
 * fraction of a second is meaningful: they are sent with the `number` style (any finite number, no exponent).
 */
const FRACTIONAL_SECONDS: Readonly<Record<string, string>> = {
  "ContainerLogs.since": "a UNIX time; the daemon keeps the fraction (`Containers.logs` sends a `Date` to the ms)",
  "ContainerLogs.until": "a UNIX time; the daemon keeps the fraction (`Containers.logs` sends a `Date` to the ms)",
  "ServiceLogs.since": "a UNIX time; the daemon keeps the fraction",
  "TaskLogs.since": "a UNIX time; the daemon keeps the fraction"
}

/** Inputs for the examples of `api.ts`, for operations with required inputs. */
const EXAMPLE_INPUTS: Readonly<Record<string, string>> = {
  ContainerCreate: "{ name: \"web\", body: { Image: \"busybox:latest\", Cmd: [\"sleep\", \"60\"] } }",
  ContainerUpdate: "{ id: \"web\", body: { Memory: 64 * 1024 * 1024 } }",
  PutContainerArchive: "{ id: \"web\", path: \"/tmp\", body: new Uint8Array(1024) }",
  ContainerExec: "{ id: \"web\", body: { Cmd: [\"ls\"], AttachStdout: true } }",
  VolumeCreate: "{ body: { Name: \"data\" } }",
  NetworkCreate: "{ body: { Name: \"backend\" } }",
  NetworkConnect: "{ id: \"backend\", body: { Container: \"web\" } }",
  NetworkDisconnect: "{ id: \"backend\", body: { Container: \"web\" } }",
  SwarmInit: "{ body: { ListenAddr: \"127.0.0.1:2377\", AdvertiseAddr: \"127.0.0.1\" } }",
  SwarmJoin: "{ body: { ListenAddr: \"0.0.0.0:2377\", RemoteAddrs: [\"10.0.0.1:2377\"], JoinToken: \"SWMTKN-1-…\" } }",
  SwarmUpdate: "{ version: 10, body: { Name: \"default\" } }",
  SwarmUnlock: "{ body: { UnlockKey: \"SWMKEY-1-…\" } }",
  ServiceCreate: "{ body: { Name: \"web\", TaskTemplate: { ContainerSpec: { Image: \"busybox:latest\" } } } }",
  ServiceUpdate: "{ id: \"web\", version: 12, body: { TaskTemplate: { ContainerSpec: { Image: \"busybox:1\" } } } }",
  VolumeUpdate: "{ name: \"data\", version: 3, body: {} }",
  NodeUpdate: "{ id: \"node-id\", version: 8, body: { Availability: \"drain\" } }",
  SecretUpdate: "{ id: \"secret-id\", version: 4, body: { Name: \"app-key\" } }",
  ConfigUpdate: "{ id: \"config-id\", version: 4, body: { Name: \"app-config\" } }"
}

const PATH_EXAMPLES: Readonly<Record<string, string>> = {
  Container: "web",
  Exec: "exec-id",
  Image: "busybox:latest",
  Network: "backend",
  Volume: "data",
  Plugin: "vieux/sshfs:latest",
  Node: "node-id",
  Service: "web",
  Task: "task-id",
  Secret: "secret-id",
  Config: "config-id",
  Distribution: "busybox:latest"
}

// ---------------------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------------------

type Model =
  | { readonly _tag: "Ref"; readonly name: string }
  | { readonly _tag: "String" }
  | { readonly _tag: "Boolean" }
  | { readonly _tag: "Number" }
  | { readonly _tag: "Int64" }
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "EmptyObject" }
  | { readonly _tag: "Literals"; readonly values: ReadonlyArray<string | number | boolean> }
  | { readonly _tag: "Array"; readonly item: Model; readonly nullableItems: boolean }
  | { readonly _tag: "Record"; readonly value: Model }
  | { readonly _tag: "Raw"; readonly schema: string; readonly type: string; readonly refs: ReadonlyArray<string> }

interface Field {
  readonly name: string
  readonly model: Model
  readonly optional: boolean
  readonly description: string | undefined
  /** Set for fields API 1.41 sends that v1.55 no longer documents. */
  readonly legacy: boolean
}

interface ObjectModel {
  readonly _tag: "Object"
  readonly extends: ReadonlyArray<string>
  readonly fields: ReadonlyArray<Field>
}

interface Named {
  readonly name: string
  readonly description: string | undefined
  readonly model: Model | ObjectModel
  /** Top-level arrays the daemon may send as `null`. */
  readonly nullableArray: boolean
}

interface PropInfo {
  readonly node: Node
  readonly required: boolean
}

const refName = (ref: string): string => {
  const prefix = "#/definitions/"
  if (!ref.startsWith(prefix)) throw new Error(`unsupported $ref ${ref}`)
  return ref.slice(prefix.length)
}

const pascal = (name: string): string =>
  name.split(/[^A-Za-z0-9]+/).filter((part) => part.length > 0).map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("")

const lowerCamel = (name: string): string => name[0]!.toLowerCase() + name.slice(1)

const isObjectLike = (node: Node): boolean => node.properties !== undefined || node.allOf !== undefined

const isSafeIdentifier = (name: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)

const propertyKey = (name: string): string => isSafeIdentifier(name) ? name : JSON.stringify(name)

class Generator {
  readonly named = new Map<string, Named>()
  readonly building = new Set<string>()
  /** 1.55 definition name → the node a 1.41 daemon answers with at the same place. */
  readonly companions = new Map<string, Node>()
  readonly used = new Set<string>()
  readonly legacyNotes: Array<string> = []
  /** Fields v1.55 requires that API 1.41 does not send or does not require. */
  readonly optionalSince141: Array<string> = []

  readonly spec: Spec
  readonly old: Spec

  constructor(spec: Spec, old: Spec) {
    this.spec = spec
    this.old = old
    this.discoverCompanions()
  }

  use(table: string, key: string): void {
    this.used.add(`${table}:${key}`)
  }

  resolve(node: Node, spec: Spec): Node {
    let current = node
    while (current.$ref !== undefined) {
      const target = spec.definitions[refName(current.$ref)]
      if (target === undefined) throw new Error(`unknown $ref ${current.$ref}`)
      current = target
    }
    return current
  }

  /** All properties of an object node, through `allOf`, each with whether its own part requires it. */
  mergedProps(node: Node, spec: Spec): Map<string, PropInfo> {
    const out = new Map<string, PropInfo>()
    const visit = (n: Node) => {
      const resolved = this.resolve(n, spec)
      for (const part of resolved.allOf ?? []) visit(part)
      const required = new Set(resolved.required ?? [])
      for (const [name, prop] of Object.entries(resolved.properties ?? {})) {
        out.set(name, { node: prop, required: required.has(name) })
      }
    }
    visit(node)
    return out
  }

  // -- companions: what API 1.41 sends where v1.55 names a model ------------------------------------------------

  discoverCompanions(): void {
    for (const name of Object.keys(this.spec.definitions)) {
      const oldName = RENAMED_SINCE_1_41[name] ?? name
      const oldNode = this.old.definitions[oldName]
      if (oldNode !== undefined) this.companions.set(name, oldNode)
    }
    const queue: Array<[Node, Node]> = []
    for (const [path, item] of Object.entries(this.spec.paths)) {
      for (const method of METHODS) {
        const op = item[method]
        const oldOp = this.old.paths[path]?.[method]
        if (op === undefined || oldOp === undefined) continue
        for (const [status, response] of Object.entries(op.responses)) {
          const oldSchema = oldOp.responses[status]?.schema
          if (response.schema !== undefined && oldSchema !== undefined) queue.push([response.schema, oldSchema])
        }
        const body = op.parameters?.find((p) => p.in === "body")
        const oldBody = oldOp.parameters?.find((p) => p.in === "body")
        if (body?.schema !== undefined && oldBody?.schema !== undefined) queue.push([body.schema, oldBody.schema])
      }
    }
    for (const [name, node] of this.companions) queue.push([this.spec.definitions[name]!, node])
    const seen = new Set<string>()
    while (queue.length > 0) {
      const [current, oldCurrent] = queue.shift()!
      if (current.$ref !== undefined) {
        const name = refName(current.$ref)
        const resolvedOld = this.resolve(oldCurrent, this.old)
        if (!this.companions.has(name)) this.companions.set(name, resolvedOld)
        if (seen.has(name)) continue
        seen.add(name)
        queue.push([this.spec.definitions[name]!, this.companions.get(name)!])
        continue
      }
      const resolvedOld = this.resolve(oldCurrent, this.old)
      if (current.items !== undefined && resolvedOld.items !== undefined) queue.push([current.items, resolvedOld.items])
      if (typeof current.additionalProperties === "object" && typeof resolvedOld.additionalProperties === "object") {
        queue.push([current.additionalProperties, resolvedOld.additionalProperties])
      }
      if (isObjectLike(current)) {
        const oldProps = this.mergedProps(resolvedOld, this.old)
        for (const part of current.allOf ?? []) if (part.$ref === undefined) queue.push([part, resolvedOld])
        for (const [prop, node] of Object.entries(current.properties ?? {})) {
          const oldProp = oldProps.get(prop)
          if (oldProp !== undefined) queue.push([node, oldProp.node])
        }
      }
    }
  }

  // -- naming ---------------------------------------------------------------------------------------------------

  freshName(wanted: string): string {
    if (!this.named.has(wanted) && !this.building.has(wanted) && this.spec.definitions[wanted] === undefined) {
      return wanted
    }
    throw new Error(`generated model name ${wanted} collides with another model`)
  }

  // -- models ---------------------------------------------------------------------------------------------------

  /** Ensures the definition `name` of v1.55 is built, and returns a reference to it. */
  definition(name: string): Model {
    if (!this.named.has(name) && !this.building.has(name)) {
      const node = this.spec.definitions[name]
      if (node === undefined) throw new Error(`unknown definition ${name}`)
      this.building.add(name)
      const named = this.build(name, node, this.companions.get(name), this.spec)
      this.building.delete(name)
      this.named.set(name, named)
    }
    return { _tag: "Ref", name }
  }

  /** A reference met in a v1.41 node (a legacy field): the v1.55 definition of the same model. */
  oldDefinition(oldName: string): Model {
    const renamed = Object.entries(RENAMED_SINCE_1_41).find(([, old]) => old === oldName)?.[0]
    const name = renamed ?? oldName
    if (this.spec.definitions[name] === undefined) throw new Error(`legacy field refers to ${oldName}, gone in v1.55`)
    return this.definition(name)
  }

  build(name: string, node: Node, companion: Node | undefined, spec: Spec): Named {
    const description = node.description
    if (isObjectLike(node)) {
      return { name, description, model: this.objectModel(name, node, companion, spec), nullableArray: false }
    }
    return { name, description, model: this.model(node, companion, name, spec, name), nullableArray: false }
  }

  objectModel(name: string, node: Node, companion: Node | undefined, spec: Spec): ObjectModel {
    const parents: Array<string> = []
    const own = new Map<string, PropInfo>()
    const collect = (n: Node) => {
      for (const part of n.allOf ?? []) {
        if (part.$ref !== undefined) {
          const target = refName(part.$ref)
          const resolved = this.resolve(part, spec)
          if (spec === this.spec && isObjectLike(resolved)) {
            parents.push(target)
            continue
          }
          collect(resolved)
          continue
        }
        collect(part)
      }
      const required = new Set(n.required ?? [])
      for (const [prop, propNode] of Object.entries(n.properties ?? {})) {
        own.set(prop, { node: propNode, required: required.has(prop) })
      }
    }
    collect(node)
    const parentFields = new Map<string, Field>()
    for (const parent of parents) {
      this.definition(parent)
      for (const field of this.allFields(parent)) parentFields.set(field.name, field)
    }
    let extendsList = parents
    if ([...own.keys()].some((prop) => parentFields.has(prop))) {
      // a property redeclared over a parent's: flatten instead of `extends`
      for (const parent of parents) {
        for (const [prop, info] of this.mergedProps(this.spec.definitions[parent]!, spec)) {
          if (!own.has(prop)) own.set(prop, info)
        }
      }
      extendsList = []
      parentFields.clear()
    }
    const oldProps = companion === undefined ? undefined : this.mergedProps(companion, this.old)
    const fields: Array<Field> = []
    for (const [prop, info] of own) {
      const key = `${name}.${prop}`
      const oldProp = oldProps?.get(prop)
      const override = TYPE_OVERRIDES[key]
      let model: Model
      if (override !== undefined) {
        this.use("TYPE_OVERRIDES", key)
        for (const ref of override.refs) this.definition(ref)
        model = { _tag: "Raw", schema: override.schema, type: override.type, refs: override.refs }
      } else {
        model = this.model(info.node, oldProp?.node, name + pascal(prop), spec, key)
      }
      const extraValues = ENUM_EXTRA_VALUES[key]
      if (extraValues !== undefined) {
        this.use("ENUM_EXTRA_VALUES", key)
        if (model._tag !== "Literals") throw new Error(`ENUM_EXTRA_VALUES.${key}: not an enum`)
        const known = model.values
        if (extraValues.values.some((v) => known.includes(v))) throw new Error(`ENUM_EXTRA_VALUES.${key}: in the spec`)
        model = { _tag: "Literals", values: [...known, ...extraValues.values] }
      }
      if (OPEN_ENUMS[key] !== undefined) {
        this.use("OPEN_ENUMS", key)
        if (model._tag !== "Literals") throw new Error(`OPEN_ENUMS.${key}: not an enum`)
        const members = [...model.values.map(literal), "(string & {})"]
        const flat = members.join(" | ")
        const type = flat.length + 40 <= MAX_WIDTH ? flat : "\n" + members.map((m) => `    | ${m}`).join("\n")
        model = { _tag: "Raw", schema: "Schema.String", type, refs: [] }
      }
      let optional = !info.required || info.node["x-nullable"] === true || this.nullableRef(info.node, spec)
      if (!optional && oldProps !== undefined && oldProp?.required !== true) {
        if (REQUIRED_DESPITE_1_41[key] !== undefined) {
          this.use("REQUIRED_DESPITE_1_41", key)
        } else {
          optional = true
          this.optionalSince141.push(key)
        }
      }
      if (REQUIRED_OVERRIDES[key] !== undefined) {
        this.use("REQUIRED_OVERRIDES", key)
        if (info.required) throw new Error(`REQUIRED_OVERRIDES.${key}: the spec requires the field already`)
        optional = false
      }
      if (OPTIONAL_OVERRIDES[key] !== undefined) {
        this.use("OPTIONAL_OVERRIDES", key)
        if (optional) throw new Error(`OPTIONAL_OVERRIDES.${key}: the field is optional already`)
        optional = true
      }
      fields.push({ name: prop, model, optional, description: info.node.description, legacy: false })
    }
    const extra = EXTRA_FIELDS[name]
    if (extra !== undefined) {
      this.use("EXTRA_FIELDS", name)
      for (const field of extra) {
        if (own.has(field.name)) throw new Error(`EXTRA_FIELDS.${name}.${field.name}: the spec has it now`)
        const model: Model = { _tag: "Raw", schema: field.schema, type: field.type, refs: [] }
        fields.push({ name: field.name, model, optional: true, description: field.description, legacy: false })
        own.set(field.name, { node: {}, required: false })
      }
    }
    if (oldProps !== undefined) {
      for (const [prop, info] of oldProps) {
        if (own.has(prop) || parentFields.has(prop)) continue
        const model = this.legacyModel(info.node, `${name}${pascal(prop)}`)
        this.legacyNotes.push(`${name}.${prop}`)
        fields.push({ name: prop, model, optional: true, description: info.node.description, legacy: true })
      }
    }
    return { _tag: "Object", extends: extendsList, fields }
  }

  nullableRef(node: Node, spec: Spec): boolean {
    return node.$ref !== undefined && this.resolve(node, spec)["x-nullable"] === true
  }

  /** The model of a node met only in the v1.41 spec (a field that v1.55 removed). */
  legacyModel(node: Node, hint: string): Model {
    if (node.$ref !== undefined) return this.oldDefinition(refName(node.$ref))
    if (isObjectLike(node)) {
      const name = this.freshName(hint)
      this.building.add(name)
      const named = this.build(name, node, undefined, this.old)
      this.building.delete(name)
      this.named.set(name, named)
      return { _tag: "Ref", name }
    }
    return this.model(node, undefined, hint, this.old, hint)
  }

  model(node: Node, companion: Node | undefined, hint: string, spec: Spec, key: string): Model {
    if (node.$ref !== undefined) {
      return spec === this.spec ? this.definition(refName(node.$ref)) : this.oldDefinition(refName(node.$ref))
    }
    const old = companion === undefined ? undefined : this.resolve(companion, this.old)
    if (isObjectLike(node)) {
      const single = node.allOf?.length === 1 && node.properties === undefined ? node.allOf[0]! : undefined
      if (single?.$ref !== undefined) return this.model(single, companion, hint, spec, key)
      const name = this.freshName(node.title !== undefined && this.isFree(node.title) ? node.title : hint)
      this.building.add(name)
      const named = this.build(name, node, old, spec)
      this.building.delete(name)
      this.named.set(name, named)
      return { _tag: "Ref", name }
    }
    if (node.enum !== undefined) {
      if (node.type === "object") return { _tag: "EmptyObject" }
      const values = [...node.enum] as Array<string | number | boolean>
      for (const value of old?.enum ?? []) {
        if (!values.includes(value as string)) values.push(value as string)
      }
      for (const value of values) {
        if (!["string", "number", "boolean"].includes(typeof value)) throw new Error(`unsupported enum at ${key}`)
      }
      return { _tag: "Literals", values }
    }
    switch (node.type) {
      case "string":
        return { _tag: "String" }
      case "boolean":
        return { _tag: "Boolean" }
      case "number":
        return { _tag: "Number" }
      case "integer": {
        if (node.format === "int64" || node.format === "uint64") return { _tag: "Int64" }
        if (INT64_WITHOUT_FORMAT[key] !== undefined) {
          this.use("INT64_WITHOUT_FORMAT", key)
          return { _tag: "Int64" }
        }
        return { _tag: "Number" }
      }
      case "array": {
        if (node.items === undefined) return { _tag: "Array", item: { _tag: "Unknown" }, nullableItems: false }
        const item = this.model(node.items, old?.items, `${hint}Item`, spec, `${key}[]`)
        return { _tag: "Array", item, nullableItems: node.items["x-nullable"] === true }
      }
      case "object":
      case undefined: {
        const additional = node.additionalProperties
        if (typeof additional === "object" && Object.keys(additional).length > 0) {
          const oldAdditional = typeof old?.additionalProperties === "object" ? old.additionalProperties : undefined
          return { _tag: "Record", value: this.model(additional, oldAdditional, `${hint}Value`, spec, `${key}{}`) }
        }
        if (node.type === "object" || additional !== undefined) {
          return { _tag: "Record", value: { _tag: "Unknown" } }
        }
        return { _tag: "Unknown" }
      }
      default:
        throw new Error(`unsupported type ${node.type} at ${key}`)
    }
  }

  isFree(name: string): boolean {
    return !this.named.has(name) && !this.building.has(name) && this.spec.definitions[name] === undefined
  }

  allFields(name: string): ReadonlyArray<Field> {
    const named = this.named.get(name)
    if (named === undefined || named.model._tag !== "Object") return []
    return [...named.model.extends.flatMap((parent) => this.allFields(parent)), ...named.model.fields]
  }

  /** A named model for a response or body schema that is not a plain reference. */
  hoist(name: string, node: Node, companion: Node | undefined, nullableArray: boolean): string {
    if (node.$ref !== undefined) {
      const ref = this.definition(refName(node.$ref))
      return (ref as { readonly name: string }).name
    }
    const model = this.model(node, companion, name, this.spec, name)
    if (model._tag === "Ref") return model.name
    const fresh = this.freshName(name)
    this.named.set(fresh, { name: fresh, description: node.description, model, nullableArray })
    return fresh
  }

  checkTablesUsed(): void {
    const tables: Record<string, Readonly<Record<string, unknown>>> = {
      OPTIONAL_OVERRIDES,
      REQUIRED_OVERRIDES,
      INT64_WITHOUT_FORMAT,
      TYPE_OVERRIDES,
      EXTRA_FIELDS,
      OPEN_ENUMS,
      ENUM_EXTRA_VALUES,
      REQUIRED_DESPITE_1_41
    }
    for (const [table, entries] of Object.entries(tables)) {
      for (const key of Object.keys(entries)) {
        if (!this.used.has(`${table}:${key}`)) throw new Error(`${table}.${key} is not used: remove it`)
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering helpers
// ---------------------------------------------------------------------------------------------------------------

const MAX_WIDTH = 120
const HEADER = "// Generated by scripts/generate.ts from spec/engine-v1.55.yaml. Do not edit."

const docComment = (indent: string, paragraphs: ReadonlyArray<string | undefined>): Array<string> => {
  const text = paragraphs.filter((p): p is string => p !== undefined && p.trim().length > 0).map((p) => p.trim())
    .join("\n\n")
  if (text.length === 0) return []
  const lines = text.replaceAll("*/", "*\\/").split("\n").map((line) => line.trimEnd())
  if (lines.length === 1 && indent.length + lines[0]!.length + 7 <= MAX_WIDTH) return [`${indent}/** ${lines[0]} */`]
  const body = lines.map((line) => line.length === 0 ? `${indent} *` : `${indent} * ${line}`)
  return [`${indent}/**`, ...body, `${indent} */`]
}

const literal = (value: string | number | boolean): string =>
  typeof value === "string" ? JSON.stringify(value) : String(value)

class Renderer {
  readonly generator: Generator
  readonly emitted: Set<string>

  constructor(generator: Generator, emitted: Set<string>) {
    this.generator = generator
    this.emitted = emitted
  }

  /** The TypeScript type of a model; a literal union that does not fit in `room` columns spans several lines. */
  typeOf(model: Model, indent: string, room = MAX_WIDTH): string {
    switch (model._tag) {
      case "Ref":
        return model.name
      case "String":
        return "string"
      case "Boolean":
        return "boolean"
      case "Number":
        return "number"
      case "Int64":
        return "Int64"
      case "Unknown":
        return "unknown"
      case "EmptyObject":
        return "{}"
      case "Raw":
        return model.type
      case "Literals": {
        const flat = model.values.map(literal).join(" | ")
        if (flat.length <= room) return flat
        return "\n" + model.values.map((value) => `${indent}  | ${literal(value)}`).join("\n")
      }
      case "Array": {
        const item = this.typeOf(model.item, indent)
        return `ReadonlyArray<${model.nullableItems ? `${item} | null` : item}>`
      }
      case "Record":
        return `{ readonly [key: string]: ${this.typeOf(model.value, indent)} }`
    }
  }

  /** The Schema of a model, written at column `used` of a line indented by `indent`. */
  schemaOf(model: Model, indent: string, used: number): string {
    switch (model._tag) {
      case "Ref":
        return this.emitted.has(model.name)
          ? model.name
          : `Schema.suspend((): Schema.Codec<${model.name}> => ${model.name})`
      case "String":
        return "Schema.String"
      case "Boolean":
        return "Schema.Boolean"
      case "Number":
        return "Schema.Number"
      case "Int64":
        return "Int64"
      case "Unknown":
        return "Schema.Unknown"
      case "EmptyObject":
        return "Schema.Struct({})"
      case "Raw":
        return model.schema
      case "Literals": {
        const flat = `Schema.Literals([${model.values.map(literal).join(", ")}])`
        if (used + flat.length <= MAX_WIDTH) return flat
        return `Schema.Literals([\n${model.values.map((v) => `${indent}  ${literal(v)}`).join(",\n")}\n${indent}])`
      }
      case "Array": {
        if (model.nullableItems) {
          return `Schema.Array(Schema.NullOr(${this.schemaOf(model.item, indent, used + 27)}))`
        }
        return `Schema.Array(${this.schemaOf(model.item, indent, used + 14)})`
      }
      case "Record":
        return `Schema.Record(Schema.String, ${this.schemaOf(model.value, indent, used + 30)})`
    }
  }

  fieldDoc(field: Field): Array<string> {
    const legacy = field.legacy
      ? "Sent by older daemons (API 1.41); no longer documented by API 1.55, where newer daemons may omit it."
      : undefined
    return docComment("  ", [field.description, legacy])
  }

  named(named: Named): Array<string> {
    const { name, model } = named
    const lines: Array<string> = []
    const modelDoc = docComment("", [named.description ?? `The \`${name}\` model.`, "@since 0.1.0\n@category models"])
    const schemaExample = [
      "@example",
      "```ts",
      "import { Schema } from \"effect\"",
      "import { Models } from \"effect-docker\"",
      `const decode${name} = Schema.decodeUnknownSync(Models.${name})`,
      "```"
    ].join("\n")
    const schemaDoc = docComment("", [
      `The schema of {@link ${name}}.`,
      schemaExample,
      "@since 0.1.0\n@category schemas"
    ])
    if (model._tag === "Object") {
      const heritage = model.extends.length > 0 ? ` extends ${model.extends.join(", ")}` : ""
      lines.push(...modelDoc)
      if (model.fields.length === 0) {
        lines.push(`export interface ${name}${heritage} {}`)
      } else {
        lines.push(`export interface ${name}${heritage} {`)
        for (const field of model.fields) {
          lines.push(...this.fieldDoc(field))
          const head = `  readonly ${propertyKey(field.name)}${field.optional ? "?" : ""}:`
          const type = this.typeOf(field.model, "  ", MAX_WIDTH - head.length - 1)
          lines.push(`${head}${type.startsWith("\n") ? "" : " "}${type}`)
        }
        lines.push("}")
      }
      lines.push("", ...schemaDoc)
      const all = [...model.extends.flatMap((parent) => this.generator.allFields(parent)), ...model.fields]
      const open = declaration(name, [name], all.length === 0 ? "Schema.Struct({})" : "Schema.Struct({")
      lines.push(...open)
      if (all.length > 0) {
        all.forEach((field, i) => {
          const head = `  ${propertyKey(field.name)}: ${field.optional ? "Schema.optionalKey(" : ""}`
          const schema = this.schemaOf(field.model, "  ", head.length + 2)
          lines.push(`${head}${schema}${field.optional ? ")" : ""}${i === all.length - 1 ? "" : ","}`)
        })
        lines.push("})")
      }
    } else {
      const flatType = this.typeOf(model, "", MAX_WIDTH - `export type ${name} = `.length)
      const typeLine = `export type ${name} =${flatType.startsWith("\n") ? "" : " "}${flatType}`
      lines.push(...modelDoc, typeLine, "", ...schemaDoc)
      if (named.nullableArray && model._tag === "Array" && !model.nullableItems) {
        const item = this.schemaOf(model.item, "", 0)
        lines.push(...declaration(name, [name, `${name} | null`], `NullableArray(${item})`))
      } else {
        const prefix = `export const ${name}: Schema.Codec<${name}> = `
        const schema = this.schemaOf(model, "", prefix.length)
        lines.push(...declaration(name, [name], schema))
      }
    }
    return lines
  }
}

/**
 * `export const name: Schema.Codec<args> = value`, with the type arguments on their own lines (as dprint writes
 * them) when the first line does not fit.
 */
const declaration = (name: string, args: ReadonlyArray<string>, value: string): Array<string> => {
  const [first, ...rest] = value.split("\n")
  const line = `export const ${name}: Schema.Codec<${args.join(", ")}> = ${first}`
  if (line.length <= MAX_WIDTH) return [line, ...rest]
  const argLines = args.map((arg, i) => `  ${arg}${i === args.length - 1 ? "" : ","}`)
  return [`export const ${name}: Schema.Codec<`, ...argLines, `> = ${first}`, ...rest]
}

const modelRefs = (model: Model | ObjectModel): Array<string> => {
  switch (model._tag) {
    case "Ref":
      return [model.name]
    case "Array":
      return modelRefs(model.item)
    case "Record":
      return modelRefs(model.value)
    case "Raw":
      return [...model.refs]
    case "Object":
      return [...model.extends, ...model.fields.flatMap((field) => modelRefs(field.model))]
    default:
      return []
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------------

interface ParamPlan {
  readonly name: string
  readonly in: "path" | "query" | "header"
  readonly style: string
  readonly required: boolean
  readonly type: string
  readonly description: string | undefined
  readonly defaultValue: unknown
  readonly since: string | undefined
  readonly drop: boolean
  readonly pathValue?: "segment" | "reference"
  readonly minimum?: number
}

interface OperationPlan {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly tag: string
  readonly summary: string | undefined
  readonly description: string | undefined
  readonly params: ReadonlyArray<ParamPlan>
  readonly body:
    | { readonly kind: "Json"; readonly type: string; readonly required: boolean; readonly description?: string }
    | {
      readonly kind: "Bytes"
      readonly contentType: string
      readonly required: boolean
      readonly description?: string
    }
    | undefined
  readonly response: { readonly type: string; readonly value: string; readonly note: string | undefined }
  readonly errors: ReadonlyArray<number>
  readonly since: string | undefined
}

const DOCUMENTED_STATUSES = [400, 401, 403, 404, 409, 412, 429, 500, 501, 503]

interface ChangelogBullet {
  readonly version: string
  readonly text: string
}

const parseChangelog = (text: string): Array<ChangelogBullet> => {
  const bullets: Array<ChangelogBullet> = []
  let version: string | undefined
  let current: Array<string> | undefined
  const flush = () => {
    if (version !== undefined && current !== undefined) bullets.push({ version, text: current.join(" ") })
    current = undefined
  }
  for (const line of text.split("\n")) {
    const heading = /^## v(\d+\.\d+) API changes/.exec(line)
    if (heading !== null) {
      flush()
      version = heading[1]
      continue
    }
    if (line.startsWith("* ")) {
      flush()
      current = [line.slice(2).trim()]
    } else if (current !== undefined && line.trim().length > 0) {
      current.push(line.trim())
    } else if (line.startsWith("#")) {
      flush()
    }
  }
  flush()
  return bullets
}

const compareVersions = (a: string, b: string): number => {
  const [am, an] = a.split(".").map(Number) as [number, number]
  const [bm, bn] = b.split(".").map(Number) as [number, number]
  return am === bm ? an - bn : am - bm
}

const normalizePath = (path: string): string => path.replace(/\{[^}]*\}/g, "{}").replace(/\([^)]*\)/g, "{}")

interface SinceFact {
  readonly what: string
  readonly since: string
  readonly evidence: string
}

class Planner {
  readonly bullets: ReadonlyArray<ChangelogBullet>
  readonly sinceFacts: Array<SinceFact> = []
  readonly usedHand = new Set<string>()
  readonly usedJson = new Set<string>()
  readonly usedResponses = new Set<string>()
  readonly usedEmptyBodies = new Set<string>()
  readonly usedNormalizers = new Set<string>()
  readonly usedDrop = new Set<string>()
  readonly usedKinds = new Set<string>()
  readonly usedStreams = new Set<string>()
  readonly usedBodyTypes = new Set<string>()
  readonly usedReferences = new Set<string>()
  readonly usedMinimums = new Set<string>()
  readonly usedFractional = new Set<string>()

  readonly generator: Generator
  readonly spec: Spec
  readonly old: Spec

  constructor(generator: Generator, spec: Spec, old: Spec, changelog: string) {
    this.generator = generator
    this.spec = spec
    this.old = old
    this.bullets = parseChangelog(changelog).filter((b) => compareVersions(b.version, "1.41") > 0)
  }

  /** The oldest changelog version after 1.41 whose bullet names the endpoint and, if given, the parameter. */
  findSince(what: string, path: string, param: string | undefined): SinceFact {
    const hand = SINCE_BY_HAND[what]
    if (hand !== undefined) {
      this.usedHand.add(what)
      return { what, since: hand.since, evidence: hand.evidence }
    }
    const wanted = normalizePath(path)
    const matches = this.bullets.filter((bullet) => {
      const named = bullet.text.matchAll(/`(?:GET|POST|PUT|DELETE|HEAD)?\s*(\/[^`\s]*)`/g)
      const paths = [...named].map((m) => normalizePath(m[1]!))
      if (!paths.includes(wanted)) return false
      return param === undefined ? /new endpoint|new `/.test(bullet.text) : bullet.text.includes(`\`${param}\``)
    })
    if (matches.length === 0) throw new Error(`no changelog entry names ${what}: add it to SINCE_BY_HAND`)
    const oldest = matches.reduce((a, b) => compareVersions(a.version, b.version) <= 0 ? a : b)
    const excerpt = oldest.text.length > 160 ? `${oldest.text.slice(0, 157)}…` : oldest.text
    return { what, since: oldest.version, evidence: `v${oldest.version}: "${excerpt}"` }
  }

  plan(path: string, method: Method, op: OperationNode): OperationPlan {
    const oldOp = this.old.paths[path]?.[method]
    let since: string | undefined
    if (oldOp === undefined) {
      const fact = this.findSince(op.operationId, path, undefined)
      this.sinceFacts.push(fact)
      since = fact.since
    }
    const params: Array<ParamPlan> = []
    let body: OperationPlan["body"]
    for (const p of op.parameters ?? []) {
      if (p.in === "body") {
        body = this.body(op, p, oldOp?.parameters?.find((q) => q.in === "body")?.schema)
        if (EMPTY_BODY_WHEN_ABSENT[op.operationId] !== undefined) {
          if (body?.kind !== "Json" || body.required) {
            throw new Error(`EMPTY_BODY_WHEN_ABSENT.${op.operationId}: no optional JSON body`)
          }
          this.usedEmptyBodies.add(op.operationId)
        }
        continue
      }
      const key = `${op.operationId}.${p.name}`
      let paramSince: string | undefined
      if (oldOp !== undefined && !(oldOp.parameters ?? []).some((q) => q.name === p.name && q.in === p.in)) {
        const fact = this.findSince(key, path, p.name)
        this.sinceFacts.push(fact)
        paramSince = fact.since
      }
      const drop = DROP_WHEN_UNSUPPORTED[key] !== undefined
      if (drop) {
        this.usedDrop.add(key)
        if (paramSince === undefined) throw new Error(`DROP_WHEN_UNSUPPORTED.${key}: not newer than API 1.41`)
      }
      const pathValue = p.in === "path" ? this.pathValue(path, p.name) : undefined
      const minimum = this.minimum(key, p)
      params.push({
        ...this.paramStyle(op, p),
        description: p.description,
        defaultValue: p.default,
        since: paramSince,
        drop,
        ...(pathValue === undefined ? {} : { pathValue }),
        ...(minimum === undefined ? {} : { minimum })
      })
    }
    const seen = new Set<string>()
    for (const p of params) {
      if (seen.has(p.name) || p.name === "body") throw new Error(`${op.operationId}: duplicate input key ${p.name}`)
      seen.add(p.name)
    }
    const errors = Object.keys(op.responses).map(Number).filter((s) => DOCUMENTED_STATUSES.includes(s)).sort()
    return {
      id: op.operationId,
      method: method.toUpperCase(),
      path,
      tag: op.tags?.[0] ?? "Other",
      summary: op.summary,
      description: op.description,
      params,
      body,
      response: this.response(op, oldOp),
      errors,
      since
    }
  }

  /** A path parameter's rule: `reference` under a route of `REFERENCE_ROUTES`, else one `segment`. */
  pathValue(path: string, name: string): "segment" | "reference" {
    const prefix = Object.keys(REFERENCE_ROUTES).find((route) => path === route || path.startsWith(`${route}/`))
    if (prefix === undefined || !prefix.endsWith(`{${name}}`)) return "segment"
    this.usedReferences.add(prefix)
    return "reference"
  }

  /** An integer parameter's lower bound: the spec's `minimum`, else `PARAM_MINIMUMS`. */
  minimum(key: string, p: ParameterNode): number | undefined {
    const hand = PARAM_MINIMUMS[key]
    if (hand !== undefined) {
      if (p.type !== "integer") throw new Error(`PARAM_MINIMUMS.${key}: not an integer parameter`)
      if (p.minimum !== undefined) throw new Error(`PARAM_MINIMUMS.${key}: the spec gives a minimum now: remove it`)
      this.usedMinimums.add(key)
      return hand.minimum
    }
    return p.type === "integer" || p.type === "number" ? p.minimum : undefined
  }

  paramStyle(op: OperationNode, p: ParameterNode): Omit<ParamPlan, "description" | "defaultValue" | "since" | "drop"> {
    const key = `${op.operationId}.${p.name}`
    const base = { name: p.name, in: p.in as "path" | "query" | "header", required: p.required === true }
    const json = JSON_PARAMS[key]
    if (json !== undefined) {
      this.usedJson.add(key)
      for (const ref of json.refs ?? []) this.generator.definition(ref)
      return { ...base, style: "json", type: `string | ${json.type}` }
    }
    if (JSON_ARRAY_PARAMS.has(key)) {
      this.usedJson.add(key)
      this.generator.definition("OCIPlatform")
      return { ...base, style: "jsonArray", type: "ReadonlyArray<string | Schemas.OCIPlatform>" }
    }
    const enumType = p.enum?.map((v) => literal(v as string)).join(" | ")
    switch (p.type) {
      case "boolean":
        return { ...base, style: "boolean", type: "boolean" }
      case "integer":
        if (FRACTIONAL_SECONDS[key] !== undefined) {
          this.usedFractional.add(key)
          return { ...base, style: "number", type: "number" }
        }
        return { ...base, style: "integer", type: "number" }
      case "number":
        return { ...base, style: "number", type: "number" }
      case "array": {
        const items = p.items?.enum?.map((v) => literal(v as string)).join(" | ") ?? "string"
        return { ...base, style: "array", type: `ReadonlyArray<${items}>` }
      }
      case "string":
        if (p.name === "filters") {
          return { ...base, style: "filters", type: "string | { readonly [name: string]: ReadonlyArray<string> }" }
        }
        return { ...base, style: "string", type: enumType ?? "string" }
      default:
        throw new Error(`${key}: unsupported parameter type ${p.type}`)
    }
  }

  body(op: OperationNode, p: ParameterNode, oldSchema: Node | undefined): OperationPlan["body"] {
    const schema = p.schema
    if (schema === undefined) throw new Error(`${op.operationId}: body without schema`)
    const required = p.required === true
    if (schema.type === "string") {
      const consumes = op.consumes ?? []
      const fixed = BODY_CONTENT_TYPES[op.operationId]
      if (fixed !== undefined) this.usedBodyTypes.add(op.operationId)
      const contentType = fixed ??
        (consumes.includes("application/x-tar") ? "application/x-tar" : "application/octet-stream")
      return { kind: "Bytes", contentType, required, ...(p.description ? { description: p.description } : {}) }
    }
    const name = this.generator.hoist(`${op.operationId}Body`, schema, oldSchema, false)
    return { kind: "Json", type: `Schemas.${name}`, required, ...(p.description ? { description: p.description } : {}) }
  }

  response(op: OperationNode, oldOp: OperationNode | undefined): OperationPlan["response"] {
    const plain = this.plainResponse(op, oldOp)
    const normalizer = RESPONSE_NORMALIZERS[op.operationId]
    if (normalizer === undefined) return plain
    this.usedNormalizers.add(op.operationId)
    const value = plain.value.replace(
      /^(Operation\.json(?:Stream)?)\((.*)\)$/s,
      `$1(normalized($2, ${normalizer.normalizer}))`
    )
    if (value === plain.value) throw new Error(`RESPONSE_NORMALIZERS.${op.operationId}: not a JSON response`)
    return { ...plain, value }
  }

  plainResponse(op: OperationNode, oldOp: OperationNode | undefined): OperationPlan["response"] {
    const stream = JSON_STREAMS[op.operationId]
    if (stream !== undefined) {
      this.usedStreams.add(op.operationId)
      this.generator.definition(stream.item)
      return {
        type: `Operation.JsonStream<Schemas.${stream.item}>`,
        value: `Operation.jsonStream(Schemas.${stream.item})`,
        note: stream.note
      }
    }
    const other = OTHER_KINDS[op.operationId]
    if (other !== undefined && other.kind !== "Json") {
      this.usedKinds.add(op.operationId)
      if (other.kind.startsWith("Bytes:")) {
        const contentType = other.kind.slice("Bytes:".length)
        return {
          type: "Operation.ResponseOf<\"Bytes\">",
          value: `{ _tag: "Bytes", contentType: ${JSON.stringify(contentType)} }`,
          note: other.note
        }
      }
      if (other.kind.startsWith("Hijack:")) {
        const protocol = other.kind.slice("Hijack:".length)
        return {
          type: "Operation.ResponseOf<\"Hijack\">",
          value: `{ _tag: "Hijack", protocol: ${JSON.stringify(protocol)} }`,
          note: other.note
        }
      }
      return { type: `Operation.ResponseOf<"${other.kind}">`, value: `{ _tag: "${other.kind}" }`, note: other.note }
    }
    if (other !== undefined) this.usedKinds.add(op.operationId)
    const override = RESPONSE_OVERRIDES[op.operationId]
    if (override !== undefined) {
      this.usedResponses.add(op.operationId)
      return {
        type: `Operation.Json<${override.type}>`,
        value: `Operation.json(${override.schema})`,
        note: override.note
      }
    }
    const status = ["200", "201"].find((s) => op.responses[s]?.schema !== undefined)
    const schema = status === undefined ? undefined : op.responses[status]!.schema!
    if (schema === undefined) {
      return { type: "Operation.ResponseOf<\"Empty\">", value: "{ _tag: \"Empty\" }", note: other?.note }
    }
    if (schema.type === "string") {
      return { type: "Operation.Json<string>", value: "Operation.json(Schema.String)", note: other?.note }
    }
    const oldSchema = status === undefined ? undefined : oldOp?.responses[status]?.schema
    const name = this.generator.hoist(`${op.operationId}Response`, schema, oldSchema, schema.type === "array")
    return { type: `Operation.Json<Schemas.${name}>`, value: `Operation.json(Schemas.${name})`, note: other?.note }
  }

  checkTablesUsed(): void {
    const check = (table: string, entries: Readonly<Record<string, unknown>>, used: Set<string>) => {
      for (const key of Object.keys(entries)) {
        if (!used.has(key)) throw new Error(`${table}.${key} is not used: remove it`)
      }
    }
    check("SINCE_BY_HAND", SINCE_BY_HAND, this.usedHand)
    check("JSON_PARAMS", JSON_PARAMS, this.usedJson)
    check("DROP_WHEN_UNSUPPORTED", DROP_WHEN_UNSUPPORTED, this.usedDrop)
    check("OTHER_KINDS", OTHER_KINDS, this.usedKinds)
    check("RESPONSE_OVERRIDES", RESPONSE_OVERRIDES, this.usedResponses)
    check("EMPTY_BODY_WHEN_ABSENT", EMPTY_BODY_WHEN_ABSENT, this.usedEmptyBodies)
    check("RESPONSE_NORMALIZERS", RESPONSE_NORMALIZERS, this.usedNormalizers)
    check("JSON_STREAMS", JSON_STREAMS, this.usedStreams)
    check("BODY_CONTENT_TYPES", BODY_CONTENT_TYPES, this.usedBodyTypes)
    check("REFERENCE_ROUTES", REFERENCE_ROUTES, this.usedReferences)
    check("PARAM_MINIMUMS", PARAM_MINIMUMS, this.usedMinimums)
    check("FRACTIONAL_SECONDS", FRACTIONAL_SECONDS, this.usedFractional)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

const renderSchemas = (generator: Generator): string => {
  const emitted = new Set<string>()
  const renderer = new Renderer(generator, emitted)
  const out: Array<string> = [
    HEADER,
    "/**",
    " * Effect Schemas and types of the Docker Engine API models (API 1.55), for every model the operations use.",
    " * Decoding follows the API's open-schema rule: unknown properties are ignored, never an error. Fields the spec",
    " * does not require, marks `x-nullable`, or that API 1.41 does not send are optional; 64-bit integers decode as",
    " * {@link Int64} (`number`, or `bigint` beyond `Number.MAX_SAFE_INTEGER`).",
    " *",
    " * @since 0.1.0",
    " */",
    "import * as Schema from \"effect/Schema\"",
    "import { Int64, NullableArray } from \"../internal/schemaPrimitives.ts\"",
    "",
    "export {",
    "  /**",
    "   * A 64-bit integer: a `number`, or a `bigint` when the value is beyond `Number.MAX_SAFE_INTEGER`.",
    "   *",
    "   * @since 0.1.0",
    "   * @category schemas",
    "   */",
    "  Int64",
    "}"
  ]
  const visiting = new Set<string>()
  const visit = (name: string) => {
    if (emitted.has(name) || visiting.has(name)) return
    const named = generator.named.get(name)
    if (named === undefined) throw new Error(`model ${name} was referenced but not built`)
    visiting.add(name)
    for (const dep of modelRefs(named.model)) visit(dep)
    visiting.delete(name)
    out.push("", ...renderer.named(named))
    emitted.add(name)
  }
  for (const name of generator.named.keys()) visit(name)
  if (!out.join("\n").includes("NullableArray(")) {
    out[out.indexOf("import { Int64, NullableArray } from \"../internal/schemaPrimitives.ts\"")] =
      "import { Int64 } from \"../internal/schemaPrimitives.ts\""
  }
  return out.join("\n") + "\n"
}

/** The names the operations import from src/internal/daemonCompat.ts: `normalized` and the normalizers used. */
const compatImports = (plans: ReadonlyArray<OperationPlan>): string => {
  const used = new Set(Object.values(RESPONSE_NORMALIZERS).map((n) => n.normalizer))
  for (const name of used) {
    if (!plans.some((p) => p.response.value.includes(`, ${name}))`))) used.delete(name)
  }
  return [...used, "normalized"].sort().join(", ")
}

const renderOperations = (plans: ReadonlyArray<OperationPlan>): string => {
  const usesSchema = plans.some((p) => p.response.value.includes("Schema.String"))
  const usesStream = plans.some((p) => p.body?.kind === "Bytes")
  const out: Array<string> = [
    HEADER,
    "/**",
    " * One description per operation of the Docker Engine API (API 1.55): method, path, parameters with their wire",
    " * style and the API version that introduced them when newer than 1.41, the request body, the response kind and",
    " * the documented error statuses. `Operation.toRequest` and `Docker.call` consume them.",
    " *",
    " * @since 0.1.0",
    " */",
    ...(usesSchema ? ["import * as Schema from \"effect/Schema\""] : []),
    ...(usesStream ? ["import type * as Stream from \"effect/Stream\""] : []),
    `import { ${compatImports(plans)} } from "../internal/daemonCompat.ts"`,
    "import { CreatedId } from \"../internal/schemaPrimitives.ts\"",
    "import * as Operation from \"../Operation.ts\"",
    "import * as Schemas from \"./schemas.ts\""
  ]
  for (const plan of plans) {
    out.push("")
    const inputName = `${plan.id}Input`
    out.push(...docComment("", [`The input of {@link ${plan.id}}.`, "@since 0.1.0\n@category inputs"]))
    const props: Array<string> = []
    for (const p of plan.params) {
      const sinceNote = p.since === undefined
        ? undefined
        : `Requires API ${p.since}${p.drop ? " (left out when the daemon is older)" : ""}.`
      const defaultNote = p.defaultValue === undefined || p.defaultValue === ""
        ? undefined
        : `Default: \`${JSON.stringify(p.defaultValue)}\`.`
      props.push(...docComment("  ", [p.description, defaultNote, sinceNote]))
      props.push(`  readonly ${propertyKey(p.name)}${p.required ? "" : "?"}: ${p.type}`)
    }
    if (plan.body !== undefined) {
      props.push(...docComment("  ", [plan.body.description ?? "The request body."]))
      const type = plan.body.kind === "Json" ? plan.body.type : "Uint8Array | Stream.Stream<Uint8Array, unknown>"
      props.push(`  readonly body${plan.body.required ? "" : "?"}: ${type}`)
    }
    out.push(props.length === 0 ? `export interface ${inputName} {}` : `export interface ${inputName} {`)
    if (props.length > 0) out.push(...props, "}")
    out.push("")
    const sinceDoc = plan.since === undefined ? undefined : `Requires API ${plan.since}.`
    const kindDoc = plan.response.note === undefined ? undefined : `Response: ${plan.response.note}.`
    const example = [
      "@example",
      "```ts",
      "import { Docker, Operations } from \"effect-docker\"",
      `const ${lowerCamel(plan.id)} = Docker.call(Operations.${plan.id})`,
      "```"
    ].join("\n")
    out.push(...docComment("", [
      `${plan.method} ${plan.path}: ${plan.summary ?? plan.id}`,
      plan.description,
      sinceDoc,
      kindDoc,
      example,
      "@since 0.1.0\n@category " + plan.tag
    ]))
    const status = plan.errors.length === 0 ? "never" : plan.errors.join(" | ")
    out.push(...operationHead(plan.id, [inputName, plan.response.type, status]))
    out.push(`  id: ${JSON.stringify(plan.id)},`)
    out.push(`  method: ${JSON.stringify(plan.method)},`)
    out.push(`  path: ${JSON.stringify(plan.path)},`)
    out.push(`  tag: ${JSON.stringify(plan.tag)},`)
    if (plan.summary !== undefined) out.push(`  summary: ${JSON.stringify(plan.summary)},`)
    if (plan.params.length === 0) {
      out.push("  params: [],")
    } else {
      out.push("  params: [")
      plan.params.forEach((p, i) => {
        const fields = [
          `name: ${JSON.stringify(p.name)}`,
          `key: ${JSON.stringify(p.name)}`,
          `in: ${JSON.stringify(p.in)}`,
          `style: ${JSON.stringify(p.style)}`,
          ...(p.required ? ["required: true"] : []),
          ...(p.since !== undefined ? [`since: ${JSON.stringify(p.since)}`] : []),
          ...(p.drop ? ["dropWhenUnsupported: true"] : []),
          ...(p.pathValue !== undefined ? [`pathValue: ${JSON.stringify(p.pathValue)}`] : []),
          ...(p.minimum !== undefined ? [`minimum: ${p.minimum}`] : [])
        ]
        const comma = i === plan.params.length - 1 ? "" : ","
        const line = `    { ${fields.join(", ")} }${comma}`
        if (line.length <= MAX_WIDTH) out.push(line)
        else {
          const fieldLines = fields.map((f, j) => `      ${f}${j === fields.length - 1 ? "" : ","}`)
          out.push("    {", ...fieldLines, `    }${comma}`)
        }
      })
      out.push("  ],")
    }
    if (plan.body !== undefined) {
      const required = `required: ${plan.body.required}`
      const empty = EMPTY_BODY_WHEN_ABSENT[plan.id] === undefined ? "" : ", emptyWhenAbsent: true"
      out.push(
        plan.body.kind === "Json"
          ? `  body: { _tag: "Json", ${required}${empty} },`
          : `  body: { _tag: "Bytes", contentType: ${JSON.stringify(plan.body.contentType)}, ${required} },`
      )
    }
    out.push(`  response: ${plan.response.value},`)
    out.push(`  errors: [${plan.errors.join(", ")}]${plan.since === undefined ? "" : ","}`)
    if (plan.since !== undefined) out.push(`  since: ${JSON.stringify(plan.since)}`)
    out.push("})")
  }
  return out.join("\n") + "\n"
}

/**
 * The declaration line(s) of an operation description, with its type written out (JSR publishes declarations only
 * when every export has an explicit type): `export const Id: Operation.Operation<Input, Response, Status> =`,
 * the type arguments on their own lines when the line would be too long.
 */
const operationHead = (id: string, args: ReadonlyArray<string>): Array<string> => {
  const line = `export const ${id}: Operation.Operation<${args.join(", ")}> = Operation.make({`
  if (line.length <= MAX_WIDTH) return [line]
  const argLines = args.map((arg, i) => `  ${arg}${i === args.length - 1 ? "" : ","}`)
  return [`export const ${id}: Operation.Operation<`, ...argLines, "> = Operation.make({"]
}

/**
 * The `Docker.call` variant of an operation's response kind (`callJson`, `callJsonStream`, `callMultiplexed`,
 * `callPlain` for the rest): `Docker.call` dispatches on the kind at run time and so keeps every reader in a
 * bundle, while each API function only needs the reader of its own kind.
 */
const callerOf = (plan: OperationPlan): string => {
  const value = plan.response.value
  if (value.startsWith("Operation.jsonStream(")) return "callJsonStream"
  if (value.startsWith("Operation.json(")) return "callJson"
  if (value === "{ _tag: \"Multiplexed\" }") return "callMultiplexed"
  if (/^\{ _tag: "(Empty|Text|Headers|Bytes|Hijack)"/.test(value)) return "callPlain"
  throw new Error(`${plan.id}: no caller for the response ${value}`)
}

/** The declaration of one API function, typed as the `Call` of its operation. */
const apiDeclaration = (fn: string, id: string, caller: string): Array<string> => {
  const line = `export const ${fn}: Call<typeof Operations.${id}> = ${caller}(Operations.${id})`
  if (line.length <= MAX_WIDTH) return [line]
  return [`export const ${fn}: Call<typeof Operations.${id}> = ${caller}(`, `  Operations.${id}`, ")"]
}

const exampleInput = (plan: OperationPlan): string | undefined => {
  const hand = EXAMPLE_INPUTS[plan.id]
  if (hand !== undefined) return hand
  const parts: Array<string> = []
  for (const p of plan.params) {
    if (!p.required) continue
    if (p.in === "path") parts.push(`${propertyKey(p.name)}: ${JSON.stringify(PATH_EXAMPLES[plan.tag] ?? "id")}`)
    else if (p.style === "integer") parts.push(`${propertyKey(p.name)}: ${p.name === "version" ? 1 : 24}`)
    else if (p.name === "X-Registry-Auth") parts.push(`${propertyKey(p.name)}: btoa(JSON.stringify({}))`)
    else if (p.name === "path") parts.push(`${propertyKey(p.name)}: "/etc/hostname"`)
    else if (p.name === "remote" || p.name === "term") parts.push(`${propertyKey(p.name)}: "vieux/sshfs:latest"`)
    else parts.push(`${propertyKey(p.name)}: "example"`)
  }
  if (plan.body?.required === true) return undefined
  return parts.length === 0 ? undefined : `{ ${parts.join(", ")} }`
}

const renderApi = (plans: ReadonlyArray<OperationPlan>): string => {
  const out: Array<string> = [
    HEADER,
    "/**",
    " * One function per operation of the Docker Engine API (API 1.55), named after its operation id. Each needs the",
    " * `Docker` service; its result follows the response kind (an Effect, a Stream, or a scoped Socket) and its",
    " * error type lists the statuses the spec documents for it.",
    " *",
    " * @since 0.1.0",
    " */",
    `import { type Call, ${[...new Set(plans.map(callerOf))].sort().join(", ")} } from "../Docker.ts"`,
    "import * as Operations from \"./operations.ts\""
  ]
  for (const plan of plans) {
    const fn = lowerCamel(plan.id)
    const input = exampleInput(plan)
    if (input === undefined && plan.body?.required === true) {
      throw new Error(`${plan.id}: add an example input to EXAMPLE_INPUTS`)
    }
    const example = [
      "@example",
      "```ts",
      "import { Api } from \"effect-docker\"",
      `const result = Api.${fn}(${input ?? ""})`,
      "```"
    ].join("\n")
    const sinceDoc = plan.since === undefined ? undefined : `Requires API ${plan.since}.`
    out.push(
      "",
      ...docComment("", [
        `${plan.summary ?? plan.id} (\`${plan.method} ${plan.path}\`).`,
        sinceDoc,
        example,
        `@since 0.1.0\n@category ${plan.tag}`
      ]),
      ...apiDeclaration(fn, plan.id, callerOf(plan))
    )
  }
  return out.join("\n") + "\n"
}

const mdEscape = (text: string): string => text.replaceAll("|", "\\|").replace(/\s+/g, " ")

/** The README section on what `Operation.toRequest` checks before any I/O. */
const renderParamChecks = (plans: ReadonlyArray<OperationPlan>): ReadonlyArray<string> => {
  const routes = new Map<string, ParamPlan>()
  for (const plan of plans) {
    for (const p of plan.params) {
      if (p.in !== "path") continue
      const end = plan.path.indexOf(`{${p.name}}`) + p.name.length + 2
      routes.set(plan.path.slice(0, end), p)
    }
  }
  const minimums = plans.flatMap((plan) =>
    plan.params.flatMap((p) => p.minimum === undefined ? [] : [{ key: `${plan.id}.${p.name}`, minimum: p.minimum }])
  )
  return [
    "## Parameter checks",
    "",
    "`Operation.toRequest` checks every value before it is written, so that no input reaches another endpoint",
    "and none dies untyped; a value that fails is an `InvalidParameter` naming the parameter, before any I/O.",
    "",
    "The daemon (gorilla/mux) decodes the request path once, cleans it as Go's `path.Clean` does (answering `301`",
    "to the cleaned path when it differs) and matches the routes' regular expressions against it; its routes",
    "take a path parameter as `{name:.*}`, which also matches `/`. Each path parameter carries a `pathValue` rule:",
    "",
    "- `segment`: one path segment. Not empty, not `.` or `..`, no `/`. Sent percent-encoded",
    "  (`encodeURIComponent`), so the daemon's one decoding gives the value back and cleaning leaves it alone.",
    "- `reference`: an image or plugin reference, whose `/`s the route takes in (`/images/{name:.*}/json`",
    "  answers for `127.0.0.1:5000/team/app:1`). Every `/`-separated part is neither empty nor `.` or `..`",
    "  (so no leading, trailing or doubled `/`). Each part is percent-encoded and the `/`s are sent as they are.",
    "  Cleaning leaves the path alone and the route's fixed suffix (`/json`, `/history`, `/push`, `/tag`, …)",
    "  stays the last segment, so the anchored route expressions pick the operation's own route.",
    "",
    "Both refuse control characters (NUL, CR, LF and the other C0 controls, DEL: the routes' expressions do not",
    "match a line feed, and no id or reference holds one) and lone surrogates.",
    "",
    "| Route | Parameter | Rule |",
    "| --- | --- | --- |",
    ...[...routes].map(([route, p]) => `| \`${route}\` | \`${p.name}\` | ${p.pathValue} |`),
    "",
    "Other values:",
    "",
    "- Strings (path, query, header, and every string and property name inside `filters` and `json` values) must",
    "  be well-formed UTF-16: a lone surrogate cannot be percent-encoded or sent as UTF-8.",
    "- Header values may hold only HTAB, space, visible ASCII and Latin-1 (`\\t`, 0x20–0x7E, 0x80–0xFF): no CR,",
    "  LF, NUL or other controls, nothing beyond U+00FF (what Node, undici and the Fetch standard accept).",
    "- `string` parameters take a string (or a finite number, bigint or boolean, written as text); objects, `null`,",
    "  `NaN` and `±Infinity` are refused. `filters` takes a string or an object; `json` any value JSON can write.",
    "- `integer` parameters take a safe integer (`Number.isSafeInteger`: no `NaN`, `±Infinity`, fractions or",
    "  values beyond 2^53), at least its `minimum` when it has one; `boolean` parameters take `true` or `false`",
    "  only (not `\"false\"`).",
    "- `number` parameters take a finite number, written without an exponent. These spec integers are sent as",
    "  `number` because the daemon keeps their fraction:",
    ...Object.entries(FRACTIONAL_SECONDS).map(([k, why]) => `  - \`${k}\`: ${mdEscape(why)}`),
    "- The API version must be one this SDK speaks (from `ApiVersion.oldest` to `ApiVersion.newest`), else",
    "  `ApiVersionOutOfRange`.",
    "",
    "Minimums (the spec gives none for query parameters; these come from how the daemon parses them):",
    "",
    "| Parameter | Minimum | Why |",
    "| --- | --- | --- |",
    ...minimums.map(({ key, minimum }) =>
      `| \`${key}\` | ${minimum} | ${mdEscape(PARAM_MINIMUMS[key]?.why ?? "the spec's `minimum`")} |`
    ),
    ""
  ]
}

const renderReadme = (generator: Generator, planner: Planner, plans: ReadonlyArray<OperationPlan>): string => {
  const lines: Array<string> = [
    "<!-- Generated by scripts/generate.ts from spec/engine-v1.55.yaml. Do not edit. -->",
    "# Generated Engine API layer",
    "",
    "`node scripts/generate.ts` writes this folder from `spec/engine-v1.55.yaml` (the newest released Engine API),",
    "`spec/engine-v1.41.yaml` and `spec/engine-version-history.md` (moby's API changelog).",
    "`test/unit/generate.test.ts` fails when the committed files differ from a fresh run.",
    "",
    `- \`schemas.ts\`: ${generator.named.size} models (an interface or type and its Schema each).`,
    `- \`operations.ts\`: ${plans.length} operation descriptions with their input types.`,
    `- \`api.ts\`: ${plans.length} functions, one per operation.`,
    "",
    "## Versions",
    "",
    "The SDK negotiates the API version with the daemon and may speak an older one than 1.55. Operations and",
    "parameters that API 1.41 does not have (found by comparing the two specs) carry `since`: the oldest version",
    "whose changelog entry names them. A call whose negotiated version is older fails before any I/O with",
    "`UnsupportedApiVersion` (naming the parameter and both versions), unless the parameter is marked",
    "`dropWhenUnsupported`, in which case it is left out. Parameters introduced before 1.41 carry no `since`.",
    "",
    "| Operation / parameter | Since | Changelog |",
    "| --- | --- | --- |",
    ...planner.sinceFacts.map((f) => `| \`${f.what}\` | ${f.since} | ${mdEscape(f.evidence)} |`),
    "",
    "### Parameters left out on older daemons",
    "",
    "Only where the API documents that leaving them out is safe (they only ask for extra data, or older daemons",
    "ignore them); every other newer parameter fails with `UnsupportedApiVersion`.",
    "",
    "| Parameter | Why leaving it out is safe |",
    "| --- | --- |",
    ...Object.entries(DROP_WHEN_UNSUPPORTED).map(([k, why]) => `| \`${k}\` | ${mdEscape(why)} |`),
    "",
    ...renderParamChecks(plans),
    "## Decoding rules",
    "",
    "- Unknown properties are ignored (the API's open-schema rule).",
    "- A field is optional when the spec does not require it, marks it `x-nullable`, or when API 1.41 does not",
    "  require it (the SDK talks to older daemons). The JSON parser reads `null` properties as absent.",
    "- The ids of list entries (`ContainerSummary.Id`, the swarm objects' `ID`) are required although",
    "  neither spec marks them: every daemon sends them (the overrides below give moby's Go types as evidence), so",
    "  `Containers.list()` gives ids that `Containers.stop` takes without a check.",
    "- Enums accept the values of both API 1.55 and API 1.41.",
    "- `int64`/`uint64` integers (and the sizes listed below) decode as `Int64`: a `number`, or a `bigint` beyond",
    "  `Number.MAX_SAFE_INTEGER`.",
    "- Top-level list responses accept `null` as an empty list (Go daemons send `null` for an empty slice).",
    "- Fields that API 1.41 sends but API 1.55 no longer documents are kept as optional fields, so that",
    "  answers of older daemons keep their data (for example `SystemDataUsageResponse.LayersSize` or",
    "  `NetworkSettings.IPAddress`).",
    "",
    "### Overrides",
    "",
    "| Field | Override | Why |",
    "| --- | --- | --- |",
    ...Object.entries(OPTIONAL_OVERRIDES).map(([k, why]) => `| \`${k}\` | optional | ${mdEscape(why)} |`),
    ...Object.entries(REQUIRED_OVERRIDES).map(([k, why]) => `| \`${k}\` | required | ${mdEscape(why)} |`),
    ...Object.entries(INT64_WITHOUT_FORMAT).map(([k, why]) => `| \`${k}\` | \`Int64\` | ${mdEscape(why)} |`),
    ...Object.entries(TYPE_OVERRIDES).map(([k, o]) => `| \`${k}\` | \`${mdEscape(o.type)}\` | ${mdEscape(o.reason)} |`),
    ...Object.entries(OPEN_ENUMS).map(([k, why]) => `| \`${k}\` | any string | ${mdEscape(why)} |`),
    ...Object.entries(ENUM_EXTRA_VALUES).map(([k, e]) =>
      `| \`${k}\` | also ${e.values.map((v) => v === "" ? "`\"\"` (empty)" : `\`${v}\``).join(", ")} | ` +
      `${mdEscape(e.reason)} |`
    ),
    ...Object.entries(EXTRA_FIELDS).flatMap(([model, fields]) =>
      fields.map((f) => `| \`${model}.${f.name}\` | added, optional | ${mdEscape(f.description)} |`)
    ),
    "",
    "### Required by API 1.55, optional for API 1.41",
    "",
    generator.optionalSince141.length === 0
      ? "None: every field v1.55 requires is required by the v1.41 spec too, or listed below."
      : generator.optionalSince141.map((n) => `\`${n}\``).join(", "),
    "",
    "Kept required although the v1.41 spec does not mark them:",
    "",
    ...Object.entries(REQUIRED_DESPITE_1_41).map(([k, why]) => `- \`${k}\`: ${why}`),
    "",
    "### Fields kept from API 1.41",
    "",
    generator.legacyNotes.map((n) => `\`${n}\``).join(", "),
    "",
    "## Response kinds",
    "",
    "| Operation | Kind | Note |",
    "| --- | --- | --- |",
    ...plans.filter((p) => p.response.note !== undefined).map((p) =>
      `| \`${p.id}\` | ${mdEscape(p.response.type.replace("Operation.", ""))} | ${mdEscape(p.response.note!)} |`
    ),
    "",
    "## Request bodies sent when absent",
    "",
    "These operations take an optional JSON body and send `{}` when the caller gives none:",
    "",
    "| Operation | Why |",
    "| --- | --- |",
    ...Object.entries(EMPTY_BODY_WHEN_ABSENT).map(([id, why]) => `| \`${id}\` | ${mdEscape(why)} |`),
    "",
    "## Answers normalised before decoding",
    "",
    "These operations pass the parsed JSON through a normalizer of `src/internal/daemonCompat.ts` before decoding: " +
    "it brings another daemon's shape to Docker's and leaves Docker's answers unchanged.",
    "",
    "| Operation | Normalizer | Why |",
    "| --- | --- | --- |",
    ...Object.entries(RESPONSE_NORMALIZERS).map(([id, n]) =>
      `| \`${id}\` | \`${n.normalizer}\` | ${mdEscape(n.reason)} |`
    ),
    ""
  ]
  return lines.join("\n")
}

/** Generates every file; returns file name → content. */
/**
 * Every call in the generated modules builds a value and nothing else (schemas, operation descriptions, call
 * functions): marking each one `/*#__PURE__*\/` lets a bundler drop the declarations a program never uses. Bundlers
 * keep a side-effecting argument of a pure call, so nested calls are marked too. Comment lines are left alone.
 */
const PURE_CALL =
  /(?<![\w.])(Schema\.\w+|Operation\.(?:make|json|jsonStream)|NullableArray|normalized|call(?:Json|JsonStream|Multiplexed|Plain)?)\(/g
const markPure = (code: string): string =>
  code.split("\n").map((line) => {
    if (/^\s*(\*|\/\*|\/\/)/.test(line)) return line
    const marked = line.replace(PURE_CALL, "/*#__PURE__*/ $1(")
    if (marked.length <= 120) return marked
    // too long with the marks: the value goes on its own line after the `=` or the property's `:`
    const split = /^(\s*)(.*?(?: =|:)) (\/\*#__PURE__\*\/ .*)$/.exec(marked)
    if (split === null) return marked
    const [, indent, head, value] = split as unknown as [string, string, string, string]
    if (indent.length + 2 + value.length <= 120) return `${indent}${head}\n${indent}  ${value}`
    // still too long: the outer call's argument gets a line of its own as well
    const call = /^(\/\*#__PURE__\*\/ [\w.]+\()(.*)\)(,?)$/.exec(value)
    return call === null
      ? `${indent}${head}\n${indent}  ${value}`
      : `${indent}${head} ${call[1]}\n${indent}  ${call[2]}\n${indent})${call[3]}`
  }).join("\n")

export const generate = (root: string): Map<string, string> => {
  const spec = parse(readFileSync(Path.join(root, "spec/engine-v1.55.yaml"), "utf8")) as Spec
  const old = parse(readFileSync(Path.join(root, "spec/engine-v1.41.yaml"), "utf8")) as Spec
  const changelog = readFileSync(Path.join(root, "spec/engine-version-history.md"), "utf8")
  const generator = new Generator(spec, old)
  const planner = new Planner(generator, spec, old, changelog)
  const plans: Array<OperationPlan> = []
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (op !== undefined) plans.push(planner.plan(path, method, op))
    }
  }
  generator.checkTablesUsed()
  planner.checkTablesUsed()
  return new Map([
    ["schemas.ts", markPure(renderSchemas(generator))],
    ["operations.ts", markPure(renderOperations(plans))],
    ["api.ts", markPure(renderApi(plans))],
    ["README.md", renderReadme(generator, planner, plans)]
  ])
}

const main = () => {
  const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
  const outDir = Path.resolve(process.argv[2] ?? Path.join(root, "src/generated"))
  mkdirSync(outDir, { recursive: true })
  for (const [file, content] of generate(root)) writeFileSync(Path.join(outDir, file), content)
  console.log(`wrote ${outDir}`)
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
