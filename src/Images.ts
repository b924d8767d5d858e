/**
 * Images: list, inspect and the rest, with ergonomic names over the generated operations (`Api`).
 *
 * @since 0.1.0
 */
import * as Api from "./generated/api.ts"
import type * as Operations from "./generated/operations.ts"

/**
 * Lists images.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "effect-docker"
 * const tags = Images.list({ filters: { reference: ["busybox*"] } }).pipe(Effect.map((l) => l.flatMap((i) => i.RepoTags ?? [])))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const list = (options: Operations.ImageListInput = {}) => Api.imageList(options)

/**
 * Inspects an image by name or id.
 *
 * @example
 * ```ts
 * import { Images } from "effect-docker"
 * const image = Images.inspect("busybox:latest")
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (name: string, options: Omit<Operations.ImageInspectInput, "name"> = {}) =>
  Api.imageInspect({ ...options, name })
