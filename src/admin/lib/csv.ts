/**
 * CSV as spreadsheets write and read it (RFC 4180): fields separated by commas, quoted with
 * double quotes when they hold a comma, a quote or a line break, quotes doubled inside.
 */

export type CsvRecord = { line: number; cells: string[] }

/**
 * Parses CSV text into records, each with the line of the file it starts on (1-based; a
 * quoted field may span lines). A byte order mark is dropped; blank lines are skipped;
 * CRLF, LF and CR all end a record. Also takes semicolon-separated files (as some
 * spreadsheets export) when the first line has semicolons and no commas.
 */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.replace(/^\uFEFF/, "")
  const firstLine = src.split(/\r\n|\n|\r/, 1)[0] ?? ""
  const sep = !firstLine.includes(",") && firstLine.includes(";") ? ";" : ","
  const records: CsvRecord[] = []
  let cells: string[] = []
  let cell = ""
  let quoted = false
  let line = 1
  let startLine = 1
  let touched = false
  const endCell = () => {
    cells.push(cell)
    cell = ""
  }
  const endRecord = () => {
    endCell()
    if (touched || cells.some((c) => c !== "")) records.push({ line: startLine, cells })
    cells = []
    touched = false
  }
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"'
          i++
        } else {
          quoted = false
        }
      } else {
        if (ch === "\n" || (ch === "\r" && src[i + 1] !== "\n")) line++
        cell += ch
      }
      continue
    }
    if (ch === '"' && cell === "") {
      quoted = true
      touched = true
    } else if (ch === sep) {
      endCell()
      touched = true
    } else if (ch === "\r" || ch === "\n") {
      if (ch === "\r" && src[i + 1] === "\n") i++
      endRecord()
      line++
      startLine = line
    } else {
      cell += ch
    }
  }
  if (cell !== "" || cells.length || touched) endRecord()
  return records
}

/** A cell a spreadsheet would run as a formula (=, +, @, or - not starting a number) is kept as text. */
function neutralise(value: string): string {
  return /^[=+@\t\r]/.test(value) || /^-(?![\d.])/.test(value) ? `'${value}` : value
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** CSV text for a header and rows (CRLF line ends, as RFC 4180 has them). */
export function toCsv(header: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const render = (cells: (string | number | boolean | null | undefined)[]) =>
    cells.map((c) => quote(neutralise(c === null || c === undefined ? "" : String(c)))).join(",")
  return [render(header), ...rows.map(render)].join("\r\n") + "\r\n"
}

/** Saves text as a file in the browser (no server round trip). */
export function saveTextFile(name: string, text: string, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement("a")
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** `items` in consecutive slices of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The sum of exact decimal strings ("12.50", "3") as an exact decimal string, with as many
 * decimals as the most precise of them; no floating point. Anything else is skipped.
 */
export function sumDecimals(values: string[]): string {
  const parsed = values.filter((v) => /^\d+(\.\d+)?$/.test(v)).map((v) => v.split("."))
  const scale = Math.max(0, ...parsed.map(([, f]) => (f ?? "").length))
  const total = parsed.reduce((sum, [i, f = ""]) => sum + BigInt(i + f.padEnd(scale, "0")), BigInt(0))
  const digits = total.toString().padStart(scale + 1, "0")
  return scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits
}
