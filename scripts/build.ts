/**
 * `npm run build`: compiles `mod.ts` and `src/` to `dist/` with `tsc -p tsconfig.build.json` (ES modules, `.d.ts`,
 * source maps and declaration maps that point at the shipped sources), after removing the previous `dist/`.
 *
 * The JavaScript keeps its comments: `removeComments` would take about 300 KB off the unpacked size, but it also
 * strips `/*#__PURE__*\/` annotations, which bundlers need to drop unused generated operations and schemas.
 *
 * tsc rewrites `.ts` import specifiers to `.js` in the JavaScript it emits but keeps them in declaration files
 * (microsoft/TypeScript#61037). TypeScript reads either, but other tools that follow `.d.ts` imports do not, so the
 * declarations get `.js` specifiers too. The rewrite keeps every line and column (`.ts` and `.js` are the same
 * length), so the declaration maps stay exact.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
const dist = join(root, "dist")

rmSync(dist, { recursive: true, force: true })
const tsc = (...flags: ReadonlyArray<string>) =>
  execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", join(root, "tsconfig.build.json"), ...flags], {
    stdio: ["ignore", 2, 2]
  })
tsc()

/** A relative specifier ending in `.ts`, in `from "…"`, `import("…")` and `declare module "…"` positions. */
const relativeTs = /(["'])(\.\.?\/[^"'\n]*?)\.ts\1/g

let rewritten = 0
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith(".d.ts")) continue
  const file = join(entry.parentPath, entry.name)
  const text = readFileSync(file, "utf8")
  const next = text.replace(relativeTs, (_, quote: string, path: string) => `${quote}${path}.js${quote}`)
  if (next !== text) {
    writeFileSync(file, next)
    rewritten++
  }
}
console.error(`dist/ written; .ts specifiers rewritten to .js in ${rewritten} declaration files`)
