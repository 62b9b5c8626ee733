/**
 * A small RFC 4180 CSV reader for the balance imports: fields separated by commas, records by
 * LF, CRLF or CR; a field in double quotes may hold commas, line breaks and doubled quotes
 * (`""` is one `"`). A leading UTF-8 byte-order mark is dropped. Each record carries the line
 * its first character is on (1-based), so a refusal can name it even when quoted fields span
 * lines. Blank lines are skipped.
 */
export type CsvRecord = { line: number; fields: string[] }

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string
  ) {
    super(`line ${line}: ${message}`)
    this.name = "CsvSyntaxError"
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  const n = text.length
  while (i < n) {
    const start = line
    const fields: string[] = []
    // one record
    for (;;) {
      let value = ""
      if (text[i] === '"') {
        i++
        for (;;) {
          if (i >= n) {
            throw new CsvSyntaxError(start, "a quoted field is not closed")
          }
          const c = text[i]
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"'
              i += 2
              continue
            }
            i++
            break
          }
          if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++
          value += c
          i++
        }
        if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          throw new CsvSyntaxError(line, "characters after a closing quote (a quote inside a field must be doubled)")
        }
      } else {
        const from = i
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"') {
            throw new CsvSyntaxError(line, "a quote inside an unquoted field (quote the whole field and double the quote)")
          }
          i++
        }
        value = text.slice(from, i)
      }
      fields.push(value)
      if (i < n && text[i] === ",") {
        i++
        continue
      }
      // end of record: a line break or the end of the text
      if (text[i] === "\r") i++
      if (text[i] === "\n") i++
      line++
      break
    }
    if (!(fields.length === 1 && fields[0] === "")) {
      records.push({ line: start, fields })
    }
  }
  return records
}
