/**
 * Records which Engine API requests the test suite sent to the real daemon, for `scripts/coverage.ts`.
 *
 * A recording client wraps the transport's `HttpClient`: every answered request appends one line to a log file:
 *
 *     METHOD<TAB>path<TAB>status<TAB>test file<TAB>test name
 *
 * The path is the URL's pathname as sent (with its `/v1.NN` prefix, parameters still percent-encoded), the status
 * is the daemon's (101 for a hijack), and the test is the vitest test running when the request was answered
 * (empty outside a test), so that the coverage script counts only requests of tests that passed. Lines are short
 * and appended with `O_APPEND`, so vitest workers running in parallel can share one file.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as HttpClient from "effect/http/HttpClient"
import { appendFileSync, readFileSync } from "node:fs"
import { expect } from "vitest"

/** The environment variable naming the log file; recording is off when it is not set. */
export const LOG_ENV = "EFFECT_DOCKER_COVERAGE_LOG"

/** One recorded request. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly testFile: string
  readonly testName: string
}

const currentTest = (): { readonly file: string; readonly name: string } => {
  try {
    const state = expect.getState()
    return { file: state.testPath ?? "", name: state.currentTestName ?? "" }
  } catch {
    return { file: "", name: "" }
  }
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
    return method && path && Number.isInteger(code) ? [{ method, path, status: code, testFile, testName }] : []
  })

/** Reads a log file. */
export const readLog = (file: string): ReadonlyArray<RecordedRequest> => parseLog(readFileSync(file, "utf8"))

/** Wraps a client so that every answered request is appended to `file`. */
export const recording = (file: string) => <E, R>(client: HttpClient.HttpClient.With<E, R>) =>
  HttpClient.tap(client, (response) =>
    Effect.sync(() => {
      const test = currentTest()
      const entry: RecordedRequest = {
        method: response.request.method,
        path: new URL(response.request.url).pathname,
        status: response.status,
        testFile: test.file,
        testName: test.name
      }
      appendFileSync(file, formatLine(entry) + "\n")
    }))

/**
 * A layer that replaces the `HttpClient` it is given by a recording one. Provide the transport's client to it:
 * `recorderLayer(file).pipe(Layer.provide(NodeHttpClient.layerNodeHttpOptions(agent)))`.
 */
export const recorderLayer = (file: string): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      return recording(file)(yield* HttpClient.HttpClient)
    })
  )

/** The log file named by the environment, if recording is on. */
export const logFileFromEnv = (): string | undefined => {
  const file = process.env[LOG_ENV]
  return file === undefined || file === "" ? undefined : file
}
