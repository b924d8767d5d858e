/**
 * The vitest configuration of `scripts/coverage.ts`: the project's, with vitest's JSON report written where
 * `EFFECT_DOCKER_COVERAGE_RESULTS` says (the project's config writes it to the shared test-results.json).
 */
import { defineConfig } from "vitest/config"
import base from "../../vitest.config.ts"

const results = process.env["EFFECT_DOCKER_COVERAGE_RESULTS"] ?? "coverage-results.json"

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    reporters: ["default", ["json", { outputFile: results }]]
  }
})
