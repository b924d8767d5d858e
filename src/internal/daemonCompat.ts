/**
 * Answers that daemons speaking the Engine API send in another shape than Docker Engine, brought to Docker's shape
 * before they are decoded (the generator's `RESPONSE_NORMALIZERS` table says which operation uses which). Each
 * normalizer is a pure function on the parsed JSON, leaves Docker's answers unchanged, and leaves anything it does
 * not recognise to the schema, which still decides what is valid.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import * as SchemaTransformation from "effect/SchemaTransformation"

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Decodes with `schema` after `normalize` has rewritten the parsed JSON.
 *
 * @internal
 */
export const normalized = <A>(schema: Schema.Decoder<A>, normalize: (u: unknown) => unknown): Schema.Decoder<A> =>
  Schema.Unknown.pipe(
    Schema.decodeTo(
      schema,
      SchemaTransformation.transform({ decode: normalize, encode: (u: unknown): unknown => u })
    )
  )

/**
 * A stats sample's container id under `Id` (Podman 4.3.1) instead of the documented `id`. Go clients never notice:
 * Go's JSON decoding matches keys case-insensitively, so `docker stats` reads either. Copied to `id` when `id` is
 * absent.
 *
 * @internal
 */
export const statsId = (u: unknown): unknown => {
  if (!isRecord(u) || "id" in u || typeof u["Id"] !== "string") return u
  const { Id, ...rest } = u
  return { ...rest, id: Id }
}

const bareDigest = /^[0-9a-f]{64}$/

/** `sha256:` before a bare 64-hex image id, as Docker writes image ids; anything else unchanged. */
const prefixed = (id: unknown): unknown => typeof id === "string" && bareDigest.test(id) ? `sha256:${id}` : id

/**
 * An image id as Docker writes it everywhere (`sha256:<64 hex>`), where Podman 4.3.1 answers a commit and the
 * layers of an image's history with the bare hex (its image inspection and list do carry the prefix): `Id` of an
 * object, or of each item of an array.
 *
 * @internal
 */
export const imageIds = (u: unknown): unknown => {
  const one = (item: unknown): unknown => isRecord(item) && "Id" in item ? { ...item, Id: prefixed(item["Id"]) } : item
  return Array.isArray(u) ? u.map(one) : one(u)
}

/**
 * Splits a process list sent as whole `ps` lines (Podman 4.3.1: `Titles: ["PID   USER     COMMAND"]`, each process
 * one string) into the columns the API documents: the titles at whitespace, each process into as many fields, the
 * last (the command, which may hold spaces) taking the rest of the line, as Docker splits `ps` output.
 *
 * @internal
 */
export const topColumns = (u: unknown): unknown => {
  if (!isRecord(u)) return u
  const titles = u["Titles"]
  const processes = u["Processes"]
  if (!Array.isArray(titles) || titles.length !== 1 || typeof titles[0] !== "string") return u
  const columns = titles[0].trim().split(/\s+/)
  if (columns.length < 2 || !Array.isArray(processes)) return u
  const rows = processes.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 1 || typeof row[0] !== "string") return row
    const fields: Array<string> = []
    let rest = row[0].trim()
    while (fields.length < columns.length - 1 && rest.length > 0) {
      const space = rest.search(/\s/)
      if (space < 0) break
      fields.push(rest.slice(0, space))
      rest = rest.slice(space).trimStart()
    }
    fields.push(rest)
    return fields
  })
  return { ...u, Titles: columns, Processes: rows }
}
