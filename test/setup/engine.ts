/**
 * Vitest global setup: brings up the real Docker engine, the local registries and the offline
 * test image with `scripts/engine.sh`. A missing or broken engine fails the whole run: the
 * integration tests never skip silently.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const script = fileURLToPath(new URL("../../scripts/engine.sh", import.meta.url))

export default function setup(): void {
  if (process.env["EFFECT_DOCKER_SKIP_ENGINE_SETUP"] === "1") return
  try {
    execFileSync("bash", [script], { stdio: ["ignore", "inherit", "inherit"] })
  } catch (cause) {
    throw new Error(`The real-engine harness (scripts/engine.sh) failed; the tests need a running Docker engine`, {
      cause
    })
  }
}
