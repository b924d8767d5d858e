/**
 * Reading Linux's `/proc/net/tcp` and `/proc/net/tcp6` tables: one socket a line, `sl local_address rem_address st
 * …`, the local address as `HEXIP:HEXPORT` and the state in hex (`0A` is LISTEN).
 *
 * @internal
 */

/**
 * Whether the tables' text lists a socket listening on `port` (any local address).
 *
 * @internal
 */
export const listensOn = (procNetTcp: string, port: number): boolean =>
  procNetTcp.split("\n").some((line) => {
    const fields = line.trim().split(/\s+/)
    const local = fields[1]
    if (fields[3] !== "0A" || local === undefined) return false
    const hex = local.slice(local.lastIndexOf(":") + 1)
    return /^[0-9A-Fa-f]{1,4}$/.test(hex) && Number.parseInt(hex, 16) === port
  })
