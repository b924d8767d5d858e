/**
 * Measures which Engine API operations the test suite exercises against the real daemon and writes
 * `docs/coverage.md`: operation id → SDK function (`Api.x` and the ergonomic one) → tested against the real
 * engine (yes / no, and why).
 *
 *   node scripts/coverage.ts [--min <percent>] [--log <file> --results <file>] [test paths…]
 *
 * By default it runs vitest on the real-engine suites (test/integration, test/streaming, test/coverage) with
 * `EFFECT_DOCKER_COVERAGE_LOG` set, so that `DockerLive` (test/support/engine.ts) records every answered request
 * (test/coverage/recorder.ts), and with vitest's JSON report. `--log` and `--results` reuse the files of an earlier
 * run instead. A request counts when the test that sent it passed (requests sent outside a test, by a `layer`'s
 * setup or teardown, count when every test of their file passed). An operation is exercised when a counted request
 * matches its method and path template; the table says whether the daemon answered with success or only with the
 * error the test expected, and why for the rest (the reasons are kept in `NOTES` below).
 *
 * Exits with 1 when fewer than `--min` percent (default 90) of the operations are exercised, when an operation
 * neither ran nor has a reason, or when the test run failed.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Operations from "../src/generated/operations.ts"
import { parseLog, type RecordedRequest } from "../test/coverage/log.ts"
import { makeMatcher } from "../test/coverage/match.ts"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

// ---------------------------------------------------------------------------------------------------------------
// Why an operation does not run (or runs only into an error) against Engine 20.10 / API 1.41 on this machine, or
// what to know about how it ran. Every entry must name an operation: the script fails on a stale one.
// ---------------------------------------------------------------------------------------------------------------

const NOTES: Readonly<Record<string, string>> = {
  ImageAttestations: "needs API 1.55 (the daemon speaks 1.41): the call fails with `UnsupportedApiVersion` before " +
    "any I/O, shown by test/coverage/recorder.test.ts",
  VolumeUpdate: "needs API 1.42 and a swarm cluster volume (a CSI volume plugin): on API 1.41 the call fails with " +
    "`UnsupportedApiVersion` before any I/O, shown by test/integration/volumes.test.ts",
  ContainerAttachWebsocket: "needs a WebSocket client: the hijack transports upgrade to `tcp`, which the daemon's " +
    "WebSocket handler refuses (400 `not websocket protocol`)",
  ImageSearch: "needs internet (Docker Hub's search): offline the daemon answers 500, asserted as `ServerError`",
  SwarmJoin: "a successful join needs a second engine; the test asserts the refusal while the node is already in a " +
    "swarm (503 `ServiceUnavailable`)",
  SwarmUnlock: "a successful unlock needs a manager locked by a daemon restart with auto-lock on; the test asserts " +
    "the refusal of an unlocked swarm (409, an `UnexpectedStatus`: the spec does not list it)",
  NodeDelete: "removing a node needs a second (worker) node; the test asserts the refusal to remove this manager " +
    "(400, an `UnexpectedStatus`: the spec does not list it)",
  Session: "the generated call upgrades to `tcp`, which the daemon refuses (400); `Session.open` upgrades to `h2c` " +
    "and the test reads the daemon's HTTP/2 preface"
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------------------------

interface Op {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly tag: string
  readonly since?: string
}

const operations: ReadonlyArray<Op> = Object.values(Operations)
  .filter((value): value is Op & typeof value =>
    typeof value === "object" && value !== null && "id" in value && "path" in value && "method" in value
  )
  .map((op) => ({ id: op.id, method: op.method, path: op.path, tag: op.tag, ...(op.since ? { since: op.since } : {}) }))
  .sort((a, b) => a.tag.localeCompare(b.tag) || a.id.localeCompare(b.id))

/** `Api` function names by operation id, read from the generated module. */
const apiNames = (): ReadonlyMap<string, string> => {
  const text = readFileSync(Path.join(root, "src/generated/api.ts"), "utf8")
  const names = new Map<string, string>()
  for (const match of text.matchAll(/export const (\w+) = call\(Operations\.(\w+)\)/g)) names.set(match[2]!, match[1]!)
  return names
}

/**
 * The hand-written functions that call each operation: every top-level `const` of the modules in `src/` (not
 * generated, not internal), with the `Api.x` / `Operations.X` it mentions, directly or through a module-level
 * constant it uses.
 */
const ergonomicNames = (api: ReadonlyMap<string, string>): ReadonlyMap<string, ReadonlyArray<string>> => {
  const byApi = new Map([...api].map(([op, fn]) => [fn, op]))
  const result = new Map<string, Array<string>>()
  for (const file of readdirSync(Path.join(root, "src")).filter((f) => /^[A-Z]\w*\.ts$/.test(f)).sort()) {
    const module = file.slice(0, -3)
    const text = readFileSync(Path.join(root, "src", file), "utf8") + "\n/** end */\n"
    const blocks = [...text.matchAll(/^(export )?const (\w+)\b[\s\S]*?(?=^(?:export |const |\/\*\*|\/\/ -))/gm)]
    const direct = new Map<string, Set<string>>()
    for (const block of blocks) {
      const ops = new Set<string>()
      for (const m of block[0].matchAll(/\bApi\.(\w+)\b/g)) if (byApi.has(m[1]!)) ops.add(byApi.get(m[1]!)!)
      for (const m of block[0].matchAll(/\bOperations\.(\w+)\b/g)) if (api.has(m[1]!)) ops.add(m[1]!)
      direct.set(block[2]!, ops)
    }
    for (const block of blocks) {
      if (block[1] === undefined) continue
      const name = block[2]!
      const ops = new Set(direct.get(name))
      for (const [other, otherOps] of direct) {
        if (other !== name && new RegExp(`\\b${other}\\(`).test(block[0])) otherOps.forEach((op) => ops.add(op))
      }
      for (const op of ops) {
        const list = result.get(op) ?? []
        list.push(`${module}.${name}`)
        result.set(op, list)
      }
    }
  }
  return result
}

interface TestResult {
  readonly file: string
  readonly name: string
  readonly status: string
}

/** The tests of vitest's JSON report, with the full name `expect.getState().currentTestName` gives. */
const readResults = (file: string): ReadonlyArray<TestResult> => {
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    readonly testResults: ReadonlyArray<{
      readonly name: string
      readonly assertionResults: ReadonlyArray<
        { readonly ancestorTitles: ReadonlyArray<string>; readonly title: string; readonly status: string }
      >
    }>
  }
  return report.testResults.flatMap((suite) =>
    suite.assertionResults.map((test) => ({
      file: Path.resolve(suite.name),
      name: [...test.ancestorTitles, test.title].join(" > "),
      status: test.status
    }))
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------------

/** The operation a request was for, by method and path. */
const operationOf = makeMatcher(operations)

const isSuccess = (status: number) => (status >= 200 && status < 300) || status === 101 || status === 304

// ---------------------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------------------

interface Options {
  readonly min: number
  readonly log?: string
  readonly results?: string
  readonly paths: ReadonlyArray<string>
}

const parseArgs = (args: ReadonlyArray<string>): Options => {
  let min = 90
  let log: string | undefined
  let results: string | undefined
  const paths: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--min") min = Number(args[++i])
    else if (arg === "--log") log = args[++i]
    else if (arg === "--results") results = args[++i]
    else paths.push(arg)
  }
  if ((log === undefined) !== (results === undefined)) throw new Error("--log and --results go together")
  return {
    min,
    ...(log === undefined ? {} : { log }),
    ...(results === undefined ? {} : { results }),
    paths: paths.length > 0 ? paths : ["test/integration", "test/streaming", "test/coverage"].filter((p) =>
      existsSync(Path.join(root, p))
    )
  }
}

const runTests = (paths: ReadonlyArray<string>): { log: string; results: string; ok: boolean } => {
  const dir = mkdtempSync(Path.join(tmpdir(), "effect-docker-coverage-"))
  const log = Path.join(dir, "requests.log")
  const results = Path.join(dir, "results.json")
  writeFileSync(log, "")
  console.log(`running vitest on ${paths.join(", ")} (requests recorded in ${log})`)
  const run = spawnSync("npx", ["vitest", "run", "--config", "test/coverage/vitest.config.ts", ...paths], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, EFFECT_DOCKER_COVERAGE_LOG: log, EFFECT_DOCKER_COVERAGE_RESULTS: results }
  })
  return { log, results, ok: run.status === 0 }
}

const engineVersion = (): string => {
  try {
    return execFileSync("docker", ["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"], {
      encoding: "utf8"
    }).trim()
  } catch {
    return "unknown"
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

interface Row {
  readonly op: Op
  readonly api: string
  readonly ergonomic: ReadonlyArray<string>
  readonly statuses: ReadonlyArray<number>
  readonly tests: number
  readonly verdict: "success" | "error" | "no"
}

const cell = (text: string) => text.replace(/\|/g, "\\|")

const render = (rows: ReadonlyArray<Row>, meta: { engine: string; paths: ReadonlyArray<string>; passed: number; failed: number }) => {
  const total = rows.length
  const success = rows.filter((r) => r.verdict === "success").length
  const error = rows.filter((r) => r.verdict === "error").length
  const exercised = success + error
  const percent = (n: number) => `${(100 * n / total).toFixed(1)}%`
  const lines: Array<string> = [
    "<!-- Generated by scripts/coverage.ts (`node scripts/coverage.ts`). Do not edit. -->",
    "# Engine API coverage",
    "",
    `Every operation of the Engine API spec (v1.55, ${total} operations) has a typed function in \`Api\` ` +
    "(`src/generated/api.ts`), most also an ergonomic one in the hand-written modules. This table says which of them " +
    "the test suite ran against a real daemon: the tests' client records every request the daemon answered " +
    "(`test/coverage/recorder.ts`) and the script matches them to the operations' path templates, counting only " +
    "requests of tests that passed.",
    "",
    `- Engine: Docker ${meta.engine}; tests: ${meta.paths.map((p) => `\`${p}\``).join(", ")} ` +
    `(${meta.passed} passed, ${meta.failed} failed).`,
    `- **Exercised against the real engine: ${exercised} of ${total} operations (${percent(exercised)})**: ` +
    `${success} answered with success and decoded, ${error} only with the error the test expects (see why).`,
    `- Not exercised: ${total - exercised} (${percent(total - exercised)}), each with the reason.`,
    "",
    "| Operation | Request | SDK function | Ergonomic | Tested against the real engine |",
    "| --- | --- | --- | --- | --- |"
  ]
  let tag = ""
  for (const row of rows) {
    if (row.op.tag !== tag) {
      tag = row.op.tag
      lines.push(`| **${tag}** | | | | |`)
    }
    const statuses = row.statuses.join(", ")
    const note = NOTES[row.op.id]
    const tested = row.verdict === "success"
      ? `yes (${statuses})${note === undefined ? "" : `; ${note}`}`
      : row.verdict === "error"
      ? `error path only (${statuses}): ${note ?? "no reason recorded"}`
      : `no: ${note ?? "no reason recorded"}`
    lines.push(
      `| \`${row.op.id}\` | \`${row.op.method} ${row.op.path}\`${row.op.since ? ` (API ${row.op.since})` : ""} | ` +
        `\`Api.${row.api}\` | ${row.ergonomic.map((e) => `\`${e}\``).join(", ") || "—"} | ${cell(tested)} |`
    )
  }
  return lines.join("\n") + "\n"
}

const main = () => {
  const options = parseArgs(process.argv.slice(2))
  const run = options.log !== undefined && options.results !== undefined
    ? { log: options.log, results: options.results, ok: true }
    : runTests(options.paths)
  const requests: ReadonlyArray<RecordedRequest> = parseLog(readFileSync(run.log, "utf8"))
  const results = readResults(run.results)
  const passed = new Set(results.filter((t) => t.status === "passed").map((t) => `${t.file}\t${t.name}`))
  const fileOk = new Map<string, boolean>()
  for (const test of results) {
    const ok = fileOk.get(test.file) ?? true
    fileOk.set(test.file, ok && (test.status === "passed" || test.status === "skipped"))
  }
  const counted = requests.filter((r) =>
    r.testName === "" ? fileOk.get(Path.resolve(r.testFile)) === true : passed.has(`${Path.resolve(r.testFile)}\t${r.testName}`)
  )
  const seen = new Map<string, { statuses: Set<number>; tests: Set<string> }>()
  let unmatched = 0
  for (const request of counted) {
    const op = operationOf(request.method, request.path)
    if (op === undefined) {
      if (/^\/v\d/.test(request.path)) unmatched++
      continue
    }
    const entry = seen.get(op.id) ?? { statuses: new Set(), tests: new Set() }
    entry.statuses.add(request.status)
    entry.tests.add(`${request.testFile}\t${request.testName}`)
    seen.set(op.id, entry)
  }
  const api = apiNames()
  const ergonomic = ergonomicNames(api)
  const rows: Array<Row> = operations.map((op) => {
    const entry = seen.get(op.id)
    const statuses = [...(entry?.statuses ?? [])].sort((a, b) => a - b)
    return {
      op,
      api: api.get(op.id) ?? "?",
      ergonomic: ergonomic.get(op.id) ?? [],
      statuses,
      tests: entry?.tests.size ?? 0,
      verdict: statuses.some(isSuccess) ? "success" : statuses.length > 0 ? "error" : "no"
    }
  })
  const problems: Array<string> = []
  for (const row of rows) {
    if (row.api === "?") problems.push(`${row.op.id}: no Api function`)
    if (row.verdict !== "success" && NOTES[row.op.id] === undefined) problems.push(`${row.op.id}: not exercised, no reason`)
  }
  for (const id of Object.keys(NOTES)) {
    if (!operations.some((op) => op.id === id)) problems.push(`NOTES.${id}: no such operation`)
  }
  const failed = results.filter((t) => t.status === "failed").length
  const markdown = render(rows, { engine: engineVersion(), paths: options.paths, passed: passed.size, failed })
  mkdirSync(Path.join(root, "docs"), { recursive: true })
  writeFileSync(Path.join(root, "docs/coverage.md"), markdown)
  const exercised = rows.filter((r) => r.verdict !== "no").length
  const percent = 100 * exercised / rows.length
  console.log(
    `docs/coverage.md: ${exercised}/${rows.length} operations exercised (${percent.toFixed(1)}%), ` +
      `${rows.filter((r) => r.verdict === "success").length} with success; ${counted.length} of ${requests.length} ` +
      `requests counted, ${unmatched} matched no operation; ${passed.size} tests passed, ${failed} failed`
  )
  for (const row of rows.filter((r) => r.verdict === "no")) console.log(`  not exercised: ${row.op.id}`)
  for (const problem of problems) console.error(`problem: ${problem}`)
  if (!run.ok || failed > 0) console.error("the test run failed")
  if (percent < options.min) console.error(`coverage ${percent.toFixed(1)}% is below --min ${options.min}%`)
  process.exitCode = !run.ok || failed > 0 || percent < options.min || problems.length > 0 ? 1 : 0
}

main()
