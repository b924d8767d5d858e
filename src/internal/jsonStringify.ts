/**
 * JSON text from a value that may hold `bigint`s (the SDK decodes integers beyond 2^53 as `bigint`, so request
 * bodies built from responses may carry them): each bigint is written as its exact digits.
 *
 * @internal
 */
export const stringifyJson = (value: unknown): string => {
  let marker: string | undefined
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "bigint") return v
    marker ??= `\u0000bigint${Math.random().toString(36).slice(2)}:`
    return marker + v.toString()
  })
  if (marker === undefined) return text
  const quoted = JSON.stringify(marker).slice(0, -1)
  return text.split(quoted).map((part, i) => i === 0 ? part : part.replace(/^(-?\d+)"/, "$1")).join("")
}
