/**
 * Prints rows as a Markdown table (first row the header; first column left-aligned, the rest right-aligned), as the
 * benchmarks report their figures.
 */
export const printTable = (rows: ReadonlyArray<ReadonlyArray<string>>): void => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  for (const [i, row] of rows.entries()) {
    console.log(
      `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(" | ")} |`
    )
    if (i === 0) {
      console.log(`|${widths.map((w, c) => (c === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`)
    }
  }
}
