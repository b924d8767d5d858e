/**
 * Fetch transport: the Docker client over any `fetch` to a base URL — an HTTP(S) proxy in front of the engine,
 * or a daemon listening on TCP. It is browser-safe (only `fetch`, Web streams and `WebSocket`), and runs
 * unchanged on Node, Deno, Bun and in browsers. Response bodies stream (logs, events, pull progress).
 *
 * `fetch` cannot hijack a connection, so `Docker.hijack` (attach, exec start) fails with `HijackNotSupported`
 * before any I/O. To attach to a container, use {@link attachWebSocket}, which speaks the Engine's
 * `/containers/{id}/attach/ws` WebSocket endpoint instead.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Socket from "effect/socket/Socket"
import type * as ApiVersion from "../ApiVersion.ts"
import * as Docker from "../Docker.ts"
import type * as Errors from "../Errors.ts"
import * as FetchClient from "./internal/fetchClient.ts"

/**
 * Options of the fetch transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions {
  /** Where the Engine API answers, e.g. `http://127.0.0.1:2375` or `https://example.com/docker`. */
  readonly baseUrl: string
  /** Pins the API version and skips negotiation. */
  readonly apiVersion?: ApiVersion.ApiVersion
  /** The `fetch` to use; the global one when absent. */
  readonly fetch?: typeof globalThis.fetch
  /**
   * Extra `RequestInit` fields for every request (credentials mode, headers, a runtime's own options). `redirect`
   * is always `"manual"`: a redirect fails the call with `Errors.Redirected`.
   */
  readonly requestInit?: RequestInit
  /**
   * The request timeout of every call (see `Docker.RequestTimeout`); none when absent. `fetch` has no separate
   * connect timeout: the runtime's own applies (undici on Node: 10 s; browsers: their own).
   *
   * @since 0.2.0
   */
  readonly timeout?: Duration.Input
}

const trimSlash = (url: string) => url.replace(/\/+$/, "")

/**
 * The Docker client over `fetch`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Api } from "effect-docker"
 * import * as DockerFetch from "effect-docker/fetch"
 * const containers = Api.containerList({ all: true }).pipe(
 *   Effect.provide(DockerFetch.layer({ baseUrl: "http://127.0.0.1:2375" }))
 * )
 * ```
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: FetchOptions): Layer.Layer<Docker.Docker> => {
  const baseUrl = trimSlash(options.baseUrl)
  const connection: Docker.DockerConnection = {
    baseUrl,
    target: baseUrl,
    transport: "fetch",
    canHijack: false,
    ...(options.apiVersion === undefined ? {} : { apiVersion: options.apiVersion }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout })
  }
  const client = Layer.effect(
    HttpClient.HttpClient,
    FetchClient.make({ init: options.requestInit ?? {}, fetch: options.fetch })
  )
  return Docker.layer(connection).pipe(Layer.provide(client))
}

/**
 * What to attach to through the WebSocket endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttachWebSocketOptions {
  readonly stdin?: boolean
  readonly stdout?: boolean
  readonly stderr?: boolean
  /** Replay the output so far before streaming (the daemon's `logs`). */
  readonly logs?: boolean
  /** Keep streaming (the daemon's `stream`); default true. */
  readonly stream?: boolean
  readonly detachKeys?: string
}

/**
 * The WebSocket URL of `/containers/{id}/attach/ws` for a base URL (`http` becomes `ws`, `https` becomes `wss`).
 *
 * @example
 * ```ts
 * import * as DockerFetch from "effect-docker/fetch"
 * DockerFetch.attachWebSocketUrl("http://127.0.0.1:2375", "1.41", "abc", { stdout: true })
 * // "ws://127.0.0.1:2375/v1.41/containers/abc/attach/ws?stream=1&stdout=1"
 * ```
 * @since 0.1.0
 * @category attach
 */
export const attachWebSocketUrl = (
  baseUrl: string,
  version: ApiVersion.ApiVersion,
  id: string,
  options: AttachWebSocketOptions
): string => {
  const params = new URLSearchParams()
  if (options.logs === true) params.set("logs", "1")
  if (options.stream !== false) params.set("stream", "1")
  if (options.stdin === true) params.set("stdin", "1")
  if (options.stdout === true) params.set("stdout", "1")
  if (options.stderr === true) params.set("stderr", "1")
  if (options.detachKeys !== undefined) params.set("detachKeys", options.detachKeys)
  const base = new URL(trimSlash(baseUrl))
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:"
  return `${trimSlash(base.href)}/v${version}/containers/${encodeURIComponent(id)}/attach/ws?${params}`
}

/**
 * Attaches to a container over the Engine's WebSocket endpoint, for transports that cannot hijack (fetch,
 * browsers). The socket carries the container's raw output (not multiplexed: stdout and stderr arrive
 * interleaved) and, with `stdin`, writes go to its input. The WebSocket opens when a reader is acquired and closes
 * when that reader's scope closes.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Socket } from "effect/socket"
 * import * as DockerFetch from "effect-docker/fetch"
 * const output = Effect.scoped(Effect.gen(function*() {
 *   const socket = yield* DockerFetch.attachWebSocket("my-container", { stdout: true, stderr: true, logs: true })
 *   return yield* Stream.runCollect(Socket.toStream(socket))
 * }))
 * ```
 * @since 0.1.0
 * @category attach
 */
export const attachWebSocket = (
  id: string,
  options: AttachWebSocketOptions = {}
): Effect.Effect<Socket.Socket, Errors.TransportError | Errors.Timeout | Errors.DaemonTooOld, Docker.Docker> =>
  Effect.gen(function*() {
    const docker = yield* Docker.Docker
    const version = yield* docker.apiVersion
    const url = attachWebSocketUrl(docker.connection.baseUrl, version, id, options)
    return yield* Socket.makeWebSocket(url).pipe(Effect.provide(Socket.layerWebSocketConstructorGlobal))
  })
