/**
 * Running a script of this repository under Node, Deno or Bun (each from node_modules/.bin), as the cross-runtime
 * tests do.
 */
import { fileURLToPath } from "node:url"

/** The runtimes every cross-runtime test covers. */
export type Runtime = "node" | "deno" | "bun"

/** The repository's root folder, the working directory of every run. */
export const root = fileURLToPath(new URL("../../", import.meta.url))

/** The command line that runs `script` (a path from the root) under `runtime`: `[program, ...args]`. */
export const runtimeCommand = (runtime: Runtime, script: string): readonly [string, ...Array<string>] => {
  const bin = `${root}node_modules/.bin/`
  return runtime === "deno" ? [`${bin}deno`, "run", "-A", script] : [`${bin}${runtime}`, script]
}
