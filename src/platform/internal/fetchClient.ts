/**
 * The `HttpClient` of the fetch-based transports (Deno, Bun, `effect-docker/fetch`), with a direct path when tracing
 * is off, as the Node transport has (`nodeHttpClient.ts`): one `fetch` call, an abort on interruption, a small
 * response wrapper, nothing else. Browser-safe: only `fetch`, `AbortController` and Web streams.
 *
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cookies from "effect/http/Cookies"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Headers from "effect/http/Headers"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpIncomingMessage from "effect/http/HttpIncomingMessage"
import * as UrlParams from "effect/http/UrlParams"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { type UntracedSend, untracedSend } from "../../internal/request.ts"
import { explainFetchError, noRedirects, redactRegistryHeaders } from "./common.ts"

/** @internal */
export interface FetchClientOptions {
  /** The `fetch` to call; the global one (looked up at each call) when absent. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** The `RequestInit` fields of every request (`redirect: "manual"` is always added). */
  readonly init: RequestInit
  /**
   * Wraps the traced client, e.g. to send upgrade requests (attach, exec) over a raw connection
   * (`Http1.upgradeClient`); without it an upgrade fails as on `fetch`. (A function rather than the opener, so that
   * the browser-safe `fetch` transport does not bundle the HTTP/1.1 code.)
   */
  readonly wrap?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const transportError = (request: HttpClientRequest.HttpClientRequest, cause: unknown) =>
  explainFetchError(
    new HttpClientError.HttpClientError({ reason: new HttpClientError.TransportError({ request, cause }) })
  )

/** The URL of a request as a string: its `url`, then its query parameters (the hash is never sent). */
const requestUrl = (request: HttpClientRequest.HttpClientRequest): string => {
  const params = request.urlParams.params
  if (params.length === 0) return request.url
  const search = new URLSearchParams()
  for (const [key, value] of params) search.append(key, typeof value === "string" ? value : Redacted.value(value))
  return `${request.url}${request.url.includes("?") ? "&" : "?"}${search}`
}

/**
 * A fetch `Response` as an `HttpClientResponse`. Reading the body (`text`, `arrayBuffer`, `stream`) aborts the
 * request when it is interrupted before its end, which closes the connection instead of leaving it busy.
 */
class FetchResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: typeof HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: typeof HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly request: HttpClientRequest.HttpClientRequest
  readonly source: Response
  private readonly controller: AbortController
  constructor(request: HttpClientRequest.HttpClientRequest, source: Response, controller: AbortController) {
    super()
    this.request = request
    this.source = source
    this.controller = controller
  }
  get status(): number {
    return this.source.status
  }
  get url(): string {
    return this.source.url === "" ? requestUrl(this.request) : this.source.url.split("#")[0]!
  }
  private cachedHeaders: Headers.Headers | undefined
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.source.headers)
  }
  get cookies(): Cookies.Cookies {
    return Cookies.fromSetCookie(this.source.headers.getSetCookie?.() ?? [])
  }
  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }
  private decodeError(cause: unknown) {
    return new HttpClientError.HttpClientError({
      reason: new HttpClientError.DecodeError({ request: this.request, response: this, cause })
    })
  }
  private body: Effect.Effect<string | ArrayBuffer, HttpClientError.HttpClientError> | undefined
  /**
   * The whole body as text, already read by the send (see `make`'s `whole`), or the failure of that read: `text` then
   * hands it over as a finished `Exit`, with no suspension.
   */
  preload(text: Exit.Exit<string, unknown>): this {
    this.body = Exit.isSuccess(text) ? Exit.succeed(text.value) : Exit.fail(this.decodeError(Cause.squash(text.cause)))
    return this
  }
  /**
   * The whole body, read once by the runtime (`text()` or `arrayBuffer()`); later reads get the same value. An
   * interrupted read aborts the request.
   */
  private read(as: "text" | "arrayBuffer"): Effect.Effect<string | ArrayBuffer, HttpClientError.HttpClientError> {
    if (this.body !== undefined) return this.body
    const read = Effect.callback<string | ArrayBuffer, HttpClientError.HttpClientError>((resume) => {
      let settled = false
      const body = as === "text" ? this.source.text() : this.source.arrayBuffer()
      body.then(
        (value) => {
          settled = true
          this.body = Effect.succeed(value)
          resume(this.body)
        },
        (cause) => {
          settled = true
          resume(Effect.fail(this.decodeError(cause)))
        }
      )
      return Effect.sync(() => {
        if (!settled) this.controller.abort()
      })
    })
    this.body = read
    return read
  }
  get text(): Effect.Effect<string, HttpClientError.HttpClientError> {
    const body = this.body
    if (body !== undefined && Exit.isExit(body) && Exit.isSuccess(body) && typeof body.value === "string") {
      return body as Exit.Exit<string>
    }
    return Effect.map(this.read("text"), (body) => typeof body === "string" ? body : new TextDecoder().decode(body))
  }
  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.HttpClientError> {
    return Effect.map(
      this.read("arrayBuffer"),
      (body) => typeof body === "string" ? new TextEncoder().encode(body).buffer as ArrayBuffer : body
    )
  }
  get json(): Effect.Effect<Schema.Json, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text),
        catch: (cause) => this.decodeError(cause)
      }))
  }
  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.HttpClientError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }
  get formData(): Effect.Effect<FormData, HttpClientError.HttpClientError> {
    return Effect.tryPromise({ try: () => this.source.formData(), catch: (cause) => this.decodeError(cause) })
  }
  /** The body as a stream; its end, or its interruption before the end, aborts the request. */
  get stream(): Stream.Stream<Uint8Array, HttpClientError.HttpClientError> {
    const read = this.body
    if (read !== undefined && Exit.isExit(read)) {
      // already read whole (see `preload`): the bytes it holds
      return Stream.fromEffect(Effect.map(this.arrayBuffer, (bytes) => new Uint8Array(bytes)))
    }
    const body = this.source.body
    if (body === null) {
      return Stream.fail(
        new HttpClientError.HttpClientError({
          reason: new HttpClientError.EmptyBodyError({
            request: this.request,
            response: this,
            description: "can not create stream from empty body"
          })
        })
      )
    }
    return Stream.ensuring(
      Stream.fromReadableStream({ evaluate: () => body, onError: (cause) => this.decodeError(cause) }),
      Effect.sync(() => this.controller.abort())
    )
  }
  get upgrade(): Effect.Effect<never, HttpClientError.HttpClientError> {
    return Effect.fail(
      new HttpClientError.HttpClientError({
        reason: new HttpClientError.StatusCodeError({
          request: this.request,
          response: this,
          description: "fetch cannot hand over the connection of an HTTP upgrade"
        })
      })
    )
  }
  toJSON(): unknown {
    return { _id: "HttpClientResponse", request: this.request.toJSON(), status: this.status }
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
}

/**
 * Makes the client. A request whose tracing is off (`HttpClient.TracerDisabledWhen` holds for it, as the Docker
 * client sets when no tracer is installed, or `Tracer.DisablePropagation` is on) and whose body is empty or bytes
 * takes the direct path: one `fetch` call with the options' `RequestInit` and `redirect: "manual"`, the URL handed
 * over as a string (the runtime parses it once), an `AbortController` that only interruption uses, and a response
 * whose body reads abort the request when interrupted. Every other request (a tracer installed, an upgrade, a
 * streamed or form-data body) goes through Effect's `FetchHttpClient` on `HttpClient.make`: the `http.client` span,
 * trace propagation with the registry headers redacted, and the GC safety net for a response nobody reads.
 *
 * What the direct path drops is that safety net only: a response whose body is never read stays open until it is
 * garbage; every SDK call reads its body. The client carries the direct path as its `untracedSend`, which the Docker
 * client calls itself when it traces nothing; with `whole` (the caller reads the whole body) the body is read with
 * `text()` in the same promise chain as the headers, so the call resumes once, and an interruption before the end of
 * the body still aborts the request.
 *
 * @internal
 */
export const make = (options: FetchClientOptions): Effect.Effect<HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const init: RequestInit = { ...options.init, ...noRedirects }
    const fetchClient = yield* HttpClient.HttpClient.pipe(
      Effect.provide(FetchHttpClient.layer),
      Effect.provideService(FetchHttpClient.RequestInit, init),
      options.fetch === undefined ? (effect) => effect : Effect.provideService(FetchHttpClient.Fetch, options.fetch)
    )
    const explained = HttpClient.transform(fetchClient, (effect) => Effect.mapError(effect, explainFetchError))
    const traced = redactRegistryHeaders(
      options.wrap === undefined ? explained : options.wrap(explained)
    )
    const extraHeaders = init.headers === undefined
      ? undefined
      : Headers.fromInput(new globalThis.Headers(init.headers))
    const direct = (
      request: HttpClientRequest.HttpClientRequest,
      body: BodyInit | null,
      whole: boolean
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
      Effect.callback((resume) => {
        let headers = extraHeaders === undefined ? request.headers : Headers.merge(extraHeaders, request.headers)
        if (headers["content-length"] !== undefined) headers = Headers.remove(headers, "content-length")
        const controller = new AbortController()
        let settled = false
        const run = options.fetch ?? globalThis.fetch
        const sent = run(requestUrl(request), {
          ...init,
          method: request.method,
          headers,
          body,
          signal: controller.signal
        })
        const answered = (response: FetchResponse) => {
          settled = true
          resume(Exit.succeed(response))
        }
        const failed = (cause: unknown) => {
          settled = true
          resume(Effect.fail(transportError(request, cause)))
        }
        if (whole) {
          // the body is read in the same promise chain: one resumption for the headers and the body
          sent.then((response) => {
            const wrapped = new FetchResponse(request, response, controller)
            return response.text().then(
              (text) => answered(wrapped.preload(Exit.succeed(text))),
              (cause) => answered(wrapped.preload(Exit.die(cause)))
            )
          }, failed)
        } else {
          sent.then((response) => answered(new FetchResponse(request, response, controller)), failed)
        }
        return Effect.sync(() => {
          if (!settled) controller.abort()
        })
      })
    const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
      (effect) =>
        Effect.flatMap(effect, (request) =>
          Effect.withFiber((fiber) => {
            const body = request.body
            if (
              (body._tag === "Empty" || body._tag === "Uint8Array") && request.headers.upgrade === undefined &&
              (fiber.getRef(Tracer.DisablePropagation) || fiber.getRef(HttpClient.TracerDisabledWhen)(request))
            ) {
              return direct(request, body._tag === "Empty" ? null : body.body as BodyInit, false)
            }
            return traced.execute(request)
          })),
      Effect.succeed
    )
    const untraced: UntracedSend = {
      [untracedSend]: (request, whole = false) => {
        const body = request.body
        return (body._tag === "Empty" || body._tag === "Uint8Array") && request.headers.upgrade === undefined
          ? direct(request, body._tag === "Empty" ? null : body.body as BodyInit, whole)
          : client.execute(request)
      }
    }
    return Object.assign(client, untraced)
  })
