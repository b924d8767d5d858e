/**
 * The Engine API coverage report. `scripts/coverage.ts` runs the real-engine suites with the request recorder and
 * keeps what they showed in `test/coverage/exercised.json` (the statuses the daemon answered for each operation,
 * in tests that passed; the engine; the test counts). `docs/coverage.md` is rendered from that file and from the
 * code (the operations, their `Api` functions, the hand-written functions that call them, `NOTES`), by pure and
 * deterministic functions, so `test/unit/coverageDoc.test.ts` renders it again and fails when the committed
 * document differs. No dependency on vitest or on the engine.
 */
import { readdirSync, readFileSync } from "node:fs"
import * as Path from "node:path"
import * as Operations from "../../src/generated/operations.ts"
import type { RecordedRequest } from "./log.ts"
import { makeMatcher } from "./match.ts"

/** Where the recorded results and the document live, relative to the repository's root. */
export const exercisedFile = "test/coverage/exercised.json"
export const documentFile = "docs/coverage.md"

// ---------------------------------------------------------------------------------------------------------------
// Why an operation does not run (or runs only into an error) against Engine 20.10 / API 1.41 on this machine, or
// what to know about how it ran. Every entry must name an operation: the script fails on a stale one.
// ---------------------------------------------------------------------------------------------------------------

export const NOTES: Readonly<Record<string, string>> = {
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

/** An operation, as the report lists it. */
export interface Op {
  readonly id: string
  readonly method: string
  readonly path: string
  readonly tag: string
  readonly since?: string
}

/** Every operation of the generated module, by tag then id. */
export const operations: ReadonlyArray<Op> = Object.values(Operations)
  .filter((value): value is Op & typeof value =>
    typeof value === "object" && value !== null && "id" in value && "path" in value && "method" in value
  )
  .map((op) => ({ id: op.id, method: op.method, path: op.path, tag: op.tag, ...(op.since ? { since: op.since } : {}) }))
  .sort((a, b) => a.tag.localeCompare(b.tag) || a.id.localeCompare(b.id))

/** `Api` function names by operation id, read from the generated module. */
export const apiNames = (root: string): ReadonlyMap<string, string> => {
  const text = readFileSync(Path.join(root, "src/generated/api.ts"), "utf8")
  const names = new Map<string, string>()
  const calls =
    /export const (\w+)\b[^=\n]*=\s*(?:\/\*#__PURE__\*\/\s*)?call(?:Json|JsonStream|Multiplexed|Plain)?\(\s*Operations\.(\w+)\s*\)/g
  for (const match of text.matchAll(calls)) names.set(match[2]!, match[1]!)
  return names
}

/**
 * The hand-written functions that call each operation: every top-level `const` of the modules in `src/` (not
 * generated, not internal), with the `Api.x` / `Operations.X` it mentions, directly or through a module-level
 * constant it uses.
 */
export const ergonomicNames = (
  root: string,
  api: ReadonlyMap<string, string>
): ReadonlyMap<string, ReadonlyArray<string>> => {
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
    // a module-private helper also reaches what the constants it calls or hands over (`f(other)`) mention
    for (const block of blocks) {
      if (block[1] !== undefined) continue
      const ops = direct.get(block[2]!)!
      for (const [other, otherOps] of direct) {
        if (other !== block[2] && new RegExp(`\\b${other}\\)`).test(block[0])) otherOps.forEach((op) => ops.add(op))
      }
    }
    for (const block of blocks) {
      if (block[1] === undefined) continue
      const name = block[2]!
      const ops = new Set(direct.get(name))
      for (const [other, otherOps] of direct) {
        if (other !== name && new RegExp(`\\b${other}[()]`).test(block[0])) otherOps.forEach((op) => ops.add(op))
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

/** One test of vitest's JSON report. */
export interface TestResult {
  readonly file: string
  readonly name: string
  readonly status: string
}

/** The tests of vitest's JSON report, with the full name `expect.getState().currentTestName` gives. */
export const readResults = (file: string): ReadonlyArray<TestResult> => {
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
// What a run showed
// ---------------------------------------------------------------------------------------------------------------

/** What a run of the real-engine suites showed: the content of `exercised.json`. */
export interface Exercised {
  /** The daemon's version, e.g. `20.10.24+dfsg1 (API 1.41)`. */
  readonly engine: string
  /** The test paths that ran. */
  readonly paths: ReadonlyArray<string>
  readonly passed: number
  readonly failed: number
  /** The statuses the daemon answered, by operation id, for the operations that ran (ascending, no repeats). */
  readonly operations: Readonly<Record<string, ReadonlyArray<number>>>
}

/** The operation a request was for, by method and path. */
const operationOf = makeMatcher(operations)

/**
 * What a run showed, from its request log and vitest's report. A request counts when the test that sent it passed
 * (requests sent outside a test, by a `layer`'s setup or teardown, count when every test of their file passed).
 */
export const summarize = (
  requests: ReadonlyArray<RecordedRequest>,
  results: ReadonlyArray<TestResult>,
  meta: { readonly engine: string; readonly paths: ReadonlyArray<string> }
): { readonly exercised: Exercised; readonly counted: number; readonly unmatched: number } => {
  const passed = new Set(results.filter((t) => t.status === "passed").map((t) => `${t.file}\t${t.name}`))
  const fileOk = new Map<string, boolean>()
  for (const test of results) {
    const ok = fileOk.get(test.file) ?? true
    fileOk.set(test.file, ok && (test.status === "passed" || test.status === "skipped"))
  }
  const counted = requests.filter((r) =>
    r.testName === ""
      ? fileOk.get(Path.resolve(r.testFile)) === true
      : passed.has(`${Path.resolve(r.testFile)}\t${r.testName}`)
  )
  const seen = new Map<string, Set<number>>()
  let unmatched = 0
  for (const request of counted) {
    const op = operationOf(request.method, request.path)
    if (op === undefined) {
      if (/^\/v\d/.test(request.path)) unmatched++
      continue
    }
    const statuses = seen.get(op.id) ?? new Set()
    statuses.add(request.status)
    seen.set(op.id, statuses)
  }
  const byId = Object.fromEntries(
    [...seen].sort(([a], [b]) => a.localeCompare(b)).map(([id, statuses]) => [id, [...statuses].sort((a, b) => a - b)])
  )
  return {
    exercised: {
      engine: meta.engine,
      paths: meta.paths,
      passed: passed.size,
      failed: results.filter((t) => t.status === "failed").length,
      operations: byId
    },
    counted: counted.length,
    unmatched
  }
}

/** `exercised.json`'s text: stable key order, one status list per line. */
export const formatExercised = (exercised: Exercised): string =>
  JSON.stringify(
    {
      engine: exercised.engine,
      paths: exercised.paths,
      passed: exercised.passed,
      failed: exercised.failed,
      operations: Object.fromEntries(
        Object.entries(exercised.operations).sort(([a], [b]) => a.localeCompare(b))
      )
    },
    null,
    2
  ).replace(/\[\n\s+([\d,\s]+?)\n\s+\]/g, (_, list: string) => `[${list.split(/,\s*/).join(", ")}]`) + "\n"

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

/** One row of the table. */
export interface Row {
  readonly op: Op
  readonly api: string
  readonly ergonomic: ReadonlyArray<string>
  readonly statuses: ReadonlyArray<number>
  readonly verdict: "success" | "error" | "no"
}

const isSuccess = (status: number) => (status >= 200 && status < 300) || status === 101 || status === 304

/** The table's rows: every operation, with what the run showed and the code's functions for it. */
export const rowsOf = (exercised: Exercised, root: string): ReadonlyArray<Row> => {
  const api = apiNames(root)
  const ergonomic = ergonomicNames(root, api)
  return operations.map((op) => {
    const statuses = exercised.operations[op.id] ?? []
    return {
      op,
      api: api.get(op.id) ?? "?",
      ergonomic: ergonomic.get(op.id) ?? [],
      statuses,
      verdict: statuses.some(isSuccess) ? "success" : statuses.length > 0 ? "error" : "no"
    }
  })
}

/** What is wrong with a report: an operation without an `Api` function, or not exercised and without a reason. */
export const problemsOf = (rows: ReadonlyArray<Row>, exercised: Exercised): ReadonlyArray<string> => {
  const problems: Array<string> = []
  for (const row of rows) {
    if (row.api === "?") problems.push(`${row.op.id}: no Api function`)
    if (row.verdict !== "success" && NOTES[row.op.id] === undefined) {
      problems.push(`${row.op.id}: not exercised, no reason`)
    }
  }
  for (const id of Object.keys(NOTES)) {
    if (!operations.some((op) => op.id === id)) problems.push(`NOTES.${id}: no such operation`)
  }
  for (const id of Object.keys(exercised.operations)) {
    if (!operations.some((op) => op.id === id)) problems.push(`${exercisedFile}: ${id}: no such operation`)
  }
  return problems
}

const cell = (text: string) => text.replace(/\|/g, "\\|")

/** `docs/coverage.md`'s text. */
export const render = (rows: ReadonlyArray<Row>, exercised: Exercised): string => {
  const total = rows.length
  const success = rows.filter((r) => r.verdict === "success").length
  const error = rows.filter((r) => r.verdict === "error").length
  const done = success + error
  const percent = (n: number) => `${(100 * n / total).toFixed(1)}%`
  const lines: Array<string> = [
    "<!-- Generated by scripts/coverage.ts (`node scripts/coverage.ts`, or `node scripts/coverage.ts --render` " +
    "after a code change). Do not edit. -->",
    "# Engine API coverage",
    "",
    `Every operation of the Engine API spec (v1.55, ${total} operations) has a typed function in \`Api\` ` +
    "(`src/generated/api.ts`), most also an ergonomic one in the hand-written modules. This table says which of them " +
    "the test suite ran against a real daemon: the tests' client records every request the daemon answered " +
    "(`test/coverage/recorder.ts`) and the script matches them to the operations' path templates, counting only " +
    `requests of tests that passed. What the run showed is kept in \`${exercisedFile}\`; the unit suite renders ` +
    "this page again from it and from the code, and fails when they differ.",
    "",
    `- Engine: Docker ${exercised.engine}; tests: ${exercised.paths.map((p) => `\`${p}\``).join(", ")} ` +
    `(${exercised.passed} passed, ${exercised.failed} failed).`,
    `- **Exercised against the real engine: ${done} of ${total} operations (${percent(done)})**: ` +
    `${success} answered with success and decoded, ${error} only with the error the test expects (see why).`,
    `- Not exercised: ${total - done} (${percent(total - done)}), each with the reason.`,
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

/** The committed results and the document rendered from them and from the code under `root`. */
export const renderCommitted = (root: string): { readonly exercised: Exercised; readonly markdown: string } => {
  const exercised = JSON.parse(readFileSync(Path.join(root, exercisedFile), "utf8")) as Exercised
  return { exercised, markdown: render(rowsOf(exercised, root), exercised) }
}
