/**
 * Just enough OpenAPI 3 for the DVP test server: loads spec/dvp-latest.yaml and spec/hub-latest.yaml, matches a
 * request to an operation (method, path template, the server prefix each path's `servers` gives), checks its
 * parameters, security and JSON body, and checks the server's own answers against the response schemas.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }
type SchemaObject = { [key: string]: any }

interface Spec {
  readonly servers?: ReadonlyArray<{ readonly url: string }>
  readonly security?: ReadonlyArray<Record<string, unknown>>
  readonly paths: Record<string, Record<string, any>>
  readonly components: { readonly schemas: Record<string, SchemaObject>; readonly responses?: Record<string, any> }
}

export interface Operation {
  readonly id: string
  readonly method: string
  readonly template: string
  readonly prefix: string
  readonly spec: Spec
  readonly parameters: ReadonlyArray<SchemaObject>
  readonly requestBody: SchemaObject | undefined
  readonly responses: Record<string, any>
  readonly needsAuth: boolean
  readonly regex: RegExp
  readonly pathNames: ReadonlyArray<string>
}

const load = (file: string): Spec =>
  parse(readFileSync(fileURLToPath(new URL(`../../spec/${file}`, import.meta.url)), "utf8")) as Spec

const prefixOf = (servers: ReadonlyArray<{ readonly url: string }> | undefined) =>
  servers && servers[0] ? new URL(servers[0].url).pathname.replace(/\/$/, "") : ""

const METHODS = ["get", "post", "put", "patch", "delete", "head"]

const operationsOf = (spec: Spec, only?: ReadonlySet<string>): Array<Operation> => {
  const out: Array<Operation> = []
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op || (only && !only.has(op.operationId))) continue
      const prefix = prefixOf(op.servers ?? item.servers ?? spec.servers)
      const pathNames: Array<string> = []
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name: string) => {
        pathNames.push(name)
        return "([^/]+)"
      })
      const security = op.security ?? item.security ?? spec.security ?? []
      out.push({
        id: op.operationId,
        method: method.toUpperCase(),
        template,
        prefix,
        spec,
        parameters: [...(item.parameters ?? []), ...(op.parameters ?? [])],
        requestBody: op.requestBody,
        responses: op.responses ?? {},
        needsAuth: security.length > 0,
        regex: new RegExp(`^${prefix.replace(/[.*+?^$()|[\]\\]/g, "\\$&")}${pattern === "/" ? "/?" : pattern}$`),
        pathNames
      })
    }
  }
  return out
}

export const dvpSpec = load("dvp-latest.yaml")
export const hubSpec = load("hub-latest.yaml")

/** Every DVP operation, plus Hub's `/v2/auth/token`. */
export const operations: ReadonlyArray<Operation> = [
  ...operationsOf(dvpSpec),
  ...operationsOf(hubSpec, new Set(["AuthCreateAccessToken"]))
]

/** The DVP API's path prefix (`/api/publisher/analytics/v1`). */
export const dvpPrefix = prefixOf(dvpSpec.servers)

const resolve = (spec: Spec, schema: SchemaObject): SchemaObject => {
  let current = schema
  while (current && typeof current.$ref === "string") {
    const name = current.$ref.replace("#/components/schemas/", "")
    current = spec.components.schemas[name]!
    if (!current) throw new Error(`unresolved ${schema.$ref}`)
  }
  return current
}

/** Validates `value` against an OpenAPI schema; returns the problems found (empty when valid). */
export const validate = (spec: Spec, schema: SchemaObject, value: unknown, path = "$"): Array<string> => {
  const s = resolve(spec, schema)
  if (value === null) return s.nullable ? [] : [`${path}: null is not allowed`]
  if (s.oneOf) {
    const matching = (s.oneOf as Array<SchemaObject>).filter((alt) => strictMatch(spec, alt, value))
    return matching.length === 1 ? [] : [`${path}: matches ${matching.length} of the oneOf alternatives, not 1`]
  }
  const type = s.type ?? (s.properties || s.additionalProperties ? "object" : undefined)
  const errors: Array<string> = []
  switch (type) {
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${path}: expected an object`]
      const record = value as Record<string, unknown>
      for (const name of s.required ?? []) if (!(name in record)) errors.push(`${path}.${name}: required`)
      for (const [name, v] of Object.entries(record)) {
        const property = s.properties?.[name]
        if (property) errors.push(...validate(spec, property, v, `${path}.${name}`))
        else if (s.additionalProperties && typeof s.additionalProperties === "object") {
          errors.push(...validate(spec, s.additionalProperties, v, `${path}.${name}`))
        }
      }
      break
    }
    case "array": {
      if (!Array.isArray(value)) return [`${path}: expected an array`]
      value.forEach((item, i) => errors.push(...validate(spec, s.items ?? {}, item, `${path}[${i}]`)))
      break
    }
    case "string":
      if (typeof value !== "string") return [`${path}: expected a string`]
      break
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return [`${path}: expected an integer`]
      break
    case "number":
      if (typeof value !== "number") return [`${path}: expected a number`]
      break
    case "boolean":
      if (typeof value !== "boolean") return [`${path}: expected a boolean`]
      break
  }
  if (s.enum && !s.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${s.enum.join(", ")}`)
  }
  return errors
}

/** For `oneOf`: a value matches an alternative when it is valid and uses only the alternative's properties. */
const strictMatch = (spec: Spec, schema: SchemaObject, value: unknown): boolean => {
  if (validate(spec, schema, value).length > 0) return false
  const s = resolve(spec, schema)
  if (s.properties && typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.keys(value).every((key) => key in s.properties)
  }
  return true
}

/** Converts a raw path or query value to the parameter's type, or returns a problem. */
const coerce = (spec: Spec, schema: SchemaObject, raw: string): { value: Json } | { error: string } => {
  const s = resolve(spec, schema)
  if (s.type === "integer") {
    return /^-?\d+$/.test(raw) ? { value: Number(raw) } : { error: `${JSON.stringify(raw)} is not an integer` }
  }
  return { value: raw }
}

export interface Matched {
  readonly operation: Operation
  readonly path: Record<string, Json>
  readonly query: Record<string, Json>
}

export type MatchResult =
  | { readonly _tag: "Matched"; readonly matched: Matched }
  | { readonly _tag: "NoRoute" }
  | { readonly _tag: "MethodNotAllowed" }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }

/** Finds the operation for a request and checks its path and query parameters against the spec. */
export const match = (method: string, url: URL): MatchResult => {
  let pathMatched = false
  for (const operation of operations) {
    const m = operation.regex.exec(url.pathname)
    if (!m) continue
    pathMatched = true
    if (operation.method !== method) continue
    const problems: Array<string> = []
    const path: Record<string, Json> = {}
    const query: Record<string, Json> = {}
    operation.pathNames.forEach((name, i) => {
      const parameter = operation.parameters.find((p) => p.in === "path" && p.name === name)
      const raw = decodeURIComponent(m[i + 1]!)
      if (!parameter) return problems.push(`path parameter ${name} is not in the spec`)
      const coerced = coerce(operation.spec, parameter.schema ?? {}, raw)
      if ("error" in coerced) return problems.push(`path parameter ${name}: ${coerced.error}`)
      problems.push(...validate(operation.spec, parameter.schema ?? {}, coerced.value, `path.${name}`))
      path[name] = coerced.value
    })
    const known = new Set(operation.parameters.filter((p) => p.in === "query").map((p) => p.name as string))
    for (const key of new Set(url.searchParams.keys())) {
      if (!known.has(key)) problems.push(`query parameter ${key} is not in the spec`)
    }
    for (const parameter of operation.parameters.filter((p) => p.in === "query")) {
      const values = url.searchParams.getAll(parameter.name)
      if (values.length === 0) {
        if (parameter.required) problems.push(`query parameter ${parameter.name} is required`)
        continue
      }
      const schema = resolve(operation.spec, parameter.schema ?? {})
      if (schema.type === "array") {
        const items = values.map((v) => {
          const coerced = coerce(operation.spec, schema.items ?? {}, v)
          return "error" in coerced ? (problems.push(`${parameter.name}: ${coerced.error}`), null) : coerced.value
        })
        problems.push(...validate(operation.spec, schema, items, `query.${parameter.name}`))
        query[parameter.name] = items
      } else {
        if (values.length > 1) problems.push(`query parameter ${parameter.name} is given ${values.length} times`)
        const coerced = coerce(operation.spec, schema, values[0]!)
        if ("error" in coerced) problems.push(`${parameter.name}: ${coerced.error}`)
        else {
          problems.push(...validate(operation.spec, schema, coerced.value, `query.${parameter.name}`))
          query[parameter.name] = coerced.value
        }
      }
    }
    return problems.length > 0
      ? { _tag: "Invalid", problems }
      : { _tag: "Matched", matched: { operation, path, query } }
  }
  return pathMatched ? { _tag: "MethodNotAllowed" } : { _tag: "NoRoute" }
}

/** Checks a JSON request body against the operation's `requestBody`. */
export const validateBody = (operation: Operation, body: unknown): Array<string> => {
  const schema = operation.requestBody?.content?.["application/json"]?.schema
  if (!schema) return []
  if (body === undefined) return operation.requestBody?.required ? ["a JSON body is required"] : []
  return validate(operation.spec, schema, body, "body")
}

/** Checks one of the server's own JSON answers against the operation's documented response. */
export const validateResponse = (operation: Operation, status: number, body: unknown): Array<string> => {
  let response = operation.responses[String(status)]
  if (!response) return [`${operation.id}: status ${status} is not documented`]
  if (response.$ref) {
    const name = String(response.$ref).replace("#/components/responses/", "")
    response = operation.spec.components.responses?.[name]
  }
  const schema = response?.content?.["application/json"]?.schema
  if (!schema) return []
  return validate(operation.spec, schema, body, `${operation.id} ${status}`)
}
