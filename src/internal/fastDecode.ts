/**
 * A Schema decoder compiled once per schema into plain functions, for the shapes the generated response models are
 * made of: `Struct` (with `optionalKey` fields), `Record(String, …)`, `Array`, `Union`s of literals and primitives
 * (`Literals`, `Int64`) and the primitives `String`, `Number`, `Boolean`, `BigInt`, `Null`, `Unknown`, `Any`. Effect's
 * parser walks the AST and makes an `Exit` per value (a `Record` runs a generator per object) and copies every object;
 * this walks the value with one closure per schema node and copies only what decoding changes (an object with an
 * undeclared key or a `null` property, a value decoded by a transformation), so it is for values nobody else holds, as
 * `parseJson` returns.
 *
 * It reads a `null` object property as an absent one (as `parseJson` drops them, which `parseJson(text, true)` leaves
 * to this decoder): it decodes what `Schema.decodeUnknownExit` decodes from `dropNulls(input)`, with the same result,
 * or gives up. A value passed on as is (`Unknown`, an empty struct) or to Effect's parser has its `null` properties
 * dropped first. A node of any other kind
 * (a transformation, a check, a suspended or declared schema, a tuple, a `oneOf` union, a union of objects, …) is
 * decoded by Effect's own parser for that node, and any value the fast path does not accept makes the whole decode
 * give up ({@link fastDecoderFor}'s caller then runs Effect's decoder on the input, which gives Effect's error). The
 * agreement is a seeded property test against `Schema.decodeUnknownExit` on the generated response schemas.
 *
 * What it reproduces of Effect 4.1's parser (`SchemaAST.js`): a struct accepts any object but `null` and arrays, reads
 * a field when `name in input` (an own `__proto__` only), keeps only the declared fields, and fails on a missing
 * required field; an empty struct accepts any value but `null`/`undefined` and returns it as is; a record reads
 * `Object.keys`; arrays accept `Array.isArray` values; a union returns its first member that accepts the value;
 * output objects get `__proto__` as an own property (`Object.defineProperty`), never as a prototype.
 *
 * @internal
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { dropNulls, withoutNulls } from "./json.ts"

/** What a compiled node returns when it does not accept its input. */
const REJECT: unique symbol = Symbol("effect-docker/fastDecode/reject")

type Node = (input: unknown) => unknown

const assign = (out: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
  } else out[key] = value
}

/** Effect's parser for one node: the fallback for the kinds this module does not compile. */
const effectNode = (ast: SchemaAST.AST): Node => {
  const decode = Schema.decodeUnknownExit(Schema.make<Schema.Decoder<unknown>>(ast))
  return (input) => {
    const exit = decode(dropNulls(input))
    return Exit.isSuccess(exit) ? exit.value : REJECT
  }
}

/** A node without checks, transformations or encoding-side checks (its decoded value is its input's shape). */
const plain = (ast: SchemaAST.AST): boolean =>
  ast.checks === undefined && ast.encoding === undefined &&
  (ast as { readonly encodingChecks?: unknown }).encodingChecks === undefined

/**
 * A union member whose compiled node accepts exactly what Effect accepts, returning the input itself (`Unknown` and
 * `Any`: with its `null` properties dropped).
 */
const exactLeaf = (ast: SchemaAST.AST): Node | undefined => {
  if (!plain(ast)) return undefined
  switch (ast._tag) {
    case "String":
      return (input) => typeof input === "string" ? input : REJECT
    case "Number":
      return (input) => typeof input === "number" ? input : REJECT
    case "Boolean":
      return (input) => typeof input === "boolean" ? input : REJECT
    case "BigInt":
      return (input) => typeof input === "bigint" ? input : REJECT
    case "Null":
      return (input) => input === null ? input : REJECT
    case "Unknown":
    case "Any":
      return dropNulls
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal ? input : REJECT
    }
    default:
      return undefined
  }
}

interface Compiler {
  readonly seen: Map<SchemaAST.AST, Node>
}

const compile = (ast: SchemaAST.AST, compiler: Compiler): Node => {
  const known = compiler.seen.get(ast)
  if (known !== undefined) return known
  const node = compileNode(ast, compiler)
  compiler.seen.set(ast, node)
  return node
}

const compileNode = (ast: SchemaAST.AST, compiler: Compiler): Node => {
  const leaf = exactLeaf(ast)
  if (leaf !== undefined) return leaf
  if (!plain(ast)) return effectNode(ast)
  switch (ast._tag) {
    case "Objects":
      return compileObjects(ast, compiler)
    case "Arrays": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) return effectNode(ast)
      const item = compile(ast.rest[0]!, compiler)
      return (input) => {
        if (!Array.isArray(input)) return REJECT
        const length = input.length
        let out: Array<unknown> | undefined
        for (let i = 0; i < length; i++) {
          const element: unknown = input[i]
          const value = item(element)
          if (value === REJECT) return REJECT
          if (out !== undefined) out[i] = value
          else if (value !== element) {
            out = input.slice(0, length)
            out[i] = value
          }
        }
        return out ?? input
      }
    }
    case "Union": {
      if (ast.options?.mode === "oneOf") return effectNode(ast)
      const members: Array<Node> = []
      for (const type of ast.types) {
        const member = exactLeaf(type)
        if (member === undefined) return effectNode(ast)
        members.push(member)
      }
      if (members.length === 0) return effectNode(ast)
      return (input) => {
        for (let i = 0; i < members.length; i++) {
          const value = members[i]!(input)
          if (value !== REJECT) return value
        }
        return REJECT
      }
    }
    default:
      return effectNode(ast)
  }
}

const compileObjects = (ast: SchemaAST.Objects, compiler: Compiler): Node => {
  const properties = ast.propertySignatures
  const indexes = ast.indexSignatures
  if (properties.length === 0 && indexes.length === 0) {
    return (input) => input === null || input === undefined ? REJECT : dropNulls(input)
  }
  if (indexes.length === 0) {
    const names: Array<string> = []
    const optional: Array<boolean> = []
    const decoders: Array<Node> = []
    for (const property of properties) {
      if (typeof property.name !== "string") return effectNode(ast)
      names.push(property.name)
      optional.push(property.type.context?.isOptional === true)
      decoders.push(compile(property.type, compiler))
    }
    return struct(names, optional, decoders)
  }
  if (properties.length !== 0 || indexes.length !== 1) return effectNode(ast)
  const index = indexes[0]!
  const parameter = index.parameter
  if (parameter._tag !== "String" || !plain(parameter)) return effectNode(ast)
  const value = compile(index.type, compiler)
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return REJECT
    const record = input as Record<string, unknown>
    const keys = Object.keys(record)
    let out: Record<string, unknown> | undefined
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      const item = record[key]
      const decoded = item === null ? item : value(item)
      if (decoded === REJECT) return REJECT
      if (
        out === undefined && (decoded !== item || item === null || Object.getPrototypeOf(record) !== Object.prototype)
      ) {
        out = {}
        for (let j = 0; j < i; j++) assign(out, keys[j]!, record[keys[j]!])
      }
      if (out !== undefined && item !== null) assign(out, key, decoded)
    }
    return out ?? (keys.length === 0 && Object.getPrototypeOf(record) !== Object.prototype ? {} : record)
  }
}

/** Whether a struct reads the field `name` holding `value` as absent: not in the input, or `null`. */
const absent = (record: Record<string, unknown>, name: string, value: unknown): boolean =>
  value === null || (name === "__proto__" ? !Object.hasOwn(record, name) : value === undefined && !(name in record))

/**
 * A struct that returns its input itself when the input is a plain object holding exactly the declared fields it
 * has (no other key, no `null`) and each decoded to itself; else a new object with the decoded fields (each field is
 * decoded once: the fields before the first one that changed are copied as they are).
 */
const struct = (
  names: ReadonlyArray<string>,
  optional: ReadonlyArray<boolean>,
  decoders: ReadonlyArray<Node>
): Node => {
  const count = names.length
  const copy = (record: Record<string, unknown>, end: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (let i = 0; i < end; i++) {
      const name = names[i]!
      const value = record[name]
      if (!absent(record, name, value)) assign(out, name, value)
    }
    return out
  }
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return REJECT
    const record = input as Record<string, unknown>
    let present = 0
    let nulls = 0
    let out: Record<string, unknown> | undefined
    for (let i = 0; i < count; i++) {
      const name = names[i]!
      const value = record[name]
      if (absent(record, name, value)) {
        if (!optional[i]) return REJECT
        if (value === null) nulls++
        continue
      }
      present++
      const decoded = decoders[i]!(value)
      if (decoded === REJECT) return REJECT
      if (out === undefined && decoded !== value) out = copy(record, i)
      if (out !== undefined) assign(out, name, decoded)
    }
    if (out !== undefined) return out
    if (Object.getPrototypeOf(record) === Object.prototype) {
      // only declared fields: the input itself, or without its `null` fields
      let keys = 0
      for (const key in record) {
        if (++keys > present + nulls || !Object.hasOwn(record, key)) {
          keys = -1
          break
        }
      }
      if (keys === present + nulls) return nulls === 0 ? record : withoutNulls(record)
    }
    return copy(record, count)
  }
}

/**
 * The compiled fast path of a schema, for a value nobody else holds (as `parseJson` returns): a function that returns
 * the decoded value, or `undefined` when it gave up (then decode with Effect's parser, which also gives the error).
 * Where decoding changes nothing (a plain object with no undeclared key, an array, a record), the result is the input
 * itself, or shares its unchanged parts, instead of a copy; it is equal to Effect's result (which always copies).
 * Compiled on first use and cached per schema.
 *
 * @internal
 */
export const fastDecoderFor = (schema: Schema.Top): FastDecoder => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    const node = compile(schema.ast, { seen: new Map() })
    decoder = (input) => {
      const value = node(input)
      return value === REJECT ? undefined : { value }
    }
    decoders.set(schema, decoder)
  }
  return decoder
}

/** @internal */
export type FastDecoder = (input: unknown) => { readonly value: unknown } | undefined

const decoders = new WeakMap<Schema.Top, FastDecoder>()
