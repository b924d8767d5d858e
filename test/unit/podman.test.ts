/** Pure parts of the Podman support: telling the engine apart, and when an answer means "no swarm mode". */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { Errors, Operations, System } from "../../mod.ts"

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

  it("include a second start of an exec instance (exec session state improper)", () => {
    const message = "can only start created exec sessions, while container c session s state is \"stopped\": " +
      "exec session state improper (HTTP 500)"
    const refused = Errors.fromStatus([404, 409], { operation: "ExecStart", status: 500, message })
    expect(refused).toMatchObject({ _tag: "Conflict", status: 500, message })
    const lookalike = "exec session state improper, or so it says (HTTP 500)"
    expect(Errors.fromStatus([404, 409], { operation: "ExecStart", status: 500, message: lookalike })._tag)
      .toBe("UnexpectedStatus")
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
    expect(Errors.fromStatus([404, 500], fields("ContainerInspect", 404, "No such container: x (HTTP 404)"))._tag)
      .toBe("NotFound")
    // a name that only starts like a swarm family does not count
    expect(Errors.isSwarmUnavailable(fields("Nodes", 404, "Not Found"))).toBe(false)
  })
})

describe("Errors.OperationUnavailable", () => {
  const fields = (operation: string, status: number, message: string) => ({ operation, status, message })

  it("is raised when the router answers 404 with its own text: the engine lacks the route", () => {
    const absent = Errors.fromStatus([404, 500], fields("ContainerUpdate", 404, "Not Found (HTTP 404)"))
    expect(absent).toMatchObject({ _tag: "OperationUnavailable", operation: "ContainerUpdate", status: 404 })
    expect(absent.message).toBe("the engine does not implement ContainerUpdate: Not Found (HTTP 404)")
    // undocumented 404 too (BuildPrune lists none), and Docker's router text
    const undocumented = Errors.fromStatus([500], fields("BuildPrune", 404, "Not Found (HTTP 404)"))
    expect(undocumented._tag).toBe("OperationUnavailable")
    expect(Errors.fromStatus([404], fields("ImageInspect", 404, "page not found (HTTP 404)"))._tag)
      .toBe("OperationUnavailable")
  })

  it("leaves the answers about a missing object alone, and swarm operations to SwarmUnavailable", () => {
    for (
      const message of [
        "No such container: Not Found (HTTP 404)",
        "no container with name or ID \"x\" found: no such container (HTTP 404)",
        "network not found (HTTP 404)",
        "HTTP 404 (empty body)"
      ]
    ) expect(Errors.fromStatus([404, 500], fields("ContainerInspect", 404, message))._tag).toBe("NotFound")
    expect(Errors.fromStatus([500], fields("ContainerUpdate", 500, "Not Found (HTTP 500)"))._tag).toBe("ServerError")
    expect(Errors.fromStatus([404], fields("NodeList", 404, "Not Found (HTTP 404)"))._tag).toBe("SwarmUnavailable")
  })
})

describe("answers Podman sends in another shape, normalised before decoding", () => {
  const decode = <A>(kind: { readonly schema: Schema.Decoder<A> }, u: unknown): A =>
    Schema.decodeUnknownSync(kind.schema)(u)
  const hex = "47867f79f51572e67e12a4ea71d45120e334f07bceca2442f2dc64d255670b76"

  it("top: whole ps lines are split into the titles' columns, the last taking the rest", () => {
    const podman = { Titles: ["PID   USER     COMMAND"], Processes: [["1 root     sleep 120"], ["7 root  sh -c  x y"]] }
    expect(decode(Operations.ContainerTop.response, podman)).toEqual({
      Titles: ["PID", "USER", "COMMAND"],
      Processes: [["1", "root", "sleep 120"], ["7", "root", "sh -c  x y"]]
    })
    const docker = { Titles: ["UID", "PID", "CMD"], Processes: [["root", "1", "sleep 120"]] }
    expect(decode(Operations.ContainerTop.response, docker)).toEqual(docker)
    // a single column stays as it is; a row with fewer fields than titles keeps what it has
    expect(decode(Operations.ContainerTop.response, { Titles: ["PID"], Processes: [["1"]] }))
      .toEqual({ Titles: ["PID"], Processes: [["1"]] })
    expect(decode(Operations.ContainerTop.response, { Titles: ["PID USER CMD"], Processes: [["1"], []] }))
      .toEqual({ Titles: ["PID", "USER", "CMD"], Processes: [["1"], []] })
    // what is not a process list still fails to decode
    expect(() => decode(Operations.ContainerTop.response, { Titles: [5], Processes: [["1"]] })).toThrow()
  })

  it("stats: the container id sent as Id is read as id; a sample with id keeps it", () => {
    expect(decode(Operations.ContainerStats.response, { Id: "abc", name: "n" })).toMatchObject({ id: "abc", name: "n" })
    expect(decode(Operations.ContainerStats.response, { id: "docker", Id: "other" })).toMatchObject({ id: "docker" })
    expect(() => decode(Operations.ContainerStats.response, { Id: 5, id: 6 })).toThrow()
  })

  it("commit and history: a bare hex image id gets Docker's sha256: prefix; other ids pass unchanged", () => {
    expect(decode(Operations.ImageCommit.response, { Id: hex })).toEqual({ Id: `sha256:${hex}` })
    expect(decode(Operations.ImageCommit.response, { Id: `sha256:${hex}` })).toEqual({ Id: `sha256:${hex}` })
    expect(decode(Operations.ImageCommit.response, { Id: hex.slice(1) })).toEqual({ Id: hex.slice(1) })
    const layer = { Created: 1, CreatedBy: "", Size: 2, Comment: "" }
    const history = decode(Operations.ImageHistory.response, [{ ...layer, Id: hex }, { ...layer, Id: "<missing>" }])
    expect(history.map((l) => l.Id)).toEqual([`sha256:${hex}`, "<missing>"])
  })
})
