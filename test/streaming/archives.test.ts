/**
 * Tar streams in and out of containers against the real engine: put (bytes and a byte Stream) then get back,
 * path stats, export of the whole filesystem, and a copy from one container to another streamed end to end.
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Containers } from "../../mod.ts"
import * as Exec from "../../src/Exec.ts"
import * as Tar from "../../src/internal/streamingTar.ts"
import { container, DockerLive } from "./support.ts"

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

layer(DockerLive, { excludeTestServices: true })("archives", (it) => {
  it.effect(
    "writeFiles then readArchive and getArchive: names, modes and contents come back",
    () =>
      Effect.gen(function*() {
        const id = yield* container({ Cmd: ["sleep", "60"] })
        const big = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff)
        yield* Containers.writeFiles(id, "/tmp", { "notes/hello.txt": "hello ☃\n", "notes/big.bin": big }, {
          mode: 0o640
        })
        const [file] = yield* Containers.readArchive(id, "/tmp/notes/hello.txt")
        expect(file?.name).toBe("hello.txt")
        expect(text(file!.data)).toBe("hello ☃\n")
        expect(file!.mode & 0o777).toBe(0o640)
        const folder = Tar.unpack(yield* Stream.mkUint8Array(Containers.getArchive(id, "/tmp/notes")))
        expect(folder.map((e) => e.name).sort()).toEqual(["notes/", "notes/big.bin", "notes/hello.txt"])
        expect(Buffer.from(folder.find((e) => e.name === "notes/big.bin")!.data).equals(Buffer.from(big))).toBe(true)
        // the files are really there for processes in the container
        yield* Containers.start(id)
        const listing = yield* Exec.run(id, ["sh", "-c", "wc -c < /tmp/notes/big.bin; cat /tmp/notes/hello.txt"])
        expect(listing.stdout).toBe("300000\nhello ☃\n")
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect("archiveInfo describes files, folders and links; missing paths are NotFound", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sleep", "60"] })
      yield* Containers.writeFiles(id, "/", { "data/file.txt": "12345" })
      const file = yield* Containers.archiveInfo(id, "/data/file.txt")
      expect(file).toMatchObject({ name: "file.txt", size: 5, isDirectory: false, isSymlink: false })
      expect(Math.abs(Date.parse(file.mtime) - Date.now())).toBeLessThan(120_000)
      const dir = yield* Containers.archiveInfo(id, "/data")
      expect(dir.isDirectory).toBe(true)
      const link = yield* Containers.archiveInfo(id, "/bin/sh")
      const [entry] = yield* Containers.readArchive(id, "/bin/sh")
      expect(link.isSymlink).toBe(entry?.type === "symlink" || entry?.type === "link")
      expect(link.linkTarget === "").toBe(!link.isSymlink)
      const missing = yield* Effect.flip(Containers.archiveInfo(id, "/no/such/path"))
      expect(missing._tag).toBe("NotFound")
      const missingGet = yield* Effect.flip(Stream.runDrain(Containers.getArchive(id, "/no/such/path")))
      expect(missingGet._tag).toBe("NotFound")
    }).pipe(Effect.scoped), 30_000)

  it.effect(
    "a folder streamed from one container straight into another (getArchive piped into putArchive)",
    () =>
      Effect.gen(function*() {
        const source = yield* container({
          Cmd: ["sh", "-c", "mkdir -p /src/sub && seq 1 20000 > /src/sub/numbers && echo x > /src/x"]
        })
        yield* Containers.start(source)
        yield* Containers.wait(source)
        const target = yield* container({ Cmd: ["sleep", "60"] })
        yield* Containers.putArchive(target, "/", Containers.getArchive(source, "/src"))
        yield* Containers.start(target)
        const check = yield* Exec.run(target, ["sh", "-c", "tail -n 1 /src/sub/numbers; cat /src/x"])
        expect(check.stdout).toBe("20000\nx\n")
      }).pipe(Effect.scoped),
    30_000
  )

  it.effect("export streams the whole filesystem as a tar archive", () =>
    Effect.gen(function*() {
      const id = yield* container({ Cmd: ["sh", "-c", "echo exported > /marker"] })
      yield* Containers.start(id)
      yield* Containers.wait(id)
      let chunks = 0
      const bytes = yield* Containers.exportFilesystem(id).pipe(
        Stream.tap(() => Effect.sync(() => chunks++)),
        Stream.mkUint8Array
      )
      expect(chunks).toBeGreaterThan(1)
      const entries = Tar.unpack(bytes)
      expect(text(entries.find((e) => e.name === "marker")!.data)).toBe("exported\n")
      expect(entries.some((e) => e.name === "bin/busybox" || e.name === "bin/sh")).toBe(true)
    }).pipe(Effect.scoped), 30_000)
})
