import { describe, expect, it } from "@effect/vitest"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import * as fc from "fast-check"
import * as Operations from "../../src/generated/operations.ts"
import * as Models from "../../src/generated/schemas.ts"
import { decodeJsonBody } from "../../src/internal/decode.ts"
import { fastDecoderFor } from "../../src/internal/fastDecode.ts"
import { dropNulls, parseJson } from "../../src/internal/json.ts"
import { stringifyJson } from "../../src/internal/jsonStringify.ts"
import { Int64, NullableArray } from "../../src/internal/schemaPrimitives.ts"

const SEED = 20261129
const RUNS = 60

/** Every distinct schema a generated operation decodes its answer (or its stream's items) with. */
const responseSchemas: ReadonlyArray<readonly [string, Schema.Decoder<unknown>]> = (() => {
  const seen = new Map<Schema.Decoder<unknown>, string>()
  for (const [name, value] of Object.entries(Operations)) {
    const response = (value as { readonly response?: { readonly _tag: string; readonly schema?: unknown } }).response
    if (response === undefined || (response._tag !== "Json" && response._tag !== "JsonStream")) continue
    const schema = response.schema as Schema.Decoder<unknown>
    if (!seen.has(schema)) seen.set(schema, name)
  }
  return [...seen].map(([schema, name]) => [name, schema] as const)
})()

/** Values a daemon (or a broken proxy) could put anywhere: wrong types, `null`, `undefined`, odd numbers, odd keys. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, -0, NaN, Infinity, "", 0, 1n, true, [], {}, [null], [undefined]),
  fc.constantFrom({ __proto__: null }, JSON.parse("{\"__proto__\":{\"a\":1}}"), Object.create({ Id: "inherited" })),
  fc.string(),
  fc.double(),
  fc.bigInt(),
  fc.anything({ maxDepth: 1 })
)

/**
 * Values shaped by the schema's AST: mostly what it accepts (optional keys present or not, extra keys, `__proto__`
 * keys), and, `hostility` times in 1000 at each node, a hostile value instead.
 */
const valueOf = (ast: SchemaAST.AST, hostility: number, depth = 0): fc.Arbitrary<unknown> => {
  const valid = validOf(ast, hostility, depth)
  return hostility === 0 ? valid : fc.oneof({ arbitrary: valid, weight: 1000 - hostility }, {
    arbitrary: hostile,
    weight: hostility
  })
}

const validOf = (ast: SchemaAST.AST, hostility: number, depth: number): fc.Arbitrary<unknown> => {
  if (depth > 8) return hostile
  switch (ast._tag) {
    case "String":
      return fc.oneof(fc.string(), fc.constantFrom("__proto__", "null", "\u0085"))
    case "Number":
      return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, NaN, Number.MAX_SAFE_INTEGER + 2))
    case "Boolean":
      return fc.boolean()
    case "BigInt":
      return fc.bigInt()
    case "Null":
      return fc.constant(null)
    case "Literal":
      return fc.constant(ast.literal)
    case "Union":
      return fc.oneof(...ast.types.map((type) => valueOf(type, hostility, depth + 1)))
    case "Arrays":
      return ast.rest.length === 1 && ast.elements.length === 0
        ? fc.array(valueOf(ast.rest[0]!, hostility, depth + 1), { maxLength: 3 })
        : fc.anything({ maxDepth: 2 })
    case "Objects": {
      if (ast.indexSignatures.length === 1 && ast.propertySignatures.length === 0) {
        return fc.dictionary(
          fc.oneof(fc.string({ maxLength: 5 }), fc.constant("__proto__")),
          valueOf(ast.indexSignatures[0]!.type, hostility, depth + 1),
          { maxKeys: 3 }
        )
      }
      const fields: Record<string, fc.Arbitrary<unknown>> = {}
      for (const property of ast.propertySignatures) {
        fields[String(property.name)] = valueOf(property.type, hostility, depth + 1)
      }
      const required = ast.propertySignatures.filter((p) => p.type.context?.isOptional !== true).map((p) =>
        String(p.name)
      )
      return fc.tuple(
        fc.record(fields, { requiredKeys: required }),
        fc.dictionary(fc.string({ maxLength: 4 }), fc.anything({ maxDepth: 1 }), { maxKeys: 2 })
      ).map(([known, extra]) => ({ ...extra, ...known }))
    }
    default:
      // transformations (NullableArray) and anything else: the encoded side is what arrives
      if (ast.encoding !== undefined) return valueOf(ast.encoding[ast.encoding.length - 1]!.to, hostility, depth)
      return fc.anything({ maxDepth: 2 })
  }
}

/** A deep copy keeping prototypes, array holes and `__proto__` keys (`dropNulls` works in place). */
const copy = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = Array.isArray(value) ? [] as unknown as Record<string, unknown> : Object.create(
    Object.getPrototypeOf(value) as object | null
  )
  if (Array.isArray(value)) out.length = value.length
  for (const key of Object.keys(value)) {
    const item = copy((value as Record<string, unknown>)[key])
    Object.defineProperty(out, key, { value: item, writable: true, enumerable: true, configurable: true })
  }
  return out
}

/**
 * The fast decoder and Effect's agree: the same success value, or both fail (the fast path then gives up). The fast
 * decoder reads a `null` property as absent, so Effect's decodes the input with its `null` properties dropped.
 */
const agree = (schema: Schema.Decoder<unknown>, input: unknown): void => {
  const effect = Schema.decodeUnknownExit(schema)(dropNulls(copy(input)))
  const fast = fastDecoderFor(schema)(input)
  if (Exit.isSuccess(effect)) {
    expect(fast).toBeDefined()
    expect(fast!.value).toStrictEqual(effect.value)
  } else {
    expect(fast).toBeUndefined()
  }
}

/** The value as the SDK reads it from the wire: written as JSON text, then read by `parseJson`. */
const viaJson = (value: unknown): unknown => {
  const text = stringifyJson(value) as string | undefined
  return text === undefined ? null : parseJson(text)
}

describe("fast decoder of the response schemas", () => {
  it("covers every generated response schema", () => {
    expect(responseSchemas.length).toBeGreaterThan(50)
  })

  it(`agrees with Schema.decodeUnknownExit on valid answers (seed ${SEED}, ${RUNS} runs per schema)`, () => {
    for (const [name, schema] of responseSchemas) {
      fc.assert(
        fc.property(valueOf(schema.ast, 0), (input) => agree(schema, input)),
        { seed: SEED, numRuns: RUNS, examples: [] }
      )
      expect(name).toBeTypeOf("string")
    }
  })

  it(`agrees with Schema.decodeUnknownExit on hostile answers (seed ${SEED}, ${RUNS} runs per schema)`, () => {
    for (const [, schema] of responseSchemas) {
      fc.assert(fc.property(valueOf(schema.ast, 30), (input) => agree(schema, input)), { seed: SEED, numRuns: RUNS })
      fc.assert(fc.property(hostile, (input) => agree(schema, input)), { seed: SEED, numRuns: 20 })
    }
  })

  it(`agrees with Schema.decodeUnknownExit on answers read by parseJson (seed ${SEED}, ${RUNS} runs per schema)`, () => {
    for (const [, schema] of responseSchemas) {
      fc.assert(
        fc.property(valueOf(schema.ast, 10).map(viaJson), (input) => agree(schema, input)),
        { seed: SEED, numRuns: RUNS }
      )
    }
  })

  it("agrees on the building blocks: Int64, NullableArray, Literals, Record, empty Struct, __proto__ keys", () => {
    const cases: ReadonlyArray<readonly [Schema.Decoder<unknown>, ReadonlyArray<unknown>]> = [
      [Int64, [1, -0, NaN, 2n ** 70n, "1", null, undefined]],
      [NullableArray(Schema.String), [null, [], ["a"], [null], "a", undefined]],
      [Schema.Literals(["a", 0]), ["a", 0, -0, "b", null]],
      [Schema.Record(Schema.String, Schema.Number), [{}, { a: 1 }, JSON.parse("{\"__proto__\":1}"), { a: "x" }, []]],
      [Schema.Struct({}), [0, "", {}, [], null, undefined]],
      [
        Schema.Struct({ ["__proto__"]: Schema.optionalKey(Schema.Number), a: Schema.optionalKey(Schema.Unknown) }),
        [{}, JSON.parse("{\"__proto__\":1}"), { a: undefined }, Object.create({ a: 1 }), { __proto__: { a: 1 } }]
      ],
      [Schema.Struct({ a: Schema.String }), [{}, { a: undefined }, { a: "x", b: 1 }, Object.create({ a: "y" }), ["x"]]],
      [Schema.Array(Schema.Number), [[], [1, 2], [1, "2"], Object.assign([], { length: 2 }), "12"]]
    ]
    for (const [schema, inputs] of cases) for (const input of inputs) agree(schema, input)
  })
})

/**
 * Today's pipeline before the fast decoder read `null`s: `parseJson` (dropping `null` properties), then Effect's
 * decoder; the result as `decodeJsonBody` reports it.
 */
const reference = (schema: Schema.Decoder<unknown>, text: string): { value: unknown } | { reason: string } => {
  let value: unknown
  try {
    value = parseJson(text)
  } catch (cause) {
    return { reason: `invalid JSON: ${String(cause)}` }
  }
  const exit = Schema.decodeUnknownExit(schema)(value)
  return Exit.isSuccess(exit)
    ? { value: exit.value }
    : { reason: Option.getOrThrow(Exit.findErrorOption(exit)).message }
}

/** `decodeJsonBody` gives what `reference` gives: the same value (`toStrictEqual`), or the same error reason. */
const samePipeline = (schema: Schema.Decoder<unknown>, text: string): { value: unknown } | { reason: string } => {
  const want = reference(schema, text)
  const exit = decodeJsonBody("Op", schema, text)
  if ("value" in want) {
    expect(Exit.isSuccess(exit)).toBe(true)
    expect((exit as Exit.Success<unknown>).value).toStrictEqual(want.value)
  } else {
    expect(Option.getOrThrow(Exit.findErrorOption(exit)).reason).toBe(want.reason)
  }
  return want
}

/**
 * The value with `null`s put in, from `seed`: about one object member in four becomes `null`, one object in four gets
 * an extra `null` member, one array element in ten becomes `null`; at any depth.
 */
const withNulls = (value: unknown, seed: number): unknown => {
  let state = seed >>> 0
  const chance = (inverse: number): boolean => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return (state >>> 8) % inverse === 0
  }
  const walk = (item: unknown): unknown => {
    if (typeof item !== "object" || item === null) return item
    if (Array.isArray(item)) return item.map((element) => chance(10) ? null : walk(element))
    const out: Record<string, unknown> = {}
    for (const [key, member] of Object.entries(item)) {
      Object.defineProperty(out, key, {
        value: chance(4) ? null : walk(member),
        writable: true,
        enumerable: true,
        configurable: true
      })
    }
    if (chance(4)) out[chance(2) ? "Extra" : "Id"] = null
    return out
  }
  return walk(value)
}

const PIPELINE_RUNS = 100

describe("decodeJsonBody", () => {
  it(`gives today's parseJson + Schema result on JSON texts with nulls (seed ${SEED}, ${PIPELINE_RUNS} runs per schema)`, () => {
    for (const [, schema] of responseSchemas) {
      for (const hostility of [0, 20]) {
        fc.assert(
          fc.property(valueOf(schema.ast, hostility), fc.integer(), (value, seed) => {
            const text = (stringifyJson(withNulls(value, seed)) as string | undefined) ?? "null"
            samePipeline(schema, text)
          }),
          { seed: SEED, numRuns: PIPELINE_RUNS }
        )
      }
    }
  })

  it("reads null properties as absent at any depth, keeps null array elements, as before", () => {
    const inspect = Models.ContainerInspectResponse
    // a null element of an array of strings stays, so the answer is rejected
    expect(samePipeline(inspect, `{"Id":"a","Args":["x",null]}`)).toMatchObject({
      reason: expect.stringContaining("Args")
    })
    expect(samePipeline(inspect, `{"Id":"a","Mounts":[null]}`)).toHaveProperty("reason")
    // null members of objects in arrays, of nested structs, of records, read by the fast path itself
    const text = `{"Id":"a","Mounts":[{"Type":"bind","Source":null}],"State":{"Health":null,"Pid":null,` +
      `"Status":"running"},"Config":{"Labels":{"a":null,"b":"x"}},"HostConfig":{"PortBindings":{"80/tcp":null,` +
      `"81/tcp":[]}},"Name":null,"Extra":null}`
    expect(fastDecoderFor(inspect)(parseJson(text, true))).toBeDefined()
    expect(samePipeline(inspect, text)).toStrictEqual({
      value: {
        Id: "a",
        Mounts: [{ Type: "bind" }],
        State: { Status: "running" },
        Config: { Labels: { b: "x" } },
        HostConfig: { PortBindings: { "81/tcp": [] } }
      }
    })
    // a big integer and a null (the marked path), a marker character and a null (the reviver or exact path)
    expect(samePipeline(inspect, `{"SizeRw":18446744073709551615,"State":{"Health":null},"Name":null}`))
      .toStrictEqual({ value: { SizeRw: 18446744073709551615n, State: {} } })
    expect(samePipeline(inspect, `{"Id":"\u0085","SizeRw":18446744073709551615,"Name":null}`))
      .toStrictEqual({ value: { Id: "\u0085", SizeRw: 18446744073709551615n } })
    // a null for a required field is a missing field
    expect(samePipeline(Models.ContainerCreateResponse, `{"Id":null,"Warnings":[]}`)).toMatchObject({
      reason: expect.stringContaining("Missing key")
    })
    expect(samePipeline(Models.ContainerCreateResponse, `{"Id":"a","Warnings":[null]}`)).toHaveProperty("reason")
    // a top-level null, null items of a NullableArray, `__proto__` keys holding null
    expect(samePipeline(Operations.ContainerList.response.schema, "null")).toHaveProperty("value")
    expect(samePipeline(Operations.ContainerList.response.schema, `[{"Id":"a","Names":null},null]`)).toHaveProperty(
      "reason"
    )
    expect(samePipeline(inspect, `{"__proto__":null,"Id":"a","State":{"__proto__":null}}`)).toStrictEqual({
      value: { Id: "a", State: {} }
    })
    // values passed on as they are (Unknown, an empty struct) lose their null properties at any depth
    const free = Schema.Struct({
      a: Schema.optionalKey(Schema.Unknown),
      r: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
      e: Schema.optionalKey(Schema.Struct({}))
    })
    expect(samePipeline(free, `{"a":{"b":null,"c":[null,{"d":null}]},"r":{"x":{"y":null},"z":null},"e":{"f":null}}`))
      .toStrictEqual({ value: { a: { c: [null, {}] }, r: { x: {} }, e: {} } })
    expect(samePipeline(free, `{"a":null,"r":null,"e":null}`)).toStrictEqual({ value: {} })
    expect(samePipeline(free, `{"a":null,"e":{}}`)).toStrictEqual({ value: { e: {} } })
  })

  it("decodes a container inspect answer, keeping int64 values exact", () => {
    const text = `{"Id":"abc","State":{"Status":"running","Pid":1,"Health":null},"SizeRw":18446744073709551615,` +
      `"HostConfig":{"Memory":0,"PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]}},"Mounts":[]}`
    const exit = decodeJsonBody("ContainerInspect", Models.ContainerInspectResponse, text)
    expect(Exit.isSuccess(exit)).toBe(true)
    const value = (exit as Exit.Success<Models.ContainerInspectResponse>).value
    expect(value.SizeRw).toBe(18446744073709551615n)
    expect(value.State).toStrictEqual({ Status: "running", Pid: 1 })
    expect(value.HostConfig?.PortBindings).toStrictEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }] })
  })

  it("fails with Effect's message when the answer does not match", () => {
    const text = `{"Id":"abc","State":{"Status":"sleeping"}}`
    let message = ""
    try {
      Schema.decodeUnknownSync(Models.ContainerInspectResponse)(JSON.parse(text))
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain(`["State"]["Status"]`)
    const error = Option.getOrThrow(
      Exit.findErrorOption(decodeJsonBody("ContainerInspect", Models.ContainerInspectResponse, text))
    )
    expect(error).toMatchObject({ _tag: "ResponseDecodeError", operation: "ContainerInspect", reason: message })
  })
})
