/**
 * The container the log benches read: it writes `mib` MiB of `lineBytes`-byte lines to stdout (json-file driver, no
 * network), created but not started; labelled `effect-docker-bench=<label>` so a leftover is easy to find.
 */
import { execFileSync } from "node:child_process"

export const createLogWriter = (label: string, mib: number, lineBytes: number): string =>
  execFileSync("docker", [
    "create",
    "--network",
    "none",
    "--log-driver",
    "json-file",
    "--label",
    `effect-docker-bench=${label}`,
    "effect-docker/busybox:latest",
    "sh",
    "-c",
    `yes ${"x".repeat(lineBytes - 1)} | head -c ${mib * 1024 * 1024}`
  ]).toString().trim()
