/**
 * `npm run bench:bundle`: what the SDK costs in a browser bundle. Builds `dist/` (as the npm package ships it), then
 * bundles three programs with esbuild (browser, ESM, minified, tree-shaken, `sideEffects` honoured) and prints the
 * gzip size (level 9) of each, with the largest inputs from esbuild's metafile:
 *
 * - (a) a ping through `effect-docker/fetch`;
 * - (b) a page that lists containers and follows a container's logs through `effect-docker/fetch`
 *   (`test/consumer/fixtures/page.ts`, the page the consumer test runs in Chromium); goal: at most 60 KB gzip;
 * - (c) every module: every sub-path of package.json re-exported as a namespace (`node:` built-ins and
 *   `@effect/platform-node`, which the Node transport needs, left external).
 *
 * (a) and (b) import modules by their own sub-paths (`effect/Effect`, `effect-docker/Containers`); each is measured
 * again importing the same names from the barrels (`import { Effect } from "effect"`, `import { Containers } from
 * "effect-docker"`), which esbuild does not tree-shake inside the namespaces. A reference row does (b)'s job with
 * Effect alone (`FetchHttpClient`, a two-field Schema, `Stream`): the floor the Effect runtime sets.
 *
 * `effect-docker/…` resolves through package.json `exports` to `dist/`, as it does from node_modules.
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"
import { printTable } from "./table.ts"

const root = fileURLToPath(new URL("../", import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, { types: string; default: string } | string | null>
}
const subpaths = Object.entries(manifest.exports).flatMap(([key, target]) =>
  target !== null && typeof target === "object" ? [key] : []
)
const specifier = (key: string) => (key === "." ? "effect-docker" : `effect-docker/${key.slice(2)}`)

/** Resolves `effect-docker` and its sub-paths through package.json `exports` (the `default` condition). */
const selfReference: esbuild.Plugin = {
  name: "effect-docker",
  setup(build) {
    build.onResolve({ filter: /^effect-docker(\/.*)?$/ }, (args) => {
      const key = args.path === "effect-docker" ? "." : `./${args.path.slice("effect-docker/".length)}`
      const target = manifest.exports[key]
      if (target === null || typeof target !== "object") return { errors: [{ text: `not exported: ${args.path}` }] }
      return { path: join(root, target.default) }
    })
  }
}

const ping = [
  `import * as Effect from "effect/Effect"`,
  `import * as Api from "effect-docker/Api"`,
  `import * as DockerFetch from "effect-docker/fetch"`,
  `Effect.runPromise(Api.systemPing().pipe(Effect.provide(DockerFetch.layer({ baseUrl: location.origin }))))`,
  `  .then(console.log)`
].join("\n")
const page = readFileSync(join(root, "test/consumer/fixtures/page.ts"), "utf8")

/** The same program importing from the barrels: `import * as X from "effect/X"` → `import { X } from "effect"`. */
const viaBarrels = (source: string) =>
  source.replace(
    /^import \* as (\w+) from "(effect|effect-docker)\/([A-Z]\w*)"$/gm,
    (_, name: string, pkg: string) => `import { ${name} } from "${pkg}"`
  )

/** (b)'s job without the SDK: list (decoded by a small Schema) and follow logs (as text lines) with Effect alone. */
const effectAlone = [
  `import * as Effect from "effect/Effect"`,
  `import * as Schema from "effect/Schema"`,
  `import * as Stream from "effect/Stream"`,
  `import * as FetchHttpClient from "effect/http/FetchHttpClient"`,
  `import * as HttpClient from "effect/http/HttpClient"`,
  `import * as HttpClientResponse from "effect/http/HttpClientResponse"`,
  `const Names = Schema.optional(Schema.Array(Schema.String))`,
  `const Summary = Schema.Array(Schema.Struct({ Id: Schema.String, Names }))`,
  `const program = Effect.gen(function*() {`,
  `  const client = yield* HttpClient.HttpClient`,
  `  const list = yield* client.get(\`\${location.origin}/containers/json?all=1\`).pipe(`,
  `    Effect.flatMap(HttpClientResponse.schemaBodyJson(Summary)))`,
  `  const lines = yield* client.get(\`\${location.origin}/containers/x/logs?follow=1&stdout=1\`).pipe(`,
  `    Effect.map((response) => response.stream), Stream.unwrap, Stream.decodeText(), Stream.splitLines,`,
  `    Stream.take(2),`,
  `    Stream.runCollect)`,
  `  return { list, lines }`,
  `})`,
  `Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log)`
].join("\n")

const programs: ReadonlyArray<{ readonly name: string; readonly contents: string }> = [
  { name: "(a) ping via effect-docker/fetch", contents: ping },
  { name: "(a) same, barrel imports", contents: viaBarrels(ping) },
  { name: "(b) list + follow logs via effect-docker/fetch", contents: page },
  { name: "(b) same, barrel imports", contents: viaBarrels(page) },
  { name: "reference: (b)'s job with Effect alone", contents: effectAlone },
  {
    name: "(c) every module",
    contents: subpaths.map((key, i) => `export * as m${i} from "${specifier(key)}"`).join("\n")
  }
]

/** Which package or SDK area an input of the metafile belongs to. */
const area = (input: string): string => {
  const sdk = input.match(/^dist\/(?:src\/)?(.*)\.js$/)
  if (sdk) return sdk[1]!.startsWith("generated/") ? "SDK generated (src/generated)" : "SDK hand-written"
  const effect = input.match(/node_modules\/effect\/dist\/(.*)\.js$/)
  if (effect) {
    const path = effect[1]!
    if (/^Schema|schema/i.test(path)) return "effect Schema"
    if (/^(unstable\/)?(http|socket)\//.test(path)) return "effect http/socket"
    return "effect core (Effect, Stream, Layer, …)"
  }
  return input.replace(/^.*node_modules\//, "")
}

const kb = (bytes: number) => (bytes / 1000).toFixed(1)

execFileSync(join(root, "node_modules/.bin/node"), [join(root, "scripts/build.ts")], { stdio: "inherit" })

const summary: Array<Array<string>> = [["program", "minified KB", "gzip KB", "goal"]]
const details: Array<{ name: string; areas: Array<[string, number]>; files: Array<[string, number]> }> = []
for (const program of programs) {
  const result = await esbuild.build({
    stdin: { contents: program.contents, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    write: false,
    outfile: "out.js",
    platform: "browser",
    format: "esm",
    target: "es2022",
    metafile: true,
    logLevel: "silent",
    external: ["node:*", "@effect/platform-node", "@effect/platform-node/*"],
    plugins: [selfReference]
  })
  const output = result.outputFiles.find((file) => file.path.endsWith(".js"))!.contents
  const gzip = gzipSync(output, { level: 9 }).length
  const goal = program.name.startsWith("(b) list") ? (gzip <= 60_000 ? "≤ 60 KB: met" : "≤ 60 KB: missed") : ""
  summary.push([program.name, kb(output.length), kb(gzip), goal])
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
    .map(([file, { bytesInOutput }]) => [file, bytesInOutput] as [string, number])
  const areas = new Map<string, number>()
  for (const [file, bytes] of inputs) areas.set(area(file), (areas.get(area(file)) ?? 0) + bytes)
  if (program.name.includes("barrel") || program.name.startsWith("reference")) continue
  details.push({
    name: program.name,
    areas: [...areas].sort((a, b) => b[1] - a[1]),
    files: inputs.sort((a, b) => b[1] - a[1]).slice(0, 12)
  })
}

console.log("\nBundle sizes (esbuild, browser, ESM, minified; gzip -9):\n")
printTable(summary)
for (const { name, areas, files } of details) {
  console.log(`\n${name}: minified bytes by area`)
  printTable([["area", "minified KB"], ...areas.map(([a, bytes]) => [a, kb(bytes)])])
  console.log(`\n${name}: largest inputs`)
  const rows = files.map(([file, bytes]) => [file.replace(/^.*node_modules\//, ""), kb(bytes)])
  printTable([["input", "minified KB"], ...rows])
}
