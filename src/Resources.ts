/**
 * Containers, networks and volumes as scoped resources: described once, created, started, waited for and handed
 * over as a value (`{ id, host, port(n), logs, exec, … }`) for the lifetime of a `Scope` or a `Layer`, then
 * removed, whether the program succeeded, failed or was interrupted. Tests and pipelines get their servers from a
 * Layer:
 *
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Resources, Wait } from "effect-docker"
 *
 * class Web extends Context.Service<Web, Resources.Container<8080>>()("app/Web") {}
 * const WebLive = Resources.layer(Web, {
 *   image: "busybox",
 *   cmd: ["httpd", "-f", "-p", "8080"],
 *   ports: [8080],
 *   wait: Wait.forListeningPort(8080)
 * })
 * const page = Effect.gen(function*() {
 *   const web = yield* Web
 *   return yield* Effect.promise(() => fetch(`http://${web.address(8080)}/`))
 * }).pipe(Effect.provide(WebLive))
 * ```
 *
 * **Session labels.** Everything created here carries the labels of the current session ({@link CurrentSession}):
 * `effect-docker.session` (a random id, one per process by default), `effect-docker.pid` (this process),
 * `effect-docker.host` (the machine's host name) and `effect-docker.created` (when, as an ISO date). A process
 * that is killed (`SIGKILL`, a crash, a power cut) runs no finalizer; {@link cleanup} then removes what it left.
 *
 * **What {@link cleanup} removes** (the reaper, without any helper container): a labelled resource is removed
 * when its session is not the current one and
 * 1. it was created on this machine (its `effect-docker.host` is this host's name) and its `effect-docker.pid`
 *    names a process that no longer exists here (`kill(pid, 0)` answers `ESRCH`), or
 * 2. its creator's liveness cannot be checked here (another machine, a browser, no pid, a runtime without
 *    `process.kill`) and it was created more than `ttl` ago (default 24 hours).
 *
 * A resource whose process still exists on this machine is kept, however old (a reused pid keeps a dead session's
 * resources until that process ends, never the reverse); so is any resource whose labels cannot be read (no
 * session, an unparsable date). Creation times are wall-clock times (`Date.now()`), since other processes read them.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Result from "effect/Result"
import type * as Scope from "effect/Scope"
import * as ContainerFiles from "./ContainerFiles.ts"
import * as Containers from "./Containers.ts"
import type * as Credentials from "./Credentials.ts"
import type * as Demux from "./Demux.ts"
import * as Docker from "./Docker.ts"
import type * as Errors from "./Errors.ts"
import * as Exec from "./Exec.ts"
import type * as Models from "./generated/schemas.ts"
import type * as Images from "./Images.ts"
import { currentHost, currentPid, isRunning } from "./internal/processes.ts"
import type * as Ndjson from "./Ndjson.ts"
import * as Networks from "./Networks.ts"
import * as Ports from "./Ports.ts"
import * as Run from "./Run.ts"
import * as Volumes from "./Volumes.ts"
import * as Wait from "./Wait.ts"

// -----------------------------------------------------------------------------
// sessions
// -----------------------------------------------------------------------------

/**
 * The label keys every resource created by this module carries.
 *
 * @example
 * ```ts
 * import { Containers, Resources } from "effect-docker"
 * const mine = Containers.list({ all: true, filters: { label: [Resources.labels.session] } })
 * ```
 * @since 0.2.0
 * @category sessions
 */
export const labels: {
  readonly session: "effect-docker.session"
  readonly pid: "effect-docker.pid"
  readonly host: "effect-docker.host"
  readonly created: "effect-docker.created"
} = {
  session: "effect-docker.session",
  pid: "effect-docker.pid",
  host: "effect-docker.host",
  created: "effect-docker.created"
}

/**
 * Who creates resources: a session id, and where it runs (the process id and host name, when the runtime can
 * tell; see {@link cleanup} for how they are used).
 *
 * @since 0.2.0
 * @category sessions
 */
export interface Session {
  readonly id: string
  readonly pid?: number | undefined
  readonly host?: string | undefined
}

let processSession: Session | undefined

/**
 * This process's session: a random id made once, the process id and the host name.
 *
 * @example
 * ```ts
 * import { Resources } from "effect-docker"
 * const { id, pid } = Resources.makeProcessSession()
 * ```
 * @since 0.2.0
 * @category sessions
 */
export const makeProcessSession = (): Session => {
  if (processSession === undefined) {
    processSession = { id: globalThis.crypto.randomUUID(), pid: currentPid(), host: currentHost() }
  }
  return processSession
}

/**
 * The session that resources are labelled with, and that {@link cleanup} never touches: by default this
 * process's ({@link makeProcessSession}). Provide another one to group a program's resources differently.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources } from "effect-docker"
 * const volume = Resources.volume().pipe(
 *   Effect.provideService(Resources.CurrentSession, { id: "nightly-build", pid: 4242, host: "ci-7" })
 * )
 * ```
 * @since 0.2.0
 * @category sessions
 */
export const CurrentSession: Context.Reference<Session> = Context.Reference<Session>(
  "effect-docker/Resources/CurrentSession",
  { defaultValue: makeProcessSession }
)

/**
 * The labels of a session, as written on a resource created now (`now` in milliseconds since the epoch).
 *
 * @example
 * ```ts
 * import { Resources } from "effect-docker"
 * Resources.sessionLabels({ id: "s1", pid: 42, host: "ci-7" }, 0)
 * // { "effect-docker.session": "s1", "effect-docker.created": "1970-01-01T00:00:00.000Z", pid: "42", host: "ci-7" }
 * ```
 * @since 0.2.0
 * @category sessions
 */
export const sessionLabels = (session: Session, now: number): Record<string, string> => ({
  [labels.session]: session.id,
  [labels.created]: new Date(now).toISOString(),
  ...(session.pid === undefined ? {} : { [labels.pid]: String(session.pid) }),
  ...(session.host === undefined ? {} : { [labels.host]: session.host })
})

const withSessionLabels = (
  extra: { readonly [key: string]: string } | undefined
): Effect.Effect<Record<string, string>> =>
  Effect.map(Effect.service(CurrentSession), (session) => ({ ...extra, ...sessionLabels(session, Date.now()) }))

// -----------------------------------------------------------------------------
// containers
// -----------------------------------------------------------------------------

/**
 * A container to run: everything `Run` takes (`image`, `cmd`, `Env`, `HostConfig`, `Labels`, `pull`, …) and
 *
 * - `ports`: container ports to publish on random host ports (bound to `bindAddress`, by default `127.0.0.1` for
 *   a local daemon and every interface for a remote one); {@link Container}'s `port(n)` gives the host side;
 * - `files`: files, folders and links (as `ContainerFiles` entries, paths relative to `/`) written before start;
 * - `wait`: when it is ready (a `Wait` strategy), within `waitTimeout` (default 60 s). Without `wait`, a container
 *   that publishes TCP `ports` is ready once they all listen inside it (`Wait.forListeningPorts`, testcontainers'
 *   default too). That check runs `cat` in the container: for an image without `cat` (a distroless one) the
 *   default wait is skipped and the container is given once started, as without ports; give another strategy to
 *   wait for it, or `Wait.all()` to wait for nothing in any case.
 *
 * @since 0.2.0
 * @category containers
 */
export interface ContainerSpec<P extends Ports.ContainerPort = never, R = never> extends Run.RunOptions<R> {
  readonly ports?: ReadonlyArray<P> | undefined
  readonly bindAddress?: string | undefined
  readonly files?: ReadonlyArray<ContainerFiles.EntryInput> | undefined
  readonly wait?: Wait.Strategy | undefined
  readonly waitTimeout?: Duration.Input | undefined
}

/**
 * A {@link ContainerSpec} without its image: what {@link container}, {@link layer} and {@link Service} take after
 * the image when it is given first (`Resources.container("redis:7", { ports: [6379] })`), as `docker run IMAGE` and
 * the testcontainers libraries do. One set of options can then serve several images (`postgres:16`, `postgres:17`).
 *
 * @since 0.2.0
 * @category containers
 */
export interface ContainerOptions<P extends Ports.ContainerPort = never, R = never>
  extends Omit<ContainerSpec<P, R>, "image">
{}

const toSpec = <P extends Ports.ContainerPort, R>(
  imageOrSpec: string | ContainerSpec<P, R>,
  options: ContainerOptions<P, R> | undefined
): ContainerSpec<P, R> => typeof imageOrSpec === "string" ? { ...options, image: imageOrSpec } : imageOrSpec

/**
 * A started, ready container: its id and name, where its published ports are reachable (`host`, `port(n)`,
 * `endpoint(n)`, `address(n)` as `host:port`), and its logs, commands and state. Its functions need no `Docker`
 * service (they use the one it was started with). It is removed when its scope closes.
 *
 * @since 0.2.0
 * @category containers
 */
export interface Container<P extends Ports.ContainerPort = never> {
  readonly id: string
  readonly name: string
  /** The host the published ports are reached through (that of the first port, or the daemon's). */
  readonly host: string
  /** The host port of a port of `ports` (a port that is not in `ports` throws). */
  readonly port: (port: P) => number
  readonly endpoint: (port: P) => Ports.Endpoint
  /** `host:port` (an IPv6 host in brackets), for URLs. */
  readonly address: (port: P) => string
  /** Its output so far. */
  readonly logs: Effect.Effect<
    { readonly stdout: string; readonly stderr: string },
    Demux.DaemonStreamError | Demux.DemuxError | Docker.CallError<404 | 500>
  >
  /** Runs a command in it (see `Exec.run`). */
  readonly exec: (
    cmd: ReadonlyArray<string>,
    options?: Exec.RunOptions
  ) => Effect.Effect<
    Exec.RunResult,
    Demux.DaemonStreamError | Demux.DemuxError | Errors.HijackNotSupported | Docker.CallError<404 | 409 | 500>
  >
  readonly inspect: Effect.Effect<Models.ContainerInspectResponse, Docker.CallError<404 | 500>>
}

/**
 * How starting a {@link Container} can fail: getting the image, creating, copying files, starting, waiting or
 * finding its ports.
 *
 * @since 0.2.0
 * @category containers
 */
export type ContainerError =
  | Ndjson.NdjsonError
  | Images.ImageStreamError
  | Errors.RegistryUnauthorized
  | Errors.RateLimited
  | Credentials.CredentialsError
  | ContainerFiles.InvalidPath
  | Wait.WaitTimeout
  | Wait.WaitFailed
  | Ports.PortNotPublished
  | Docker.CallError<400 | 403 | 404 | 409 | 500>

const portBindings = <P extends Ports.ContainerPort>(
  ports: ReadonlyArray<P>,
  bindAddress: string
): Pick<Models.ContainerCreateBody, "ExposedPorts"> & { readonly PortBindings: Models.PortMap } => {
  const exposed: Record<string, {}> = {}
  const bindings: Record<string, ReadonlyArray<Models.PortBinding>> = {}
  for (const port of ports) {
    const key = Ports.portKey(port)
    exposed[key] = {}
    bindings[key] = [{ HostIp: bindAddress, HostPort: "" }]
  }
  return { ExposedPorts: exposed, PortBindings: bindings }
}

/**
 * Creates, starts and waits for a container in the current scope, and gives it as a {@link Container}: the
 * image is pulled if missing, the session's labels are added, `ports` are published, `files` are written before
 * start, and `wait` runs with `waitTimeout` (without `wait`: until the published TCP ports listen; see
 * {@link ContainerSpec}). When the scope closes the container is removed (forced, with its
 * anonymous volumes), also when a later step failed or the fiber was interrupted.
 *
 * The image may come first and the rest of the spec after it (see {@link ContainerOptions}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources, Wait } from "effect-docker"
 * const greeting = Effect.scoped(Effect.gen(function*() {
 *   const echo = yield* Resources.container({
 *     image: "busybox",
 *     cmd: ["sh", "-c", "echo ready; sleep 3600"],
 *     wait: Wait.forLogLine("ready")
 *   })
 *   const web = yield* Resources.container("busybox", { cmd: ["httpd", "-f", "-p", "80"], ports: [80] })
 *   return `${(yield* echo.exec(["echo", "hello"])).stdout} from ${web.address(80)}`
 * })) // the containers are gone here
 * ```
 * @since 0.2.0
 * @category containers
 */
export const container: {
  <const P extends Ports.ContainerPort = never, R = never>(
    spec: ContainerSpec<P, R>
  ): Effect.Effect<Container<P>, ContainerError, R | Docker.Docker | Scope.Scope>
  <const P extends Ports.ContainerPort = never, R = never>(
    image: string,
    options?: ContainerOptions<P, R>
  ): Effect.Effect<Container<P>, ContainerError, R | Docker.Docker | Scope.Scope>
} = <const P extends Ports.ContainerPort = never, R = never>(
  imageOrSpec: string | ContainerSpec<P, R>,
  options?: ContainerOptions<P, R>
): Effect.Effect<Container<P>, ContainerError, R | Docker.Docker | Scope.Scope> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const { bindAddress, files, ports = [], wait, waitTimeout, ...run } = toSpec(imageOrSpec, options)
    const local = Ports.daemonHost(docker.connection) === undefined
    const published = portBindings(ports, bindAddress ?? (local ? "127.0.0.1" : ""))
    const id = yield* Run.create({
      ...run,
      Labels: yield* withSessionLabels(run.Labels),
      ExposedPorts: { ...run.ExposedPorts, ...published.ExposedPorts },
      HostConfig: { ...run.HostConfig, PortBindings: { ...run.HostConfig?.PortBindings, ...published.PortBindings } }
    })
    if (files !== undefined && files.length > 0) yield* ContainerFiles.copyEntries(id, "/", files)
    yield* Containers.start(id)
    const tcpPorts = ports.flatMap((port) => {
      const match = /^(\d+)\/tcp$/.exec(Ports.portKey(port))
      return match === null ? [] : [Number(match[1])]
    })
    const strategy = wait ??
      (tcpPorts.length === 0 ? undefined : Wait.forListeningPorts({ ports: tcpPorts, unreadable: "ready" }))
    if (strategy !== undefined) {
      yield* Wait.run(id, strategy, waitTimeout === undefined ? {} : { timeout: waitTimeout })
    }
    const inspected = yield* Containers.inspect(id)
    const endpoints = new Map<string, Ports.Endpoint>()
    for (const port of ports) {
      endpoints.set(
        Ports.portKey(port),
        yield* Effect.fromResult(Ports.fromInspect(inspected, port, docker.connection))
      )
    }
    const endpoint = (port: P): Ports.Endpoint => {
      const found = endpoints.get(Ports.portKey(port))
      if (found === undefined) throw new Error(`port ${Ports.portKey(port)} is not in the container's ports`)
      return found
    }
    const provide = <A, E>(effect: Effect.Effect<A, E, Docker.Docker>) =>
      Effect.provideService(effect, Docker.Docker, docker)
    const started: Container<P> = {
      id,
      name: (inspected.Name ?? "").replace(/^\//, ""),
      host: endpoints.values().next().value?.host ?? Ports.daemonHost(docker.connection) ?? "127.0.0.1",
      port: (port) => endpoint(port).port,
      endpoint,
      address: (port) => Ports.hostPort(endpoint(port)),
      logs: provide(Containers.logsText(id)),
      exec: (cmd, options) => provide(Exec.run(id, cmd, options)),
      inspect: provide(Containers.inspect(id))
    }
    return started
  })

/**
 * A Layer that provides a {@link Container} as the service `tag`: started (and waited for) when the Layer is
 * built, removed when it is released. Declare the service once with `Context.Service`, naming its ports. The
 * image may come first (`Resources.layer(Cache, "redis:7", { ports: [6379] })`).
 *
 * @example
 * ```ts
 * import { Context, Effect } from "effect"
 * import { Resources, Wait } from "effect-docker"
 * class Cache extends Context.Service<Cache, Resources.Container<6379>>()("app/Cache") {}
 * const CacheLive = Resources.layer(Cache, {
 *   image: "redis:7",
 *   ports: [6379],
 *   wait: Wait.forLogLine(/Ready to accept connections/)
 * })
 * const url = Effect.map(Effect.service(Cache), (cache) => `redis://${cache.address(6379)}`).pipe(
 *   Effect.provide(CacheLive)
 * )
 * ```
 * @since 0.2.0
 * @category layers
 */
export const layer: {
  <I, P extends Ports.ContainerPort = never, R = never>(
    tag: Context.Service<I, Container<P>>,
    spec: ContainerSpec<NoInfer<P>, R>
  ): Layer.Layer<I, ContainerError, Docker.Docker | Exclude<R, Scope.Scope>>
  <I, P extends Ports.ContainerPort = never, R = never>(
    tag: Context.Service<I, Container<P>>,
    image: string,
    options?: ContainerOptions<NoInfer<P>, R>
  ): Layer.Layer<I, ContainerError, Docker.Docker | Exclude<R, Scope.Scope>>
} = <I, P extends Ports.ContainerPort = never, R = never>(
  tag: Context.Service<I, Container<P>>,
  imageOrSpec: string | ContainerSpec<P, R>,
  options?: ContainerOptions<P, R>
): Layer.Layer<I, ContainerError, Docker.Docker | Exclude<R, Scope.Scope>> =>
  Layer.effect(
    tag,
    container(toSpec(imageOrSpec, options)) as Effect.Effect<
      Container<P>,
      ContainerError,
      R | Docker.Docker | Scope.Scope
    >
  )

/**
 * A service class made by {@link Service}: the service (a {@link Container} with the spec's ports) and `layer`,
 * which starts it.
 *
 * @since 0.2.0
 * @category layers
 */
export type ServiceClass<Self, Id extends string, P extends Ports.ContainerPort, R> =
  & Context.ServiceClass<Self, Id, Container<P>>
  & { readonly layer: Layer.Layer<Self, ContainerError, Docker.Docker | Exclude<R, Scope.Scope>> }

/**
 * What `Resources.Service<Self>()` gives: a function of the service's id and its container, as a spec or as an
 * image followed by the rest of the spec.
 *
 * @since 0.2.0
 * @category layers
 */
export interface ServiceMaker<Self> {
  <const Id extends string, const P extends Ports.ContainerPort = never, R = never>(
    id: Id,
    spec: ContainerSpec<P, R>
  ): ServiceClass<Self, Id, P, R>
  <const Id extends string, const P extends Ports.ContainerPort = never, R = never>(
    id: Id,
    image: string,
    options?: ContainerOptions<P, R>
  ): ServiceClass<Self, Id, P, R>
}

/**
 * A service class for one container, with its Layer: `class Db extends Resources.Service<Db>()("Db", spec) {}`
 * (or `("Db", image, options)`) declares the service (its shape is a {@link Container} with the spec's ports) and
 * `Db.layer` starts it (see {@link layer}).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources, Wait } from "effect-docker"
 * class Web extends Resources.Service<Web>()("app/Web", "busybox", {
 *   cmd: ["httpd", "-f", "-p", "8080"],
 *   ports: [8080],
 *   wait: Wait.forListeningPort(8080)
 * }) {}
 * const port = Effect.map(Effect.service(Web), (web) => web.port(8080)).pipe(Effect.provide(Web.layer))
 * ```
 * @since 0.2.0
 * @category layers
 */
export const Service =
  <Self>(): ServiceMaker<Self> =>
  <const Id extends string, const P extends Ports.ContainerPort = never, R = never>(
    id: Id,
    imageOrSpec: string | ContainerSpec<P, R>,
    options?: ContainerOptions<P, R>
  ): ServiceClass<Self, Id, P, R> => {
    const tag = Context.Service<Self, Container<P>>()(id)
    return Object.assign(tag, { layer: layer(tag, toSpec(imageOrSpec, options)) })
  }

// -----------------------------------------------------------------------------
// networks and volumes
// -----------------------------------------------------------------------------

/**
 * A network to create: the daemon's options (`Driver`, `Internal`, `Labels`, …) and a name (default
 * `effect-docker-` and a random suffix).
 *
 * @since 0.2.0
 * @category networks
 */
export interface NetworkSpec extends Omit<Models.NetworkCreateRequest, "Name"> {
  readonly name?: string | undefined
}

/**
 * A network created by {@link network}.
 *
 * @since 0.2.0
 * @category networks
 */
export interface Network {
  readonly id: string
  readonly name: string
}

const randomName = () => `effect-docker-${globalThis.crypto.randomUUID().slice(0, 12)}`

/**
 * Creates a network (with the session's labels) in the current scope; it is removed when the scope closes. Close
 * it after the containers attached to it: create it first in the same scope (finalizers run in reverse).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources } from "effect-docker"
 * const pair = Effect.scoped(Effect.gen(function*() {
 *   const net = yield* Resources.network()
 *   const db = yield* Resources.container({
 *     image: "busybox",
 *     cmd: ["nc", "-lk", "-p", "5432", "-e", "cat"],
 *     NetworkingConfig: { EndpointsConfig: { [net.name]: { Aliases: ["db"] } } }
 *   })
 *   return db.id
 * }))
 * ```
 * @since 0.2.0
 * @category networks
 */
export const network = (
  spec: NetworkSpec = {}
): Effect.Effect<Network, Docker.CallError<400 | 403 | 404 | 500>, Docker.Docker | Scope.Scope> =>
  Effect.gen(function*() {
    const { name = randomName(), ...config } = spec
    const labelled = yield* withSessionLabels(config.Labels)
    const created = yield* Effect.acquireRelease(
      Networks.create({ ...config, Name: name, Labels: labelled }),
      (net) => Effect.ignore(Networks.remove(net.Id))
    )
    const result: Network = { id: created.Id, name }
    return result
  })

/**
 * A Layer that provides a {@link Network} as the service `tag`, removed when the Layer is released.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Resources } from "effect-docker"
 * class Backend extends Context.Service<Backend, Resources.Network>()("app/Backend") {}
 * const BackendLive = Resources.networkLayer(Backend, { Internal: true })
 * ```
 * @since 0.2.0
 * @category layers
 */
export const networkLayer = <I>(
  tag: Context.Service<I, Network>,
  spec: NetworkSpec = {}
): Layer.Layer<I, Docker.CallError<400 | 403 | 404 | 500>, Docker.Docker> => Layer.effect(tag, network(spec))

/**
 * A volume to create: the daemon's options (`Driver`, `DriverOpts`, `Labels`) and a name (default: the daemon's
 * random one).
 *
 * @since 0.2.0
 * @category volumes
 */
export interface VolumeSpec extends Omit<Models.VolumeCreateRequest, "Name"> {
  readonly name?: string | undefined
}

/**
 * A volume created by {@link volume}.
 *
 * @since 0.2.0
 * @category volumes
 */
export interface Volume {
  readonly name: string
}

/**
 * Creates a volume (with the session's labels) in the current scope; it is removed (forced) when the scope
 * closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources } from "effect-docker"
 * const seeded = Effect.scoped(Effect.gen(function*() {
 *   const data = yield* Resources.volume()
 *   yield* Resources.container({
 *     image: "busybox",
 *     cmd: ["sleep", "3600"],
 *     HostConfig: { Binds: [`${data.name}:/data`] }
 *   })
 * }))
 * ```
 * @since 0.2.0
 * @category volumes
 */
export const volume = (
  spec: VolumeSpec = {}
): Effect.Effect<Volume, Docker.CallError<500>, Docker.Docker | Scope.Scope> =>
  Effect.gen(function*() {
    const { name, ...config } = spec
    const labelled = yield* withSessionLabels(config.Labels)
    const created = yield* Effect.acquireRelease(
      Volumes.create({ ...config, ...(name === undefined ? {} : { Name: name }), Labels: labelled }),
      (v) => Effect.ignore(Volumes.remove(v.Name, { force: true }))
    )
    const result: Volume = { name: created.Name }
    return result
  })

/**
 * A Layer that provides a {@link Volume} as the service `tag`, removed when the Layer is released.
 *
 * @example
 * ```ts
 * import { Context } from "effect"
 * import { Resources } from "effect-docker"
 * class Data extends Context.Service<Data, Resources.Volume>()("app/Data") {}
 * const DataLive = Resources.volumeLayer(Data)
 * ```
 * @since 0.2.0
 * @category layers
 */
export const volumeLayer = <I>(
  tag: Context.Service<I, Volume>,
  spec: VolumeSpec = {}
): Layer.Layer<I, Docker.CallError<500>, Docker.Docker> => Layer.effect(tag, volume(spec))

// -----------------------------------------------------------------------------
// cleanup
// -----------------------------------------------------------------------------

/**
 * What the reaper knows about this machine: its host name and whether a process exists (`undefined`: cannot
 * tell). By default read from the runtime (`process.kill(pid, 0)` on Node, Deno and Bun; unknown in browsers).
 *
 * @since 0.2.0
 * @category cleanup
 */
export interface Machine {
  readonly host: string | undefined
  readonly isRunning: (pid: number) => boolean | undefined
}

/**
 * The machine {@link cleanup} checks processes on. Replace it to decide liveness another way.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources } from "effect-docker"
 * const onlyExpired = Resources.cleanup().pipe(
 *   Effect.provideService(Resources.CurrentMachine, { host: undefined, isRunning: () => undefined })
 * )
 * ```
 * @since 0.2.0
 * @category cleanup
 */
export const CurrentMachine: Context.Reference<Machine> = Context.Reference<Machine>(
  "effect-docker/Resources/CurrentMachine",
  { defaultValue: () => ({ host: currentHost(), isRunning }) }
)

/**
 * Why a labelled resource is kept or removed: `current` (this session's), `running` (its process exists here),
 * `unknown` (liveness cannot be checked and it is not older than the TTL, or its labels cannot be read) are kept;
 * `exited` (its process is gone from this machine) and `expired` (older than the TTL) are removed.
 *
 * @since 0.2.0
 * @category cleanup
 */
export type Verdict = "current" | "running" | "unknown" | "exited" | "expired"

/**
 * What {@link verdict} compares a resource's labels with.
 *
 * @since 0.2.0
 * @category cleanup
 */
export interface VerdictContext {
  readonly session: Session
  readonly machine: Machine
  /** Milliseconds since the epoch. */
  readonly now: number
  readonly ttlMillis: number
}

const parsePid = (raw: string | undefined): number | undefined => {
  if (raw === undefined || !/^[1-9][0-9]{0,9}$/.test(raw)) return undefined
  const pid = Number(raw)
  return pid <= 0x7fffffff ? pid : undefined
}

const parseCreated = (raw: string | undefined): number | undefined => {
  if (raw === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(raw)) return undefined
  const time = Date.parse(raw)
  return Number.isFinite(time) ? time : undefined
}

/**
 * The reaper's rule (see the module's notes) as a pure function of a resource's labels.
 *
 * @example
 * ```ts
 * import { Resources } from "effect-docker"
 * const machine = { host: "ci-7", isRunning: (pid: number) => pid === 42 }
 * const context = { session: { id: "me" }, machine, now: Date.now(), ttlMillis: 86_400_000 }
 * const labels = { "effect-docker.session": "old", "effect-docker.pid": "41", "effect-docker.host": "ci-7" }
 * Resources.verdict(labels, context)
 * // "exited"
 * ```
 * @since 0.2.0
 * @category cleanup
 */
export const verdict = (
  resourceLabels: { readonly [key: string]: string } | undefined,
  context: VerdictContext
): Verdict => {
  const session = resourceLabels?.[labels.session]
  if (session === undefined || session === "") return "unknown"
  if (session === context.session.id) return "current"
  const host = resourceLabels?.[labels.host]
  const pid = parsePid(resourceLabels?.[labels.pid])
  if (context.machine.host !== undefined && host === context.machine.host && pid !== undefined) {
    const running = context.machine.isRunning(pid)
    if (running === true) return "running"
    if (running === false) return "exited"
  }
  const created = parseCreated(resourceLabels?.[labels.created])
  return created !== undefined && context.now - created > context.ttlMillis ? "expired" : "unknown"
}

/**
 * Options of {@link cleanup}.
 *
 * @since 0.2.0
 * @category cleanup
 */
export interface CleanupOptions {
  /** How old a resource whose creator's liveness cannot be checked must be to go (default 24 hours). */
  readonly ttl?: Duration.Input | undefined
  /** Decide, but remove nothing. */
  readonly dryRun?: boolean | undefined
}

/**
 * One labelled resource {@link cleanup} looked at.
 *
 * @since 0.2.0
 * @category cleanup
 */
export interface Judged {
  readonly kind: "container" | "network" | "volume"
  readonly id: string
  readonly session: string
  readonly verdict: Verdict
}

/**
 * What {@link cleanup} did: the resources it removed, those it kept, and those whose removal failed (with the
 * daemon's message).
 *
 * @since 0.2.0
 * @category cleanup
 */
export interface CleanupReport {
  readonly removed: ReadonlyArray<Judged>
  readonly kept: ReadonlyArray<Judged>
  readonly failed: ReadonlyArray<Judged & { readonly message: string }>
}

/**
 * Removes what dead sessions left: every container (forced, with its anonymous volumes), then network, then
 * volume that carries a session label and that the rule of the module's notes ({@link verdict}) declares
 * `exited` or `expired`. The current session's resources and those of sessions that may be alive are never
 * touched. A resource that disappeared meanwhile counts as removed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resources } from "effect-docker"
 * const swept = Resources.cleanup({ ttl: "6 hours" }).pipe(
 *   Effect.map((report) => report.removed.map((r) => `${r.kind} ${r.id}`))
 * )
 * ```
 * @since 0.2.0
 * @category cleanup
 */
export const cleanup = (
  options: CleanupOptions = {}
): Effect.Effect<CleanupReport, Docker.CallError<400 | 500>, Docker.Docker> =>
  Effect.gen(function*() {
    const context: VerdictContext = {
      session: yield* CurrentSession,
      machine: yield* CurrentMachine,
      now: Date.now(),
      ttlMillis: Duration.toMillis(Duration.fromInputUnsafe(options.ttl ?? "24 hours"))
    }
    const filters = { label: [labels.session] }
    const judge = (
      kind: Judged["kind"],
      id: string,
      found: { readonly [key: string]: string } | undefined
    ): Judged => ({
      kind,
      id,
      session: found?.[labels.session] ?? "",
      verdict: verdict(found, context)
    })
    // listed in the order they are removed: containers hold networks and volumes
    const judged: Array<Judged> = [
      ...(yield* Containers.list({ all: true, filters })).map((c) => judge("container", c.Id, c.Labels)),
      ...(yield* Networks.list({ filters })).flatMap((n) =>
        n.Id === undefined ? [] : [judge("network", n.Id, n.Labels)]
      ),
      ...((yield* Volumes.list({ filters })).Volumes ?? []).map((v) => judge("volume", v.Name, v.Labels))
    ]
    const removed: Array<Judged> = []
    const kept: Array<Judged> = []
    const failed: Array<Judged & { readonly message: string }> = []
    for (const item of judged) {
      if (item.verdict !== "exited" && item.verdict !== "expired") {
        kept.push(item)
        continue
      }
      if (options.dryRun === true) {
        removed.push(item)
        continue
      }
      const removal: Effect.Effect<void, Docker.CallError<400 | 403 | 404 | 409 | 500>, Docker.Docker> =
        item.kind === "container"
          ? Containers.remove(item.id, { force: true, v: true })
          : item.kind === "network"
          ? Networks.remove(item.id)
          : Volumes.remove(item.id, { force: true })
      const outcome = yield* Effect.result(removal)
      if (Result.isSuccess(outcome) || outcome.failure._tag === "NotFound") removed.push(item)
      else failed.push({ ...item, message: outcome.failure.message })
    }
    const report: CleanupReport = { removed, kept, failed }
    return report
  })
