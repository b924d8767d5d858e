import { describe, expect, it } from "@effect/vitest"
import * as Operations from "../../src/generated/operations.ts"
import { makeMatcher, type Template } from "../coverage/match.ts"

const operations = Object.values(Operations).filter((value): value is Template & typeof value =>
  typeof value === "object" && value !== null && "id" in value && "path" in value && "method" in value
)

describe("coverage matcher", () => {
  const operationOf = makeMatcher(operations)

  it("maps a request of every operation back to it, with parameters as the SDK sends them", () => {
    expect(operations).toHaveLength(108)
    for (const op of operations) {
      for (const value of ["abc123", "127.0.0.1%3A5000%2Feffect-docker%2Fx%3Alatest", "json", "get", "search"]) {
        const path = `/v1.41${op.path.replace(/\{[^}]+\}/g, value)}`
        const found = operationOf(op.method, path)
        // a literal segment as the parameter value may legitimately name another operation
        if (op.path.includes("{") && ["json", "get", "search"].includes(value)) continue
        expect(found?.id, `${op.method} ${path}`).toBe(op.id)
      }
    }
  })

  it("the version negotiation's ping, unknown paths and other methods are no operation", () => {
    expect(operationOf("GET", "/_ping")).toBeUndefined()
    expect(operationOf("GET", "/v1.41/_ping")?.id).toBe("SystemPing")
    expect(operationOf("HEAD", "/v1.41/_ping")?.id).toBe("SystemPingHead")
    expect(operationOf("GET", "/v1.41/no/such/endpoint")).toBeUndefined()
    expect(operationOf("PATCH", "/v1.41/containers/abc/json")).toBeUndefined()
    expect(operationOf("GET", "/v1.41/images/search")?.id).toBe("ImageSearch")
    expect(operationOf("GET", "/v1.41/images/get")?.id).toBe("ImageGetAll")
    expect(operationOf("GET", "/v1.41/images/json")?.id).toBe("ImageList")
    expect(operationOf("GET", "/v1.41/images/a%2Fb/json")?.id).toBe("ImageInspect")
  })
})
