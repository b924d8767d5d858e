/**
 * Building from a folder, with the docker CLI (classic builder) as the oracle for `.dockerignore`: the same folder
 * is built once by `docker build` and once by `Images.buildFromDirectory`, and the listings of `/ctx` inside both
 * images (names, permission bits, sizes, types) must be equal.
 */
import { NodeFileSystem } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Api, BuildContext, Images } from "../../mod.ts"
import { unpack } from "../../src/internal/streamingTar.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"

const run = promisify(execFile)
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

const LISTING = "RUN find /ctx | sort > /list && find /ctx -exec stat -c '%n|%a|%s|%F' {} + | sort > /modes\n"

/** A hostile folder: nested folders, dot files, spaces, unicode, brackets, a symlink, an empty folder, modes. */
const populate = async (root: string, dockerfile: string, ignore: string, dockerfilePath = "Dockerfile") => {
  const files: Record<string, string> = {
    [dockerfilePath]: dockerfile,
    ".dockerignore": ignore,
    "keep.log": "keep\n",
    "a.log": "a\n",
    "x/y/z.log": "z\n",
    "x/keep.log": "nested keep\n",
    "x/y/data.txt": "data\n",
    "root-only": "root\n",
    "sub/root-only": "sub root\n",
    "sub/tmp/f": "f\n",
    "sub/deeper/tmp/f": "deep f\n",
    "tmp/f": "top tmp\n",
    ".secret": "s\n",
    ".secretdir/x": "x\n",
    ".hidden": "h\n",
    "build/out.bin": "bin\n",
    "build/keep/k.txt": "k\n",
    "build/keep/deep/k2.txt": "k2\n",
    "build/other/o.txt": "o\n",
    "dotted/x.txt": "x\n",
    "dotted/y.txt": "y\n",
    "sp ace 1.txt": "space\n",
    "dir with space/f.txt": "f\n",
    "ünïcödé.txt": "u\n",
    "日本/語.txt": "j\n",
    "docs/a/b/c.md": "c\n",
    "docs/a/b/d.md": "d\n",
    "a[b].txt": "bracket\n",
    "ab.txt": "ab\n",
    "exec.sh": "#!/bin/sh\necho hi\n",
    [`long/${"n".repeat(90)}/${"m".repeat(90)}/${"o".repeat(40)}.txt`]: "long name\n"
  }
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.join(root, path.dirname(name)), { recursive: true })
    await fs.writeFile(path.join(root, name), content)
  }
  await fs.chmod(path.join(root, "exec.sh"), 0o755)
  await fs.chmod(path.join(root, "x/y/data.txt"), 0o600)
  await fs.mkdir(path.join(root, "emptydir"))
  await fs.mkdir(path.join(root, "private"), { mode: 0o700 })
  await fs.writeFile(path.join(root, "private/p.txt"), "p\n")
  await fs.symlink("keep.log", path.join(root, "link"))
}

const IGNORE = [
  "# comment line, then a blank line",
  "",
  "**/*.log",
  "!keep.log",
  "/root-only",
  "*/tmp",
  ".secret*",
  "  build/  ",
  "!build/keep/**",
  "./dotted/./x.txt",
  "sp ace*.txt",
  "ünï*",
  "docs/**",
  "!docs/a/b/c.md",
  "a\\[b].txt",
  "Dockerfile",
  ".dockerignore"
].join("\n")

/** `docker build` with the classic builder; the image id. */
const cliBuild = (dir: string, tag: string, extra: ReadonlyArray<string> = []) =>
  Effect.promise(() =>
    run("docker", ["build", "-q", "-t", tag, ...extra, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
      maxBuffer: 16 * 1024 * 1024
    })
  ).pipe(Effect.map(({ stdout }) => stdout.trim()))

const readListing = (image: string) =>
  Effect.promise(() => run("docker", ["run", "--rm", "--network", "none", image, "cat", "/list", "/modes"]))
    .pipe(Effect.map(({ stdout }) => stdout))

const scopedFolder = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "effect-docker-ctx-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const scopedImage = (tag: string) =>
  Effect.addFinalizer(() => Effect.ignore(Api.imageDelete({ name: tag, force: true })))

layer(Layer.merge(DockerLive, NodeFileSystem.layer))("build from a folder against the docker CLI", (it) => {
  it.effect(
    "hostile .dockerignore: the CLI's image and the SDK's image hold the same /ctx",
    () =>
      Effect.gen(function*() {
        const dir = yield* scopedFolder
        yield* Effect.promise(() => populate(dir, `FROM ${TEST_IMAGE}\nCOPY . /ctx\n${LISTING}`, IGNORE))
        const cliTag = `effect-docker/ctx-cli:${uniqueName("t")}`
        const sdkTag = `effect-docker/ctx-sdk:${uniqueName("t")}`
        yield* scopedImage(cliTag)
        yield* scopedImage(sdkTag)
        yield* cliBuild(dir, cliTag)
        const built = yield* Images.buildFromDirectory(dir, { t: sdkTag, nocache: true })
        expect(built.imageId).toMatch(/^(sha256:)?[0-9a-f]{12,64}$/)
        const expected = yield* readListing(cliTag)
        const actual = yield* readListing(sdkTag)
        expect(actual).toBe(expected)
        // The oracle did decide things: spot checks that the listing is not trivially equal.
        const names = expected.split("\n")
        expect(names).toContain("/ctx/keep.log")
        expect(names).not.toContain("/ctx/a.log")
        expect(names).not.toContain("/ctx/x/keep.log")
        expect(names).toContain("/ctx/sub/root-only")
        expect(names).not.toContain("/ctx/root-only")
        expect(names).toContain("/ctx/build/keep/deep/k2.txt")
        expect(names).not.toContain("/ctx/build/other/o.txt")
        expect(names).toContain("/ctx/docs/a/b/c.md")
        expect(names).not.toContain("/ctx/docs/a/b/d.md")
        expect(names).toContain("/ctx/sub/deeper/tmp/f")
        expect(names).not.toContain("/ctx/sub/tmp/f")
        expect(names).not.toContain("/ctx/Dockerfile")
        expect(names).toContain("/ctx/日本/語.txt")
        expect(names).not.toContain("/ctx/a[b].txt")
        expect(names).toContain("/ctx/link")
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )

  it.effect(
    "Dockerfile in an excluded folder, build args, labels and a target: same context as `docker build -f`",
    () =>
      Effect.gen(function*() {
        const dir = yield* scopedFolder
        const dockerfile = [
          `FROM ${TEST_IMAGE} AS base`,
          "ARG GREETING=none",
          "COPY . /ctx",
          `RUN echo "$GREETING" > /greeting && ${LISTING.slice(4)}`,
          "FROM base AS final",
          "RUN touch /final-stage",
          ""
        ].join("\n")
        yield* Effect.promise(() => populate(dir, dockerfile, "docker/\n*.txt\n!sub\n", "docker/Dockerfile"))
        const cliTag = `effect-docker/ctx-cli:${uniqueName("f")}`
        const sdkTag = `effect-docker/ctx-sdk:${uniqueName("f")}`
        yield* scopedImage(cliTag)
        yield* scopedImage(sdkTag)
        yield* cliBuild(dir, cliTag, [
          "-f",
          path.join(dir, "docker/Dockerfile"),
          "--build-arg",
          "GREETING=hello there",
          "--label",
          "team=web",
          "--target",
          "base"
        ])
        yield* Images.buildFromDirectory(dir, {
          t: sdkTag,
          dockerfile: "docker/Dockerfile",
          buildargs: { GREETING: "hello there" },
          labels: { team: "web" },
          target: "base"
        })
        expect(yield* readListing(sdkTag)).toBe(yield* readListing(cliTag))
        const inspected = yield* Images.inspect(sdkTag)
        expect(inspected.Config?.Labels?.["team"]).toBe("web")
        const greeting = yield* Effect.promise(() =>
          run("docker", [
            "run",
            "--rm",
            "--network",
            "none",
            sdkTag,
            "sh",
            "-c",
            "cat /greeting; ls /final-stage || true"
          ])
        )
        expect(greeting.stdout).toBe("hello there\n")
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )

  it.effect(
    "a Dockerfile outside the folder (`docker build -f ../Dockerfile`): the same /ctx as the CLI's, none of it leaked",
    () =>
      Effect.gen(function*() {
        const dir = yield* scopedFolder
        const ctx = path.join(dir, "ctx")
        const bare = path.join(dir, "bare")
        // the folders hold a Dockerfile of their own, which must not be the one used
        yield* Effect.promise(async () => {
          await populate(ctx, "FROM scratch\n", IGNORE)
          await populate(bare, "FROM scratch\n", "")
          await fs.rm(path.join(bare, ".dockerignore"))
          await fs.writeFile(path.join(dir, "Dockerfile"), `FROM ${TEST_IMAGE}\nCOPY . /ctx\n${LISTING}`)
        })
        const cases = [
          { folder: ctx, dockerfile: "../Dockerfile", name: "with .dockerignore" },
          { folder: bare, dockerfile: path.join(dir, "Dockerfile"), name: "without .dockerignore, absolute path" }
        ]
        for (const { dockerfile, folder, name } of cases) {
          const cliTag = `effect-docker/ctx-cli:${uniqueName("o")}`
          const sdkTag = `effect-docker/ctx-sdk:${uniqueName("o")}`
          yield* scopedImage(cliTag)
          yield* scopedImage(sdkTag)
          yield* cliBuild(folder, cliTag, ["-f", path.join(dir, "Dockerfile")])
          yield* Images.buildFromDirectory(folder, { t: sdkTag, dockerfile })
          const expected = yield* readListing(cliTag)
          expect({ name, listing: yield* readListing(sdkTag) }).toEqual({ name, listing: expected })
          expect(expected).not.toMatch(/\.dockerfile\./)
          expect(expected).not.toContain("/ctx/.dockerignore")
          expect(expected).toContain("/ctx/keep.log")
        }
        // the archive: the Dockerfile under a generated name, and that name added to .dockerignore
        const prepared = yield* BuildContext.prepare(bare, { dockerfile: "../Dockerfile" })
        expect(prepared.dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/)
        const entries = unpack(yield* Stream.mkUint8Array(prepared.context))
        const text = (name: string) => new TextDecoder().decode(entries.find((e) => e.name === name)?.data)
        expect(text(prepared.dockerfile)).toBe(`FROM ${TEST_IMAGE}\nCOPY . /ctx\n${LISTING}`)
        expect(entries.find((e) => e.name === prepared.dockerfile)?.mode).toBe(0o600)
        expect(text(".dockerignore")).toBe(`.dockerignore\n${prepared.dockerfile}\n`)
        expect(text("Dockerfile")).toBe("FROM scratch\n")
        expect(entries.filter((e) => e.name === ".dockerignore")).toHaveLength(1)
        // paths that stay inside the folder keep their place, cleaned; those that leave it get a generated name
        const nameOf = (folder: string, dockerfile: string) =>
          Effect.map(BuildContext.prepare(folder, { dockerfile }), (p) => p.dockerfile)
        expect(yield* nameOf(bare, "./x/../Dockerfile")).toBe("Dockerfile")
        expect(yield* nameOf(bare, "../bare/x/y/data.txt")).toBe("x/y/data.txt")
        expect(yield* nameOf(bare, path.join(bare, "sub", "root-only"))).toBe("sub/root-only")
        expect(yield* nameOf(`${bare}/`, "sub/root-only")).toBe("sub/root-only")
        expect(yield* nameOf(path.join(bare, "sub"), "../exec.sh")).toMatch(/^\.dockerfile\./)
        expect(yield* nameOf(bare, path.join(ctx, "keep.log"))).toMatch(/^\.dockerfile\./)
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )

  it.effect(
    "hard links: written once and linked (as the CLI does), also when the first name is excluded",
    () =>
      Effect.gen(function*() {
        const dir = yield* scopedFolder
        const links = "RUN find /ctx -type f -exec stat -c '%n|%h|%s|%a' {} + | sort > /list && " +
          "cat /ctx/data.bin /ctx/hard-a /ctx/sub/hard-b /ctx/second | md5sum > /modes\n"
        yield* Effect.promise(async () => {
          await fs.mkdir(path.join(dir, "sub"))
          await fs.writeFile(path.join(dir, "Dockerfile"), `FROM ${TEST_IMAGE}\nCOPY . /ctx\n${links}`)
          await fs.writeFile(path.join(dir, ".dockerignore"), "first\n")
          await fs.writeFile(path.join(dir, "data.bin"), "x".repeat(70_000), { mode: 0o640 })
          await fs.link(path.join(dir, "data.bin"), path.join(dir, "hard-a"))
          await fs.link(path.join(dir, "data.bin"), path.join(dir, "sub/hard-b"))
          await fs.writeFile(path.join(dir, "first"), "the first name is excluded\n")
          await fs.link(path.join(dir, "first"), path.join(dir, "second"))
        })
        const cliTag = `effect-docker/ctx-cli:${uniqueName("h")}`
        const sdkTag = `effect-docker/ctx-sdk:${uniqueName("h")}`
        yield* scopedImage(cliTag)
        yield* scopedImage(sdkTag)
        yield* cliBuild(dir, cliTag)
        yield* Images.buildFromDirectory(dir, { t: sdkTag })
        const expected = yield* readListing(cliTag)
        expect(yield* readListing(sdkTag)).toBe(expected)
        // the oracle keeps the links (three names of one file), and a first name left out breaks none
        expect(expected).toContain("/ctx/sub/hard-b|3|70000|640")
        expect(expected).toContain("/ctx/second|1|27|644")
        // the archive: one copy of the data, the other names hard link entries to the first name written
        const entries = unpack(yield* Stream.mkUint8Array(BuildContext.fromDirectory(dir)))
        const seen = entries.filter((e) => e.type === "file" || e.type === "link")
          .map((e) => [e.name, e.type, e.type === "link" ? e.linkname : e.data.length])
        expect(seen).toEqual([
          [".dockerignore", "file", 6],
          ["Dockerfile", "file", `FROM ${TEST_IMAGE}\nCOPY . /ctx\n${links}`.length],
          ["data.bin", "file", 70_000],
          ["hard-a", "link", "data.bin"],
          ["second", "file", 27],
          ["sub/hard-b", "link", "data.bin"]
        ])
      }).pipe(Effect.scoped),
    { timeout: 180_000 }
  )

  it.effect("a malformed pattern fails with DockerignoreError before anything is sent", () =>
    Effect.gen(function*() {
      const dir = yield* scopedFolder
      yield* Effect.promise(() => populate(dir, `FROM ${TEST_IMAGE}\n`, "ok\n[a-\n"))
      const error = yield* Effect.flip(Images.buildFromDirectory(dir, { t: "effect-docker/never:built" }))
      expect(error._tag).toBe("DockerignoreError")
      if (error._tag === "DockerignoreError") expect(error.pattern).toBe("[a-")
      const cli = yield* Effect.promise(() =>
        run("docker", ["build", "-q", dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } }).then(
          () => "built",
          (e: { stderr: string }) => e.stderr
        )
      )
      expect(cli).toContain("syntax error in pattern")
    }).pipe(Effect.scoped))

  /** Names that the odd patterns below tell apart: brackets, a bell character, digits, regexp punctuation. */
  const ODD_FILES = [
    "]",
    "a]",
    "aa]",
    "b]",
    "[]",
    "a[/a]",
    "a?]",
    "(]",
    "(",
    "*",
    "?",
    "a",
    "xa",
    "xd",
    "x7",
    "x\u0007"
  ]

  const ODD_PATTERNS: ReadonlyArray<readonly [pattern: string, excluded: ReadonlyArray<string>]> = [
    ["[a*]", ["]", "a]", "aa]", "[]", "a[/a]"]],
    ["[a?]", ["a]", "[]"]],
    ["[^?]", ["a]", "b]", "(]"]],
    ["[**]", ["(", "*", "?"]],
    ["x\\a", ["x\u0007"]],
    ["x\\d", ["x7"]],
    ["x\\141", ["xa"]],
    ["x\\b", []]
  ]

  it.effect(
    "odd patterns (`*`, `?`, `**` inside a class; `\\` before a letter or digit): the CLI's and the SDK's /ctx agree",
    () =>
      Effect.gen(function*() {
        for (const [pattern, excluded] of ODD_PATTERNS) {
          const dir = yield* scopedFolder
          yield* Effect.promise(async () => {
            await fs.writeFile(path.join(dir, "Dockerfile"), `FROM ${TEST_IMAGE}\nCOPY . /ctx\n${LISTING}`)
            await fs.writeFile(path.join(dir, ".dockerignore"), `${pattern}\n`)
            for (const name of ODD_FILES) {
              await fs.mkdir(path.join(dir, path.dirname(name)), { recursive: true })
              await fs.writeFile(path.join(dir, name), "f\n")
            }
          })
          const cliTag = `effect-docker/ctx-cli:${uniqueName("o")}`
          const sdkTag = `effect-docker/ctx-sdk:${uniqueName("o")}`
          yield* scopedImage(cliTag)
          yield* scopedImage(sdkTag)
          yield* cliBuild(dir, cliTag)
          yield* Images.buildFromDirectory(dir, { t: sdkTag, nocache: true })
          const expected = yield* readListing(cliTag)
          expect(yield* readListing(sdkTag), pattern).toBe(expected)
          // The oracle decided what the pattern's Go reading says, not what `filepath.Match` alone would.
          const names = expected.split("\n")
          for (const name of ODD_FILES) {
            expect(names.includes(`/ctx/${name}`), `${pattern} ${JSON.stringify(name)}`).toBe(!excluded.includes(name))
          }
        }
      }).pipe(Effect.scoped),
    { timeout: 300_000 }
  )

  it.effect("odd patterns the CLI's Go regular expression refuses fail in the SDK too", () =>
    Effect.gen(function*() {
      for (const pattern of ["x\\q", "x\\1", "[*[]", "[\\b]"]) {
        const dir = yield* scopedFolder
        yield* Effect.promise(() => populate(dir, `FROM ${TEST_IMAGE}\n`, `ok\n${pattern}\n`))
        const error = yield* Effect.flip(Images.buildFromDirectory(dir, { t: "effect-docker/never:built" }))
        expect(error._tag, pattern).toBe("DockerignoreError")
        if (error._tag === "DockerignoreError") expect(error.pattern).toBe(pattern)
        const cli = yield* Effect.promise(() =>
          run("docker", ["build", "-q", dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } }).then(
            () => "built",
            (e: { stderr: string }) => e.stderr
          )
        )
        expect(cli, pattern).toContain("syntax error in pattern")
      }
    }).pipe(Effect.scoped), { timeout: 120_000 })
})
