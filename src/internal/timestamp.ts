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

/** Length of `YYYY-MM-DDTHH:MM:SS`. */
const secondsLength = 19

/**
 * The last whole second seen by {@link fastTimestamp}: its 19 bytes, its milliseconds and nanoseconds since the
 * epoch. Log lines come in time order, so most lines share their second with the line before.
 */
const lastSecond = new Uint8Array(secondsLength)
let lastSecondValid = false
let lastSecondMillis = 0
let lastSecondNanos = 0n

/**
 * The daemon's own form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (Go's RFC3339Nano, in UTC), read from the bytes without a
 * string or a regular expression: the seconds part is parsed by {@link parseTimestamp} only when it differs from the
 * previous one, the fraction digit by digit. Undefined for any other form, which then takes the general path; the
 * result is the same as {@link parseTimestamp}'s.
 */
const fastTimestamp = (payload: Uint8Array, length: number): Timestamp | undefined => {
  if (length < secondsLength + 1 || payload[length - 1] !== 0x5a) return undefined
  let fraction = 0
  if (length > secondsLength + 1) {
    const digits = length - secondsLength - 2
    if (payload[secondsLength] !== 0x2e || digits < 1 || digits > 9) return undefined
    for (let i = secondsLength + 1; i < length - 1; i++) {
      const digit = payload[i]! - 0x30
      if (digit < 0 || digit > 9) return undefined
      fraction = fraction * 10 + digit
    }
    for (let i = digits; i < 9; i++) fraction *= 10
  }
  let same = lastSecondValid
  for (let i = 0; same && i < secondsLength; i++) same = payload[i] === lastSecond[i]
  if (!same) {
    let text = ""
    for (let i = 0; i < secondsLength; i++) text += String.fromCharCode(payload[i]!)
    const second = parseTimestamp(text + "Z")
    if (second === undefined) return undefined
    lastSecond.set(payload.subarray(0, secondsLength))
    lastSecondMillis = second.date.getTime()
    lastSecondNanos = second.nanos
    lastSecondValid = true
  }
  return {
    date: new Date(lastSecondMillis + Math.floor(fraction / 1_000_000)),
    nanos: fraction === 0 ? lastSecondNanos : lastSecondNanos + BigInt(fraction)
  }
}

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
      let timestamp = fastTimestamp(payload, i)
      if (timestamp === undefined) {
        let text = ""
        for (let k = 0; k < i; k++) text += String.fromCharCode(payload[k]!)
        timestamp = parseTimestamp(text)
      }
      if (timestamp === undefined) return undefined
      // `new Uint8Array(buffer, offset, length)` is a view like `subarray`, but cheaper to create in V8
      return { timestamp, rest: new Uint8Array(payload.buffer, payload.byteOffset + i + 1, payload.length - i - 1) }
    }
  }
  return undefined
}
