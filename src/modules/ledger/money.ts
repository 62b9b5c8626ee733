import Decimal from "decimal.js"
import { LedgerError } from "./errors"

/** ISO 4217 minor units where they are not 2 (the SQL function ledger_currency_decimals mirrors this). */
const MINOR_UNITS: Record<string, number> = {
  bif: 0, clp: 0, djf: 0, gnf: 0, isk: 0, jpy: 0, kmf: 0, krw: 0, pyg: 0,
  rwf: 0, ugx: 0, uyi: 0, vnd: 0, vuv: 0, xaf: 0, xof: 0, xpf: 0,
  bhd: 3, iqd: 3, jod: 3, kwd: 3, lyd: 3, omr: 3, tnd: 3,
  clf: 4, uyw: 4,
}

/** Largest single amount or limit accepted: keeps numbers sane and JSON-safe. */
export const MAX_AMOUNT = new Decimal("1000000000000")

const MAX_DECIMALS = 4
const DECIMAL_RE = /^\d{1,15}(\.\d{1,8})?$/

export function normalizeCurrency(code: unknown): string {
  if (typeof code !== "string" || !/^[a-zA-Z]{3}$/.test(code)) {
    throw new LedgerError(
      "invalid_currency",
      `Currency must be a 3-letter ISO 4217 code, got ${JSON.stringify(code)}`
    )
  }
  return code.toLowerCase()
}

export function currencyDecimals(currency: string): number {
  return MINOR_UNITS[currency.toLowerCase()] ?? 2
}

/**
 * Parses a money amount given as a number or a plain decimal string. Rejects rather
 * than rounds: zero, negatives, NaN, Infinity, exponents, absurd sizes and more
 * decimals than the currency has. Without a currency (the posting functions know it
 * and check again) at most 4 decimals pass. Returns the canonical decimal string.
 */
export function parseAmount(
  value: unknown,
  currency: string | undefined,
  opts: { allowZero?: boolean; field?: string } = {}
): string {
  const field = opts.field ?? "amount"
  let text: string
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw invalid(field, value)
    }
    text = String(value)
  } else if (typeof value === "string") {
    text = value.trim()
  } else {
    throw invalid(field, value)
  }
  if (!DECIMAL_RE.test(text)) {
    throw invalid(field, value)
  }
  const amount = new Decimal(text)
  if (amount.isZero() ? !opts.allowZero : amount.isNegative()) {
    throw new LedgerError(
      "invalid_amount",
      `${field} must be ${opts.allowZero ? "zero or more" : "positive"}, got ${text}`
    )
  }
  if (amount.gt(MAX_AMOUNT)) {
    throw new LedgerError(
      "invalid_amount",
      `${field} ${text} is larger than the maximum ${MAX_AMOUNT.toFixed()}`
    )
  }
  const decimals = currency ? currencyDecimals(currency) : MAX_DECIMALS
  if (amount.decimalPlaces() > decimals) {
    throw new LedgerError(
      "invalid_amount",
      currency
        ? `${field} ${text} has more decimals than ${currency.toUpperCase()} allows (${decimals})`
        : `${field} ${text} has more than ${MAX_DECIMALS} decimals`
    )
  }
  return amount.toFixed()
}

function invalid(field: string, value: unknown) {
  let shown: string
  try {
    shown = typeof value === "bigint" ? `${value}n` : String(JSON.stringify(value))
  } catch {
    shown = typeof value
  }
  return new LedgerError(
    "invalid_amount",
    `${field} must be a positive decimal number (e.g. 12.5 or "12.50"), got ${shown}`
  )
}

/** Money read back from PostgreSQL `numeric` (a string) or a BigNumber-ish value. */
export function toDecimal(value: unknown): Decimal {
  if (value === null || value === undefined) {
    return new Decimal(0)
  }
  if (typeof value === "object" && value !== null) {
    const v = value as any
    if (v.value !== undefined) return new Decimal(v.value)
    if (v.raw?.value !== undefined) return new Decimal(v.raw.value)
    if (typeof v.numeric === "number") return new Decimal(v.numeric)
    if (typeof v.toString === "function") return new Decimal(v.toString())
  }
  return new Decimal(value as string | number)
}

/**
 * Money as the ledger returns it: an exact decimal string with the currency's decimals
 * ("12.50", "1000" JPY, "999999999999.9997" CLF). JSON numbers are doubles, which cannot
 * hold every amount the ledger accepts (16 significant digits and more), so the ledger's
 * own API never turns money into a number. Without a currency: the shortest exact form.
 */
export function formatAmount(value: unknown, currency?: string | null): string {
  const d = toDecimal(value)
  if (!currency) {
    return d.toFixed()
  }
  const decimals = currencyDecimals(currency)
  // Never round: a value with more decimals than the currency (none should exist) shows them all.
  return d.toFixed(Math.max(decimals, d.decimalPlaces()))
}

export function formatNullableAmount(value: unknown, currency?: string | null): string | null {
  return value === null || value === undefined ? null : formatAmount(value, currency)
}
