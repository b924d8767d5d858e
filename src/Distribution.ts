/**
 * Distribution: what a registry holds for an image reference (its manifest descriptor and platforms), read by
 * the daemon from the registry without pulling.
 *
 * @since 0.1.0
 */
import * as Api from "./generated/api.ts"

/**
 * Reads an image's descriptor (digest, media type, size) and platforms from its registry.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Distribution } from "effect-docker"
 * const digest = Distribution.inspect("localhost:5000/app:1.0").pipe(Effect.map((d) => d.Descriptor.digest))
 * ```
 * @since 0.1.0
 * @category reading
 */
export const inspect = (name: string) => Api.distributionInspect({ name })
