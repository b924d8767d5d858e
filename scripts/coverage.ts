/**
 * Measures which Engine API operations the test suite exercises against the real daemon and writes
 * `docs/coverage.md`: operation id → SDK function (`Api.x` and the ergonomic one) → tested against the real
 * engine (yes / no, and why).
 *
 *   node scripts/coverage.ts [--min <percent>] [--log <file> --results <file>] [test paths…]
 *   node scripts/coverage.ts --render
 *
 * By default it runs vitest on the real-engine suites (test/integration, test/streaming, test/coverage) with
 * `EFFECT_DOCKER_COVERAGE_LOG` set, so that `DockerLive` (test/support/engine.ts) records every answered request
 * (test/coverage/recorder.ts), and with vitest's JSON report. `--log` and `--results` reuse the files of an earlier
 * run instead. A request counts when the test that sent it passed (requests sent outside a test, by a `layer`'s
 * setup or teardown, count when every test of their file passed). An operation is exercised when a counted request
 * matches its method and path template; the table says whether the daemon answered with success or only with the
 * error the test expected, and why for the rest (the reasons are kept in `NOTES` below).
 *
 * What the run showed goes to `test/coverage/exercised.json`; the document is rendered from that file and from the
 * code (`test/coverage/report.ts`). `--render` renders the document again from the committed `exercised.json`
 * without running anything: after a change of the code the document names (a new ergonomic function, a note in
 * `NOTES`, a regenerated API), which `test/unit/coverageDoc.test.ts` reports.
 *
 * Exits with 1 when fewer than `--min` percent (default 90) of the operations are exercised, when an operation
 * neither ran nor has a reason, or when the test run failed.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseLog, type RecordedRequest } from "../test/coverage/log.ts"
import {
  documentFile,
  type Exercised,
  exercisedFile,
  formatExercised,
  problemsOf,
  readResults,
  render,
  rowsOf,
  summarize
} from "../test/coverage/report.ts"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

// ---------------------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------------------

interface Options {
  readonly min: number
  readonly render: boolean
  readonly log?: string
  readonly results?: string
  readonly paths: ReadonlyArray<string>
}

const parseArgs = (args: ReadonlyArray<string>): Options => {
  let min = 90
  let renderOnly = false
  let log: string | undefined
  let results: string | undefined
  const paths: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--min") min = Number(args[++i])
    else if (arg === "--render") renderOnly = true
    else if (arg === "--log") log = args[++i]
    else if (arg === "--results") results = args[++i]
    else paths.push(arg)
  }
  if ((log === undefined) !== (results === undefined)) throw new Error("--log and --results go together")
  return {
    min,
    render: renderOnly,
    ...(log === undefined ? {} : { log }),
    ...(results === undefined ? {} : { results }),
    paths: paths.length > 0 ?
      paths :
      ["test/integration", "test/streaming", "test/coverage"].filter((p) => existsSync(Path.join(root, p)))
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

const write = (exercised: Exercised) => {
  const rows = rowsOf(exercised, root)
  mkdirSync(Path.join(root, "docs"), { recursive: true })
  writeFileSync(Path.join(root, documentFile), render(rows, exercised))
  return { rows, problems: problemsOf(rows, exercised) }
}

const main = () => {
  const options = parseArgs(process.argv.slice(2))
  if (options.render) {
    const exercised = JSON.parse(readFileSync(Path.join(root, exercisedFile), "utf8")) as Exercised
    const { problems } = write(exercised)
    console.log(`${documentFile}: rendered from ${exercisedFile}`)
    for (const problem of problems) console.error(`problem: ${problem}`)
    process.exitCode = problems.length > 0 ? 1 : 0
    return
  }
  const run = options.log !== undefined && options.results !== undefined
    ? { log: options.log, results: options.results, ok: true }
    : runTests(options.paths)
  const requests: ReadonlyArray<RecordedRequest> = parseLog(readFileSync(run.log, "utf8"))
  const { counted, exercised, unmatched } = summarize(requests, readResults(run.results), {
    engine: engineVersion(),
    paths: options.paths
  })
  writeFileSync(Path.join(root, exercisedFile), formatExercised(exercised))
  const { problems, rows } = write(exercised)
  const done = rows.filter((r) => r.verdict !== "no").length
  const percent = 100 * done / rows.length
  console.log(
    `${documentFile}: ${done}/${rows.length} operations exercised (${percent.toFixed(1)}%), ` +
      `${rows.filter((r) => r.verdict === "success").length} with success; ${counted} of ${requests.length} ` +
      `requests counted, ${unmatched} matched no operation; ${exercised.passed} tests passed, ` +
      `${exercised.failed} failed`
  )
  for (const row of rows.filter((r) => r.verdict === "no")) console.log(`  not exercised: ${row.op.id}`)
  for (const problem of problems) console.error(`problem: ${problem}`)
  const failed = !run.ok || exercised.failed > 0
  if (failed) console.error("the test run failed")
  if (percent < options.min) console.error(`coverage ${percent.toFixed(1)}% is below --min ${options.min}%`)
  process.exitCode = failed || percent < options.min || problems.length > 0 ? 1 : 0
}

main()
