/**
 * Files in and out of a running container: what the SDK writes is checked with `stat`/`find`/`sha256sum` inside the
 * container (an oracle independent of the SDK's tar reader), and what it reads back is compared with what was
 * written: modes (setgid included), owners, modification times, nested folders, a file over 1 MiB, unicode names.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { ContainerFiles, Containers, Exec } from "../../mod.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"

const LABELS = { "effect-docker-test": "container-files" }

const running = Effect.gen(function*() {
  const id = yield* scopedContainer({ Cmd: ["sleep", "300"], Labels: LABELS, HostConfig: { NetworkMode: "none" } })
  yield* Containers.start(id)
  return id
})

const sh = (id: string, script: string) =>
  Effect.map(Exec.run(id, ["sh", "-c", script]), (r) => {
    if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}`)
    return r.stdout
  })

/** Deterministic bytes (a linear congruential sequence), `n` long. */
const pseudoRandom = (n: number, seed: number) => {
  const out = new Uint8Array(n)
  let x = seed >>> 0
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0
    out[i] = x >>> 24
  }
  return out
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "effect-docker-files-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

layer(Layer.merge(DockerLive, NodeFileSystem.layer), { excludeTestServices: true })("container files", (it) => {
  it.effect("text and bytes round trip with mode, owner and mtime kept; the file is replaced in place", () =>
    Effect.gen(function*() {
      const id = yield* running
      const mtime = new Date("2021-03-04T05:06:07Z")
      yield* ContainerFiles.copyContent(id, "/tmp/hello.txt", "héllo ✓\n", {
        mode: 0o2751,
        uid: 1234,
        gid: 5678,
        mtime
      })
      expect(yield* sh(id, "stat -c '%a %u %g %Y %s' /tmp/hello.txt")).toBe(
        `2751 1234 5678 ${mtime.getTime() / 1000} 11\n`
      )
      expect(yield* ContainerFiles.text(id, "/tmp/hello.txt")).toBe("héllo ✓\n")
      const [entry] = yield* Stream.runCollect(ContainerFiles.entries(id, "/tmp/hello.txt"))
      expect(entry).toMatchObject({ name: "hello.txt", type: "file", mode: 0o2751, uid: 1234, gid: 5678, size: 11 })
      expect(entry!.mtime).toBe(mtime.getTime() / 1000)
      // replace it with bytes, every byte value, defaults: 0644, 0:0
      const all = Uint8Array.from({ length: 256 }, (_, i) => i)
      yield* ContainerFiles.copyContent(id, "/tmp/hello.txt", all)
      expect(yield* sh(id, "stat -c '%a %u %g %s' /tmp/hello.txt")).toBe("644 0 0 256\n")
      const back = yield* Stream.mkUint8Array(ContainerFiles.bytes(id, "/tmp/hello.txt"))
      expect([...back]).toEqual([...all])
    }))

  it.effect("a file over 1 MiB from the host keeps its bytes, mode and mtime; read out as a byte stream", () =>
    Effect.gen(function*() {
      const id = yield* running
      const dir = yield* tempDir
      const data = pseudoRandom(3 * 1024 * 1024 + 123, 7)
      const file = path.join(dir, "big.bin")
      yield* Effect.promise(async () => {
        await fs.writeFile(file, data)
        await fs.chmod(file, 0o600)
        await fs.utimes(file, 1_600_000_000, 1_600_000_000)
      })
      yield* ContainerFiles.copyFile(id, file, "/tmp/big.bin", { uid: 42, gid: 43 })
      expect(yield* sh(id, "stat -c '%a %u %g %Y %s' /tmp/big.bin; sha256sum /tmp/big.bin | cut -d' ' -f1"))
        .toBe(`600 42 43 1600000000 ${data.length}\n${sha256(data)}\n`)
      let chunks = 0
      const back = yield* Stream.mkUint8Array(
        ContainerFiles.bytes(id, "/tmp/big.bin").pipe(Stream.tap(() => Effect.sync(() => chunks++)))
      )
      expect(back.length).toBe(data.length)
      expect(sha256(back)).toBe(sha256(data))
      expect(chunks).toBeGreaterThan(1) // streamed, not one gathered buffer
      // a missing host file fails before any request, typed
      const missing = yield* Effect.flip(ContainerFiles.copyFile(id, path.join(dir, "nope"), "/tmp/nope"))
      expect(missing._tag).toBe("PlatformError")
    }))

  it.effect("a host folder with nested folders, unicode names, a symlink and modes: copied and read back as entries", () =>
    Effect.gen(function*() {
      const id = yield* running
      const dir = yield* tempDir
      const root = path.join(dir, "site")
      const files: Record<string, string> = {
        "index.html": "<h1>hi</h1>\n",
        "a/b/c/deep.txt": "deep\n",
        "ünïcödé/日本語.txt": "unicode\n",
        "sp ace/f i le.txt": "space\n",
        [`long/${"n".repeat(120)}.txt`]: "long\n"
      }
      yield* Effect.promise(async () => {
        for (const [name, content] of Object.entries(files)) {
          await fs.mkdir(path.join(root, path.dirname(name)), { recursive: true })
          await fs.writeFile(path.join(root, name), content)
        }
        await fs.chmod(path.join(root, "a/b"), 0o700)
        await fs.chmod(path.join(root, "index.html"), 0o755)
        await fs.symlink("index.html", path.join(root, "home.html"))
        await fs.mkdir(path.join(root, "empty"))
      })
      yield* ContainerFiles.copyDirectory(id, root, "/srv/site", { uid: 101, gid: 102 })
      const listing = yield* sh(id, "cd /srv && find site | sort && stat -c '%n %a %u:%g' site/a/b site/index.html")
      const expected = [
        "site",
        ...new Set(
          Object.keys(files).flatMap((f) => {
            const parts = f.split("/")
            return parts.map((_, i) => `site/${parts.slice(0, i + 1).join("/")}`)
          })
        ),
        "site/home.html",
        "site/empty"
      ].sort()
      expect(listing).toBe(`${expected.join("\n")}\nsite/a/b 700 101:102\nsite/index.html 755 101:102\n`)
      expect(yield* sh(id, "readlink /srv/site/home.html")).toBe("index.html\n")

      const entries = yield* Stream.runCollect(ContainerFiles.entries(id, "/srv/site"))
      expect(entries.map((e) => e.name.replace(/\/$/, "")).sort()).toEqual(expected)
      for (const [name, content] of Object.entries(files)) {
        const entry = entries.find((e) => e.name === `site/${name}`)
        expect(entry?.type).toBe("file")
        expect(new TextDecoder().decode(entry?.data)).toBe(content)
        expect(entry).toMatchObject({ uid: 101, gid: 102 })
      }
      expect(entries.find((e) => e.name === "site/home.html")).toMatchObject({
        type: "symlink",
        linkname: "index.html"
      })
      expect(entries.find((e) => e.name.replace(/\/$/, "") === "site/a/b")).toMatchObject({
        type: "directory",
        mode: 0o700
      })
      // a folder is not a file
      const notAFile = yield* Effect.flip(ContainerFiles.text(id, "/srv/site"))
      expect(notAFile).toMatchObject({ _tag: "NotAFile", type: "directory" })
    }))

  it.effect("entries written as values: a folder tree with owners and a symlink; hostile paths are refused", () =>
    Effect.gen(function*() {
      const id = yield* running
      yield* ContainerFiles.copyEntries(id, "/opt", [
        { type: "directory", path: "app", mode: 0o750, uid: 7, gid: 8, mtime: 1_500_000_000 },
        { type: "directory", path: "app/conf", uid: 7, gid: 8 },
        { path: "app/conf/app.json", content: "{\"ok\":true}", mode: 0o640, uid: 7, gid: 8, mtime: 1_500_000_001 },
        { type: "symlink", path: "app/current", linkname: "conf/app.json" }
      ])
      expect(yield* sh(id, "stat -c '%n %a %u:%g %Y' /opt/app /opt/app/conf/app.json"))
        .toBe("/opt/app 750 7:8 1500000000\n/opt/app/conf/app.json 640 7:8 1500000001\n")
      const link = yield* Effect.flip(ContainerFiles.text(id, "/opt/app/current"))
      expect(link).toMatchObject({ _tag: "NotAFile", type: "symlink" })
      for (const bad of ["/", "", "/tmp/..", "/tmp/.", "/a/../b", "tmp/relative", "/tmp/nul\u0000"]) {
        const error = yield* Effect.flip(ContainerFiles.copyContent(id, bad, "x"))
        expect(error._tag).toBe("InvalidPath")
      }
      const relative = yield* Effect.flip(ContainerFiles.copyEntries(id, "opt", [{ path: "f", content: "" }]))
      expect(relative._tag).toBe("InvalidPath")
      for (const path of ["../../etc/evil", "a/../../b", "./x", "", "nul\u0000"]) {
        const error = yield* Effect.flip(ContainerFiles.copyEntries(id, "/tmp", [{ path, content: "x" }]))
        expect(error._tag).toBe("InvalidPath")
      }
      expect(yield* sh(id, "for p in /etc/evil /b /tmp/x; do [ -e $p ] && echo $p; done; true")).toBe("")
      // missing folders on the way are created
      yield* ContainerFiles.copyContent(id, "/no/such/folder/f", "x", { uid: 5 })
      expect(yield* sh(id, "stat -c '%n %a %u' /no/such/folder /no/such/folder/f")).toBe(
        "/no/such/folder 755 0\n/no/such/folder/f 644 5\n"
      )
      const gone = yield* Effect.flip(Stream.runCollect(ContainerFiles.entries(id, "/no/such/file")))
      expect(gone._tag).toBe("NotFound")
    }))

  it.effect("keepOwner: each host entry keeps its own uid:gid (a symlink its own); the default stays 0:0", () =>
    Effect.gen(function*() {
      const id = yield* running
      const dir = yield* tempDir
      const root = path.join(dir, "owned")
      const single = path.join(dir, "single.txt")
      // the tests run as root: any owner can be given on the host
      yield* Effect.promise(async () => {
        await fs.mkdir(path.join(root, "sub"), { recursive: true })
        await fs.writeFile(path.join(root, "sub/f.txt"), "f\n")
        await fs.writeFile(path.join(root, "empty.txt"), "")
        await fs.writeFile(single, "single\n")
        await fs.symlink("sub/f.txt", path.join(root, "link"))
        await fs.link(path.join(root, "sub/f.txt"), path.join(root, "hard.txt"))
        await fs.chown(root, 5555, 6666)
        await fs.chown(path.join(root, "sub"), 1111, 2222)
        await fs.chown(path.join(root, "sub/f.txt"), 1234, 2345)
        await fs.chown(path.join(root, "empty.txt"), 4000000000, 7)
        await fs.lchown(path.join(root, "link"), 3333, 4444)
        await fs.chown(single, 1234, 2345)
      })
      const owners = (at: string) =>
        sh(id, `cd ${at} && find . | sort | while read -r n; do stat -c '%n %u:%g' "$n"; done`)

      yield* ContainerFiles.copyDirectory(id, root, "/srv/owned", { keepOwner: true })
      expect(yield* owners("/srv/owned")).toBe(
        [
          ". 5555:6666",
          "./empty.txt 4000000000:7",
          "./hard.txt 1234:2345",
          "./link 3333:4444",
          "./sub 1111:2222",
          "./sub/f.txt 1234:2345",
          ""
        ].join("\n")
      )
      // read back by the SDK's tar reader: the same owners, the link still a link
      const entries = yield* Stream.runCollect(ContainerFiles.entries(id, "/srv/owned"))
      expect(entries.find((e) => e.name === "owned/link")).toMatchObject({ type: "symlink", uid: 3333, gid: 4444 })
      expect(entries.find((e) => e.name === "owned/empty.txt")).toMatchObject({ uid: 4000000000, gid: 7 })

      // a uid given still wins over the kept one; the gid is kept
      yield* ContainerFiles.copyDirectory(id, root, "/srv/mixed", { keepOwner: true, uid: 42 })
      expect(yield* owners("/srv/mixed")).toBe(
        [
          ". 42:6666",
          "./empty.txt 42:7",
          "./hard.txt 42:2345",
          "./link 42:4444",
          "./sub 42:2222",
          "./sub/f.txt 42:2345",
          ""
        ]
          .join("\n")
      )

      // the default: every entry 0:0, whatever the host says
      yield* ContainerFiles.copyDirectory(id, root, "/srv/plain")
      expect(yield* owners("/srv/plain")).toBe(
        [". 0:0", "./empty.txt 0:0", "./hard.txt 0:0", "./link 0:0", "./sub 0:0", "./sub/f.txt 0:0", ""].join("\n")
      )

      // a single file: kept, given, default
      yield* ContainerFiles.copyFile(id, single, "/tmp/kept.txt", { keepOwner: true })
      yield* ContainerFiles.copyFile(id, single, "/tmp/given.txt", { keepOwner: true, gid: 9 })
      yield* ContainerFiles.copyFile(id, single, "/tmp/plain.txt")
      yield* ContainerFiles.copyFile(id, single, "/tmp/off.txt", { keepOwner: false })
      expect(yield* sh(id, "cd /tmp && stat -c '%n %u:%g' kept.txt given.txt plain.txt off.txt")).toBe(
        "kept.txt 1234:2345\ngiven.txt 1234:9\nplain.txt 0:0\noff.txt 0:0\n"
      )
      expect(yield* ContainerFiles.text(id, "/tmp/kept.txt")).toBe("single\n")
    }))
})
