/**
 * The packed artifact, as a user installs it: `npm pack` of this checkout, installed with `npm install --offline` into
 * a fresh consumer project. Every consumer test starts from the same consumer project, made once per state of the
 * sources: its folder is named after a hash of what `npm pack` reads, and the first test file to need it builds it
 * under a lock while the others wait. A later run with unchanged sources reuses it.
 *
 * `effect` and `@effect/platform-node` are the peers a user installs beside the SDK. npm's cache holds their
 * tarballs but not the registry metadata an offline `npm install effect` needs, so the consumer project links them
 * to this checkout's installed copies (the same versions the lock file pins) instead of installing them.
 */
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root folder. */
export const root = fileURLToPath(new URL("../../", import.meta.url))
/** node_modules/.bin of the repository: Node 24, tsc, deno, bun. */
export const bin = (name: string): string => join(root, "node_modules/.bin", name)
/** The consumer fixtures (programs and projects copied into the consumer project). */
export const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url))

/** The peers linked into the consumer project (see the module doc). */
const peers = ["effect", "@effect/platform-node", "@types/node"]

/** What the artifact depends on: the files `npm pack` reads (package.json, mod.ts, src, docs, the build config). */
const sourceHash = (): string => {
  const hash = createHash("sha256")
  const add = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) add(join(path, entry))
    } else {
      hash.update(path.slice(root.length)).update("\0").update(readFileSync(path)).update("\0")
    }
  }
  for (const entry of ["package.json", "mod.ts", "src", "README.md", "LICENSE", "CHANGELOG.md"]) add(join(root, entry))
  for (const entry of ["tsconfig.json", "tsconfig.build.json", "scripts/build.ts"]) add(join(root, entry))
  for (const entry of readdirSync(fixtures).sort()) add(join(fixtures, entry))
  return hash.digest("hex").slice(0, 16)
}

/** The environment of every child process: Node 24 and the other tools of node_modules/.bin first on PATH. */
export const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${join(root, "node_modules/.bin")}:${process.env["PATH"] ?? ""}`,
  npm_config_update_notifier: "false"
})

/** The packed artifact and the consumer project it is installed in. */
export interface Artifact {
  /** The `.tgz` `npm pack` wrote. */
  readonly tarball: string
  /** The consumer project: `node_modules/effect-docker` installed from the tarball, the fixtures copied in. */
  readonly app: string
  /** The file list of the tarball (paths inside the package). */
  readonly files: ReadonlyArray<string>
}

const build = (dir: string): Artifact => {
  const pack = join(dir, "pack")
  const app = join(dir, "app")
  mkdirSync(pack, { recursive: true })
  // `npm pack` runs `prepack` (the build) first; its JSON report on stdout lists the files
  const report = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", pack], { cwd: root, env: env(), encoding: "utf8" })
  ) as Array<{ filename: string; files: Array<{ path: string }> }>
  const tarball = join(pack, report[0]!.filename)
  cpSync(fixtures, app, { recursive: true })
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  execFileSync(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", "--legacy-peer-deps", "--no-package-lock", tarball],
    { cwd: app, env: env(), stdio: ["ignore", "ignore", "inherit"] }
  )
  for (const peer of peers) {
    const link = join(app, "node_modules", peer)
    mkdirSync(dirname(link), { recursive: true })
    symlinkSync(realpathSync(join(root, "node_modules", peer)), link, "dir")
  }
  return { tarball, app, files: report[0]!.files.map((file) => file.path) }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The artifact of the current sources, packed and installed at most once across test files and runs. The lock is a
 * folder (`mkdir` is atomic); a lock older than five minutes is from a crashed run and is taken over.
 */
export const artifact = async (): Promise<Artifact> => {
  const base = join(tmpdir(), "effect-docker-consumer")
  const dir = join(base, sourceHash())
  const done = join(dir, "artifact.json")
  const lock = `${dir}.lock`
  mkdirSync(base, { recursive: true })
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as Artifact
    try {
      mkdirSync(lock)
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()
      if (Date.now() - since > 300_000) rmSync(lock, { recursive: true, force: true })
      await sleep(250)
      continue
    }
    try {
      if (existsSync(done)) continue
      const staging = `${dir}.${process.pid}`
      rmSync(staging, { recursive: true, force: true })
      rmSync(dir, { recursive: true, force: true })
      const built = build(staging)
      renameSync(staging, dir)
      const artifact: Artifact = {
        tarball: built.tarball.replace(staging, dir),
        app: built.app.replace(staging, dir),
        files: built.files
      }
      writeFileSync(done, JSON.stringify(artifact))
      // artifacts of earlier sources, untouched for a day, are not coming back
      for (const entry of readdirSync(base)) {
        const path = join(base, entry)
        if (path !== dir && Date.now() - statSync(path).mtimeMs > 86_400_000) {
          rmSync(path, { recursive: true, force: true })
        }
      }
      return artifact
    } finally {
      rmSync(lock, { recursive: true, force: true })
    }
  }
}

/** Runs a program in the consumer project and gives its standard output; a failure carries its standard error. */
export const runIn = (cwd: string, program: string, args: ReadonlyArray<string>): string => {
  try {
    return execFileSync(program, args, { cwd, env: env(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`${program} ${args.join(" ")} failed in ${cwd}\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: error })
  }
}

/** A stopped container with a fresh name for a list test; `remove` deletes it. */
export const namedContainer = (label: string): { readonly name: string; readonly remove: () => void } => {
  const name = `effect-docker-consumer-${label}-${process.pid}-${Date.now().toString(36)}`
  execFileSync("docker", ["create", "--name", name, "effect-docker/busybox:latest", "true"], { stdio: "ignore" })
  return { name, remove: () => execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" }) }
}
