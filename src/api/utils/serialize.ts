import { formatAmount } from "../../modules/ledger/money"
import { availableOf } from "../../modules/ledger/sql"

const MONEY_FIELDS = ["credit_limit", "balance", "held", "amount", "balance_after", "captured_amount", "available", "source_balance", "destination_balance"]

function money(value: unknown, currency: string | undefined): string | null {
  if (value === null || value === undefined) return null
  return formatAmount(value, currency)
}

/**
 * Money fields as exact decimal strings in their currency (see formatAmount), raw_*
 * columns dropped, nested relations too (they inherit the currency of the row they hang on).
 */
export function serializeMoney<T extends Record<string, any>>(row: T, inherited?: string): T {
  const currency: string | undefined = typeof row.currency_code === "string" ? row.currency_code : inherited
  const out: Record<string, any> = {}
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith("raw_")) continue
    if (MONEY_FIELDS.includes(key)) out[key] = money(value, currency)
    else if (Array.isArray(value)) out[key] = value.map((v) => (v && typeof v === "object" && !(v instanceof Date) ? serializeMoney(v, currency) : v))
    else if (value && typeof value === "object" && !(value instanceof Date) && key !== "metadata") out[key] = serializeMoney(value, currency)
    else out[key] = value
  }
  return out as T
}

/** An account as the admin API returns it: with `available` (null = unlimited credit). */
export function serializeAccount<T extends Record<string, any>>(row: T): T & { available?: string | null } {
  const account: Record<string, any> = serializeMoney(row)
  if ("balance" in row && "held" in row && "credit_limit" in row) {
    account.available = availableOf(account as { balance: string; held: string; credit_limit: string | null; currency_code?: string })
  }
  return account as T & { available?: string | null }
}
