import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { afterAll, afterEach, beforeAll, expect } from "vitest"
import * as Dvp from "../../src/Dvp.ts"
import { type DvpTestServer, type DvpTestServerOptions, startDvpTestServer } from "./server.ts"

/** Starts one test server for the file; checks after every test that the client sent only what the spec allows. */
export const useServer = (options?: DvpTestServerOptions): { readonly current: DvpTestServer } => {
  const ref: { current: DvpTestServer } = { current: undefined as unknown as DvpTestServer }
  beforeAll(async () => {
    ref.current = await startDvpTestServer(options)
  })
  afterEach(() => {
    const violations = [...ref.current.violations]
    ref.current.reset()
    expect(violations).toEqual([])
  })
  afterAll(() => ref.current.close())
  return ref
}

export type Transport = "fetch" | "node:http"

export const transports: ReadonlyArray<Transport> = ["fetch", "node:http"]

export const httpLayer = (transport: Transport): Layer.Layer<HttpClient.HttpClient> =>
  transport === "fetch" ? FetchHttpClient.layer : NodeHttpClient.layerNodeHttp

/** `Dvp.layer` against the test server, with quick retries. */
export const dvpLayer = (
  server: DvpTestServer,
  credentials: Dvp.Credentials,
  options?: Partial<Dvp.LayerOptions> & { readonly transport?: Transport }
) =>
  Dvp.layer({
    baseUrl: server.baseUrl,
    hubUrl: server.hubUrl,
    retry: { baseDelay: "10 millis" },
    ...options,
    credentials
  }).pipe(Layer.provide(httpLayer(options?.transport ?? "fetch")))

export const publisher = (server: DvpTestServer) =>
  Dvp.password({ username: server.users.publisher.username, password: server.users.publisher.password })
