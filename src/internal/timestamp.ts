/**
 * The RFC 3339 timestamps the daemon writes before log lines (`timestamps=true`), with nanosecond precision. No
 * Effect and no I/O here.
 *
 * @internal
 */

/**
 * A parsed RFC 3339 timestamp: the `Date` (millisecond precision) and the exact nanoseconds since the epoch.
 *
 * @internal
 */
export interface Timestamp {
  readonly date: Date
  readonly nanos: bigint
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/**
 * Parses an RFC 3339 timestamp with up to nine fraction digits (`2024-05-01T10:00:00.123456789Z`, `…+02:00`), as the
 * daemon writes before each log line when `timestamps` is on. Undefined when the text is not one.
 *
 * @internal
 */
export const parseTimestamp = (text: string): Timestamp | undefined => {
  const match = timestampPattern.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second, fraction, zone] = match
  let millis = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second))
  if (Number.isNaN(millis)) return undefined
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1 : 1
    const offsetMinutes = Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))
    millis -= sign * offsetMinutes * 60_000
  }
  const fractionNanos = fraction === undefined ? 0n : BigInt(fraction.padEnd(9, "0"))
  const nanos = BigInt(millis) * 1_000_000n + fractionNanos
  return { date: new Date(millis + Number(fractionNanos / 1_000_000n)), nanos }
}

/** The longest timestamp prefix the daemon writes: `2006-01-02T15:04:05.000000000+07:00 `. @internal */
export const maxPrefixBytes = 36

/**
 * Splits a payload that starts with `<timestamp> ` into the timestamp and the rest (a view). Undefined when the
 * payload does not start with a timestamp.
 *
 * @internal
 */
export const splitTimestamp = (
  payload: Uint8Array
): { readonly timestamp: Timestamp; readonly rest: Uint8Array } | undefined => {
  const limit = Math.min(payload.length, maxPrefixBytes)
  for (let i = 0; i < limit; i++) {
    if (payload[i] === 0x20) {
      let text = ""
      for (let k = 0; k < i; k++) text += String.fromCharCode(payload[k]!)
      const timestamp = parseTimestamp(text)
      return timestamp === undefined ? undefined : { timestamp, rest: payload.subarray(i + 1) }
    }
  }
  return undefined
}
