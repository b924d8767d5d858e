/**
 * The proxy's policy, without a server: every operation built by `Operation.toRequest` is attributed to itself and
 * forwarded only when the policy allows it; hostile paths (encodings, `..`, `//`, trailing slashes), method changes,
 * unknown query keys, bodies and upgrades are refused; a seeded fuzz of hostile paths checks against an independent
 * model of the daemon's router (`test/support/daemonRoute.ts`) that nothing forwarded reaches an operation outside
 * the policy.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import * as Operations from "../../src/generated/operations.ts"
import * as ProxyPolicy from "../../src/ProxyPolicy.ts"
import { daemonOperation, hostileRequest, sampleRequest } from "../support/proxySamples.ts"

const readOnlyIds = new Set(ProxyPolicy.readOnly.map((op) => op.id))

describe("ProxyPolicy", () => {
  it("knows all 108 operations; readOnly is read-only", () => {
    expect(ProxyPolicy.allOperations.length).toBe(108)
    expect(ProxyPolicy.readOnly.every((op) => op.method === "GET" || op.method === "HEAD")).toBe(true)
    const excluded = ["ContainerExport", "ContainerArchive", "ImageGet", "ConfigInspect", "SecretInspect"]
    excluded.push("SwarmInspect")
    for (const id of excluded) {
      expect(readOnlyIds.has(id), id).toBe(false)
    }
  })

  it.effect("every operation's own request is attributed to it; only the readOnly ones are forwarded", () =>
    Effect.gen(function*() {
      let forwarded = 0
      let denied = 0
      for (const op of ProxyPolicy.allOperations) {
        const incoming = yield* sampleRequest(op)
        const decision = ProxyPolicy.decide(ProxyPolicy.readOnly, incoming)
        expect(decision.operation === op.id || (decision._tag === "Forward" && decision.operation.id === op.id), op.id)
          .toBe(true)
        if (readOnlyIds.has(op.id)) {
          expect(decision._tag, `${op.id} ${incoming.url}`).toBe("Forward")
          forwarded++
        } else {
          expect(decision, `${op.id} ${incoming.url}`).toMatchObject({ _tag: "Deny", operation: op.id })
          denied++
        }
        // and the same request with every operation allowed is forwarded (the matcher does not refuse valid input)
        expect(ProxyPolicy.decide(ProxyPolicy.allOperations, incoming)._tag, `${op.id} ${incoming.url}`).toBe("Forward")
      }
      expect([forwarded, denied]).toEqual([30, 78])
    }))

  const cases: ReadonlyArray<readonly [string, string, string | null]> = [
    ["GET", "/containers/abc/json", null],
    ["GET", "/v1.41/containers/abc/json", null],
    ["GET", "/containers/json", null],
    ["GET", "/_ping", null],
    ["HEAD", "/_ping", null]
  ]
  it("forwards plain readOnly requests", () => {
    for (const [method, url] of cases) {
      expect(ProxyPolicy.decide(ProxyPolicy.readOnly, { method, url, headers: {} })._tag, url).toBe("Forward")
    }
  })

  /** Hostile requests that must be refused under readOnly, with the operation the denial names. */
  const hostile: ReadonlyArray<readonly [method: string, url: string, operation: string | null]> = [
    ["POST", "/containers/abc/start", "ContainerStart"],
    ["POST", "/v1.41/containers/abc/start", "ContainerStart"],
    ["POST", "/containers/abc/json", null], // a method change on an allowed route
    ["DELETE", "/containers/abc/json", "ContainerDelete"], // the daemon's {name:.*} takes "abc/json"
    ["PUT", "/containers/json", null],
    ["HEAD", "/containers/json", null],
    ["POST", "/_ping", null],
    ["GET", "/containers/abc%2Fexport", "ContainerExport"], // decoded once, as the daemon does
    ["GET", "/containers/abc/json/../export", null],
    ["GET", "/containers/abc/json/%2e%2e/export", null],
    ["GET", "/containers/abc/json/%2E%2E/export", null],
    ["GET", "/containers/abc/logs/..%2Fexport", null],
    ["GET", "/containers/abc/./export", null],
    ["GET", "/containers//abc/json", null],
    ["GET", "//containers/json", null],
    ["GET", "/containers/json/", null],
    ["GET", "/v1.41/../containers/abc/export", null],
    ["GET", "/containers/abc/export", "ContainerExport"],
    ["GET", "/containers/abc%252F..%252Fexport/json%2F..%2Fexport", null],
    ["GET", "/containers/a%2Fb/json", "ContainerInspect"], // one segment only: a / in an id is refused
    ["GET", "/containers/abc/json%00", null],
    ["GET", "/containers/abc/json%0a", null],
    ["GET", "/containers/abc%1f/json", null],
    ["GET", "/containers/abc%7f/json", null],
    ["GET", "/containers/abc/json%", null],
    ["GET", "/containers/abc/json%zz", null],
    ["GET", "/containers/abc/json%c0%ae", null],
    ["GET", "http://docker/containers/json", null],
    ["GET", "/images/get", "ImageGetAll"],
    ["GET", "/images/library/busybox/get", "ImageGet"],
    ["GET", "/images/library/../get", null],
    ["GET", "/configs/abc", "ConfigInspect"],
    ["GET", "/swarm", "SwarmInspect"],
    ["GET", "/containers/json?all=1&bogus=1", "ContainerList"],
    ["GET", "/containers/json?all=1&all=0", "ContainerList"],
    ["GET", "/containers/json?all=1;limit=1", "ContainerList"],
    ["GET", "/secrets", "SecretList"]
  ]
  it(`refuses ${hostile.length} hostile paths, methods and queries, naming the operation reached`, () => {
    for (const [method, url, operation] of hostile) {
      const decision = ProxyPolicy.decide(ProxyPolicy.readOnly, { method, url, headers: {} })
      expect(decision, `${method} ${url}`).toMatchObject({ _tag: "Deny" })
      if (decision._tag === "Deny") expect(decision.operation ?? null, `${method} ${url}`).toBe(operation)
    }
  })

  it("refuses upgrades of routes that do not upgrade, and bodies on operations without one", () => {
    const upgrades: ReadonlyArray<Record<string, string>> = [
      { upgrade: "tcp", connection: "Upgrade" },
      { upgrade: "websocket" },
      { connection: "keep-alive, Upgrade" }
    ]
    for (const headers of upgrades) {
      for (const url of ["/containers/abc/logs?follow=1", "/events", "/containers/json"]) {
        expect(ProxyPolicy.decide(ProxyPolicy.readOnly, { method: "GET", url, headers })._tag).toBe("Deny")
      }
    }
    const attach = ProxyPolicy.decide([Operations.ContainerAttach], {
      method: "POST",
      url: "/containers/abc/attach?stream=1",
      headers: { upgrade: "tcp", connection: "Upgrade" }
    })
    expect(attach).toMatchObject({ _tag: "Forward", upgrade: true })
    expect(
      ProxyPolicy.decide(ProxyPolicy.readOnly, { method: "GET", url: "/events", headers: { "content-length": "5" } })
    ).toMatchObject({ _tag: "Deny", operation: "SystemEvents" })
    expect(
      ProxyPolicy.decide(ProxyPolicy.readOnly, {
        method: "GET",
        url: "/events",
        headers: { "transfer-encoding": "chunked" }
      })
    ).toMatchObject({ _tag: "Deny", operation: "SystemEvents" })
  })

  it("re-encodes the matched path for the daemon", () => {
    const decision = ProxyPolicy.decide(ProxyPolicy.readOnly, {
      method: "GET",
      url: "/images/library%2Fbusybox:latest/json",
      headers: {}
    })
    expect(decision).toMatchObject({ _tag: "Forward", target: "/images/library/busybox%3Alatest/json" })
  })

  it("checks JSON bodies and runs predicates", () =>
    Effect.runPromise(Effect.gen(function*() {
      const bad = ProxyPolicy.parseBody(Operations.ContainerCreate, new TextEncoder().encode("{"))
      expect(bad._tag).toBe("Invalid")
      const good = ProxyPolicy.parseBody(Operations.ContainerCreate, new TextEncoder().encode(`{"Image":"x"}`))
      expect(good).toEqual({ _tag: "Valid", body: { Image: "x" } })
      const rule = ProxyPolicy.allow(Operations.ContainerStart, (r) => Effect.succeed(r.path["id"] === "web"))
      const request = (id: string): ProxyPolicy.ProxyRequest => ({
        operation: Operations.ContainerStart,
        method: "POST",
        path: { id },
        query: {},
        body: undefined
      })
      expect(yield* ProxyPolicy.permits([rule], request("web"))).toBe(true)
      expect(yield* ProxyPolicy.permits([rule], request("db"))).toBe(false)
      const failing = ProxyPolicy.allow(Operations.ContainerStart, () => Effect.fail("boom"))
      expect(yield* ProxyPolicy.permits([failing], request("web"))).toBe(false)
    })))

  it("bearer tokens compare exactly", () => {
    expect(ProxyPolicy.bearerMatches("Bearer s3cret", "s3cret")).toBe(true)
    expect(ProxyPolicy.bearerMatches("Bearer s3cre", "s3cret")).toBe(false)
    expect(ProxyPolicy.bearerMatches("Bearer s3cretx", "s3cret")).toBe(false)
    expect(ProxyPolicy.bearerMatches(undefined, "s3cret")).toBe(false)
  })

  it("fuzz (seed 1818, 20000 runs): a forwarded path never reaches an operation outside the policy", () => {
    let forwardedCount = 0
    fc.assert(
      fc.property(hostileRequest, ({ method, segments, trailing }) => {
        const url = `/${segments.join("/")}${trailing ? "/" : ""}`
        const decision = ProxyPolicy.decide(ProxyPolicy.readOnly, { method, url, headers: {} })
        if (decision._tag === "Forward") {
          forwardedCount++
          // the daemon, decoding the target the proxy sends, runs exactly the matched, allowed operation
          const reached = daemonOperation(method, decision.target.split("?")[0]!)
          expect(reached, `${method} ${url} -> ${decision.target}`).toBe(decision.operation.id)
          expect(readOnlyIds.has(reached!)).toBe(true)
          // and the raw path the page sent reaches it too (no differential between the two)
          expect(daemonOperation(method, url)).toBe(reached)
        }
      }),
      { seed: 1818, numRuns: 20_000 }
    )
    expect(forwardedCount).toBeGreaterThan(100)
  })
})
