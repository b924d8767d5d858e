import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config"

/**
 * The suites that run against Podman's Docker-compatible API (scripts/podman.sh) in `npm test`, the same test code
 * with `EFFECT_DOCKER_ENGINE=podman` (test/support/engine.ts picks the engine's socket from it): green on Podman.
 */
export const PODMAN_GREEN: Array<string> = [
  "test/cross-runtime/cross-runtime.test.ts",
  "test/integration/slice.test.ts",
  "test/integration/podman.test.ts"
]

/**
 * Shared suites with tests that still fail on Podman (listed in docs/podman.md): `node scripts/podman-report.ts`
 * runs them on both engines; they join `PODMAN_GREEN` once each difference is handled or recorded.
 */
export const PODMAN_PENDING: Array<string> = [
  "test/integration/containers.test.ts",
  "test/integration/exec.test.ts",
  "test/integration/images.test.ts",
  "test/integration/volumes.test.ts",
  "test/integration/networks.test.ts",
  "test/streaming/logs.test.ts"
]

/** Every shared suite meant to run on both engines. */
export const PODMAN_SUITES: Array<string> = [...PODMAN_GREEN, ...PODMAN_PENDING]

/** One vitest project per engine: every test on Docker, the shared suites again on Podman. */
export const engineProjects: Record<"docker" | "podman", TestProjectInlineConfiguration> = {
  docker: {
    extends: true,
    test: { name: "docker", include: ["test/**/*.test.ts"], env: { EFFECT_DOCKER_ENGINE: "docker" } }
  },
  podman: {
    extends: true,
    test: { name: "podman", include: [...PODMAN_GREEN], env: { EFFECT_DOCKER_ENGINE: "podman" } }
  }
}

export default defineConfig({
  test: {
    // no top-level include: projects extend this config and would add their files to it
    globalSetup: ["test/setup/engine.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    projects: [engineProjects.docker, engineProjects.podman]
  }
})
