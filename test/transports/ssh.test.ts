/**
 * `ssh://` against a real OpenSSH server on 127.0.0.1:2222 (`scripts/ssh-server.sh`, its own config, host key and
 * a client key it generates): the transports run `ssh … docker system dial-stdio` as the Go client does and speak
 * HTTP/1.1 over the pipe. The test puts an `ssh` wrapper first on PATH that adds the test's ssh_config (key,
 * known_hosts) and records every ssh process started.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Docker from "../../src/Docker.ts"
import * as Ops from "../../src/generated/operations.ts"
import * as DockerNode from "../../src/platform/node.ts"
import { expected } from "../cross-runtime/expected.ts"
import { runtimeCommand } from "../support/runtimes.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const dir = "/tmp/effect-docker-ssh"
const host = "ssh://root@127.0.0.1:2222"
const spawns = `${dir}/spawns.log`
let savedPath = ""

const spawnCount = () => existsSync(spawns) ? readFileSync(spawns, "utf8").trim().split("\n").filter(Boolean).length : 0
const dialStdioChildren = () =>
  execFileSync("ps", ["-o", "pid=,ppid=,args=", "-e"], { encoding: "utf8" }).split("\n")
    .filter((line) => line.includes("docker system dial-stdio") && line.includes("/usr/bin/ssh"))

describe("SSH transport (ssh … docker system dial-stdio)", () => {
  beforeAll(() => {
    execFileSync("bash", [`${root}scripts/ssh-server.sh`, "start"], { stdio: ["ignore", "inherit", "inherit"] })
    mkdirSync(`${dir}/bin`, { recursive: true })
    writeFileSync(
      `${dir}/ssh_config`,
      `Host 127.0.0.1\n  IdentityFile ${dir}/client_key\n  UserKnownHostsFile ${dir}/known_hosts\n` +
        `  StrictHostKeyChecking no\n  BatchMode yes\n  LogLevel ERROR\n`
    )
    writeFileSync(
      `${dir}/bin/ssh`,
      `#!/bin/sh\necho "$$ $*" >> ${spawns}\nexec /usr/bin/ssh -F ${dir}/ssh_config "$@"\n`,
      {
        mode: 0o755
      }
    )
    savedPath = process.env["PATH"] ?? ""
    process.env["PATH"] = `${dir}/bin:${savedPath}`
    execFileSync("bash", [`${root}scripts/push-progress-image.sh`], { stdio: ["ignore", "ignore", "inherit"] })
  }, 120_000)
  afterAll(() => {
    process.env["PATH"] = savedPath
    execFileSync("bash", [`${root}scripts/ssh-server.sh`, "stop"], { stdio: ["ignore", "inherit", "inherit"] })
  })

  it.live("Node: one ssh process serves many sequential requests; concurrency opens at most one per request in flight; closing the layer ends them", () =>
    Effect.gen(function*() {
      rmSync(spawns, { force: true })
      const before = dialStdioChildren().length
      yield* Effect.gen(function*() {
        for (let i = 0; i < 20; i++) expect(yield* Docker.call(Ops.SystemPing)()).toBe("OK")
        expect((yield* Docker.call(Ops.SystemVersion)()).Os).toBe("linux")
        expect(spawnCount()).toBe(1)
        yield* Effect.all([1, 2, 3].map(() => Docker.call(Ops.SystemVersion)()), { concurrency: 3 })
        // at most one new process per request in flight (the idle one is reused when it is back in the pool by the
        // time the burst starts, which the pool does not promise)
        expect(spawnCount()).toBeLessThanOrEqual(1 + 3)
        expect(dialStdioChildren().length).toBeGreaterThan(before)
      }).pipe(Effect.provide(DockerNode.layer({ host })))
      yield* Effect.sleep("300 millis")
      expect(dialStdioChildren().length).toBe(before)
      const line = readFileSync(spawns, "utf8").split("\n")[0]!
      expect(line).toContain("-p 2222 -- root@127.0.0.1 docker system dial-stdio")
    }))

  it.live("Node: an unreachable SSH host fails with a TransportError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Docker.call(Ops.SystemPing)().pipe(
        Effect.provide(DockerNode.layer({ host: "ssh://root@127.0.0.1:2299" })),
        Effect.flip
      )
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("ssh://root@127.0.0.1:2299")
    }))

  for (const runtime of ["node", "deno", "bun"] as const) {
    it(`${runtime}: the cross-runtime scenario runs over SSH (HTTP, streams, exec and attach hijacks)`, {
      timeout: 180_000
    }, () => {
      const command = runtimeCommand(runtime, "test/cross-runtime/scenario.ts")
      const env: Record<string, string | undefined> = { ...process.env, DOCKER_HOST: host }
      delete env["DOCKER_CONTEXT"]
      const result = spawnSync(command[0]!, command.slice(1), { cwd: root, encoding: "utf8", timeout: 150_000, env })
      expect(result.status, result.stderr).toBe(0)
      const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown)
      expect(lines).toEqual(expected)
    })
  }
})
