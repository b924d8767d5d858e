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
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Cookies from "effect/http/Cookies"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Url from "effect/http/Url"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Result from "effect/Result"
import * as Scope from "effect/Scope"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as http from "node:http"
import * as https from "node:https"
import type { Duplex } from "node:stream"
import { release } from "../../internal/bufferPool.ts"
import { ConnectTimeoutError, defaultConnectTimeoutMillis } from "../../internal/connectTimeout.ts"
import { type UntracedSend, untracedSend } from "../../internal/request.ts"

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request,
      cause,
      ...(description === undefined ? {} : { description })
    })
  })

/**
 * Reads a response body to its end in flowing mode with plain listeners (no `once` wrappers): one `Buffer` per socket
 * read, one concat at the end. Calls `onEnd` with the bytes, or `onError` when the body fails or the connection
 * closes before it ended; returns the function that removes the listeners.
 */
const collectBody = (
  source: http.IncomingMessage,
  onEnd: (bytes: Buffer) => void,
  onError: (cause: unknown) => void
): () => void => {
  const chunks: Array<Buffer> = []
  let size = 0
  const onData = (chunk: Buffer) => {
    chunks.push(chunk)
    size += chunk.length
  }
  const cleanup = () => {
    source.off("data", onData)
    source.off("end", ended)
    source.off("error", failed)
    source.off("close", closed)
  }
  const ended = () => {
    cleanup()
    onEnd(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
  }
  const failed = (cause: unknown) => {
    cleanup()
    onError(cause)
  }
  const closed = () => {
    if (!source.complete) failed(new Error("the connection closed before the body ended"))
  }
  source.on("data", onData)
  source.on("end", ended)
  source.on("error", failed)
  source.on("close", closed)
  return cleanup
}

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
  private body: Effect.Effect<Buffer, HttpClientError.HttpClientError> | undefined
  /** The body read before the response was handed over (see {@link readAhead}): its bytes, or its failure. */
  private ahead: Buffer | HttpClientError.HttpClientError | undefined
  /**
   * Reads the whole body now, in plain listeners, and calls `done` when it ended or failed: the response is then
   * handed over with its body (one resumption of the caller's fiber instead of one for the headers and one for the
   * body). For bodies of a known small length only (see {@link aheadBytes}).
   */
  readAhead(done: () => void): void {
    collectBody(this.source, (bytes) => {
      this.ahead = bytes
      this.body = Effect.succeed(bytes)
      done()
    }, (cause) => {
      const error = this.onError(cause)
      this.ahead = error
      this.body = Effect.fail(error)
      done()
    })
  }
  /**
   * The whole body, read once in flowing mode (one `Buffer` per socket read, one concat at the end); later reads
   * get the same bytes. A read that is interrupted (a timeout, the caller) closes the connection instead of
   * leaving it busy.
   */
  private get bytes(): Effect.Effect<Buffer, HttpClientError.HttpClientError> {
    if (this.body !== undefined) return this.body
    const source = this.source
    const read = Effect.callback<Buffer, HttpClientError.HttpClientError>((resume) => {
      if (source.readableEnded) return resume(Effect.fail(this.onError(new Error("the body was already read"))))
      const cleanup = collectBody(source, (bytes) => {
        this.body = Effect.succeed(bytes)
        resume(this.body)
      }, (cause) => resume(Effect.fail(this.onError(cause))))
      return Effect.sync(() => {
        cleanup()
        source.destroy()
      })
    })
    this.body = read
    return read
  }
  /**
   * The body as a stream read in flowing mode (see {@link flowingBody}); closing the stream before the body ended
   * closes the connection.
   */
  override get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    const ahead = this.ahead
    if (ahead === undefined) return Stream.fromChannel(flowingBody(this.source, this.onError))
    if (!Buffer.isBuffer(ahead)) return Stream.fail(ahead)
    return ahead.length === 0 ? Stream.empty : Stream.succeed(ahead)
  }
  override get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.map(this.bytes, (bytes) =>
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer as ArrayBuffer
        : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  }
  override get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    const ahead = this.ahead
    if (Buffer.isBuffer(ahead)) return Effect.succeed(ahead.toString("utf8"))
    return Effect.map(this.bytes, (bytes) => bytes.toString("utf8"))
  }
  override toJSON(): unknown {
    return { _id: "effect/http/HttpClientResponse", status: this.status, url: this.url }
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/**
 * The largest `Content-Length` whose body the direct path reads before handing the response over (pings, inspects,
 * lists, error bodies); longer bodies, and bodies of unknown length (streams), are read by the caller.
 */
const aheadBytes = 64 * 1024

/** Whether a response's body is read ahead: a `Content-Length` of at most {@link aheadBytes}. */
const readsAhead = (response: http.IncomingMessage): boolean => {
  const length = response.headers["content-length"]
  return length !== undefined && length.length <= 6 && Number(length) <= aheadBytes
}

/**
 * The largest `Content-Length` whose body is read before the response is handed over when the caller reads the whole
 * body anyway (see `UntracedSend`); a body without one (chunked) is read so too.
 */
const wholeBytes = 64 * 1024 * 1024

/** Whether a response whose body the caller reads whole is read ahead: chunked, or at most {@link wholeBytes}. */
const readsWhole = (response: http.IncomingMessage): boolean => {
  const length = response.headers["content-length"]
  return length === undefined || (length.length <= 9 && Number(length) <= wholeBytes)
}

/** Bytes a body stream holds before it pauses the response (the socket then stops reading once Node's buffer fills). */
const pauseAtBytes = 256 * 1024

/**
 * A response body as a pull of batches, read in flowing mode: each `data` chunk is queued as Node hands it over (no
 * paused-mode `read()`, which copies buffered chunks into a new one), and a pull takes every chunk queued since the
 * last one. Back-pressure: past {@link pauseAtBytes} queued the response is paused, and the next pull resumes it.
 * The scope's end removes the listeners and, if the body has not ended, destroys the response, which closes the
 * connection.
 */
const flowingBody = <E>(source: http.IncomingMessage, onError: (cause: unknown) => E) =>
  Channel.fromTransform((_upstream: unknown, scope) =>
    Effect.suspend(() => {
      let queue: Array<Uint8Array> = []
      let queued = 0
      let ended = false
      let failed = false
      let failure: unknown = undefined
      let wake: ((effect: Effect.Effect<void>) => void) | undefined = undefined
      const notify = () => {
        if (wake === undefined) return
        const resume = wake
        wake = undefined
        resume(Effect.void)
      }
      const onData = (chunk: Buffer) => {
        queue.push(chunk)
        queued += chunk.length
        if (queued >= pauseAtBytes) source.pause()
        notify()
      }
      const onEnd = () => {
        ended = true
        notify()
      }
      const onFailure = (cause: unknown) => {
        if (ended || failed) return
        failed = true
        failure = cause
        notify()
      }
      const onClose = () => {
        if (!source.complete) onFailure(new Error("the connection closed before the body ended"))
      }
      source.on("data", onData)
      source.on("end", onEnd)
      source.on("error", onFailure)
      source.on("close", onClose)
      const more = Effect.callback<void>((resume) => {
        wake = resume
        return Effect.sync(() => {
          wake = undefined
        })
      })
      const pull: Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, E | Cause.Done> = Effect.suspend(() => {
        if (queue.length > 0) {
          const batch = queue as unknown as Arr.NonEmptyReadonlyArray<Uint8Array>
          queue = []
          queued = 0
          if (!ended && source.isPaused()) source.resume()
          return Effect.succeed(batch)
        }
        if (failed) return Effect.fail(onError(failure))
        if (ended) return Cause.done()
        return Effect.flatMap(more, () => pull)
      })
      return Effect.as(
        Scope.addFinalizer(
          scope,
          Effect.sync(() => {
            source.off("data", onData)
            source.off("end", onEnd)
            source.off("error", onFailure)
            source.off("close", onClose)
            if (!ended) source.destroy()
          })
        ),
        pull
      )
    })
  )

const writeStream = (
  nodeRequest: http.ClientRequest,
  request: HttpClientRequest.HttpClientRequest,
  body: Stream.Stream<Uint8Array, unknown>
) =>
  Stream.runForEach(body, (chunk) =>
    // once written, a chunk lent from a pool goes back to it (see `bufferPool.ts`; a no-op for any other chunk)
    nodeRequest.write(chunk, () => release(chunk)) ? Effect.void : Effect.callback<void>((resume) => {
      const onDrain = () => resume(Effect.void)
      nodeRequest.once("drain", onDrain)
      return Effect.sync(() => nodeRequest.off("drain", onDrain))
    })).pipe(
      Effect.mapError((cause) => transportError(request, cause, "the request body failed")),
      Effect.andThen(Effect.sync(() => nodeRequest.end())),
      Effect.catch((error) => Effect.sync(() => nodeRequest.destroy(error)))
    )

type Origin = { readonly protocol: "http:" | "https:"; readonly hostname: string; readonly port: string }

/** Where a request goes: the path with its query, as `node:http` takes it, and the whole URL. */
type Target = { readonly path: string; readonly href: string }

const targetOf = (url: URL): Target => ({ path: url.pathname + url.search, href: url.href })

/**
 * A path `new URL` would keep exactly as written: only characters it does not escape, no `.`/`..` segment (also not
 * as `%2e`), no query or fragment. The SDK's paths are all like this (parameters are percent-encoded, dot segments
 * refused), so they skip the URL parser.
 */
const plainPath = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/
const dotSegment = /\/(?:\.|%2e){1,2}(?:\/|$)/i

/**
 * The target of a request to `origin` (a URL's `origin`) whose URL is that origin and a {@link plainPath}, with no
 * query parameters and no fragment: what `Url.make` would give, without parsing; `undefined` for any other request.
 *
 * @internal
 */
export const plainTarget = (origin: string, request: HttpClientRequest.HttpClientRequest): Target | undefined => {
  const href = request.url
  if (
    request.urlParams.params.length !== 0 || Option.isSome(request.hash) || !href.startsWith(origin) ||
    href.charCodeAt(origin.length) !== 0x2f
  ) return undefined
  const path = href.slice(origin.length)
  return plainPath.test(path) && !dotSegment.test(path) ? { path, href } : undefined
}

type Outcome = Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

/**
 * Creates the `node:http` request and wires its events; `wait` waits for the response headers (an interrupted
 * wait destroys the request). `signal` (`HttpClient.make`'s, aborted when the caller is interrupted before the
 * body is read) destroys the request until the response has ended, never after: by then the socket is back in
 * the agent's pool.
 */
const start = (
  agent: http.Agent,
  connectMillis: number,
  origin: Origin,
  request: HttpClientRequest.HttpClientRequest,
  url: Target,
  signal: AbortSignal | undefined,
  whole: boolean
): { readonly nodeRequest: http.ClientRequest; readonly wait: Outcome } => {
  const options: http.RequestOptions = {
    agent,
    method: request.method,
    protocol: origin.protocol,
    hostname: origin.hostname,
    port: origin.port,
    path: url.path,
    headers: request.headers
  }
  const nodeRequest = origin.protocol === "https:" ? https.request(options) : http.request(options)
  let outcome: Outcome | undefined
  let resume: ((effect: Outcome) => void) | undefined
  let finished = false
  const onAbort = () => {
    if (!finished) nodeRequest.destroy()
  }
  signal?.addEventListener("abort", onAbort, { once: true })
  const finish = () => {
    if (finished) return
    finished = true
    signal?.removeEventListener("abort", onAbort)
  }
  const settle = (effect: Outcome) => {
    if (outcome !== undefined) return
    outcome = effect
    if (resume !== undefined) resume(effect)
  }
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
    if (outcome === undefined) finish()
    settle(Effect.fail(transportError(request, cause)))
  })
  nodeRequest.on("response", (response) => {
    const answer = new NodeResponse(request, response, url.href, undefined)
    if (signal !== undefined) {
      response.once("end", finish)
      response.once("close", finish)
    } else if (whole ? readsWhole(response) : readsAhead(response)) {
      return answer.readAhead(() => settle(Effect.succeed(answer)))
    }
    settle(Effect.succeed(answer))
  })
  nodeRequest.on("upgrade", (response, socket, head) => {
    finish()
    if (head.length > 0) socket.unshift(head)
    socket.on("error", () => {})
    settle(Effect.succeed(new NodeResponse(request, response, url.href, socket)))
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
      // written by the caller of `start` (see `send`)
      if (body.contentLength === undefined) nodeRequest.setHeader("transfer-encoding", "chunked")
      break
    case "FormData":
      finish()
      nodeRequest.destroy()
      settle(Effect.fail(transportError(request, undefined, "form data request bodies are not supported")))
      break
  }
  const wait = Effect.callback<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((r) => {
    if (outcome !== undefined) return r(outcome)
    resume = r
    return Effect.sync(() => {
      if (outcome === undefined) nodeRequest.destroy()
    })
  })
  return { nodeRequest, wait }
}

const send = (
  agent: http.Agent,
  connectMillis: number,
  origin: Origin,
  request: HttpClientRequest.HttpClientRequest,
  url: Target,
  signal: AbortSignal | undefined,
  whole: boolean
): Outcome =>
  Effect.suspend(() => {
    const { nodeRequest, wait } = start(agent, connectMillis, origin, request, url, signal, whole)
    const body = request.body
    if (body._tag !== "Stream") return wait
    // A streamed body is written by a child fiber of the request's fiber: it is interrupted with that fiber,
    // never left running on its own.
    return Effect.andThen(Effect.forkChild(writeStream(nodeRequest, request, body.stream)), wait)
  })

/**
 * Makes the client. A request whose tracing is off (`HttpClient.TracerDisabledWhen` holds for it, as the Docker
 * client sets when no tracer is installed, or `Tracer.DisablePropagation` is on) takes the direct path: the URL
 * check, then the `node:http` request, nothing else. Every other request goes through `HttpClient.make`, which adds
 * Effect's `http.client` span, trace propagation, an abort signal tied to interruption and a response wrapper that
 * aborts a response nobody reads once it is garbage. `baseUrl` gives the scheme, host and port of every request
 * (for a unix socket, any host: the agent's `socketPath` decides where it goes).
 *
 * The direct path keeps what the signal guarantees through the transport itself: an interrupted wait for the
 * headers destroys the request, an interrupted body read destroys the response (see `NodeResponse`), and a body
 * stream closes the response when it ends or is interrupted before its end. What it drops is only the garbage
 * collection safety net for a response whose body is never consumed: every SDK call consumes its body. On this path a
 * body of known length up to 64 KiB is read before the response is handed over (see `NodeResponse.readAhead`), and
 * when the caller says it reads the whole body (`whole`), any body up to 64 MiB, chunked or not. The
 * client carries this path as its `untracedSend`, which the Docker client calls directly when it traces nothing.
 *
 * @internal
 */
export const make = (
  agent: http.Agent,
  baseUrl: string,
  connectMillis: number = defaultConnectTimeoutMillis
): HttpClient.HttpClient => {
  const base = new URL(baseUrl)
  const origin: Origin = {
    protocol: base.protocol === "https:" ? "https:" : "http:",
    hostname: base.hostname,
    port: base.port
  }
  const traced = HttpClient.make((request, url, signal) =>
    send(agent, connectMillis, origin, request, targetOf(url), signal, false)
  )
  const prefix = base.origin
  const direct = (request: HttpClientRequest.HttpClientRequest, whole = false): Outcome => {
    const plain = plainTarget(prefix, request)
    if (plain !== undefined) return send(agent, connectMillis, origin, request, plain, undefined, whole)
    const url = Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))
    if (Result.isFailure(url)) {
      return Effect.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.InvalidUrlError({ request, cause: url.failure })
        })
      )
    }
    return send(agent, connectMillis, origin, request, targetOf(url.success), undefined, whole)
  }
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(
        effect,
        (request) =>
          Effect.withFiber((fiber) =>
            fiber.getRef(Tracer.DisablePropagation) || fiber.getRef(HttpClient.TracerDisabledWhen)(request)
              ? direct(request, false)
              : traced.execute(request)
          )
      ),
    Effect.succeed
  )
  const untraced: UntracedSend = { [untracedSend]: direct }
  return Object.assign(client, untraced)
}

/**
 * A keep-alive agent for the options (a `socketPath`, TLS material), closed with the scope.
 *
 * @internal
 */
export const makeAgent = (options: https.AgentOptions & { readonly socketPath?: string | undefined }, tls: boolean) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      tls ? new https.Agent({ keepAlive: true, ...options }) : new http.Agent({ keepAlive: true, ...options })
    ),
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
