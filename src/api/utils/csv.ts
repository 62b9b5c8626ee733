import type { MedusaResponse } from "@medusajs/framework/http"

/** The most rows a CSV download holds; the answer says when the list was longer. */
export const CSV_MAX_ROWS = 10_000

export type CsvColumn<T> = [header: string, value: (row: T) => unknown]

function cell(value: unknown): string {
  if (value === null || value === undefined) return ""
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value)
  // A spreadsheet runs a cell starting with = + - @ as a formula: text that is not a
  // plain number is defused with a leading apostrophe (amounts like -4.00 stay numbers).
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) {
    text = `'${text}`
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** RFC 4180 text: a header line, then one line per row, CRLF line ends. */
export function toCsv<T>(columns: CsvColumn<T>[], rows: T[]): string {
  const lines = [columns.map(([header]) => cell(header)).join(",")]
  for (const row of rows) {
    lines.push(columns.map(([, value]) => cell(value(row))).join(","))
  }
  return lines.join("\r\n") + "\r\n"
}

/**
 * Sends rows as a CSV attachment named `<name>-<date>.csv`. `X-Total-Count` says how many
 * rows matched; `X-Truncated: true` that only the first CSV_MAX_ROWS were sent.
 */
export function sendCsv<T>(res: MedusaResponse, name: string, columns: CsvColumn<T>[], rows: T[], total: number) {
  const day = new Date().toISOString().slice(0, 10)
  res.setHeader("Content-Type", "text/csv; charset=utf-8")
  res.setHeader("Content-Disposition", `attachment; filename="${name}-${day}.csv"`)
  res.setHeader("X-Total-Count", String(total))
  res.setHeader("X-Truncated", String(total > rows.length))
  res.status(200).send(toCsv(columns, rows))
}
