/**
 * Matching recorded requests to operations by method and path template (no dependency on vitest, so that
 * `scripts/coverage.ts` can use it).
 */

/** What the matcher needs of an operation description. */
export interface Template {
  readonly id: string
  readonly method: string
  readonly path: string
}

/**
 * Builds the function that names the operation of a request. Only versioned paths (`/v1.NN/…`) are operation
 * calls: the unversioned `/_ping` is the client's version negotiation. When several templates match, the one with
 * the most literal characters wins (`/images/search` over `/images/{name}`).
 */
export const makeMatcher = <Op extends Template>(operations: ReadonlyArray<Op>) => {
  const templates = operations.map((op) => ({
    op,
    literal: op.path.replace(/\{[^}]+\}/g, "").length,
    pattern: new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^?#]+")}$`)
  })).sort((a, b) => b.literal - a.literal)
  return (method: string, path: string): Op | undefined => {
    const versioned = /^\/v\d+\.\d+(\/.*)$/.exec(path)
    if (versioned === null) return undefined
    return templates.find((t) => t.op.method === method && t.pattern.test(versioned[1]!))?.op
  }
}
