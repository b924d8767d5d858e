/**
 * Three projects:
 *
 * - `unit`: pure tests (parsers, generator, request building, docs, packaging) in `test/unit/` and the DVP client's
 *   tests in `test/dvp/` (they start their own test server on 127.0.0.1). They need no Docker engine: the project has
 *   no global setup, and points `DOCKER_HOST` at a socket that does not exist, so a test that reaches for the daemon
 *   fails here instead of passing by luck. `npm run test:unit` runs this project alone.
 * - `docker`: everything else, after `test/setup/engine.ts` has brought up the real engine, the local registries and
 *   Podman (a missing engine fails the run).
 * - `podman`: the shared suites again, the same test code with `EFFECT_DOCKER_ENGINE=podman` (`test/support/engine.ts`
 *   picks the engine's socket from it).
 *
 * `npm test` runs all three; the JSON report (`test-results.json`) counts the tests of all of them.
 */
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config"

/** The shared suites that are green on Podman's Docker-compatible API (scripts/podman.sh), run in `npm test`. */
export const PODMAN_GREEN: Array<string> = [
  "test/cross-runtime/cross-runtime.test.ts",
  "test/integration/slice.test.ts",
  "test/integration/podman.test.ts",
  "test/integration/containers.test.ts",
  "test/integration/exec.test.ts",
  "test/integration/images.test.ts",
  "test/integration/volumes.test.ts",
  "test/integration/networks.test.ts",
  "test/streaming/logs.test.ts"
]

/**
 * Shared suites with tests that still fail on Podman (listed in docs/podman.md): `node scripts/podman-report.ts`
 * runs them on both engines; they join `PODMAN_GREEN` once each difference is handled or recorded.
 */
export const PODMAN_PENDING: Array<string> = [] // none: every shared suite is green on Podman

/** Every shared suite meant to run on both engines. */
export const PODMAN_SUITES: Array<string> = [...PODMAN_GREEN, ...PODMAN_PENDING]

const unit = ["test/unit/**/*.test.ts", "test/dvp/**/*.test.ts"]

/** The engine projects: every engine test on Docker, the shared suites again on Podman. */
export const engineProjects: Record<"docker" | "podman", TestProjectInlineConfiguration> = {
  docker: {
    extends: true,
    test: {
      name: "docker",
      include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
      exclude: ["**/node_modules/**", ...unit],
      globalSetup: ["test/setup/engine.ts"],
      env: { EFFECT_DOCKER_ENGINE: "docker" }
    }
  },
  podman: {
    extends: true,
    test: {
      name: "podman",
      include: [...PODMAN_GREEN],
      globalSetup: ["test/setup/engine.ts"],
      env: { EFFECT_DOCKER_ENGINE: "podman" }
    }
  }
}

export default defineConfig({
  test: {
    // no top-level include: projects extend this config and would add their files to it
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
      engineProjects.docker,
      engineProjects.podman
    ]
  }
})
