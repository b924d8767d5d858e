/**
 * HTTP/1.1 over any byte connection (a socket, a TLS stream, the stdio of `ssh … docker system dial-stdio`),
 * with Web streams only: used where a runtime's own HTTP client cannot reach the daemon (SSH pipes) or cannot
 * hand over an upgraded connection (fetch on Deno and Bun, for attach and exec).
 *
 * - `sendRequest` writes one request and parses the response head; the body is a `ReadableStream` framed by
 *   `Content-Length`, chunked encoding or the end of the connection, and `reusable` says, once the body is done,
 *   whether the connection can carry another request.
 * - `upgradeClient` wraps an `HttpClient`: requests that ask for an upgrade go over a fresh connection and a
 *   `101 Switching Protocols` is handed over as a `Socket`.
 * - `pooledClient` is a whole keep-alive `HttpClient` over connections opened on demand (one per concurrent
 *   request, reused afterwards).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as UrlParams from "effect/http/UrlParams"
import * as Scope from "effect/Scope"
import * as Socket from "effect/socket/Socket"
import * as Stream from "effect/Stream"

/**
 * A bidirectional byte connection: what `Deno.connect`, `Bun.connect` (adapted), `node:net` (through
 * `Duplex.toWeb`) and a child process' stdio all provide.
 *
 * @internal
 */
export interface ByteConnection {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  /** Closes both directions and releases the resource (socket, process). Idempotent. */
  readonly close: () => void
  /** Half-closes (sends FIN), when closing `writable` would close the whole connection (Deno). */
  readonly closeWrite?: () => Promise<void>
}

/** @internal */
export type Open = Effect.Effect<ByteConnection, unknown>

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const maxHeadBytes = 64 * 1024
const CRLFCRLF = [13, 10, 13, 10] as const

/**
 * Reads from a stream reader with a small look-ahead buffer: whole lines, exact byte counts, or what is left.
 */
class BufferedReader {
  private chunks: Array<Uint8Array> = []
  private buffered = 0
  readonly reader: ReadableStreamDefaultReader<Uint8Array>
  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.reader = reader
  }

  private async fill(): Promise<boolean> {
    const { done, value } = await this.reader.read()
    if (done) return false
    if (value.length > 0) {
      this.chunks.push(value)
      this.buffered += value.length
    }
    return true
  }

  private take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0)
    const first = this.chunks[0]!
    if (first.length === n) {
      this.chunks.shift()
      this.buffered -= n
      return first
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n)
      this.buffered -= n
      return first.subarray(0, n)
    }
    const out = new Uint8Array(n)
    let offset = 0
    while (offset < n) {
      const chunk = this.chunks[0]!
      const part = Math.min(chunk.length, n - offset)
      out.set(chunk.subarray(0, part), offset)
      offset += part
      if (part === chunk.length) this.chunks.shift()
      else this.chunks[0] = chunk.subarray(part)
    }
    this.buffered -= n
    return out
  }

  private indexOf(pattern: ReadonlyArray<number>): number {
    let index = 0
    const flat = this.chunks.length === 1 ? this.chunks[0]! : this.peekAll()
    outer: for (; index + pattern.length <= flat.length; index++) {
      for (let k = 0; k < pattern.length; k++) if (flat[index + k] !== pattern[k]) continue outer
      return index
    }
    return -1
  }

  private peekAll(): Uint8Array {
    const all = this.take(this.buffered)
    this.chunks = all.length > 0 ? [all] : []
    this.buffered = all.length
    return all
  }

  /** Reads up to and including `\r\n\r\n`; undefined when the connection ended first. */
  async readHead(): Promise<string | undefined> {
    for (;;) {
      const at = this.buffered >= 4 ? this.indexOf(CRLFCRLF) : -1
      if (at >= 0) return decoder.decode(this.take(at + 4))
      if (this.buffered > maxHeadBytes) throw new Error(`response head larger than ${maxHeadBytes} bytes`)
      if (!(await this.fill())) return undefined
    }
  }

  async readLine(): Promise<string> {
    for (;;) {
      const at = this.buffered >= 2 ? this.indexOf([13, 10]) : -1
      if (at >= 0) return decoder.decode(this.take(at + 2)).slice(0, -2)
      if (this.buffered > maxHeadBytes) throw new Error("chunk header line too long")
      if (!(await this.fill())) throw new Error("connection closed inside a chunked body")
    }
  }

  /** At most `max` bytes (at least one); undefined at the end of the connection. */
  async readSome(max: number): Promise<Uint8Array | undefined> {
    if (this.buffered === 0 && !(await this.fill())) return undefined
    if (this.buffered === 0) return new Uint8Array(0)
    return this.take(Math.min(max, this.chunks[0]!.length))
  }

  /** Whatever was read ahead, handed over (e.g. the first bytes of a hijacked stream). */
  drain(): Uint8Array {
    return this.take(this.buffered)
  }

  get hasBuffered(): boolean {
    return this.buffered > 0
  }
}

/** @internal */
export interface ResponseHead {
  readonly status: number
  readonly statusText: string
  readonly headers: Headers
}

/** @internal */
export const parseHead = (head: string): ResponseHead => {
  const lines = head.slice(0, -4).split("\r\n")
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? "")
  if (match === null) throw new Error(`malformed status line: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`)
  const headers = new Headers()
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":")
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`)
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
  }
  return { status: Number(match[1]), statusText: match[2] ?? "", headers }
}

/** The request line and headers of `request` for `url`. */
const requestHead = (request: HttpClientRequest.HttpClientRequest, url: URL, extra: Record<string, string>) => {
  const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`]
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === "host" || name === "content-length" || name === "transfer-encoding") continue
    lines.push(`${name}: ${value}`)
  }
  for (const [name, value] of Object.entries(extra)) lines.push(`${name}: ${value}`)
  return encoder.encode(lines.join("\r\n") + "\r\n\r\n")
}

/** The URL of a request, with its query parameters (as `HttpClient.make` builds it). */
export const requestUrl = (request: HttpClientRequest.HttpClientRequest): URL => {
  const url = new URL(request.url)
  const query = UrlParams.toString(request.urlParams)
  if (query !== "") url.search = url.search === "" ? query : `${url.search.slice(1)}&${query}`
  return url
}

/** Writes the request (head and body) on the connection. */
const writeRequest = (
  writer: WritableStreamDefaultWriter<Uint8Array>,
  request: HttpClientRequest.HttpClientRequest,
  url: URL
): Effect.Effect<void, unknown> => {
  const body = request.body
  const write = (bytes: Uint8Array) => Effect.tryPromise(() => writer.write(bytes))
  const contentType = (type: string | undefined): Record<string, string> =>
    type === undefined || request.headers["content-type"] !== undefined ? {} : { "content-type": type }
  switch (body._tag) {
    case "Empty":
      return write(requestHead(request, url, request.method === "GET" ? {} : { "content-length": "0" }))
    case "Uint8Array": {
      const head = requestHead(request, url, {
        ...contentType(body.contentType),
        "content-length": `${body.body.length}`
      })
      return Effect.andThen(write(head), write(body.body))
    }
    case "Raw": {
      const raw = body.body
      const bytes = typeof raw === "string" ? encoder.encode(raw) : raw instanceof Uint8Array ? raw : undefined
      if (bytes === undefined) return Effect.fail(new Error("unsupported raw request body"))
      const head = requestHead(request, url, { ...contentType(body.contentType), "content-length": `${bytes.length}` })
      return Effect.andThen(write(head), write(bytes))
    }
    case "Stream": {
      const head = requestHead(request, url, { ...contentType(body.contentType), "transfer-encoding": "chunked" })
      return write(head).pipe(
        Effect.andThen(Stream.runForEach(body.stream, (chunk) =>
          chunk.length === 0 ? Effect.void : Effect.andThen(
            write(encoder.encode(`${chunk.length.toString(16)}\r\n`)),
            Effect.andThen(write(chunk), write(encoder.encode("\r\n")))
          ))),
        Effect.andThen(write(encoder.encode("0\r\n\r\n")))
      )
    }
    default:
      return Effect.fail(new Error(`unsupported request body ${body._tag}`))
  }
}

/** The body of a response as a stream framed by its headers; `done` resolves to whether the connection is reusable. */
const bodyStream = (
  reader: BufferedReader,
  head: ResponseHead,
  method: string,
  onDone: (reusable: boolean) => void
): ReadableStream<Uint8Array> | null => {
  const noBody = method === "HEAD" || head.status === 204 || head.status === 304 || head.status < 200
  const keepAlive = (head.headers.get("connection") ?? "").toLowerCase() !== "close"
  if (noBody) {
    onDone(keepAlive && !reader.hasBuffered)
    return null
  }
  const chunked = (head.headers.get("transfer-encoding") ?? "").toLowerCase().includes("chunked")
  const lengthHeader = head.headers.get("content-length")
  let remaining = chunked ? 0 : lengthHeader === null ? Infinity : Number(lengthHeader)
  if (!chunked && remaining === 0) {
    onDone(keepAlive)
    return null
  }
  let finished = false
  const finish = (reusable: boolean) => {
    if (finished) return
    finished = true
    onDone(reusable)
  }
  let chunkLeft = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (chunked) {
          if (chunkLeft === 0) {
            const size = parseInt((await reader.readLine()).split(";")[0]!.trim(), 16)
            if (Number.isNaN(size)) throw new Error("malformed chunk size")
            if (size === 0) {
              while ((await reader.readLine()) !== "") {
                // trailers are ignored
              }
              controller.close()
              return finish(keepAlive)
            }
            chunkLeft = size
          }
          const part = await reader.readSome(chunkLeft)
          if (part === undefined) throw new Error("connection closed inside a chunked body")
          chunkLeft -= part.length
          if (chunkLeft === 0) await reader.readLine()
          if (part.length > 0) controller.enqueue(part)
          return
        }
        const part = await reader.readSome(remaining)
        if (part === undefined) {
          if (remaining !== Infinity) throw new Error("connection closed before the end of the body")
          controller.close()
          return finish(false)
        }
        remaining -= part.length
        if (part.length > 0) controller.enqueue(part)
        if (remaining === 0) {
          controller.close()
          finish(keepAlive)
        }
      } catch (error) {
        controller.error(error)
        finish(false)
      }
    },
    cancel() {
      finish(false)
    }
  })
}

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown, description?: string) =>
  new HttpClientError.HttpClientError({
    reason: new HttpClientError.TransportError({
      request,
      cause,
      ...(description === undefined ? {} : { description })
    })
  })

/** A 101 response whose `upgrade` hands the connection over as a `Socket`. */
const upgradedResponse = (
  request: HttpClientRequest.HttpClientRequest,
  head: ResponseHead,
  reader: BufferedReader,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  connection: ByteConnection
): HttpClientResponse.HttpClientResponse => {
  const leftover = reader.drain()
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      if (leftover.length > 0) controller.enqueue(leftover)
    },
    async pull(controller) {
      const { done, value } = await reader.reader.read()
      if (done) controller.close()
      else if (value.length > 0) controller.enqueue(value)
    },
    cancel() {
      connection.close()
    }
  })
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk),
    close: async () => {
      if (connection.closeWrite === undefined) return writer.close()
      await writer.ready
      writer.releaseLock()
      await connection.closeWrite()
    }
  })
  const socket = Effect.runSync(Socket.fromTransformStream(Effect.succeed({ readable, writable })))
  const base = HttpClientResponse.fromWeb(request, new Response(null, { status: 200, headers: head.headers }))
  return Object.create(base, {
    status: { value: head.status },
    upgrade: { get: () => Effect.succeed(socket) }
  }) as HttpClientResponse.HttpClientResponse
}

/**
 * Sends one request on an open connection and parses the response head. An upgrade answered with 101 hands the
 * connection over; any other response streams its body from the connection.
 */
const exchange = (
  connection: ByteConnection,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  state: { writer?: WritableStreamDefaultWriter<Uint8Array>; reader?: BufferedReader },
  onDone: (reusable: boolean) => void
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.gen(function*() {
    const writer = state.writer ??= connection.writable.getWriter()
    const reader = state.reader ??= new BufferedReader(connection.readable.getReader())
    yield* writeRequest(writer, request, url).pipe(Effect.mapError((cause) => transportError(request, cause)))
    const headText = yield* Effect.tryPromise({
      try: () => reader.readHead(),
      catch: (cause) => transportError(request, cause)
    })
    if (headText === undefined) {
      return yield* Effect.fail(transportError(request, undefined, "the connection closed before a response arrived"))
    }
    const head = yield* Effect.try({ try: () => parseHead(headText), catch: (cause) => transportError(request, cause) })
    if (head.status === 101) {
      return upgradedResponse(request, head, reader, writer, connection)
    }
    const body = bodyStream(reader, head, request.method, onDone)
    return HttpClientResponse.fromWeb(
      request,
      new Response(body, { status: head.status, statusText: head.statusText, headers: head.headers })
    )
  })

/**
 * Wraps `client` so that requests asking for an upgrade (`HttpClientRequest.upgrade`) go over a fresh
 * connection from `open`, and a `101 Switching Protocols` is handed over by `response.upgrade`. The upgrade
 * path is an `HttpClient.make` client of its own, so an upgrade gets the same request span, trace propagation,
 * URL check and abort signal as any other request.
 *
 * @internal
 */
export const upgradeClient = (client: HttpClient.HttpClient, open: Open): HttpClient.HttpClient => {
  const upgrading = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const connection = yield* Effect.mapError(open, (cause) => transportError(request, cause))
      return yield* exchange(connection, request, url, {}, connection.close).pipe(
        Effect.onError(() => Effect.sync(connection.close))
      )
    })
  )
  return HttpClient.transform(
    client,
    (effect, request) => request.headers.upgrade === undefined ? effect : upgrading.execute(request)
  )
}

/**
 * A keep-alive `HttpClient` over connections from `open`: a request takes an idle connection or opens one, and
 * gives it back once its body is read to the end (a body left unread, an upgrade or an error retire it). Idle
 * connections are closed when the scope closes.
 *
 * @internal
 */
export const pooledClient = (open: Open, options: { readonly maxIdle?: number } = {}) =>
  Effect.gen(function*() {
    interface Pooled {
      readonly connection: ByteConnection
      readonly state: { writer?: WritableStreamDefaultWriter<Uint8Array>; reader?: BufferedReader }
    }
    const idle: Array<Pooled> = []
    const all = new Set<ByteConnection>()
    let opened = 0
    const maxIdle = options.maxIdle ?? 4
    const scope = yield* Effect.scope
    yield* Scope.addFinalizer(
      scope,
      Effect.sync(() => {
        for (const connection of all) connection.close()
        all.clear()
        idle.length = 0
      })
    )
    const acquire = Effect.suspend((): Effect.Effect<Pooled, unknown> => {
      const reuse = idle.pop()
      if (reuse !== undefined) return Effect.succeed(reuse)
      return Effect.map(open, (connection) => {
        opened++
        all.add(connection)
        return { connection, state: {} }
      })
    })
    const retire = (pooled: Pooled) => {
      all.delete(pooled.connection)
      pooled.connection.close()
    }
    const client = HttpClient.make((request, url, signal) =>
      Effect.gen(function*() {
        const pooled = yield* Effect.mapError(acquire, (cause) => transportError(request, cause))
        let settled = false
        const onAbort = () => {
          if (!settled) {
            settled = true
            retire(pooled)
          }
        }
        const onDone = (reusable: boolean) => {
          if (settled) return
          settled = true
          signal.removeEventListener("abort", onAbort)
          if (reusable && idle.length < maxIdle) idle.push(pooled)
          else retire(pooled)
        }
        signal.addEventListener("abort", onAbort, { once: true })
        const response = yield* exchange(pooled.connection, request, url, pooled.state, onDone).pipe(
          Effect.onError(() => Effect.sync(onAbort))
        )
        if (response.status === 101) {
          // the connection now belongs to the upgraded socket
          settled = true
          signal.removeEventListener("abort", onAbort)
          all.delete(pooled.connection)
        }
        return response
      })
    )
    return {
      client,
      stats: {
        get opened() {
          return opened
        },
        get idle() {
          return idle.length
        }
      }
    }
  })
