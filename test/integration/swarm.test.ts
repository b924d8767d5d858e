/**
 * Swarm mode against the real engine, in one file run in order: the layer initializes a single-node swarm on
 * 127.0.0.1 for the whole file and leaves it (forced) when the file ends, whether the tests passed or not. Nodes,
 * services, tasks, secrets and configs exist only in a swarm, so they are tested here too.
 */
import { expect, layer } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { Demux, System } from "../../mod.ts"
import * as Configs from "../../src/Configs.ts"
import * as Nodes from "../../src/Nodes.ts"
import * as Secrets from "../../src/Secrets.ts"
import * as Services from "../../src/Services.ts"
import * as Swarm from "../../src/Swarm.ts"
import * as Tasks from "../../src/Tasks.ts"
import { DockerLive, TEST_IMAGE } from "../support/engine.ts"

const LABELS = { "effect-docker-test": "swarm" }

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

/** The swarm the file runs in: this node's id, as `SwarmInit` answered it. */
class TestSwarm extends Context.Service<TestSwarm, { readonly nodeId: string }>()("test/TestSwarm") {}

const TestSwarmLive = Layer.effect(
  TestSwarm,
  Effect.acquireRelease(
    Effect.gen(function*() {
      const state = (yield* System.info()).Swarm?.LocalNodeState
      if (state !== "inactive") yield* Swarm.leave({ force: true }) // left over by an interrupted run
      const nodeId = yield* Swarm.init({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" })
      return { nodeId }
    }),
    () => Effect.ignore(Swarm.leave({ force: true }))
  )
).pipe(Layer.provideMerge(DockerLive))

/** Polls `effect` every 200 ms until `done` holds (at most `seconds`), failing with the last value otherwise. */
const eventually = <A, E, R>(effect: Effect.Effect<A, E, R>, done: (a: A) => boolean, seconds = 30) =>
  Effect.gen(function*() {
    const deadline = Date.now() + seconds * 1000
    while (true) {
      const value = yield* effect
      if (done(value)) return value
      if (Date.now() > deadline) return yield* Effect.die(new Error(`condition not met: ${JSON.stringify(value)}`))
      yield* Effect.sleep("200 millis")
    }
  })

layer(TestSwarmLive, { excludeTestServices: true })("swarm against the real engine (one swarm, in order)", (it) => {
  it.effect("init gave this node's id; inspect shows the swarm and its join tokens; a second init is refused", () =>
    Effect.gen(function*() {
      const { nodeId } = yield* TestSwarm
      expect(nodeId).toMatch(/^[0-9a-z]{25}$/)
      const info = (yield* System.info()).Swarm
      expect(info?.NodeID).toBe(nodeId)
      expect(info?.LocalNodeState).toBe("active")
      expect(info?.ControlAvailable).toBe(true)
      const swarm = yield* Swarm.inspect()
      expect(swarm.ID).toBe(info?.Cluster?.ID)
      expect(swarm.JoinTokens?.Worker).toMatch(/^SWMTKN-1-/)
      expect(swarm.JoinTokens?.Manager).toMatch(/^SWMTKN-1-/)
      expect(swarm.Spec?.Name).toBe("default")
      const again = yield* Effect.flip(Swarm.init({ ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1" }))
      expect(again._tag).toBe("ServiceUnavailable")
      expect(again.message).toContain("already part of a swarm")
    }))

  it.effect("join is refused while the node is in a swarm (ServiceUnavailable)", () =>
    Effect.gen(function*() {
      const swarm = yield* Swarm.inspect()
      const error = yield* Effect.flip(Swarm.join({
        ListenAddr: "127.0.0.1:2378",
        RemoteAddrs: ["127.0.0.1:2377"],
        JoinToken: swarm.JoinTokens?.Worker ?? ""
      }))
      expect(error._tag).toBe("ServiceUnavailable")
      expect(error.message).toContain("already part of a swarm")
    }))

  it.effect("update: labels and a rotated worker token; auto-lock gives an unlock key; unlock of an unlocked swarm", () =>
    Effect.gen(function*() {
      const before = yield* Swarm.inspect()
      yield* Swarm.modify((spec) => ({ ...spec, Labels: LABELS }), { rotateWorkerToken: true })
      const after = yield* Swarm.inspect()
      expect(after.Spec?.Labels).toEqual(LABELS)
      expect(after.JoinTokens?.Worker).not.toBe(before.JoinTokens?.Worker)
      expect(after.JoinTokens?.Manager).toBe(before.JoinTokens?.Manager)
      expect(Number(after.Version?.Index)).toBeGreaterThan(Number(before.Version?.Index))
      const stale = yield* Effect.flip(Swarm.update(after.Spec ?? {}, { version: Number(before.Version?.Index) }))
      // an out-of-date version: the daemon answers 500 ("update out of sequence")
      expect(stale._tag).toBe("ServerError")
      expect(stale.message).toContain("update out of sequence")

      expect(yield* Swarm.unlockKey()).toEqual(Option.none())
      yield* Swarm.modify((spec) => ({ ...spec, EncryptionConfig: { AutoLockManagers: true } }))
      const key = yield* Swarm.unlockKey()
      expect(Option.map(key, Redacted.value)).toEqual(Option.some(expect.stringMatching(/^SWMKEY-1-/)))
      expect(String(Option.getOrThrow(key))).not.toContain("SWMKEY")
      const unlock = yield* Effect.flip(Swarm.unlock(Option.getOrThrow(key)))
      // not locked: Engine 20.10 answers 409, which the spec does not list for SwarmUnlock
      expect(unlock._tag).toBe("UnexpectedStatus")
      if (unlock._tag === "UnexpectedStatus") expect(unlock.status).toBe(409)
      expect(unlock.message).toBe("swarm is not locked (HTTP 409)")
      yield* Swarm.modify((spec) => ({ ...spec, EncryptionConfig: { AutoLockManagers: false } }))
      expect(yield* Swarm.unlockKey()).toEqual(Option.none())
    }))

  it.effect("nodes: list, inspect, update labels, and this manager cannot be removed", () =>
    Effect.gen(function*() {
      const { nodeId } = yield* TestSwarm
      const nodes = yield* Nodes.list()
      expect(nodes.map((n) => n.ID)).toEqual([nodeId])
      const node = yield* Nodes.inspect(nodeId)
      expect(node.Spec?.Role).toBe("manager")
      expect(node.Spec?.Availability).toBe("active")
      expect(node.Status?.State).toBe("ready")
      expect(node.ManagerStatus?.Leader).toBe(true)
      expect(node.Description?.Engine?.EngineVersion).toMatch(/^20\.10\./)
      yield* Nodes.modify(nodeId, (spec) => ({ ...spec, Labels: { ...spec.Labels, zone: "test" } }))
      const labelled = yield* Nodes.inspect(nodeId)
      expect(labelled.Spec?.Labels).toEqual({ zone: "test" })
      yield* Nodes.update(nodeId, { ...labelled.Spec, Labels: {} })
      expect((yield* Nodes.inspect(nodeId)).Spec?.Labels ?? {}).toEqual({})
      const byLabel = yield* Nodes.list({ filters: { role: ["manager"] } })
      expect(byLabel).toHaveLength(1)
      const self = yield* Effect.flip(Nodes.remove(nodeId, { force: true }))
      // "must be demoted to worker before removal": Engine 20.10 answers 400, which the spec does not list
      expect(self._tag).toBe("UnexpectedStatus")
      if (self._tag === "UnexpectedStatus") expect(self.status).toBe(400)
      expect(self.message).toContain("must be demoted to worker before removal")
      expect((yield* Effect.flip(Nodes.inspect("effect-docker-no-such-node")))._tag).toBe("NotFound")
    }))

  it.effect("secrets: create, inspect, list, relabel, remove; the value never comes back; a duplicate conflicts", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-secret")
      const created = yield* Secrets.create({ Name: name, value: Redacted.make("s3cret-value"), Labels: LABELS })
      yield* Effect.addFinalizer(() => Effect.ignore(Secrets.remove(created.Id)))
      const secret = yield* Secrets.inspect(created.Id)
      expect(secret.Spec?.Name).toBe(name)
      expect(secret.Spec?.Labels).toEqual(LABELS)
      expect(secret.Spec?.Data).toBeUndefined()
      const listed = yield* Secrets.list({ filters: { name: [name] } })
      expect(listed.map((s) => s.ID)).toEqual([created.Id])
      yield* Secrets.setLabels(created.Id, { ...LABELS, rotated: "yes" })
      const relabelled = yield* Secrets.inspect(name)
      expect(relabelled.Spec?.Labels).toEqual({ ...LABELS, rotated: "yes" })
      expect(Number(relabelled.Version?.Index)).toBeGreaterThan(Number(secret.Version?.Index))
      yield* Secrets.update(created.Id, { ...relabelled.Spec, Labels: LABELS })
      expect((yield* Secrets.inspect(created.Id)).Spec?.Labels).toEqual(LABELS)
      const duplicate = yield* Effect.flip(Secrets.create({ Name: name, value: new TextEncoder().encode("x") }))
      expect(duplicate._tag).toBe("Conflict")
      yield* Secrets.remove(created.Id)
      expect((yield* Effect.flip(Secrets.inspect(created.Id)))._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("configs: create, inspect (data round trip), list, relabel, remove; a duplicate conflicts", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-config")
      const created = yield* Configs.create({ Name: name, data: "worker_processes 1;\nhéllo\n", Labels: LABELS })
      yield* Effect.addFinalizer(() => Effect.ignore(Configs.remove(created.Id)))
      const config = yield* Configs.inspect(created.Id)
      expect(config.Spec?.Name).toBe(name)
      expect(Configs.data(config)).toBe("worker_processes 1;\nhéllo\n")
      const listed = yield* Configs.list({ filters: { name: [name] } })
      expect(listed.map((c) => c.ID)).toEqual([created.Id])
      yield* Configs.setLabels(created.Id, { ...LABELS, v: "2" })
      const relabelled = yield* Configs.inspect(created.Id)
      expect(relabelled.Spec?.Labels).toEqual({ ...LABELS, v: "2" })
      yield* Configs.update(created.Id, { ...relabelled.Spec, Labels: LABELS })
      expect((yield* Configs.inspect(created.Id)).Spec?.Labels).toEqual(LABELS)
      const duplicate = yield* Effect.flip(Configs.create({ Name: name, data: "x" }))
      expect(duplicate._tag).toBe("Conflict")
      yield* Configs.remove(created.Id)
      expect((yield* Effect.flip(Configs.inspect(created.Id)))._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("services and tasks: create, inspect, list, logs, update, scale, task inspect and logs, remove", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-svc")
      const created = yield* Effect.acquireRelease(
        Services.create({
          Name: name,
          Labels: LABELS,
          TaskTemplate: {
            ContainerSpec: {
              Image: TEST_IMAGE,
              Command: ["sh", "-c", "echo service-started; echo to-stderr >&2; sleep 600"]
            },
            // the host network: tasks do not depend on the docker0 bridge
            Networks: [{ Target: "host" }]
          },
          Mode: { Replicated: { Replicas: 1 } }
        }),
        (service) => Effect.ignore(Services.remove(service.ID ?? ""))
      )
      const id = created.ID ?? ""
      expect(id).toMatch(/^[0-9a-z]{25}$/)
      const service = yield* Services.inspect(id)
      expect(service.Spec?.Name).toBe(name)
      expect(service.Spec?.TaskTemplate?.ContainerSpec?.Image).toContain(TEST_IMAGE)
      const listed = yield* Services.list({ filters: { name: [name] }, status: true })
      expect(listed.map((s) => s.ID)).toEqual([id])
      expect(listed[0]?.ServiceStatus?.DesiredTasks).toBe(1)

      const running = (tasks: ReadonlyArray<{ readonly Status?: { readonly State?: string } }>) =>
        tasks.filter((t) => t.Status?.State === "running").length
      const tasks = yield* eventually(
        Tasks.list({ filters: { service: [name], "desired-state": ["running"] } }),
        (list) => running(list) === 1
      )
      const task = yield* Tasks.inspect(tasks[0]?.ID ?? "")
      expect(task.ServiceID).toBe(id)
      expect(task.Status?.ContainerStatus?.ContainerID).toMatch(/^[0-9a-f]{64}$/)
      const taskLogs = yield* eventually(Tasks.logsText(task.ID ?? ""), (out) => out.stdout.includes("service-started"))
      expect(taskLogs).toEqual({ stdout: "service-started\n", stderr: "to-stderr\n" })
      const serviceLogs = yield* eventually(Services.logsText(id), (out) => out.stderr.includes("to-stderr"))
      expect(serviceLogs).toEqual({ stdout: "service-started\n", stderr: "to-stderr\n" })
      const lines = yield* Stream.runCollect(Demux.toLines(Services.logs(id, { timestamps: false })))
      expect(lines).toEqual(expect.arrayContaining([
        { stream: "stdout", line: "service-started" },
        { stream: "stderr", line: "to-stderr" }
      ]))

      const updated = yield* Services.update(id, { ...service.Spec, Labels: { ...LABELS, updated: "yes" } })
      expect(updated.Warnings ?? []).toEqual([])
      const afterUpdate = yield* Services.inspect(id)
      expect(afterUpdate.Spec?.Labels).toEqual({ ...LABELS, updated: "yes" })
      expect(Number(afterUpdate.Version?.Index)).toBeGreaterThan(Number(service.Version?.Index))
      const stale = yield* Effect.flip(
        Services.update(id, service.Spec ?? {}, { version: Number(service.Version?.Index) })
      )
      expect(stale._tag).toBe("ServerError")
      expect(stale.message).toContain("update out of sequence")

      yield* Services.scale(id, 2)
      expect((yield* Services.inspect(id)).Spec?.Mode?.Replicated?.Replicas).toBe(2)
      yield* eventually(
        Tasks.list({ filters: { service: [name], "desired-state": ["running"] } }),
        (list) => running(list) === 2
      )

      yield* Services.remove(id)
      expect((yield* Effect.flip(Services.inspect(id)))._tag).toBe("NotFound")
      expect((yield* Effect.flip(Tasks.inspect("effect-docker-no-such-task")))._tag).toBe("NotFound")
    }).pipe(Effect.scoped))
})
