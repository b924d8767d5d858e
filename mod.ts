/**
 * A typed, streaming-first client for the Docker Engine API on Effect 4, for Deno, Bun, Node and browsers.
 *
 * This entry point is the browser-safe core: operation descriptions, request building, decoding, errors and the
 * ergonomic modules. Transports live in platform entry points (`effect-docker/node`, …); the Docker Verified
 * Publisher analytics client lives at `effect-docker/dvp`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Containers } from "effect-docker"
 * import * as DockerNode from "effect-docker/node"
 *
 * const program = Effect.gen(function*() {
 *   const { Id } = yield* Containers.create({ Image: "busybox", Cmd: ["echo", "hello world"] })
 *   yield* Containers.start(Id)
 *   yield* Containers.wait(Id)
 *   const { stdout } = yield* Containers.logsText(Id)
 *   yield* Containers.remove(Id)
 *   return stdout
 * })
 * Effect.runPromise(program.pipe(Effect.provide(DockerNode.layer()))).then(console.log)
 * ```
 *
 * @module
 * @since 0.1.0
 */
export * as ApiVersion from "./src/ApiVersion.ts"
export * as BuildContext from "./src/BuildContext.ts"
export * as Configs from "./src/Configs.ts"
export * as ContainerFiles from "./src/ContainerFiles.ts"
export * as Containers from "./src/Containers.ts"
export * as Credentials from "./src/Credentials.ts"
export * as Demux from "./src/Demux.ts"
export * as Distribution from "./src/Distribution.ts"
export * as Docker from "./src/Docker.ts"
export * as DockerEnv from "./src/DockerEnv.ts"
export * as Errors from "./src/Errors.ts"
export * as Events from "./src/Events.ts"
export * as Exec from "./src/Exec.ts"
export * as Api from "./src/generated/api.ts"
export * as Operations from "./src/generated/operations.ts"
export * as Models from "./src/generated/schemas.ts"
export * as Host from "./src/Host.ts"
export * as Images from "./src/Images.ts"
export * as Ndjson from "./src/Ndjson.ts"
export * as Networks from "./src/Networks.ts"
export * as Nodes from "./src/Nodes.ts"
export * as Operation from "./src/Operation.ts"
export * as Plugins from "./src/Plugins.ts"
export * as Ports from "./src/Ports.ts"
export * as Progress from "./src/Progress.ts"
export * as ProxyPolicy from "./src/ProxyPolicy.ts"
export * as Resources from "./src/Resources.ts"
export * as Run from "./src/Run.ts"
export * as Secrets from "./src/Secrets.ts"
export * as Services from "./src/Services.ts"
export * as Session from "./src/Session.ts"
export * as Stats from "./src/Stats.ts"
export * as Swarm from "./src/Swarm.ts"
export * as System from "./src/System.ts"
export * as Tasks from "./src/Tasks.ts"
export * as Volumes from "./src/Volumes.ts"
export * as Wait from "./src/Wait.ts"
