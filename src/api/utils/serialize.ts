import { availableOf } from "../../modules/ledger/sql"

const MONEY_FIELDS = ["credit_limit", "balance", "held", "amount", "balance_after", "captured_amount"]

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null
  if (typeof value === "number") return value
  if (typeof value === "string") return Number(value)
  const v = value as any
  if (typeof v.numeric === "number") return v.numeric
  if (v.value !== undefined) return Number(v.value)
  return Number(String(v))
}

/** Money fields as JSON numbers, raw_* columns dropped, nested relations too. */
export function serializeMoney<T extends Record<string, any>>(row: T): T {
  const out: Record<string, any> = {}
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith("raw_")) continue
    if (MONEY_FIELDS.includes(key)) out[key] = num(value)
    else if (Array.isArray(value)) out[key] = value.map((v) => (v && typeof v === "object" && !(v instanceof Date) ? serializeMoney(v) : v))
    else if (value && typeof value === "object" && !(value instanceof Date) && key !== "metadata") out[key] = serializeMoney(value)
    else out[key] = value
  }
  return out as T
}

/** An account as the admin API returns it: with `available` (null = unlimited credit). */
export function serializeAccount<T extends Record<string, any>>(row: T): T & { available?: number | null } {
  const account: Record<string, any> = serializeMoney(row)
  if ("balance" in row && "held" in row && "credit_limit" in row) {
    account.available = availableOf(account as { balance: number; held: number; credit_limit: number | null })
  }
  return account as T & { available?: number | null }
}
