import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { TYPE_CODES, coreAccountId, typeId, type CoreRole } from "../../../modules/ledger/core"
import { LedgerError } from "../../../modules/ledger/errors"
import { formatAmount, normalizeCurrency, parseAmount } from "../../../modules/ledger/money"
import { resolveLedger } from "../../steps/resolve-ledger"

export type BulkCreditRowInput = {
  line?: number
  email?: string
  customer_id?: string
  account_id?: string
  amount: string | number
  note?: string
}

export type BulkCreditRowError = { code: string; message: string }

/** A row with its customer and account found; `error` says why it cannot be credited. */
export type ResolvedBulkCreditRow = {
  index: number
  line: number | null
  email: string | null
  customer_id: string | null
  /** the account credited: the one named, or the customer's wallet (null while it does not exist) */
  account_id: string | null
  /** the customer has no open wallet in the currency yet: one is opened when the credit is posted */
  wallet_missing: boolean
  /** the amount in the currency's decimals, or as given when it is no amount */
  amount: string
  note: string | null
  error: BulkCreditRowError | null
}

export type ResolveBulkCreditRowsInput = {
  currency_code: string
  source_account_id: "@unpaid_source" | "@bank"
  rows: BulkCreditRowInput[]
}

export type ResolvedBulkCredit = {
  currency_code: string
  source_id: string
  rows: ResolvedBulkCreditRow[]
}

const rowError = (code: string, message: string): BulkCreditRowError => ({ code, message })

function errorOf(e: unknown): BulkCreditRowError {
  if (e instanceof LedgerError) return rowError(e.code, e.message)
  throw e
}

/**
 * Finds, for each row of a bulk credit, whom it credits: a customer by email or id (and
 * their store-credit wallet in the currency, if they have one) or an account by id. Reads
 * only: a missing wallet is noted, not opened. Rows that cannot be credited get their error
 * (`customer_not_found`, `invalid_amount`, `not_found`, `currency_mismatch`, ...).
 */
export const resolveBulkCreditRowsStep = createStep(
  "resolve-bulk-credit-rows",
  async (input: ResolveBulkCreditRowsInput, { container }) => {
    const ledger = resolveLedger(container)
    const query = container.resolve(ContainerRegistrationKeys.QUERY)
    const currency = normalizeCurrency(input.currency_code)
    // The source, in the request's currency: never resolved from the credited account's.
    const role = input.source_account_id.slice(1) as CoreRole
    const source = await ledger.getCoreAccount(role, currency)

    const rows: ResolvedBulkCreditRow[] = input.rows.map((row, index) => {
      const targets = [row.email, row.customer_id, row.account_id].filter((t) => t !== undefined && t !== "")
      const resolved: ResolvedBulkCreditRow = {
        index,
        line: row.line ?? null,
        email: row.email?.trim() || null,
        customer_id: row.customer_id || null,
        account_id: row.account_id || null,
        wallet_missing: false,
        amount: String(row.amount),
        note: row.note?.trim() || null,
        error: null,
      }
      if (targets.length !== 1) {
        resolved.error = rowError("invalid_request", "A row names exactly one of email, customer_id or account_id")
        return resolved
      }
      try {
        resolved.amount = formatAmount(parseAmount(row.amount, currency), currency)
      } catch (e) {
        resolved.error = errorOf(e)
      }
      return resolved
    })

    // Customers by email (case ignored; a registered customer before a guest of the same
    // email, then the oldest) and by id, in one query each.
    const emails = [...new Set(rows.filter((r) => r.email).map((r) => r.email!))]
    const byEmail = new Map<string, { id: string; email: string }>()
    if (emails.length) {
      // Emails compare without case (Medusa keeps them as typed): ILIKE with the pattern
      // characters escaped, 200 emails a query.
      const data: any[] = []
      const lower = [...new Set(emails.map((e) => e.toLowerCase()))]
      for (let i = 0; i < lower.length; i += 200) {
        const part = lower.slice(i, i + 200)
        const { data: found } = await query.graph({
          entity: "customer",
          fields: ["id", "email", "has_account", "created_at"],
          filters: { $or: part.map((e) => ({ email: { $ilike: e.replace(/[\\%_]/g, (c) => `\\${c}`) } })) } as any,
        })
        data.push(...found)
      }
      const ranked = [...data].sort(
        (a: any, b: any) => Number(!!b.has_account) - Number(!!a.has_account) || new Date(a.created_at).getTime() - new Date(b.created_at).getTime()
      )
      for (const c of ranked as any[]) {
        const key = String(c.email).toLowerCase()
        if (!byEmail.has(key)) byEmail.set(key, { id: c.id, email: c.email })
      }
    }
    const customerIds = [...new Set(rows.filter((r) => r.customer_id && !r.email).map((r) => r.customer_id!))]
    const byId = new Map<string, { id: string; email: string | null }>()
    if (customerIds.length) {
      const { data } = await query.graph({ entity: "customer", fields: ["id", "email"], filters: { id: customerIds } })
      for (const c of data as any[]) byId.set(c.id, { id: c.id, email: c.email ?? null })
    }
    for (const row of rows) {
      if (row.email) {
        const customer = byEmail.get(row.email.toLowerCase())
        if (customer) row.customer_id = customer.id
        else row.error ??= rowError("customer_not_found", `No customer has the email ${row.email}`)
      } else if (row.customer_id) {
        const customer = byId.get(row.customer_id)
        if (customer) row.email = customer.email
        else row.error ??= rowError("customer_not_found", `Customer ${row.customer_id} not found`)
      }
    }

    // The customers' wallets, chosen as ensureWallet chooses: open before frozen, then the oldest.
    const walletOwners = [...new Set(rows.filter((r) => r.customer_id && !r.account_id).map((r) => r.customer_id!))]
    const wallets = new Map<string, string>()
    if (walletOwners.length) {
      const found: any[] = await ledger.listLedgerAccounts(
        { customer_id: walletOwners, currency_code: currency, type_id: typeId(TYPE_CODES.storeCredit), code: null, product_ids: null, status: ["open", "frozen"] },
        { select: ["id", "customer_id", "status", "created_at"], take: null }
      )
      found.sort((a, b) => Number(a.status === "frozen") - Number(b.status === "frozen") || new Date(a.created_at).getTime() - new Date(b.created_at).getTime())
      for (const w of found) if (!wallets.has(w.customer_id)) wallets.set(w.customer_id, w.id)
    }

    // Accounts named by id: they must exist, be in the currency and not be core accounts.
    const accountIds = [...new Set(rows.filter((r) => r.account_id).map((r) => r.account_id!))]
    const accounts = new Map<string, any>()
    if (accountIds.length) {
      const found: any[] = await ledger.listLedgerAccounts({ id: accountIds }, { select: ["id", "currency_code", "customer_id", "role"], take: null })
      for (const a of found) accounts.set(a.id, a)
    }

    for (const row of rows) {
      if (row.account_id) {
        const account = accounts.get(row.account_id)
        if (!account) {
          row.error ??= rowError("not_found", `Account ${row.account_id} not found`)
        } else if (account.role) {
          row.error ??= rowError("invalid_request", `Account ${row.account_id} is a core account of the ledger`)
        } else if (account.currency_code !== currency) {
          row.error ??= rowError("currency_mismatch", `Account ${row.account_id} is in ${account.currency_code.toUpperCase()}, not ${currency.toUpperCase()}`)
        } else {
          row.customer_id = account.customer_id ?? null
        }
      } else if (row.customer_id && !row.error) {
        row.account_id = wallets.get(row.customer_id) ?? null
        row.wallet_missing = !row.account_id
      }
    }
    return new StepResponse<ResolvedBulkCredit>({ currency_code: currency, source_id: source.id ?? coreAccountId(role, currency), rows })
  }
)
