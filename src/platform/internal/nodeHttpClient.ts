/**
 * A lean `HttpClient` on `node:http`/`node:https` for talking to a Docker daemon: one `http.request` per call on a
 * keep-alive agent, no per-request fibers, abort controllers or spans (the SDK's own spans, if wanted, wrap whole
 * operations). Request bodies stream with back-pressure; `Connection: Upgrade` responses hand over the connection
 * as a `Socket`. Runs on Node, and on Bun and Deno through their `node:http`.
 *
 * @internal
 */
import { NodeHttpIncomingMessage } from "@effect/platform-node/NodeHttpIncomingMessage"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { pipeArguments } from "effect/Pipeable"
import * as Stream from "effect/Stream"
import * as Cookies from "effect/http/Cookies"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as Socket from "effect/socket/Socket"
import * as http from "node:http"
import * as https from "node:https"
import type { Duplex } from "node:stream"
import { ConnectTimeoutError, defaultConnectTimeoutMillis } from "../../internal/connectTimeout.ts"

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request,
      cause,
      ...(description === undefined ? {} : { description })
    })
  })

class NodeResponse extends NodeHttpIncomingMessage<HttpClientError.HttpClientError>
  implements HttpClientResponse.HttpClientResponse
{
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly request: HttpClientRequest.HttpClientRequest
  readonly url: string
  private readonly upgraded: Duplex | undefined
  constructor(
    request: HttpClientRequest.HttpClientRequest,
    source: http.IncomingMessage,
    url: string,
    upgraded: Duplex | undefined
  ) {
    super(source, (cause) =>
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.DecodeError({ request, response: this, cause })
      }))
    this.request = request
    this.url = url
    this.upgraded = upgraded
  }
  get status(): number {
    return this.source.statusCode ?? 0
  }
  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    return header ? Cookies.fromSetCookie(header) : Cookies.empty
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.fail(this.onError(new Error("form data responses are not read by this client")))
  }
  get upgrade(): Effect.Effect<Socket.Socket, HttpClientError.HttpClientError> {
    const connection = this.upgraded
    if (connection === undefined) {
      return Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.StatusCodeError({
            request: this.request,
            response: this,
            description: "expected 101 Switching Protocols"
          })
        })
      )
    }
    return NodeSocket.fromDuplex(
      Effect.acquireRelease(
        Effect.suspend(() =>
          connection.destroyed
            ? Effect.fail(
              new Socket.SocketError({
                reason: new Socket.SocketOpenError({ kind: "Unknown", cause: new Error("the connection closed") })
              })
            )
            : Effect.succeed(connection)
        ),
        (conn) =>
          Effect.sync(() => {
            const soon = (conn as { destroySoon?: () => void }).destroySoon
            if (soon === undefined) conn.destroy()
            else soon.call(conn)
          })
      )
    )
  }
  // a body read that is interrupted (a timeout, the caller) closes the connection instead of leaving it busy
  override get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.onInterrupt(super.arrayBuffer, () => Effect.sync(() => this.source.destroy()))
  }
  override get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    return Effect.onInterrupt(super.text, () => Effect.sync(() => this.source.destroy()))
  }
  override toJSON(): unknown {
    return { _id: "effect/http/HttpClientResponse", status: this.status, url: this.url }
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

const writeStream = (
  nodeRequest: http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest,
  body: Stream.Stream<Uint8Array, unknown>
) =>
  Stream.runForEach(body, (chunk) =>
    nodeRequest.write(chunk) ? Effect.void : Effect.callback<void>((resume) => {
      const onDrain = () => resume(Effect.void)
      nodeRequest.once("drain", onDrain)
      return Effect.sync(() => nodeRequest.off("drain", onDrain))
    })).pipe(
      Effect.mapError((cause) => transportError(request, cause, "the request body failed")),
      Effect.andThen(Effect.sync(() => nodeRequest.end()))
    )

const send = (
  agent: http.Agent,
  connectMillis: number,
  origin: { readonly protocol: "http:" | "https:"; readonly hostname: string; readonly port: string; readonly href: string },
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    const target = request.url.startsWith(origin.href) ? request.url.slice(origin.href.length) : request.url
    const query = UrlParams.toString(request.urlParams)
    const path = query === "" ? target : `${target}${target.includes("?") ? "&" : "?"}${query}`
    const options: http.RequestOptions = {
      agent,
      method: request.method,
      protocol: origin.protocol,
      hostname: origin.hostname,
      port: origin.port,
      path,
      headers: request.headers
    }
    const nodeRequest = origin.protocol === "https:" ? https.request(options) : http.request(options)
    const href = `${origin.protocol}//${origin.hostname}${path}`
    let settled = false
    if (Number.isFinite(connectMillis)) {
      nodeRequest.once("socket", (socket) => {
        if (nodeRequest.reusedSocket || !socket.connecting) return
        const timer = setTimeout(() => nodeRequest.destroy(new ConnectTimeoutError(connectMillis)), connectMillis)
        const clear = () => clearTimeout(timer)
        socket.once(origin.protocol === "https:" ? "secureConnect" : "connect", clear)
        socket.once("close", clear)
      })
    }
    nodeRequest.on("error", (cause) => {
      if (!settled) {
        settled = true
        resume(Effect.fail(transportError(request, cause)))
      }
    })
    nodeRequest.on("response", (response) => {
      settled = true
      resume(Effect.succeed(new NodeResponse(request, response, href, undefined)))
    })
    nodeRequest.on("upgrade", (response, socket, head) => {
      settled = true
      if (head.length > 0) socket.unshift(head)
      socket.on("error", () => {})
      resume(Effect.succeed(new NodeResponse(request, response, href, socket)))
    })
    const body = request.body
    switch (body._tag) {
      case "Empty":
        nodeRequest.end()
        break
      case "Uint8Array":
        nodeRequest.end(body.body)
        break
      case "Raw":
        nodeRequest.end(body.body as Uint8Array | string)
        break
      case "Stream":
        if (body.contentLength === undefined) nodeRequest.setHeader("transfer-encoding", "chunked")
        Effect.runFork(
          writeStream(nodeRequest, request, body.stream).pipe(
            Effect.catch((error) =>
              Effect.sync(() => {
                nodeRequest.destroy(error)
              })
            )
          )
        )
        break
      case "FormData":
        settled = true
        nodeRequest.destroy()
        resume(Effect.fail(transportError(request, undefined, "form data request bodies are not supported")))
        break
    }
    return Effect.sync(() => {
      if (!settled) nodeRequest.destroy()
    })
  })

/**
 * Makes the client. `baseUrl` gives the scheme, host and port of every request (for a unix socket, any host: the
 * agent's `socketPath` decides where it goes).
 *
 * @internal
 */
export const make = (
  agent: http.Agent,
  baseUrl: string,
  connectMillis: number = defaultConnectTimeoutMillis
): HttpClient.HttpClient => {
  const base = new URL(baseUrl)
  const origin = {
    protocol: base.protocol === "https:" ? "https:" as const : "http:" as const,
    hostname: base.hostname,
    port: base.port,
    href: base.origin
  }
  return HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>((effect) => Effect.flatMap(effect, (request) => send(agent, connectMillis, origin, request)), Effect.succeed)
}

/**
 * A keep-alive agent for the options (a `socketPath`, TLS material), closed with the scope.
 *
 * @internal
 */
export const makeAgent = (options: https.AgentOptions & { readonly socketPath?: string | undefined }, tls: boolean) =>
  Effect.acquireRelease(
    Effect.sync(() => tls ? new https.Agent({ keepAlive: true, ...options }) : new http.Agent({ keepAlive: true, ...options })),
    (agent) => Effect.sync(() => agent.destroy())
  )

/**
 * The client as a layer: a keep-alive agent for `options` (closed with the layer) and requests to `baseUrl`.
 *
 * @internal
 */
export const layer = (
  options: https.AgentOptions & { readonly socketPath?: string | undefined },
  baseUrl: string,
  connectMillis: number = defaultConnectTimeoutMillis
): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(makeAgent(options, baseUrl.startsWith("https:")), (agent) => make(agent, baseUrl, connectMillis))
  )
