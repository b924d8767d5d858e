/**
 * Engine identity and what each engine lacks, run against both engines (the vitest projects docker and podman):
 * `System.engine` names the engine; on Podman every swarm-family operation fails with `SwarmUnavailable`.
 * (On Docker the swarm answers depend on whether test/integration/swarm.test.ts holds a swarm at that moment, so
 * the Docker side of `SwarmUnavailable` is covered by the pure tests in test/unit/podman.test.ts.)
 */
import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Docker, System } from "../../mod.ts"
import * as Configs from "../../src/Configs.ts"
import * as Nodes from "../../src/Nodes.ts"
import * as Services from "../../src/Services.ts"
import * as Swarm from "../../src/Swarm.ts"
import * as Tasks from "../../src/Tasks.ts"
import { DockerLive, ENGINE, isPodman } from "../support/engine.ts"

layer(DockerLive)(`engine identity (${ENGINE})`, (it) => {
  it.effect("System.engine names the engine from the ping headers and /version", () =>
    Effect.gen(function*() {
      const engine = yield* System.engine()
      expect(engine.name).toBe(ENGINE)
      expect(engine.apiVersion).toBe("1.41")
      if (isPodman) {
        expect(engine.libpodApiVersion).toMatch(/^4\.\d+\.\d+$/)
        expect(engine.server).toMatch(/^Libpod\//)
        expect(engine.version).toBe(engine.libpodApiVersion)
        expect(engine.components.map((c) => c.name)).toContain("Podman Engine")
      } else {
        expect(engine.libpodApiVersion).toBeUndefined()
        expect(engine.components.map((c) => c.name)).toContain("Engine")
        expect(engine.version).toBe((yield* System.version()).Version)
      }
    }))

  it.effect("negotiates API 1.41 from the engine's ping", () =>
    Effect.gen(function*() {
      const docker = yield* Docker.Docker
      expect(yield* docker.apiVersion).toBe("1.41")
    }))

  if (isPodman) {
    it.effect("every swarm-family operation fails with SwarmUnavailable naming the operation", () =>
      Effect.gen(function*() {
        const failures = [
          yield* Effect.flip(Swarm.inspect()),
          yield* Effect.flip(Swarm.init({ ListenAddr: "127.0.0.1:2377" })),
          yield* Effect.flip(Nodes.list()),
          yield* Effect.flip(Services.list()),
          yield* Effect.flip(Tasks.list()),
          yield* Effect.flip(Configs.list())
        ]
        expect(failures.map((e) => e._tag)).toEqual(Array(6).fill("SwarmUnavailable"))
        expect(failures.map((e) => "operation" in e ? e.operation : undefined)).toEqual(
          ["SwarmInspect", "SwarmInit", "NodeList", "ServiceList", "TaskList", "ConfigList"]
        )
        expect(failures[0]!.message).toBe("the engine has no swarm mode: Not Found (HTTP 404)")
        expect(failures[1]!.message).toMatch(/does not support service/)
      }))
  }
})
