import { expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Api, Containers, System } from "../../mod.ts"
import { DockerLive, scopedContainer, TEST_IMAGE } from "../support/engine.ts"

const LABEL = "effect-docker-test=system"

layer(DockerLive)("system against the real engine", (it) => {
  it.effect("ping (GET and HEAD), version and info decode", () =>
    Effect.gen(function*() {
      expect(yield* System.ping()).toBe("OK")
      expect(yield* Api.systemPingHead()).toBe("")
      const version = yield* System.version()
      expect(version.ApiVersion).toBe("1.41")
      expect(version.Version).toMatch(/^20\.10\./)
      expect(version.Os).toBe("linux")
      const info = yield* System.info()
      expect(info.ServerVersion).toBe(version.Version)
      expect(typeof info.Containers).toBe("number")
      expect(info.Swarm?.LocalNodeState).toMatch(/^(inactive|active|pending|error|locked)$/)
    }))

  it.effect("df reports the test image with its size", () =>
    Effect.gen(function*() {
      const usage = yield* Api.systemDataUsage()
      const image = yield* Api.imageInspect({ name: TEST_IMAGE })
      const listed = (usage.Images ?? []).find((i) => i.Id === image.Id)
      expect(listed?.RepoTags).toContain(TEST_IMAGE)
      expect(Number(listed?.Size)).toBeGreaterThan(0)
      expect(Number(usage.LayersSize)).toBeGreaterThan(0)
      expect(Array.isArray(usage.Volumes)).toBe(true)
    }))

  it.effect("events between since and until: the stream ends at until and holds this test's container events", () =>
    Effect.gen(function*() {
      const since = Math.floor(Date.now() / 1000) - 1
      const id = yield* Effect.scoped(
        Effect.gen(function*() {
          const id = yield* scopedContainer({
            Cmd: ["true"],
            Labels: { "effect-docker-test": "system" },
            HostConfig: { NetworkMode: "none" }
          })
          yield* Containers.start(id)
          yield* Containers.wait(id)
          return id
        })
      )
      const until = Math.ceil(Date.now() / 1000) + 1
      const events = yield* Api.systemEvents({
        since: String(since),
        until: String(until),
        filters: { type: ["container"], label: [LABEL] }
      }).pipe(Stream.runCollect)
      const actions = events.filter((e) => e.Actor?.ID === id).map((e) => e.Action)
      expect(actions).toEqual(expect.arrayContaining(["create", "start", "die", "destroy"]))
      expect(actions.indexOf("create")).toBeLessThan(actions.indexOf("destroy"))
      expect(events.every((e) => e.Type === "container")).toBe(true)
    }))

  it.effect("auth against the htpasswd registry: good credentials log in", () =>
    Effect.gen(function*() {
      const ok = yield* Api.systemAuth({
        body: { username: "testuser", password: "testpassword", serveraddress: "127.0.0.1:5001" }
      })
      expect(ok.Status).toBe("Login Succeeded")
    }))

  it.effect("auth with a wrong password: Engine 20.10 answers 500 (not the 401 newer engines send) naming the 401", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Api.systemAuth({ body: { username: "testuser", password: "wrong", serveraddress: "127.0.0.1:5001" } })
      )
      expect(error._tag).toBe("ServerError")
      if (error._tag !== "ServerError") return
      expect(error.status).toBe(500)
      expect(error.message).toContain("401 Unauthorized")
      expect(error.message).not.toContain("wrong")
    }))
})
