/**
 * The vitest configuration of `scripts/coverage.ts` (and `scripts/podman-report.ts`): the project's, with vitest's
 * JSON report written where `EFFECT_DOCKER_COVERAGE_RESULTS` says (the project's config writes it to the shared
 * test-results.json), and one engine only: `EFFECT_DOCKER_ENGINE` (docker when unset), so that one request log
 * holds one engine's requests.
 */
import { defineConfig } from "vitest/config"
import base, { engineProjects, PODMAN_SUITES } from "../../vitest.config.ts"

const results = process.env["EFFECT_DOCKER_COVERAGE_RESULTS"] ?? "coverage-results.json"
const engine = process.env["EFFECT_DOCKER_ENGINE"] === "podman" ? "podman" : "docker"

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    reporters: ["default", ["json", { outputFile: results }]],
    // the Podman report runs every shared suite, the pending ones too
    projects: [
      engine === "podman"
        ? { ...engineProjects.podman, test: { ...engineProjects.podman.test, include: [...PODMAN_SUITES] } }
        : engineProjects.docker
    ]
  }
})
