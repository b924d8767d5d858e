/**
 * Registry rate limits against the real engine: a fake registry on 127.0.0.1 (registry v2 API, just enough of it)
 * refuses manifests or blobs with Docker Hub's `429 TOOMANYREQUESTS`, and the daemon pulls from it (127.0.0.0/8
 * registries are insecure by default, so plain HTTP works). Checked: what the daemon reports to the client (a
 * 500 with the registry's text before the stream; an `errorDetail` inside it), that the SDK gives `RateLimited`,
 * and that `Images.pull`'s `retry` schedule retries rate limits only (the fake registry counts the attempts; once
 * it stops refusing it forwards to the real local registry on 127.0.0.1:5000).
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Api from "../../src/generated/api.ts"
import * as Images from "../../src/Images.ts"
import { DockerLive } from "./support.ts"

const LIMIT_MESSAGE =
  "You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: " +
  "https://www.docker.com/increase-rate-limit"

const tooMany = (res: http.ServerResponse) => {
  res.writeHead(429, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" })
  res.end(JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: LIMIT_MESSAGE, detail: null }] }))
}

/** Forwards a request to the real local registry. */
const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const upstream = http.request(
    {
      host: "127.0.0.1",
      port: 5000,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: "127.0.0.1:5000" }
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    }
  )
  upstream.on("error", () => res.destroy())
  req.pipe(upstream)
}

interface FakeRegistry {
  readonly port: number
  /** Manifest GETs seen (one per pull attempt). */
  readonly manifestGets: () => number
  /** Manifest requests forwarded to 127.0.0.1:5000. */
  readonly forwarded: () => number
  readonly requests: ReadonlyArray<string>
}

type Mode =
  /** Refuses the first `refusals` manifest GETs (and the HEADs before them), then forwards to 127.0.0.1:5000. */
  | { readonly _tag: "manifests"; readonly refusals: number }
  /** Serves a manifest whose config blob is refused: the daemon fails inside its progress stream. */
  | { readonly _tag: "blobs" }
  /** Answers every manifest with 404 MANIFEST_UNKNOWN. */
  | { readonly _tag: "unknown" }

const fakeRegistry = (mode: Mode) =>
  Effect.acquireRelease(
    Effect.callback<{ server: http.Server; registry: FakeRegistry }>((resume) => {
      const requests: Array<string> = []
      let gets = 0
      let forwarded = 0
      const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })
      const configDigest = `sha256:${createHash("sha256").update(`${config}${Math.random()}`).digest("hex")}`
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          mediaType: "application/vnd.docker.container.image.v1+json",
          size: config.length,
          digest: configDigest
        },
        layers: []
      })
      const server = http.createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`)
        const url = req.url ?? ""
        if (url === "/v2/" || url === "/v2") {
          res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" })
          res.end("{}")
          return
        }
        const isManifest = /\/manifests\//.test(url)
        if (isManifest && req.method === "GET") gets++
        switch (mode._tag) {
          case "manifests":
            if (isManifest && (req.method === "HEAD" ? gets < mode.refusals : gets <= mode.refusals)) {
              return tooMany(res)
            }
            if (isManifest) forwarded++
            return forward(req, res)
          case "blobs":
            if (isManifest) {
              const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`
              res.writeHead(200, {
                "content-type": "application/vnd.docker.distribution.manifest.v2+json",
                "docker-content-digest": digest,
                "content-length": String(Buffer.byteLength(manifest))
              })
              res.end(req.method === "HEAD" ? undefined : manifest)
              return
            }
            return tooMany(res)
          case "unknown":
            res.writeHead(404, { "content-type": "application/json" })
            res.end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }))
            return
        }
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          server,
          registry: {
            port: (server.address() as AddressInfo).port,
            manifestGets: () => gets,
            forwarded: () => forwarded,
            requests
          }
        })))
    }),
    ({ server }) => Effect.sync(() => server.close())
  ).pipe(Effect.map(({ registry }) => registry))

/** A pulled image's reference, removed when the scope closes. */
const scopedReference = (reference: string) =>
  Effect.acquireRelease(Effect.succeed(reference), (image) => Effect.ignore(Images.remove(image, { force: true })))

const quick = Schedule.spaced("50 millis")

layer(DockerLive, { excludeTestServices: true })("registry rate limits", (it) => {
  it.effect(
    "a refused manifest: the daemon answers 500 with the registry's text, the SDK fails with RateLimited",
    () =>
      Effect.gen(function*() {
        const registry = yield* fakeRegistry({ _tag: "manifests", refusals: 1_000 })
        const reference = `127.0.0.1:${registry.port}/effect-docker/busybox:demo`
        // what the daemon reports, through the generated call (no mapping)
        const raw = yield* Effect.flip(
          Api.imageCreate({ fromImage: `127.0.0.1:${registry.port}/effect-docker/busybox`, tag: "demo" }).pipe(
            Stream.runDrain
          )
        )
        expect(raw._tag).toBe("ServerError")
        expect(raw.message).toContain(`toomanyrequests: ${LIMIT_MESSAGE}`)
        const error = yield* Effect.flip(Images.pull(reference))
        expect(error._tag).toBe("RateLimited")
        if (error._tag !== "RateLimited") return
        expect(error.registry).toBe(`127.0.0.1:${registry.port}`)
        expect(error.operation).toBe("ImageCreate")
        expect(error.status).toBe(500)
        expect(error.message).toContain("pull rate limit")
        expect(error.retryAfter).toBeUndefined()
        expect(registry.manifestGets()).toBe(2)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "retry: refused twice, then the pull goes through (three attempts, the image is there)",
    () =>
      Effect.gen(function*() {
        const registry = yield* fakeRegistry({ _tag: "manifests", refusals: 2 })
        const reference = yield* scopedReference(`127.0.0.1:${registry.port}/effect-docker/busybox:demo`)
        const seen: Array<string> = []
        const summary = yield* Images.pull(reference, {
          // the schedule's input is the attempt's error
          retry: quick.pipe(
            Schedule.tap(({ input }) => Effect.sync(() => seen.push(String((input as { _tag?: unknown })._tag)))),
            Schedule.upTo({ times: 5 })
          )
        })
        // two attempts refused (their manifest GETs), the third one forwarded: the daemon may only need a HEAD then
        expect(seen).toEqual(["RateLimited", "RateLimited"])
        expect(registry.requests.filter((r) => r.startsWith("GET /v2/effect-docker/busybox/manifests/demo")).length)
          .toBeGreaterThanOrEqual(2)
        expect(registry.forwarded()).toBeGreaterThanOrEqual(1)
        expect(summary.status).toMatch(/^Status: (Downloaded newer image|Image is up to date) for /)
        const inspected = yield* Images.inspect(reference)
        expect(inspected.RepoTags).toContain(reference)
      }).pipe(Effect.scoped),
    90_000
  )

  it.effect("retry: a schedule that ends gives the last RateLimited (1 + 2 attempts)", () =>
    Effect.gen(function*() {
      const registry = yield* fakeRegistry({ _tag: "manifests", refusals: 1_000 })
      const error = yield* Effect.flip(
        Images.pull(`127.0.0.1:${registry.port}/effect-docker/busybox:demo`, { retry: Schedule.recurs(2) })
      )
      expect(error._tag).toBe("RateLimited")
      expect(registry.manifestGets()).toBe(3)
    }).pipe(Effect.scoped), 60_000)

  it.effect(
    "retry retries rate limits only: an unknown manifest fails after one attempt",
    () =>
      Effect.gen(function*() {
        const registry = yield* fakeRegistry({ _tag: "unknown" })
        const error = yield* Effect.flip(
          Images.pull(`127.0.0.1:${registry.port}/effect-docker/nothing:here`, {
            retry: quick.pipe(Schedule.upTo({ times: 5 }))
          })
        )
        expect(error._tag).not.toBe("RateLimited")
        expect(registry.manifestGets()).toBe(1)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect(
    "a refused blob: the daemon reports it inside the progress stream, the SDK fails with RateLimited",
    () =>
      Effect.gen(function*() {
        const registry = yield* fakeRegistry({ _tag: "blobs" })
        const reference = `127.0.0.1:${registry.port}/effect-docker/blobs:limited`
        const messages = yield* Api.imageCreate({
          fromImage: `127.0.0.1:${registry.port}/effect-docker/blobs`,
          tag: "limited"
        })
          .pipe(Stream.runCollect)
        const detail = messages.find((m) => m.errorDetail !== undefined)
        expect(detail?.errorDetail?.message).toContain("toomanyrequests")
        const error = yield* Effect.flip(Images.pull(reference))
        expect(error._tag).toBe("RateLimited")
        if (error._tag !== "RateLimited") return
        expect(error.status).toBeUndefined()
        expect(error.message).toContain("pull rate limit")
        expect(registry.requests.some((r) => r.startsWith("GET /v2/effect-docker/blobs/blobs/sha256:"))).toBe(true)
      }).pipe(Effect.scoped),
    60_000
  )
})
