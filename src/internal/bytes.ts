/**
 * Byte array helpers shared by the tar reader and writer and the exec output collector.
 *
 * @internal
 */

/** The parts one after another, in a new array. @internal */
export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let total = 0
  for (const part of parts) total += part.length
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
