/**
 * Two projects:
 *
 * - `unit`: pure tests (parsers, generator, request building, docs, packaging) in `test/unit/` and the DVP client's
 *   tests in `test/dvp/` (they start their own test server on 127.0.0.1). They need no Docker engine: the project has
 *   no global setup, and points `DOCKER_HOST` at a socket that does not exist, so a test that reaches for the daemon
 *   fails here instead of passing by luck. `npm run test:unit` runs this project alone.
 * - `engine`: everything else, after `test/setup/engine.ts` has brought up the real engine and the local registries
 *   (a missing engine fails the run).
 *
 * `npm test` runs both; the JSON report (`test-results.json`) counts the tests of both.
 */
import { defineConfig } from "vitest/config"

const unit = ["test/unit/**/*.test.ts", "test/dvp/**/*.test.ts"]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: unit,
          env: { DOCKER_HOST: "unix:///nonexistent/effect-docker-unit-tests.sock" }
        }
      },
      {
        extends: true,
        test: {
          name: "engine",
          include: ["test/**/*.test.ts"],
          exclude: ["**/node_modules/**", ...unit],
          globalSetup: ["test/setup/engine.ts"]
        }
      }
    ]
  }
})
