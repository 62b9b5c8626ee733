import { CsvSyntaxError, parseCsv } from "../csv-parse"

describe("parseCsv", () => {
  it("reads plain records with LF, CRLF and CR, skipping blank lines", () => {
    expect(parseCsv("a,b\n1,2\r\n\r\n3,4\r5,\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 4, fields: ["3", "4"] },
      { line: 5, fields: ["5", ""] },
    ])
  })

  it("reads quoted fields with commas, doubled quotes and line breaks, and counts lines across them", () => {
    const text = 'code,note\r\n"AB,CD","say ""hi"""\r\n"X","two\r\nlines"\r\nlast,"a\nb"'
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ["code", "note"] },
      { line: 2, fields: ["AB,CD", 'say "hi"'] },
      { line: 3, fields: ["X", "two\r\nlines"] },
      { line: 5, fields: ["last", "a\nb"] },
    ])
  })

  it("keeps empty fields and a last record without a line break; drops a BOM", () => {
    expect(parseCsv("\uFEFFa,,c")).toEqual([{ line: 1, fields: ["a", "", "c"] }])
    expect(parseCsv('"",x')).toEqual([{ line: 1, fields: ["", "x"] }])
    expect(parseCsv("")).toEqual([])
  })

  it("refuses an unclosed quote, text after a closing quote and a stray quote, naming the line", () => {
    expect(() => parseCsv('a\n"open,b\nc')).toThrow(CsvSyntaxError)
    expect(() => parseCsv('a\n"open,b\nc')).toThrow(/line 2/)
    expect(() => parseCsv('a\n"x"y,b')).toThrow(/line 2: characters after a closing quote/)
    expect(() => parseCsv('a\nb"c')).toThrow(/line 2: a quote inside an unquoted field/)
  })
})
