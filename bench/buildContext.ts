/**
 * Memory of `Images.buildFromDirectory` on large folders, at two or more folder sizes, so that "constant memory" can
 * be seen: the growth must not depend on the folder's size.
 *
 *   npm run bench:build-context                       (10000x256 and 10000x1024, 3 rotated rounds)
 *   node --expose-gc bench/buildContext.ts 3 10000x256 10000x1024 2500x256
 *   node --expose-gc bench/buildContext.ts --trees before=/tmp/old,after=. 3 10000x256 10000x1024
 *
 * `--modes tar,pooled,build` picks the modes (default `tar,build`). `--trees` compares checkouts in the same run: each `label=path` is a copy of the project (its `src`, `mod.ts`
 * and this `bench` folder, `node_modules` linked) whose code the children of that label run.
 *
 * A folder `FILESxMIB` holds FILES sparse files (so it costs no disk) of MIB/FILES each, in 100 sub-folders, with a
 * Dockerfile (`FROM effect-docker/busybox:latest`, `RUN true`) and a `.dockerignore` (`**\/*.skip`). The folders
 * are written once by the parent; every measured run is a fresh Node process (`--child`), so no run inherits the
 * heap of the folder's creation or of another run. Two modes per folder:
 * - `build`: `Images.buildFromDirectory` against the real engine (classic builder), the whole tar sent and built;
 * - `tar`: `BuildContext.fromDirectory` run into a counting sink, no daemon (what the folder walk and the file
 *   reads cost alone, with fresh buffers as users get them);
 * - `pooled`: the archive as `buildFromDirectory` makes it (a buffer pool), run into a sink that releases each chunk
 *   as the Node transport does, no daemon (fast, so large folders can be tried; not for trees before the pool).
 * The child forces a GC, records `process.memoryUsage()` just before the call, samples it every 20 ms while the call
 * runs and reports, for rss, heapUsed, external and arrayBuffers, the peak minus that baseline, and the GC time.
 * The parent rotates the order of the (folder, mode) runs per round and prints the median and range of each figure,
 * the per-round ratio of the largest folder's RSS growth to the smallest's, and the load average. It exits non-zero
 * when a build's RSS growth passes 64 MiB (with `--trees`, a build of the last tree).
 */
import { NodeFileSystem } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { Api, BuildContext, Images } from "../mod.ts"
import * as BufferPool from "../src/internal/bufferPool.ts"
import { directoryTar } from "../src/internal/directoryTar.ts"
import * as DockerNode from "../src/platform/node.ts"
import { header, loadAverage, showRatio, summarize } from "./rounds.ts"
import { printTable } from "./table.ts"

const LIMIT_MIB = 64
const MiB = 1024 * 1024
const mib = (bytes: number) => (bytes / MiB).toFixed(1)

interface Sample {
  readonly tree: string
  readonly folder: string
  readonly mode: string
  /** tar bytes produced (mode `tar`) or -1 */
  readonly bytes: number
  readonly ms: number
  /** peak minus the value just before the call, bytes */
  readonly rss: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
  readonly gcMs: number
}

// -----------------------------------------------------------------------------
// child: one run
// -----------------------------------------------------------------------------

const child = async (tree: string, dir: string, folder: string, mode: string) => {
  const layer = Layer.merge(DockerNode.layer(), NodeFileSystem.layer)
  const tag = `effect-docker/bigctx:${process.pid.toString(36)}${Date.now().toString(36)}`
  let gcMs = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration
  })
  observer.observe({ entryTypes: ["gc"] })
  globalThis.gc?.()
  const before = process.memoryUsage()
  const peak = { ...before }
  const sample = () => {
    const now = process.memoryUsage()
    peak.rss = Math.max(peak.rss, now.rss)
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed)
    peak.external = Math.max(peak.external, now.external)
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers)
  }
  const sampler = setInterval(sample, 20)
  const start = performance.now()
  let bytes = -1
  if (mode === "tar") {
    bytes = await Effect.runPromise(
      BuildContext.fromDirectory(dir).pipe(
        Stream.runFold(() => 0, (n, chunk) => n + chunk.length),
        Effect.provide(NodeFileSystem.layer)
      )
    )
  } else if (mode === "pooled") {
    bytes = await Effect.runPromise(
      directoryTar(dir, { pool: new BufferPool.Pool(64 * 1024, 4) }).pipe(
        Stream.runFold(() => 0, (n, chunk) => {
          BufferPool.release(chunk)
          return n + chunk.length
        }),
        Effect.provide(NodeFileSystem.layer)
      )
    )
  } else {
    await Effect.runPromise(Images.buildFromDirectory(dir, { t: tag }).pipe(Effect.provide(layer)))
  }
  const ms = performance.now() - start
  clearInterval(sampler)
  sample()
  await new Promise((resolve) => setTimeout(resolve, 50))
  observer.disconnect()
  if (mode === "build") {
    await Effect.runPromise(
      Effect.ignore(Api.imageDelete({ name: tag, force: true })).pipe(Effect.provide(DockerNode.layer()))
    )
  }
  const result: Sample = {
    tree,
    folder,
    mode,
    bytes,
    ms,
    rss: peak.rss - before.rss,
    heapUsed: peak.heapUsed - before.heapUsed,
    external: peak.external - before.external,
    arrayBuffers: peak.arrayBuffers - before.arrayBuffers,
    gcMs
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

// -----------------------------------------------------------------------------
// parent: folders, then rotated rounds of child processes
// -----------------------------------------------------------------------------

const makeFolder = async (root: string, files: number, totalMiB: number): Promise<string> => {
  const dir = path.join(root, `${files}x${totalMiB}`)
  const fileSize = Math.floor((totalMiB * MiB) / files)
  await fs.mkdir(dir)
  await fs.writeFile(path.join(dir, "Dockerfile"), "FROM effect-docker/busybox:latest\nRUN true\n")
  await fs.writeFile(path.join(dir, ".dockerignore"), "**/*.skip\n")
  for (let d = 0; d < 100; d++) {
    const sub = path.join(dir, `d${d}`)
    await fs.mkdir(sub)
    for (let f = 0; f < files / 100; f++) {
      const handle = await fs.open(path.join(sub, `f${f}.bin`), "w")
      await handle.truncate(fileSize)
      await handle.close()
    }
  }
  return dir
}

const runChild = (tree: Tree, dir: string, folder: string, mode: string) =>
  new Promise<Sample>((resolve, reject) => {
    const script = tree.path === undefined
      ? fileURLToPath(import.meta.url)
      : path.join(tree.path, "bench", "buildContext.ts")
    const child_ = spawn(
      process.execPath,
      ["--expose-gc", script, "--child", tree.label, dir, folder, mode],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child_.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child_.on("error", reject)
    child_.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${folder} ${mode} exited ${code}`))
      resolve(JSON.parse(out.trim().split("\n").at(-1)!) as Sample)
    })
  })

interface Tree {
  readonly label: string
  /** a copy of the project, or `undefined` for this one */
  readonly path: string | undefined
}

const parent = async (
  trees: ReadonlyArray<Tree>,
  modes: ReadonlyArray<string>,
  rounds: number,
  specs: ReadonlyArray<string>
) => {
  header(
    `bench:build-context, folders ${specs.join(", ")} (files x MiB), trees ${
      trees.map((t) => t.label).join(", ")
    }, ${rounds} rotated rounds`
  )
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "effect-docker-bigctx-"))
  try {
    const dirs = new Map<string, string>()
    for (const spec of specs) {
      const [files, total] = spec.split("x").map(Number)
      dirs.set(spec, await makeFolder(root, files!, total!))
    }
    const runs = trees.flatMap((tree) => specs.flatMap((folder) => modes.map((mode) => ({ tree, folder, mode }))))
    const samples = runs.map(() => [] as Array<Sample>)
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < runs.length; k++) {
        const i = (round + k) % runs.length
        const { folder, mode, tree } = runs[i]!
        const s = await runChild(tree, dirs.get(folder)!, folder, mode)
        samples[i]!.push(s)
        process.stderr.write(
          `  round ${round + 1} ${tree.label} ${folder} ${mode}: ${(s.ms / 1000).toFixed(1)} s, RSS +${
            mib(s.rss)
          } MiB, ` +
            `heapUsed +${mib(s.heapUsed)}, external +${mib(s.external)}, arrayBuffers +${mib(s.arrayBuffers)}, ` +
            `GC ${s.gcMs.toFixed(0)} ms; load ${loadAverage()}\n`
        )
      }
    }
    const range = (values: ReadonlyArray<number>, digits = 1) => {
      const s = summarize(values)
      return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`
    }
    const inMiB = (list: ReadonlyArray<Sample>, key: "rss" | "heapUsed" | "external" | "arrayBuffers") =>
      range(list.map((s) => s[key] / MiB))
    console.log()
    printTable([
      [
        "tree, folder (files x MiB), mode",
        "RSS growth MiB",
        "heapUsed MiB",
        "external MiB",
        "arrayBuffers MiB",
        "GC ms",
        "seconds"
      ],
      ...runs.map(({ folder, mode, tree }, i) => [
        `${tree.label}, ${folder}, ${mode}`,
        inMiB(samples[i]!, "rss"),
        inMiB(samples[i]!, "heapUsed"),
        inMiB(samples[i]!, "external"),
        inMiB(samples[i]!, "arrayBuffers"),
        range(samples[i]!.map((s) => s.gcMs), 0),
        range(samples[i]!.map((s) => s.ms / 1000))
      ])
    ])
    console.log("\n(median (range) over the rounds; growth = peak while running minus the value just before the call)")
    const index = (tree: Tree, folder: string, mode: string) =>
      runs.findIndex((r) => r.tree === tree && r.folder === folder && r.mode === mode)
    const ratio = (a: ReadonlyArray<Sample>, b: ReadonlyArray<Sample>, key: "rss" | "arrayBuffers") =>
      showRatio(summarize(a.map((s, r) => s[key] / Math.max(MiB, b[r]![key]))))
    const first = specs[0]!
    const last = specs.at(-1)!
    if (first !== last) {
      console.log()
      printTable([
        [`per-round ratio ${last} / ${first} (1 MiB floor)`, "RSS growth", "arrayBuffers growth"],
        ...trees.flatMap((tree) =>
          modes.map((mode) => {
            const a = samples[index(tree, last, mode)]!
            const b = samples[index(tree, first, mode)]!
            return [`${tree.label}, ${mode}`, ratio(a, b, "rss"), ratio(a, b, "arrayBuffers")]
          })
        )
      ])
    }
    if (trees.length > 1 && modes.includes("build")) {
      const base = trees[0]!
      console.log()
      printTable([
        ["per-round ratio of RSS growth (1 MiB floor)", ...specs.map((spec) => `${spec}, build`)],
        ...trees.slice(1).map((tree) => [
          `${tree.label} / ${base.label}`,
          ...specs.map((spec) =>
            ratio(samples[index(tree, spec, "build")]!, samples[index(base, spec, "build")]!, "rss")
          )
        ])
      ])
    }
    console.log(`\nload average after: ${loadAverage()} (1/5/15 min)`)
    const current = trees.at(-1)!.label
    const worst = Math.max(
      ...samples.flat().filter((s) => s.mode === "build" && s.tree === current).map((s) => s.rss)
    )
    if (worst > LIMIT_MIB * MiB) {
      console.error(`a build of ${current} grew RSS by ${mib(worst)} MiB, more than ${LIMIT_MIB} MiB`)
      process.exitCode = 1
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true })
  }
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5]!, process.argv[6]!)
} else {
  const args = process.argv.slice(2)
  let trees: ReadonlyArray<Tree> = [{ label: "this tree", path: undefined }]
  let modes: ReadonlyArray<string> = ["tar", "build"]
  while (args[0] === "--trees" || args[0] === "--modes") {
    const [flag, value] = args.splice(0, 2)
    if (flag === "--modes") modes = value!.split(",")
    else {
      trees = value!.split(",").map((spec) => {
        const [label, where] = spec.split("=")
        return { label: label!, path: where === "." ? undefined : path.resolve(where!) }
      })
    }
  }
  const rounds = Number(args[0] ?? 3)
  const specs = args.length > 1 ? args.slice(1) : ["10000x256", "10000x1024"]
  await parent(trees, modes, rounds, specs)
}
