import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Containers } from "../../mod.ts"
import * as Networks from "../../src/Networks.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"
import { onEngine } from "../support/podman.ts"

const LABELS = { "effect-docker-test": "networks" }

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

/** Creates a labelled network removed when the scope closes (ignoring "already gone"). */
const scopedNetwork = (name: string, extra: Partial<Parameters<typeof Networks.create>[0]> = {}) =>
  Effect.acquireRelease(
    Networks.create({ Name: name, Driver: "bridge", Labels: LABELS, ...extra }),
    (created) => Effect.ignore(Networks.remove(created.Id))
  )

layer(DockerLive)("networks against the real engine", (it) => {
  it.effect("create, inspect, list by label, remove; a second remove is NotFound", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-net")
      const created = yield* scopedNetwork(name, {
        IPAM: { Config: [{ Subnet: "172.29.71.0/24", Gateway: "172.29.71.1" }] },
        Options: { "com.docker.network.bridge.enable_icc": "true" }
      })
      expect(created.Id).toMatch(/^[0-9a-f]{64}$/)
      expect(created.Warning).toBe(onEngine("bridgeOptions", {
        docker: "",
        podman: "\"com.docker.network.bridge.enable_icc: true\" is not a recognized option"
      }))
      const inspected = yield* Networks.inspect(created.Id, { verbose: true })
      expect(inspected.Name).toBe(name)
      expect(inspected.Driver).toBe("bridge")
      expect(inspected.Scope).toBe("local")
      expect(inspected.Labels).toEqual(LABELS)
      expect(inspected.IPAM?.Config?.[0]?.Subnet).toBe("172.29.71.0/24")
      const listed = yield* Networks.list({ filters: { label: ["effect-docker-test=networks"], name: [name] } })
      expect(listed.map((n) => n.Id)).toEqual([created.Id])
      yield* Networks.remove(created.Id)
      const gone = yield* Effect.flip(Networks.remove(created.Id))
      expect(gone._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("a duplicate name conflicts; predefined networks cannot be removed", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-dup")
      yield* scopedNetwork(name)
      const duplicate = yield* Effect.flip(Networks.create({ Name: name, CheckDuplicate: true, Labels: LABELS }))
      // API 1.41 answers 409 for a duplicate name; the v1.55 spec no longer lists it for NetworkCreate
      expect(duplicate).toMatchObject(onEngine("networkNameTaken", {
        docker: { _tag: "UnexpectedStatus", status: 409 },
        podman: { _tag: "ServerError", status: 500 }
      }))
      expect(duplicate.message).toContain(onEngine("networkNameTaken", { docker: name, podman: "already exists" }))
      // Docker's predefined networks are bridge, host and none; Podman's one default network is `podman`
      const predefined = yield* Effect.flip(
        Networks.remove(onEngine("predefinedNetworks", { docker: "none", podman: "podman" }))
      )
      expect(predefined).toMatchObject(onEngine("predefinedNetworks", {
        docker: { _tag: "Forbidden", status: 403 },
        podman: { _tag: "ServerError", status: 500 }
      }))
      // Podman checks for attached containers first: which refusal comes depends on the other containers running
      expect(predefined.message).toMatch(onEngine("predefinedNetworks", {
        docker: /^none is a pre-defined network and cannot be removed/,
        podman: /^(default network podman cannot be removed|"podman" has associated containers with it)/
      }))
    }).pipe(Effect.scoped))

  it.effect("connect a running container with an alias, see it in the inspection, disconnect it", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-conn")
      const network = yield* scopedNetwork(name)
      // the container starts on a network of its own (user-defined bridges do not depend on docker0)
      const home = uniqueName("effect-docker-home")
      yield* scopedNetwork(home)
      const id = yield* scopedContainer({ Cmd: ["sleep", "60"], Labels: LABELS, HostConfig: { NetworkMode: home } })
      yield* Containers.start(id)
      yield* Networks.connect(network.Id, { Container: id, EndpointConfig: { Aliases: ["effect-alias"] } })
      const attached = yield* Networks.inspect(network.Id)
      expect(Object.keys(attached.Containers ?? {})).toEqual([id])
      const container = yield* Containers.inspect(id)
      expect(container.NetworkSettings?.Networks?.[name]?.Aliases).toContain("effect-alias")
      yield* Networks.disconnect(network.Id, { Container: id, Force: true })
      const detached = yield* Networks.inspect(network.Id)
      expect(Object.keys(detached.Containers ?? {})).toEqual([])
      const missing = yield* Effect.flip(Networks.connect(network.Id, { Container: "effect-docker-no-such-container" }))
      expect(missing._tag).toBe("NotFound")
    }).pipe(Effect.scoped))

  it.effect("prune removes only the unused networks matching the label filter", () =>
    Effect.gen(function*() {
      const pruneLabel = uniqueName("prune")
      const unused = yield* scopedNetwork(uniqueName("effect-docker-prune"), {
        Labels: { ...LABELS, prune: pruneLabel }
      })
      const kept = yield* scopedNetwork(uniqueName("effect-docker-keep"))
      const result = yield* Networks.prune({ filters: { label: [`prune=${pruneLabel}`] } })
      expect(result.NetworksDeleted).toHaveLength(1)
      const gone = yield* Effect.flip(Networks.inspect(unused.Id))
      expect(gone._tag).toBe("NotFound")
      expect((yield* Networks.inspect(kept.Id)).Id).toBe(kept.Id)
    }).pipe(Effect.scoped))
})
