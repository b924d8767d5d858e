/**
 * No two error classes of the package share a `_tag`: `Effect.catchTag` must never catch an error of another shape
 * than the one its handler was written for. Every module the package exports (each entry point of `deno.json`,
 * which `packaging.test.ts` keeps equal to `package.json`) is walked for error classes, namespaces included.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const entryPoints = Object.entries(
  (JSON.parse(readFileSync(root + "deno.json", "utf8")) as { exports: Record<string, string> }).exports
)

type ErrorClass = new(fields: object) => Error

const isErrorClass = (value: unknown): value is ErrorClass =>
  typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Error

const isNamespace = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Module]"

/** Every error class reachable from a module namespace, with the export path it was found at. */
const errorClasses = (
  namespace: Record<string, unknown>,
  path: string,
  found: Map<ErrorClass, string> = new Map()
): Map<ErrorClass, string> => {
  for (const [name, value] of Object.entries(namespace)) {
    if (isErrorClass(value)) {
      if (!found.has(value)) found.set(value, `${path}.${name}`)
    } else if (isNamespace(value)) errorClasses(value, `${path}.${name}`, found)
  }
  return found
}

/** The tag of an error class, read from an instance (the package's errors take their fields unchecked). */
const tagOf = (errorClass: ErrorClass): unknown => (new errorClass({}) as { _tag?: unknown })._tag

/** The classes of a list of namespaces grouped by tag; the tags with more than one distinct class. */
const sharedTags = (
  namespaces: ReadonlyArray<readonly [string, Record<string, unknown>]>
): { readonly byTag: Map<string, ReadonlyArray<string>>; readonly shared: Record<string, ReadonlyArray<string>> } => {
  const classes = new Map<ErrorClass, string>()
  for (const [name, namespace] of namespaces) errorClasses(namespace, name, classes)
  const byTag = new Map<string, Array<string>>()
  for (const [errorClass, path] of classes) {
    const tag = tagOf(errorClass)
    if (typeof tag !== "string") throw new Error(`${path} has no string _tag`)
    byTag.set(tag, [...(byTag.get(tag) ?? []), path])
  }
  return { byTag, shared: Object.fromEntries([...byTag].filter(([, paths]) => paths.length > 1)) }
}

const loadAll = () =>
  Promise.all(
    entryPoints.map(async ([key, file]) =>
      [`effect-docker${key.slice(1)}`, await import(root + file) as Record<string, unknown>] as const
    )
  )

describe("error tags", () => {
  it("every exported error class of every entry point has a tag of its own", async () => {
    const { byTag, shared } = sharedTags(await loadAll())
    expect(shared).toEqual({})
    // the walk found the errors of the core, of the DVP client and of the platform entry points
    expect(byTag.get("NotFound")).toEqual(["effect-docker.Errors.NotFound"])
    expect(byTag.get("DvpNotFound")).toEqual(["effect-docker/dvp.DvpNotFound"])
    expect(byTag.get("StdinClosed")).toEqual(["effect-docker.Errors.StdinClosed"])
    expect(byTag.get("DockerConfigError")).toEqual(["effect-docker.DockerEnv.DockerConfigError"])
    expect(byTag.size).toBeGreaterThan(40)
  })

  it("the check fails when two distinct classes share a tag, even under different modules", async () => {
    const all = await loadAll()
    const Errors = all.find(([name]) => name === "effect-docker")![1]["Errors"] as Record<string, ErrorClass>
    // a class of another shape under a tag the package already uses
    class OtherNotFound extends Data.TaggedError("NotFound")<{ readonly id: string }> {}
    const duplicate = { OtherNotFound } as unknown as Record<string, unknown>
    Object.defineProperty(duplicate, Symbol.toStringTag, { value: "Module" })
    const { shared } = sharedTags([...all, ["test", { nested: duplicate }]])
    expect(shared).toEqual({ NotFound: ["effect-docker.Errors.NotFound", "test.nested.OtherNotFound"] })
    // the same class exported twice is one class, not a clash
    const again = Object.defineProperty({ NotFound: Errors["NotFound"] }, Symbol.toStringTag, { value: "Module" })
    expect(sharedTags([...all, ["again", again]]).shared).toEqual({})
  })

  it("no error of the package uses the tag of an error Effect fails with", () =>
    Effect.gen(function*() {
      const configError = yield* Effect.flip(
        Effect.gen(function*() {
          return yield* Config.String("EFFECT_DOCKER_NOT_SET")
        }).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} }))))
      )
      const schemaError = yield* Effect.flip(Schema.decodeUnknownEffect(Schema.String)(1))
      // the failures Effect's own modules produce at the top level (reasons nested in them are not caught by tag)
      const effectTags = [
        configError._tag,
        schemaError._tag,
        "HttpClientError",
        "SocketError",
        "TimeoutError",
        "NoSuchElementError",
        "UnknownError",
        "IllegalArgumentError",
        "ExceededCapacityError",
        "AsyncFiberError"
      ]
      expect(configError._tag).toBe("ConfigError")
      const { byTag } = sharedTags(yield* Effect.promise(loadAll))
      expect(effectTags.filter((tag) => byTag.has(tag))).toEqual([])
    }))
})
