/**
 * Docker Engine API versions: parsing, comparison and the range this SDK speaks.
 *
 * @since 0.1.0
 */

/**
 * An Engine API version such as `"1.41"`.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * const v: ApiVersion.ApiVersion = "1.41"
 * ```
 * @since 0.1.0
 * @category models
 */
export type ApiVersion = `${number}.${number}`

/**
 * The newest Engine API version this SDK was generated from.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * console.log(ApiVersion.newest) // "1.55"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const newest: ApiVersion = "1.55"

/**
 * The oldest Engine API version this SDK negotiates down to (Docker 1.12).
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * console.log(ApiVersion.oldest) // "1.24"
 * ```
 * @since 0.1.0
 * @category constants
 */
export const oldest: ApiVersion = "1.24"

/**
 * Parses `"1.41"` (or `"v1.41"`) into an {@link ApiVersion}; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * ApiVersion.parse("v1.41") // "1.41"
 * ApiVersion.parse("latest") // undefined
 * ```
 * @since 0.1.0
 * @category parsing
 */
export const parse = (input: string): ApiVersion | undefined => {
  const match = /^v?(\d+)\.(\d+)$/.exec(input.trim())
  return match === null ? undefined : `${Number(match[1])}.${Number(match[2])}` as ApiVersion
}

/**
 * Orders two versions numerically: negative when `a` is older than `b`, zero when equal, positive when newer.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * ApiVersion.compare("1.9", "1.41") < 0 // true
 * ```
 * @since 0.1.0
 * @category ordering
 */
export const compare = (a: ApiVersion, b: ApiVersion): number => {
  const [aMajor, aMinor] = a.split(".").map(Number) as [number, number]
  const [bMajor, bMinor] = b.split(".").map(Number) as [number, number]
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor
}

/**
 * True when `version` is at least `required`.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * ApiVersion.atLeast("1.41", "1.40") // true
 * ```
 * @since 0.1.0
 * @category ordering
 */
export const atLeast = (version: ApiVersion, required: ApiVersion): boolean => compare(version, required) >= 0

/**
 * The older of two versions.
 *
 * @example
 * ```ts
 * import { ApiVersion } from "effect-docker"
 * ApiVersion.min("1.55", "1.41") // "1.41"
 * ```
 * @since 0.1.0
 * @category ordering
 */
export const min = (a: ApiVersion, b: ApiVersion): ApiVersion => compare(a, b) <= 0 ? a : b
