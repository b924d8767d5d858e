/**
 * The request log the coverage recorder writes and `scripts/coverage.ts` reads: one line per answered request,
 *
 *     METHOD<TAB>path<TAB>status<TAB>test file<TAB>test name
 *
 * (no dependency on vitest, so that the script can read it outside a test run).
 */

/** One recorded request. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly testFile: string
  readonly testName: string
}

const clean = (text: string) => text.replace(/[\t\n\r]/g, " ")

/** Formats one log line (without its newline). */
export const formatLine = (entry: RecordedRequest): string =>
  [entry.method, entry.path, String(entry.status), clean(entry.testFile), clean(entry.testName)].join("\t")

/** Parses a log file's text; malformed lines are skipped. */
export const parseLog = (text: string): ReadonlyArray<RecordedRequest> =>
  text.split("\n").flatMap((line) => {
    const [method, path, status, testFile = "", testName = ""] = line.split("\t")
    const code = Number(status)
    return method && path && status && Number.isInteger(code)
      ? [{ method, path, status: code, testFile, testName }]
      : []
  })
