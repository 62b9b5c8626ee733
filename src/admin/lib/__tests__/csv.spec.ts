import { readBulkCreditFile, bulkCreditChunks, bulkCreditResultCsv, bulkCreditTotals } from "../bulk-credit"
import { chunk, parseCsv, sumDecimals, toCsv } from "../csv"

describe("admin CSV helpers", () => {
  it("parses quoted fields, doubled quotes, line breaks in quotes, CRLF and a BOM, with each record's line", () => {
    const text = '\uFEFFemail,amount,note\r\na@x.com,10,"Hello, ""friend"""\r\n\r\nb@x.com,2.5,"two\nlines"\nc@x.com,1,\n'
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ["email", "amount", "note"] },
      { line: 2, cells: ["a@x.com", "10", 'Hello, "friend"'] },
      { line: 4, cells: ["b@x.com", "2.5", "two\nlines"] },
      { line: 6, cells: ["c@x.com", "1", ""] },
    ])
    expect(parseCsv("email;amount\na@x.com;3")).toEqual([
      { line: 1, cells: ["email", "amount"] },
      { line: 2, cells: ["a@x.com", "3"] },
    ])
  })

  it("writes CSV that parses back, with formulas kept as text", () => {
    const csv = toCsv(["a", "b"], [["x,y", 'say "hi"'], ["=SUM(A1)", "-12.5"], [null, "line\nbreak"]])
    expect(csv).toBe('a,b\r\n"x,y","say ""hi"""\r\n\'=SUM(A1),-12.5\r\n,"line\nbreak"\r\n')
    expect(parseCsv(csv).map((r) => r.cells)).toEqual([["a", "b"], ["x,y", 'say "hi"'], ["'=SUM(A1)", "-12.5"], ["", "line\nbreak"]])
  })

  it("sums decimals exactly and chunks", () => {
    expect(sumDecimals(["0.10", "0.20", "3"])).toBe("3.30")
    expect(sumDecimals(["99999999999999999.99", "0.01"])).toBe("100000000000000000.00")
    expect(sumDecimals([])).toBe("0")
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
  })

  it("reads a bulk credit file: columns by name, the form's currency unless the row has one, file problems", () => {
    const file = readBulkCreditFile("Email,Amount,Note,Currency\nann@x.com,10,Promo,\nbob@x.com,5,,EUR\n,3,,\nacc bad,1,,\n", "usd")
    expect(file.problem).toBeNull()
    expect(file.rows.map((r) => [r.line, r.email, r.amount, r.currency_code, r.error?.code ?? null])).toEqual([
      [2, "ann@x.com", "10", "usd", null],
      [3, "bob@x.com", "5", "eur", null],
      [4, undefined, "3", "usd", "invalid_request"],
      [5, "acc bad", "1", "usd", null],
    ])
    const byId = readBulkCreditFile("account_id,amount\nacc 1,2\nacc_01,3\n", "")
    expect(byId.rows.map((r) => r.error?.code ?? null)).toEqual(["invalid_currency", "invalid_currency"])
    expect(readBulkCreditFile("", "usd").problem).toMatch(/empty/)
    expect(readBulkCreditFile("email,note\na@x.com,hi", "usd").problem).toMatch(/amount/)
    expect(readBulkCreditFile("amount\n1", "usd").problem).toMatch(/email or an account_id/)
  })

  it("splits rows into requests per currency and renders the result file", () => {
    const file = readBulkCreditFile(["email,amount,currency", ...Array.from({ length: 1201 }, (_, i) => `c${i}@x.com,1,${i % 2 ? "eur" : "usd"}`)].join("\n"), "usd")
    const chunks = bulkCreditChunks(file.rows, file.rows.map((_, i) => i))
    expect(chunks.map((c) => [c.currency, c.rows.length])).toEqual([["usd", 500], ["usd", 101], ["eur", 500], ["eur", 100]])
    const verdicts = file.rows.map((_, i) => (i === 0 ? { ok: false, error: { code: "customer_not_found", message: "No customer" } } : { ok: true, amount: "1.00", transfer: { id: "tr_1", reference: "R1" } }))
    expect(bulkCreditTotals(file.rows, verdicts)).toEqual([{ currency: "eur", count: 600, total: "600.00" }, { currency: "usd", count: 600, total: "600.00" }])
    const csv = bulkCreditResultCsv(file.rows.slice(0, 2), verdicts.slice(0, 2))
    expect(csv.split("\r\n").slice(0, 3)).toEqual([
      "row,email,account_id,amount,currency,status,transfer_reference,error_code,error",
      "2,c0@x.com,,1,USD,failed,,customer_not_found,No customer",
      "3,c1@x.com,,1.00,EUR,credited,R1,,",
    ])
  })
})
