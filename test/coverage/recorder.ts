/**
 * Records which Engine API requests the test suite sent to the real daemon, for `scripts/coverage.ts`.
 *
 * A recording client wraps the transport's `HttpClient`: every answered request appends one line to a log file
 * (the format is in `log.ts`). The path is the URL's pathname as sent (with its `/v1.NN` prefix, parameters still
 * percent-encoded), the status is the daemon's (101 for a hijack), and the test is the vitest test running when
 * the request was answered (empty outside a test, e.g. in a `layer`'s setup), so that the coverage script counts
 * only requests of tests that passed. Lines are short and appended with `O_APPEND`, so vitest workers running in
 * parallel can share one file.
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { appendFileSync } from "node:fs"
import { expect } from "vitest"
import { formatLine, type RecordedRequest } from "./log.ts"

export { formatLine, parseLog, type RecordedRequest } from "./log.ts"

/** The environment variable naming the log file; recording is off when it is not set. */
export const LOG_ENV = "EFFECT_DOCKER_COVERAGE_LOG"

const currentTest = (): { readonly file: string; readonly name: string } => {
  try {
    const state = expect.getState()
    return { file: state.testPath ?? "", name: state.currentTestName ?? "" }
  } catch {
    return { file: "", name: "" }
  }
}

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
