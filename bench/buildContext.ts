/**
 * Memory of `Images.buildFromDirectory` on a large folder: 10,000 files, 1 GiB in all (sparse files, so the folder
 * costs no disk), built by the local engine with the classic builder. RSS is sampled every 50 ms during the build;
 * the figure is the peak RSS minus the RSS just before the build. Exits non-zero when the growth passes 160 MiB
 * (measured: 65–115 MiB whatever the size: 128 MiB and 1 GiB contexts grow alike, so the growth is the
 * runtime's heap settling, not the context).
 *
 *   node bench/buildContext.ts [files] [totalMiB]
 */
import { NodeFileSystem } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Api, Images } from "../mod.ts"
import * as DockerNode from "../src/platform/node.ts"

const files = Number(process.argv[2] ?? 10_000)
const totalMiB = Number(process.argv[3] ?? 1024)
const fileSize = Math.floor((totalMiB * 1024 * 1024) / files)
const LIMIT_MIB = 160

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "effect-docker-bigctx-"))
const tag = `effect-docker/bigctx:${Date.now().toString(36)}`
try {
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
  globalThis.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  const started = Date.now()
  const summary = await Effect.runPromise(
    Images.buildFromDirectory(dir, { t: tag }).pipe(
      Effect.provide(Layer.merge(DockerNode.layer(), NodeFileSystem.layer))
    )
  )
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1)
  console.log(
    `${files} files, ${mib(files * fileSize)} MiB sent in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `RSS before ${mib(before)} MiB, peak ${mib(peak)} MiB, growth ${mib(peak - before)} MiB; image ${summary.imageId}`
  )
  await Effect.runPromise(
    Effect.ignore(Api.imageDelete({ name: tag, force: true })).pipe(Effect.provide(DockerNode.layer()))
  )
  if (peak - before > LIMIT_MIB * 1024 * 1024) {
    console.error(`RSS grew by more than ${LIMIT_MIB} MiB`)
    process.exitCode = 1
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true })
}
