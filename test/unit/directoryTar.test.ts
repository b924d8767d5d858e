/**
 * The folder tar of build contexts: its bytes (entries, order, modes, data, padding) with and without a buffer
 * pool, files opened one at a time and always closed (also when the stream stops early), files that changed size
 * while read, the pool's rules, and the Node transport handing pooled chunks back only once the socket wrote them.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Pool, release } from "../../src/internal/bufferPool.ts"
import { directoryTar, fileData } from "../../src/internal/directoryTar.ts"
import * as Ignore from "../../src/internal/dockerignore.ts"
import * as Tar from "../../src/internal/streamingTar.ts"
import * as NodeHttp from "../../src/platform/internal/nodeHttpClient.ts"

/** `n` bytes of a pattern that depends on `seed` and on the position (no two neighbours alike). */
const pattern = (n: number, seed: number) => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8) + seed * 7) & 0xff
  return out
}

/** The files of the test folder (sizes around the 64 KiB chunk and the 512-byte block), content by seed. */
const FILES: ReadonlyArray<readonly [string, number]> = [
  ["Dockerfile", 30],
  [".dockerignore", 0],
  ["a/big.bin", 200_000],
  ["a/exact.bin", 131_072],
  ["a/b/block.bin", 512],
  ["a/b/odd.bin", 513],
  ["empty.txt", 0],
  ["skip/me.log", 10],
  ["skip/keep.txt", 7],
  ["日本/語.txt", 3]
]

const scopedFolder = Effect.acquireRelease(
  Effect.promise(async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "effect-docker-dirtar-"))
    for (const [k, [name, size]] of FILES.entries()) {
      await fs.mkdir(path.join(root, path.dirname(name)), { recursive: true })
      await fs.writeFile(path.join(root, name), pattern(size, k))
    }
    await fs.chmod(path.join(root, "a/b/odd.bin"), 0o600)
    await fs.mkdir(path.join(root, "emptydir"), { mode: 0o750 })
    await fs.chmod(path.join(root, "emptydir"), 0o750)
    await fs.symlink("a/big.bin", path.join(root, "link"))
    return root
  }),
  (root) => Effect.promise(() => fs.rm(root, { recursive: true, force: true }))
)

/** `FileSystem` that counts the files it opened, those still open, and the most open at once. */
const countingFs = () => {
  const counts = { opened: 0, open: 0, maxOpen: 0 }
  const layer = Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs): FileSystem.FileSystem => ({
      ...fs,
      open: (p, options) =>
        Effect.tap(
          fs.open(p, options),
          () =>
            Effect.andThen(
              Effect.sync(() => {
                counts.opened++
                counts.open++
                counts.maxOpen = Math.max(counts.maxOpen, counts.open)
              }),
              Effect.addFinalizer(() => Effect.sync(() => counts.open--))
            )
        )
    }))
  ).pipe(Layer.provide(NodeFileSystem.layer))
  return { counts, layer }
}

const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>, releasing = false) =>
  Stream.runFold(stream, () => [] as Array<Uint8Array>, (all, chunk) => {
    // a consumer of a pooled stream copies and releases each chunk, as the transport does once it wrote it
    all.push(releasing ? chunk.slice() : chunk)
    if (releasing) release(chunk)
    return all
  }).pipe(Effect.map((chunks) => Buffer.concat(chunks)))

describe("directoryTar", () => {
  it.live("entries in name order, folders before their content, modes, data and padding; same bytes pooled", () =>
    Effect.gen(function*() {
      const root = yield* scopedFolder
      const matcher = Ignore.matcher(Ignore.keepBuildFiles(["skip", "!skip/keep.txt"], "Dockerfile"))
      const { counts, layer } = countingFs()
      const fresh = yield* collect(directoryTar(root, { matcher })).pipe(Effect.provide(layer))
      const pool = new Pool(64 * 1024, 2)
      const pooled = yield* collect(directoryTar(root, { matcher, pool }), true).pipe(Effect.provide(layer))
      expect(pooled.equals(fresh)).toBe(true)
      expect(fresh.length % 512).toBe(0)
      // the pool was used and got its buffers back: at most `keep` kept
      expect(pool.available).toBeGreaterThan(0)
      expect(pool.available).toBeLessThanOrEqual(2)
      // every file with data opened once per run, one at a time, all closed
      const withData = FILES.filter(([name, size]) => size > 0 && name !== "skip/me.log").length
      expect(counts).toEqual({ opened: 2 * withData, open: 0, maxOpen: 1 })

      const entries = Tar.unpack(fresh)
      expect(entries.map((e) => `${e.type} ${e.name}`)).toEqual([
        "file .dockerignore",
        "file Dockerfile",
        "directory a/",
        "directory a/b/",
        "file a/b/block.bin",
        "file a/b/odd.bin",
        "file a/big.bin",
        "file a/exact.bin",
        "file empty.txt",
        "directory emptydir/",
        "symlink link",
        "file skip/keep.txt",
        "directory 日本/",
        "file 日本/語.txt"
      ])
      for (const [k, [name, size]] of FILES.entries()) {
        const entry = entries.find((e) => e.name === name)
        if (name === "skip/me.log") expect(entry).toBeUndefined()
        else expect(Buffer.from(entry!.data).equals(pattern(size, k))).toBe(true)
      }
      const byName = (name: string) => entries.find((e) => e.name === name)!
      expect(byName("a/b/odd.bin").mode).toBe(0o600)
      expect(byName("emptydir/").mode).toBe(0o750)
      expect(byName("link").linkname).toBe("a/big.bin")
    }))

  it.live("chunks are at most 64 KiB, and a stream stopped in the middle of a file closes it", () =>
    Effect.gen(function*() {
      const root = yield* scopedFolder
      const { counts, layer } = countingFs()
      const sizes = yield* Stream.runCollect(Stream.map(directoryTar(root), (c) => c.length)).pipe(
        Effect.provide(layer)
      )
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024)
      // headers of ".dockerignore", "Dockerfile", its data, its padding, "a/", "a/b/", "a/b/block.bin", its
      // data: the ninth chunk is the header of a/b/odd.bin, the tenth its data
      const taken = yield* Stream.runCollect(Stream.take(directoryTar(root), 10)).pipe(Effect.provide(layer))
      expect(taken.length).toBe(10)
      expect(counts.open).toBe(0)
      expect(counts.maxOpen).toBe(1)
    }))

  it.live("a file that shrank is padded with zeros, one that grew is cut: the size in the header holds", () =>
    Effect.gen(function*() {
      const root = yield* scopedFolder
      const fsys = yield* FileSystem.FileSystem
      const file = path.join(root, "a/b/odd.bin") // 513 bytes
      const longer = yield* collect(fileData(fsys, file, 70_000))
      expect(longer.length).toBe(70_000 + Tar.dataPadding(70_000).length)
      expect(longer.subarray(0, 513).equals(pattern(513, 5))).toBe(true)
      expect(longer.subarray(513).every((b) => b === 0)).toBe(true)
      const shorter = yield* collect(fileData(fsys, file, 100, new Pool(64 * 1024, 1)), true)
      expect(shorter.length).toBe(512)
      expect(shorter.subarray(0, 100).equals(pattern(513, 5).subarray(0, 100))).toBe(true)
      expect(shorter.subarray(100).every((b) => b === 0)).toBe(true)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("bufferPool", () => {
  it("a buffer comes back only when the chunk lent from it is released, once", () => {
    const pool = new Pool(16, 4)
    const a = pool.take()
    const b = pool.take()
    expect(a).not.toBe(b)
    const view = pool.lend(a.subarray(0, 5), a)
    pool.lend(b, b)
    expect(pool.available).toBe(0)
    release(new Uint8Array(16)) // a chunk from elsewhere: nothing happens
    release(b.subarray(0, 3)) // a view that was never lent: nothing happens
    expect(pool.available).toBe(0)
    release(view)
    expect(pool.available).toBe(1)
    expect(pool.take()).toBe(a) // the whole buffer, not the view
    release(view) // released twice: the second time is a no-op
    expect(pool.available).toBe(0)
    release(b)
    expect(pool.take()).toBe(b)
  })

  it("keeps at most `keep` free buffers", () => {
    const pool = new Pool(8, 2)
    const taken = [pool.take(), pool.take(), pool.take()]
    for (const buffer of taken) release(pool.lend(buffer, buffer))
    expect(pool.available).toBe(2)
  })
})

/** A server on 127.0.0.1 that reads request bodies slowly (pauses after each chunk) and answers their SHA-256. */
const slowServer = Effect.acquireRelease(
  Effect.callback<{ readonly url: string; readonly close: () => void }>((resume) => {
    const srv = http.createServer((request, response) => {
      const hash = createHash("sha256")
      request.on("data", (chunk: Buffer) => {
        hash.update(chunk)
        request.pause()
        setTimeout(() => request.resume(), 1)
      })
      request.on("end", () => response.end(hash.digest("hex")))
    })
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, close: () => srv.close() }))
    })
  }),
  (s) => Effect.sync(() => s.close())
)

describe("Node transport and pooled chunks", () => {
  for (const tracing of [false, true]) {
    it.live(`tracing ${tracing ? "on" : "off"}: a pooled chunk is reused only after the socket wrote it`, () =>
      Effect.gen(function*() {
        const { url } = yield* slowServer
        const client = NodeHttp.make(new http.Agent({ keepAlive: true }), url)
        const pool = new Pool(16 * 1024, 4)
        const buffers = new Set<Uint8Array>()
        const CHUNKS = 400
        const expected = createHash("sha256")
        // each chunk is written into a buffer of the pool just before it is sent: a buffer reused while the
        // socket still held it would change bytes already "sent", and the server's hash would differ
        const body = Stream.unfold(0, (i) =>
          Effect.sync(() => {
            if (i === CHUNKS) return undefined
            const buffer = pool.take()
            buffers.add(buffer)
            buffer.set(pattern(buffer.length, i))
            expected.update(buffer)
            return [pool.lend(buffer, buffer), i + 1] as const
          }))
        const request = HttpClientRequest.post(`${url}/`).pipe(HttpClientRequest.bodyStream(body))
        const execute = client.execute(request)
        const response = yield* tracing
          ? execute
          : Effect.provideService(execute, HttpClient.TracerDisabledWhen, () => true)
        expect(yield* response.text).toBe(expected.digest("hex"))
        // 400 chunks of 16 KiB went through a handful of buffers, not one each
        expect(buffers.size).toBeLessThan(CHUNKS / 10)
      }))
  }
})
