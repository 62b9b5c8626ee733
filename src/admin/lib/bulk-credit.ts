import { chunk, parseCsv, sumDecimals, toCsv } from "./csv"

/** Rows a file may have; the server takes them 500 at a time. */
export const BULK_CREDIT_MAX_FILE_ROWS = 10_000
export const BULK_CREDIT_CHUNK = 500

/** One row of a bulk credit file, as the route takes it, with its currency. */
export type BulkCreditFileRow = {
  /** the line of the file (the header is line 1) */
  line: number
  email?: string
  customer_id?: string
  account_id?: string
  amount: string
  note?: string
  currency_code: string
  /** a problem found before asking the server (the row is not sent) */
  error?: { code: string; message: string }
}

export type BulkCreditFile = { rows: BulkCreditFileRow[]; problem: string | null }

const HEADERS: Record<string, keyof BulkCreditFileRow | "currency"> = {
  email: "email",
  "e-mail": "email",
  customer_email: "email",
  customer_id: "customer_id",
  account_id: "account_id",
  account: "account_id",
  amount: "amount",
  value: "amount",
  note: "note",
  description: "note",
  currency: "currency",
  currency_code: "currency",
}

const ID = /^[A-Za-z0-9_-]{1,100}$/
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/
const CONTROL_EXCEPT_NEWLINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]/

/**
 * Reads a bulk credit file: a header row naming `email` (or `customer_id`) or `account_id`,
 * `amount`, optionally `note` and `currency`; then one credit a row. A row without a
 * currency takes `currency` (the form's). Values the route would refuse outright (an id of
 * the wrong shape, text too long) are marked here, so one such row does not refuse its
 * whole chunk; everything else (unknown emails, amounts) is the server's dry run to judge.
 */
export function readBulkCreditFile(text: string, currency: string): BulkCreditFile {
  const records = parseCsv(text)
  if (!records.length) return { rows: [], problem: "The file is empty." }
  const [header, ...body] = records
  const columns = header.cells.map((h) => HEADERS[h.trim().toLowerCase()] ?? null)
  if (!columns.includes("amount")) {
    return { rows: [], problem: "The first line must name the columns, with an amount column (email or account_id, amount, note)." }
  }
  if (!columns.some((c) => c === "email" || c === "account_id" || c === "customer_id")) {
    return { rows: [], problem: "The file needs an email or an account_id column." }
  }
  if (body.length > BULK_CREDIT_MAX_FILE_ROWS) {
    return { rows: [], problem: `The file has ${body.length.toLocaleString()} rows; at most ${BULK_CREDIT_MAX_FILE_ROWS.toLocaleString()} at a time.` }
  }
  if (!body.length) return { rows: [], problem: "The file has a header but no rows." }
  const rows = body.map(({ line, cells }) => {
    const value = (name: string) => {
      const i = columns.indexOf(name as any)
      return i < 0 ? "" : (cells[i] ?? "").trim()
    }
    const row: BulkCreditFileRow = { line, amount: value("amount"), currency_code: (value("currency") || currency).toLowerCase() }
    for (const name of ["email", "customer_id", "account_id", "note"] as const) {
      const v = value(name)
      if (v) row[name] = v
    }
    row.error = problemOf(row) ?? undefined
    return row
  })
  return { rows, problem: null }
}

function problemOf(row: BulkCreditFileRow): { code: string; message: string } | null {
  const bad = (message: string) => ({ code: "invalid_request", message })
  if (!/^[a-z]{3}$/.test(row.currency_code)) return { code: "invalid_currency", message: "No currency: choose one in the form or fill the currency column." }
  const targets = [row.email, row.customer_id, row.account_id].filter(Boolean)
  if (targets.length !== 1) return bad("A row names exactly one of email, customer_id or account_id.")
  if (row.customer_id && !ID.test(row.customer_id)) return bad("The customer id is not an id.")
  if (row.account_id && !ID.test(row.account_id)) return bad("The account id is not an id.")
  if (row.email && (row.email.length > 320 || CONTROL.test(row.email))) return bad("The email is not valid.")
  if (!row.amount) return { code: "invalid_amount", message: "The amount is missing." }
  if (row.amount.length > 40) return { code: "invalid_amount", message: "The amount is not an amount." }
  if (row.note && (row.note.length > 1000 || CONTROL_EXCEPT_NEWLINES.test(row.note))) return bad("The note is longer than 1,000 characters or has control characters.")
  return null
}

/** A row's verdict, from the dry run, the posting, or the file itself. */
export type BulkCreditVerdict = {
  ok: boolean
  account_id?: string | null
  customer_id?: string | null
  email?: string | null
  amount?: string
  replayed?: boolean
  transfer?: { id: string; reference: string }
  error?: { code: string; message: string }
}

/** What the route answers (POST /admin/accounts/bulk-credit). */
export type BulkCreditResponse = {
  dry_run: boolean
  ok: boolean
  failed_index: number | null
  counts: { ok: number; failed: number; replayed: number }
  results: ({ index: number; line: number | null } & BulkCreditVerdict)[]
}

/** The requests for these rows: per currency, at most BULK_CREDIT_CHUNK rows each; `rows` are indexes into `all`. */
export function bulkCreditChunks(all: BulkCreditFileRow[], indexes: number[]) {
  const byCurrency = new Map<string, number[]>()
  for (const i of indexes) byCurrency.set(all[i].currency_code, [...(byCurrency.get(all[i].currency_code) ?? []), i])
  return [...byCurrency.entries()].flatMap(([currency, rows]) => chunk(rows, BULK_CREDIT_CHUNK).map((part) => ({ currency, rows: part })))
}

/** A chunk's request body (rows with their lines; the currency is the request's). */
export function bulkCreditBody(all: BulkCreditFileRow[], rows: number[]) {
  return rows.map((i) => {
    const { line, email, customer_id, account_id, amount, note } = all[i]
    return { line, amount, ...(email ? { email } : {}), ...(customer_id ? { customer_id } : {}), ...(account_id ? { account_id } : {}), ...(note ? { note } : {}) }
  })
}

/** Totals per currency of the rows that are fine. */
export function bulkCreditTotals(rows: BulkCreditFileRow[], verdicts: (BulkCreditVerdict | undefined)[]) {
  const totals = new Map<string, string[]>()
  rows.forEach((row, i) => {
    const v = verdicts[i]
    if (v?.ok) totals.set(row.currency_code, [...(totals.get(row.currency_code) ?? []), v.amount ?? row.amount])
  })
  return [...totals.entries()].map(([currency, amounts]) => ({ currency, count: amounts.length, total: sumDecimals(amounts) }))
}

/** The result file: one line per row of the uploaded file, in its order. */
export function bulkCreditResultCsv(rows: BulkCreditFileRow[], verdicts: (BulkCreditVerdict & { status?: string })[]) {
  return toCsv(
    ["row", "email", "account_id", "amount", "currency", "status", "transfer_reference", "error_code", "error"],
    rows.map((row, i) => {
      const v = verdicts[i]
      return [
        row.line,
        v?.email ?? row.email ?? "",
        v?.account_id ?? row.account_id ?? "",
        v?.amount ?? row.amount,
        row.currency_code.toUpperCase(),
        v?.status ?? (v?.ok ? "credited" : "failed"),
        v?.transfer?.reference ?? "",
        v?.error?.code ?? "",
        v?.error?.message ?? "",
      ]
    })
  )
}
