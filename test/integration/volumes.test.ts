import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Volumes from "../../src/Volumes.ts"
import { DockerLive, scopedContainer } from "../support/engine.ts"
import { onEngine } from "../support/podman.ts"

const LABELS = { "effect-docker-test": "volumes" }

const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`

/** Creates a labelled volume removed when the scope closes (ignoring "already gone"). */
const scopedVolume = (name: string, labels: Record<string, string> = LABELS) =>
  Effect.acquireRelease(
    Volumes.create({ Name: name, Driver: "local", Labels: labels }),
    (volume) => Effect.ignore(Volumes.remove(volume.Name, { force: true }))
  )

layer(DockerLive)("volumes against the real engine", (it) => {
  it.effect("create, inspect, list by label and name, remove; then NotFound", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-vol")
      const created = yield* scopedVolume(name)
      expect(created.Name).toBe(name)
      expect(created.Driver).toBe("local")
      expect(created.Scope).toBe("local")
      expect(created.Labels).toEqual(LABELS)
      expect(created.Mountpoint).toContain(name)
      const inspected = yield* Volumes.inspect(name)
      // Docker sends `Options: null` (absent) in both answers; Podman null when it creates, `{}` when it inspects
      const options = onEngine("volumeOptionsEmpty", { docker: {}, podman: { Options: {} } })
      expect(inspected).toEqual({ ...created, ...options })
      const listed = yield* Volumes.list({ filters: { label: ["effect-docker-test=volumes"], name: [name] } })
      expect((listed.Volumes ?? []).map((v) => v.Name)).toEqual([name])
      expect(listed.Warnings ?? []).toEqual([])
      yield* Volumes.remove(name)
      const gone = yield* Effect.flip(Volumes.inspect(name))
      expect(gone._tag).toBe("NotFound")
      expect(gone.message).toContain(name)
    }).pipe(Effect.scoped))

  it.effect("a volume without labels or options decodes (the daemon sends null for both)", () =>
    Effect.gen(function*() {
      const created = yield* Effect.acquireRelease(
        Volumes.create(),
        (volume) => Effect.ignore(Volumes.remove(volume.Name, { force: true }))
      )
      expect(created.Name).toMatch(/^[0-9a-f]{64}$/)
      expect(created.Labels ?? {}).toEqual({})
      expect(created.Options ?? {}).toEqual({})
    }).pipe(Effect.scoped))

  it.effect("a volume in use cannot be removed (Conflict)", () =>
    Effect.gen(function*() {
      const name = uniqueName("effect-docker-used")
      yield* scopedVolume(name)
      yield* scopedContainer({
        Cmd: ["true"],
        Labels: LABELS,
        HostConfig: { Binds: [`${name}:/data`], NetworkMode: "none" }
      })
      const inUse = yield* Effect.flip(Volumes.remove(name))
      expect(inUse._tag).toBe("Conflict")
      expect(inUse.message).toMatch(onEngine("volumeInUseMessage", { docker: /in use/, podman: /is being used/ }))
    }).pipe(Effect.scoped))

  it.effect("update is for swarm cluster volumes and needs API 1.42: UnsupportedApiVersion before any I/O", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Volumes.update("effect-docker-any", { Spec: { AccessMode: { Availability: "drain" } } }, { version: 1 })
      )
      expect(error._tag).toBe("UnsupportedApiVersion")
      if (error._tag !== "UnsupportedApiVersion") return
      expect(error.required).toBe("1.42")
      expect(error.negotiated).toBe("1.41")
    }))

  it.effect("prune removes only the unused volumes matching the label (API 1.41 prunes named ones too)", () =>
    Effect.gen(function*() {
      const pruneLabel = uniqueName("prune")
      const unused = uniqueName("effect-docker-prune")
      const kept = uniqueName("effect-docker-keep")
      yield* scopedVolume(unused, { ...LABELS, prune: pruneLabel })
      yield* scopedVolume(kept)
      // the `all` filter arrived with API 1.42, when prune started to spare named volumes by default
      const refused = yield* Effect.flip(Volumes.prune({ filters: { label: [`prune=${pruneLabel}`], all: ["true"] } }))
      expect(refused).toMatchObject(onEngine("pruneAllFilter", {
        docker: { _tag: "UnexpectedStatus", status: 400, message: "Invalid filter 'all' (HTTP 400)" },
        podman: { _tag: "ServerError", status: 500 }
      }))
      if (onEngine("pruneAllFilter", { docker: false, podman: true })) {
        expect(refused.message).toContain("\"all\" is an invalid volume filter")
      }
      const result = yield* Volumes.prune({ filters: { label: [`prune=${pruneLabel}`] } })
      expect(result.VolumesDeleted).toEqual([unused])
      expect(typeof result.SpaceReclaimed).toBe("number")
      const gone = yield* Effect.flip(Volumes.inspect(unused))
      expect(gone._tag).toBe("NotFound")
      expect((yield* Volumes.inspect(kept)).Name).toBe(kept)
    }).pipe(Effect.scoped))
})
