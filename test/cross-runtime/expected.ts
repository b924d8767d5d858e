/** What the scenario prints, step by step, on every runtime and transport. */
import { expect } from "@effect/vitest"
import { onEngine } from "../support/podman.ts"

export const expected = [
  { step: "ping", value: "OK" },
  { step: "version", value: { os: "linux", api: expect.stringMatching(/^1\.\d+$/) } },
  { step: "run", value: { exit: 3, stdout: "out\n", stderr: "err\n" } },
  { step: "follow", value: { lines: ["line 0", "line 1", "line 2", "line 3", "line 4"], stoppedEarly: true } },
  {
    step: "pull",
    value: onEngine("pullProgress", {
      docker: {
        first: "Pulling from effect-docker/progress",
        progress: true,
        progressMonotonic: true,
        errors: 0,
        last: "Status: Downloaded newer image"
      },
      podman: {
        // "Already exists" when an earlier pull left the layer in Podman's storage
        first: expect.stringMatching(/^(Pulling fs layer|Already exists)$/),
        progress: false,
        progressMonotonic: true,
        errors: 0,
        last: "Download complete"
      }
    })
  },
  { step: "exec", value: { exit: 7, stdout: "exec-out\n", stderr: "exec-err\n" } },
  { step: "attach", value: { stdout: "hello from stdin\n", exit: 0 } },
  {
    step: "resources",
    value: {
      host: "127.0.0.1",
      body: "served on <runtime>",
      runningInScope: true,
      removedAfterScope: true,
      runningBeforeInterrupt: true,
      removedOnInterrupt: true
    }
  }
]
