import Decimal from "decimal.js"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { normalizeCode } from "../../modules/ledger/codes"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import { CsvSyntaxError, parseCsv } from "./csv-parse"
import { ImportError, ImportItem, ImportKind } from "./types"

/**
 * The CSV import's columns (header row required, any order, case ignored):
 *
 * | column | required | meaning |
 * |---|---|---|
 * | `code` | gift cards; store credit without `customer_email` | the code shoppers type; case, dashes and spaces ignored |
 * | `currency` | yes | ISO 4217, 3 letters |
 * | `balance` | yes | what is left, a plain decimal in the major unit (`12.50`); `0` opens an empty account |
 * | `expiry` | no | `YYYY-MM-DD` (valid through that day, UTC) or an ISO 8601 date-time with a zone |
 * | `customer_email` | no | the owner; a store-credit row without `code` becomes the customer's wallet |
 * | `type` | yes | `gift_card` (opened from `@bank`) or `store_credit` (from `@unpaid_source`) |
 *
 * Keys: `import:csv:<normalized code>`, or `import:csv:wallet:<email>:<currency>` for a
 * wallet without a code.
 */
export const CSV_COLUMNS = ["code", "currency", "balance", "expiry", "customer_email", "type"] as const
const REQUIRED = ["currency", "balance", "type"]
export const MAX_CSV_ROWS = 100_000
const EMAIL = /^[^\s@",]{1,64}@[^\s@",]{1,190}$/
const AMOUNT = /^\d{1,15}(\.\d{1,8})?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/

type Row = { line: number; values: Record<string, string> }

function parseExpiry(text: string): string | null | undefined {
  if (!text) return null
  const d = DATE.exec(text)
  if (d) {
    const date = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], 23, 59, 59, 999))
    // 2025-02-30 does not exist
    if (date.getUTCFullYear() !== +d[1] || date.getUTCMonth() !== +d[2] - 1 || date.getUTCDate() !== +d[3]) return undefined
    return date.toISOString()
  }
  if (DATE_TIME.test(text)) {
    const date = new Date(text)
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
  }
  return undefined
}

/** The rows of the file, or an ImportError for a file that cannot be read at all. */
export function readCsvRows(text: string): { header: string[]; rows: Row[] } {
  let records
  try {
    records = parseCsv(text)
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ImportError("invalid_csv", `The CSV cannot be read: ${e.message}`, 400, "invalid_data")
    throw e
  }
  if (!records.length) throw new ImportError("invalid_csv", "The CSV is empty: it needs a header row", 400, "invalid_data")
  const header = records[0].fields.map((h) => h.trim().toLowerCase())
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h))
  const missing = REQUIRED.filter((h) => !header.includes(h))
  const repeated = header.filter((h, i) => header.indexOf(h) !== i)
  if (unknown.length || missing.length || repeated.length) {
    throw new ImportError(
      "invalid_csv",
      `The header row must name the columns ${CSV_COLUMNS.join(", ")} (${REQUIRED.join(", ")} required, any order)` +
        (unknown.length ? `; unknown: ${unknown.join(", ")}` : "") +
        (missing.length ? `; missing: ${missing.join(", ")}` : "") +
        (repeated.length ? `; repeated: ${[...new Set(repeated)].join(", ")}` : ""),
      400,
      "invalid_data"
    )
  }
  if (records.length - 1 > MAX_CSV_ROWS) {
    throw new ImportError("import_too_large", `At most ${MAX_CSV_ROWS} rows an import (this file has ${records.length - 1})`, 413, "invalid_data")
  }
  const rows = records.slice(1).map((r) => ({
    line: r.line,
    values: r.fields.length === header.length ? Object.fromEntries(header.map((h, i) => [h, r.fields[i].trim()])) : { __count: String(r.fields.length) },
  }))
  return { header, rows }
}

/**
 * Maps the rows onto ledger account creations. Refusals name the line and the reason; the
 * owners are looked up by email (Query, 1,000 emails a query).
 */
export async function readCsvItems(container: any, text: string): Promise<{ items: ImportItem[]; notes: string[] }> {
  const { header, rows } = readCsvRows(text)
  const items: ImportItem[] = []
  const codes = new Map<string, number>()
  const wallets = new Map<string, number>()
  const emails = new Set<string>()
  for (const { line, values } of rows) {
    const refuse = (code: string, message: string): void => {
      items.push({
        ref: `line ${line}`,
        line,
        kind: values.type === "gift_card" ? "gift_card" : "store_credit",
        currency_code: (values.currency ?? "").toLowerCase(),
        balance: AMOUNT.test(values.balance ?? "") ? values.balance : "",
        input: { name: "", currency_code: "", idempotency_key: "" },
        error: { code, message },
      })
    }
    if (values.__count !== undefined) {
      refuse("invalid_row", `The row has ${values.__count} field(s), the header ${header.length}`)
      continue
    }
    const type = values.type as ImportKind
    if (type !== "gift_card" && type !== "store_credit") {
      refuse("invalid_type", `type must be gift_card or store_credit, got ${JSON.stringify(values.type ?? "")}`)
      continue
    }
    const currency = values.currency ?? ""
    if (!/^[A-Za-z]{3}$/.test(currency)) {
      refuse("invalid_currency", `currency must be a 3-letter ISO 4217 code, got ${JSON.stringify(currency)}`)
      continue
    }
    const balance = values.balance ?? ""
    if (!AMOUNT.test(balance)) {
      refuse("invalid_amount", `balance must be a plain decimal such as 12.50 (no sign, symbol or thousands separator), got ${JSON.stringify(balance)}`)
      continue
    }
    const expiry = parseExpiry(values.expiry ?? "")
    if (expiry === undefined) {
      refuse("invalid_expiry", `expiry must be a date (YYYY-MM-DD) or an ISO 8601 date-time with a zone, got ${JSON.stringify(values.expiry)}`)
      continue
    }
    const email = (values.customer_email ?? "").toLowerCase()
    if (email && !EMAIL.test(email)) {
      refuse("invalid_email", `customer_email is not an email address: ${JSON.stringify(values.customer_email)}`)
      continue
    }
    const rawCode = values.code ?? ""
    let code: string | null = null
    if (rawCode) {
      try {
        code = normalizeCode(rawCode)
      } catch (e: any) {
        refuse("invalid_code", e.message)
        continue
      }
    }
    if (!code && type === "gift_card") {
      refuse("missing_code", "a gift_card row needs a code")
      continue
    }
    if (!code && !email) {
      refuse("missing_owner", "a store_credit row needs a code or a customer_email")
      continue
    }
    const cur = currency.toLowerCase()
    if (code) {
      const first = codes.get(code)
      if (first !== undefined) {
        refuse("duplicate_code", `code ${rawCode} is also on line ${first} (codes are compared without case, dashes or spaces)`)
        continue
      }
      codes.set(code, line)
    } else {
      const first = wallets.get(`${email}:${cur}`)
      if (first !== undefined) {
        refuse("duplicate_wallet", `the ${cur.toUpperCase()} wallet of ${email} is also on line ${first}`)
        continue
      }
      wallets.set(`${email}:${cur}`, line)
    }
    if (email) {
      emails.add(email)
      // as typed too: a customer module that kept an address's case finds it
      emails.add(values.customer_email)
    }
    const isZero = new Decimal(balance).isZero()
    items.push({
      ref: `line ${line}`,
      line,
      kind: type,
      currency_code: cur,
      balance: new Decimal(balance).toFixed(),
      input: {
        name: type === "gift_card" ? "Gift card" : "Store credit",
        currency_code: cur,
        type_id: typeId(type === "gift_card" ? TYPE_CODES.giftCards : TYPE_CODES.storeCredit),
        ...(code ? { code } : {}),
        end_date: expiry,
        ...(isZero ? {} : { initial_amount: balance }),
        source_account_id: type === "gift_card" ? "@bank" : "@unpaid_source",
        metadata: { imported_from: "csv", ...(email ? { customer_email: email } : {}) },
        idempotency_key: code ? `import:csv:${code}` : `import:csv:wallet:${email}:${cur}`,
      },
    })
  }

  // owners by email: a registered customer before a guest with the same email
  const customers = new Map<string, { id: string; has_account: boolean }>()
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const all = [...emails]
  for (let n = 0; n < all.length; n += 1000) {
    const { data } = await query.graph({
      entity: "customer",
      fields: ["id", "email", "has_account"],
      filters: { email: all.slice(n, n + 1000) },
    })
    for (const c of data as any[]) {
      const email = String(c.email).toLowerCase()
      const known = customers.get(email)
      if (!known || (!known.has_account && c.has_account)) customers.set(email, { id: c.id, has_account: !!c.has_account })
    }
  }
  for (const item of items) {
    if (item.error) continue
    const email = (item.input.metadata as any)?.customer_email
    if (!email) continue
    const customer = customers.get(email)
    if (!customer) {
      item.error = { code: "customer_not_found", message: `No customer has the email ${email}` }
    } else {
      item.input.customer_id = customer.id
    }
  }
  return { items, notes: [] }
}
