/**
 * Fails when a line of the hand-written sources (`mod.ts`, `src/` but `src/generated/`) is longer than 120
 * columns. The formatter (dprint) wraps code but not comments or long strings, so this catches what it leaves.
 * `test/unit/generate.test.ts` checks the generated files' own layout.
 *
 *   node scripts/check-lines.ts
 */
import { readdirSync, readFileSync } from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..")
const limit = 120

const walk = (dir: string): Array<string> =>
  readdirSync(Path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return path === "src/generated" ? [] : walk(path)
    return path.endsWith(".ts") ? [path] : []
  })

const long = ["mod.ts", ...walk("src")].flatMap((file) =>
  readFileSync(Path.join(root, file), "utf8").split("\n").flatMap((line, index) =>
    [...line].length > limit ? [`${file}:${index + 1}: ${[...line].length} columns`] : []
  )
)
for (const line of long) console.error(line)
if (long.length > 0) {
  console.error(`${long.length} lines longer than ${limit} columns`)
  process.exit(1)
}
