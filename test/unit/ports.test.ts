import { describe, expect, it } from "@effect/vitest"
import * as Result from "effect/Result"
import * as Ports from "../../src/Ports.ts"

const unix = { baseUrl: "http://localhost", target: "unix:///var/run/docker.sock" }
const tcp = { baseUrl: "https://10.0.0.5:2376", target: "tcp://10.0.0.5:2376 (TLS)" }
const tcp6 = { baseUrl: "http://[fd00::5]:2375", target: "tcp://[fd00::5]:2375" }
const ssh = { baseUrl: "http://localhost", target: "ssh://me@build.example:2222" }
const fetchUrl = { baseUrl: "http://docker.internal:2375/", target: "http://docker.internal:2375/" }
const fetchLocal = { baseUrl: "http://localhost:2375", target: "http://localhost:2375" }

const inspected = (ports: Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null>) => ({
  Id: "c0ffee",
  NetworkSettings: { Ports: ports as never }
})

const ok = (r: Result.Result<Ports.Endpoint, Ports.PortNotPublished>) => {
  if (Result.isFailure(r)) throw new Error(`expected an endpoint, got ${r.failure.message}`)
  return r.success
}
const err = (r: Result.Result<Ports.Endpoint, Ports.PortNotPublished>) => {
  if (Result.isSuccess(r)) throw new Error(`expected PortNotPublished, got ${JSON.stringify(r.success)}`)
  return r.failure
}

const dockerDefault = [{ HostIp: "0.0.0.0", HostPort: "49153" }, { HostIp: "::", HostPort: "49154" }]

describe("Ports.daemonHost", () => {
  it("takes the host of a TCP or SSH daemon and of a fetch base URL; none for a local daemon", () => {
    expect(Ports.daemonHost(unix)).toBeUndefined()
    expect(Ports.daemonHost({ baseUrl: "http://localhost", target: "npipe:////./pipe/docker_engine" })).toBeUndefined()
    expect(Ports.daemonHost(tcp)).toBe("10.0.0.5")
    expect(Ports.daemonHost(tcp6)).toBe("fd00::5")
    expect(Ports.daemonHost(ssh)).toBe("build.example")
    expect(Ports.daemonHost({ baseUrl: "http://localhost", target: "ssh://host-only" })).toBe("host-only")
    expect(Ports.daemonHost(fetchUrl)).toBe("docker.internal")
    expect(Ports.daemonHost(fetchLocal)).toBeUndefined()
  })
})

describe("Ports.fromInspect", () => {
  it("a wildcard binding is reached at 127.0.0.1 on a local daemon, IPv4 preferred", () => {
    expect(ok(Ports.fromInspect(inspected({ "8080/tcp": dockerDefault }), 8080, unix))).toEqual({
      host: "127.0.0.1",
      port: 49153
    })
    // IPv6 listed first: the IPv4 binding still wins
    const reversed = [dockerDefault[1]!, dockerDefault[0]!]
    expect(ok(Ports.fromInspect(inspected({ "8080/tcp": reversed }), "8080/tcp", unix)).port).toBe(49153)
  })

  it("an IPv6-only wildcard binding is reached at ::1 locally; hostPort brackets it", () => {
    const e = ok(Ports.fromInspect(inspected({ "8080/tcp": [{ HostIp: "::", HostPort: "40000" }] }), 8080, unix))
    expect(e).toEqual({ host: "::1", port: 40000 })
    expect(Ports.hostPort(e)).toBe("[::1]:40000")
  })

  it("a wildcard binding is reached through a remote daemon's host", () => {
    const ports = inspected({ "8080/tcp": dockerDefault })
    expect(ok(Ports.fromInspect(ports, 8080, tcp))).toEqual({ host: "10.0.0.5", port: 49153 })
    expect(ok(Ports.fromInspect(ports, 8080, tcp6)).host).toBe("fd00::5")
    expect(ok(Ports.fromInspect(ports, 8080, ssh)).host).toBe("build.example")
    expect(ok(Ports.fromInspect(ports, 8080, fetchUrl)).host).toBe("docker.internal")
    const empty = inspected({ "8080/tcp": [{ HostIp: "", HostPort: "1234" }] })
    expect(ok(Ports.fromInspect(empty, 8080, tcp))).toEqual({ host: "10.0.0.5", port: 1234 })
  })

  it("a binding on one address is reached at that address", () => {
    const ports = inspected({ "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "8081" }] })
    expect(ok(Ports.fromInspect(ports, 8080, unix))).toEqual({ host: "127.0.0.1", port: 8081 })
    const v6 = inspected({ "8080/tcp": [{ HostIp: "::1", HostPort: "8082" }] })
    expect(Ports.hostPort(ok(Ports.fromInspect(v6, 8080, unix)))).toBe("[::1]:8082")
  })

  it("protocols are distinct keys", () => {
    const ports = inspected({ "53/udp": [{ HostIp: "0.0.0.0", HostPort: "5353" }] })
    expect(ok(Ports.fromInspect(ports, "53/udp", unix)).port).toBe(5353)
    expect(err(Ports.fromInspect(ports, 53, unix)).port).toBe("53/tcp")
  })

  it("a port that is not published fails with PortNotPublished naming the port", () => {
    const exposedOnly = err(Ports.fromInspect(inspected({ "8080/tcp": null }), 8080, unix))
    expect(exposedOnly._tag).toBe("PortNotPublished")
    expect(exposedOnly.port).toBe("8080/tcp")
    expect(exposedOnly.container).toBe("c0ffee")
    expect(exposedOnly.message).toContain("8080/tcp")
    expect(exposedOnly.message).toContain("exposed but not published")
    const other = err(Ports.fromInspect(inspected({ "9090/tcp": dockerDefault }), 8080, unix))
    expect(other.message).toContain("9090/tcp")
    expect(err(Ports.fromInspect({ Id: "x" }, 8080, unix)).message).toContain("not running")
    expect(err(Ports.fromInspect(inspected({ "8080/tcp": [] }), 8080, unix)).port).toBe("8080/tcp")
  })

  it("hostile bindings: empty, zero, negative or non-numeric host ports and inherited keys are not endpoints", () => {
    for (const HostPort of ["", "0", "-1", "80x", " 80", "1e3"]) {
      expect(err(Ports.fromInspect(inspected({ "8080/tcp": [{ HostIp: "0.0.0.0", HostPort }] }), 8080, unix))._tag)
        .toBe("PortNotPublished")
    }
    expect(err(Ports.fromInspect(inspected({}), "constructor" as Ports.ContainerPort, unix))._tag)
      .toBe("PortNotPublished")
    // a bad binding before a good one is skipped
    const mixed = inspected({ "8080/tcp": [{ HostIp: "0.0.0.0", HostPort: "" }, { HostIp: "0.0.0.0", HostPort: "7" }] })
    expect(ok(Ports.fromInspect(mixed, 8080, unix)).port).toBe(7)
  })

  it("a container on the host's network listens at the daemon's host on its own port", () => {
    const host = { Id: "h", HostConfig: { NetworkMode: "host" }, NetworkSettings: { Ports: {} } }
    expect(ok(Ports.fromInspect(host, 8080, unix))).toEqual({ host: "127.0.0.1", port: 8080 })
    expect(ok(Ports.fromInspect(host, "53/udp", tcp))).toEqual({ host: "10.0.0.5", port: 53 })
  })
})
