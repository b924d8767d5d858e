/** Pure parts of the Podman support: telling the engine apart, and when an answer means "no swarm mode". */
import { describe, expect, it } from "@effect/vitest"
import { Errors, System } from "../../mod.ts"

describe("System.engineFrom", () => {
  it("names Podman from the Libpod-Api-Version header, the Server header or a Podman component", () => {
    expect(System.engineFrom({ "api-version": "1.41", "libpod-api-version": "4.3.1" }, {}).name).toBe("podman")
    expect(System.engineFrom({ server: "Libpod/4.3.1 (linux)" }, {}).name).toBe("podman")
    const version = { Version: "4.3.1", ApiVersion: "1.41", Components: [{ Name: "Podman Engine", Version: "4.3.1" }] }
    const engine = System.engineFrom({}, version)
    expect(engine).toEqual({
      name: "podman",
      version: "4.3.1",
      apiVersion: "1.41",
      libpodApiVersion: undefined,
      server: undefined,
      components: [{ name: "Podman Engine", version: "4.3.1" }]
    })
  })

  it("names Docker otherwise, with /version's Version and ApiVersion when the ping has no header", () => {
    const version = { Version: "20.10.24", ApiVersion: "1.41", Components: [{ Name: "Engine", Version: "20.10.24" }] }
    expect(System.engineFrom({ server: "Docker/20.10.24 (linux)" }, version)).toMatchObject({
      name: "docker",
      version: "20.10.24",
      apiVersion: "1.41"
    })
    // a component that merely mentions podman in its version is not the engine
    expect(System.engineFrom({}, { Components: [{ Name: "Engine", Version: "podman-ish" }] }).name).toBe("docker")
  })
})

describe("Podman's container state refusals", () => {
  it("are the operation's Conflict (status kept) when it documents 409, else unchanged", () => {
    const message = "cannot remove container x as it is running - running or paused containers cannot be removed " +
      "without force: container state improper (HTTP 500)"
    const refused = Errors.fromStatus([400, 404, 409, 500], { operation: "ContainerDelete", status: 500, message })
    expect(refused._tag).toBe("Conflict")
    expect(refused).toMatchObject({ status: 500, message })
    expect(Errors.fromStatus([404, 500], { operation: "ContainerTop", status: 500, message })._tag).toBe("ServerError")
    const other = { operation: "ContainerDelete", status: 500, message: "disk full (HTTP 500)" }
    expect(Errors.fromStatus([409, 500], other)._tag).toBe("ServerError")
  })
})

describe("Errors.SwarmUnavailable", () => {
  const fields = (operation: string, status: number, message: string) => ({ operation, status, message })

  it("is raised for swarm-family operations answered by a missing route or Podman's refusal", () => {
    const routeMiss = Errors.fromStatus([500, 503], fields("NodeList", 404, "Not Found (HTTP 404)"))
    expect(routeMiss._tag).toBe("SwarmUnavailable")
    expect(routeMiss.message).toBe("the engine has no swarm mode: Not Found (HTTP 404)")
    const refused = fields("SwarmInit", 503, "Podman does not support service: /v1.41/swarm/init (HTTP 503)")
    expect(Errors.fromStatus([400, 500, 503], refused)._tag).toBe("SwarmUnavailable")
    expect(Errors.fromStatus([404], fields("ConfigInspect", 404, "page not found (HTTP 404)"))._tag)
      .toBe("SwarmUnavailable")
  })

  it("leaves Docker's answers alone: a missing object, swarm mode off, and non-swarm operations", () => {
    const missingNode = Errors.fromStatus([404, 500, 503], fields("NodeInspect", 404, "node x not found (HTTP 404)"))
    expect(missingNode._tag).toBe("NotFound")
    const off = fields("NodeList", 503, "This node is not a swarm manager. Use \"docker swarm init\" (HTTP 503)")
    expect(Errors.fromStatus([500, 503], off)._tag).toBe("ServiceUnavailable")
    expect(Errors.fromStatus([404, 500], fields("ContainerInspect", 404, "Not Found (HTTP 404)"))._tag)
      .toBe("NotFound")
    // a name that only starts like a swarm family does not count
    expect(Errors.isSwarmUnavailable(fields("Nodes", 404, "Not Found"))).toBe(false)
  })
})
