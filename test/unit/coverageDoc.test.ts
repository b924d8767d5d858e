/**
 * `docs/coverage.md` cannot go stale: it is rendered from what the last coverage run showed
 * (`test/coverage/exercised.json`, written by `node scripts/coverage.ts`) and from the code (the operations, their
 * `Api` functions, the hand-written functions that call them, the notes), and this test renders it again.
 *
 * When it fails after a change of the code: `node scripts/coverage.ts --render` (no engine needed), then commit
 * `docs/coverage.md`. To measure again against the engine: `npm run coverage`, then commit both files.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  documentFile,
  type Exercised,
  exercisedFile,
  formatExercised,
  NOTES,
  operations,
  problemsOf,
  render,
  renderCommitted,
  rowsOf
} from "../coverage/report.ts"

const root = fileURLToPath(new URL("../../", import.meta.url))
const committed = (file: string) => readFileSync(root + file, "utf8")

describe("docs/coverage.md", () => {
  it("is what the committed results and the code render (else: node scripts/coverage.ts --render)", () => {
    const { exercised, markdown } = renderCommitted(root)
    expect(committed(documentFile), "run `node scripts/coverage.ts --render` and commit docs/coverage.md").toBe(
      markdown
    )
    expect(problemsOf(rowsOf(exercised, root), exercised)).toEqual([])
  })

  it("the results file is in its canonical form and names only operations of the spec", () => {
    const text = committed(exercisedFile)
    const exercised = JSON.parse(text) as Exercised
    expect(formatExercised(exercised)).toBe(text)
    const ids = new Set(operations.map((op) => op.id))
    expect(Object.keys(exercised.operations).filter((id) => !ids.has(id))).toEqual([])
  })

  it("every operation has its Api function and the rows follow the code", () => {
    const { exercised } = renderCommitted(root)
    const rows = rowsOf(exercised, root)
    expect(rows).toHaveLength(operations.length)
    expect(rows.filter((row) => row.api === "?").map((row) => row.op.id)).toEqual([])
    const byId = new Map(rows.map((row) => [row.op.id, row]))
    expect(byId.get("ContainerList")?.api).toBe("containerList")
    expect(byId.get("ContainerList")?.ergonomic).toContain("Containers.list")
    expect(byId.get("ContainerAttachWebsocket")?.api).toBe("containerAttachWebsocket")
    // the note that went stale once: Api.configCreate decodes the daemon's {"ID"} since the generator's override
    expect(committed(documentFile)).not.toContain("cannot decode")
  })

  it("a change of what ran or of the notes changes the document, and a gap without a reason is a problem", () => {
    const { exercised, markdown } = renderCommitted(root)
    const { ContainerList: _, ...rest } = exercised.operations
    const without: Exercised = { ...exercised, operations: rest }
    const rows = rowsOf(without, root)
    expect(render(rows, without)).not.toBe(markdown)
    expect(problemsOf(rows, without)).toEqual(["ContainerList: not exercised, no reason"])
    const stale: Exercised = { ...exercised, operations: { ...exercised.operations, NoSuchOperation: [200] } }
    expect(problemsOf(rowsOf(stale, root), stale)).toEqual([`${exercisedFile}: NoSuchOperation: no such operation`])
    // every note names an operation, so a renamed operation cannot leave its note behind unseen
    expect(Object.keys(NOTES).filter((id) => !operations.some((op) => op.id === id))).toEqual([])
  })
})
