/**
 * The default chart of accounts and the core accounts every currency needs. Their ids
 * are deterministic so creating them is an idempotent INSERT, and core account ids
 * (`acc_sys_*`) sort after every generated id (`acc_0…`), which makes them the last
 * rows a posting locks.
 */
export const TYPE_CODES = {
  assets: "assets",
  cash: "assets.cash",
  unpaidSources: "assets.unpaid_sources",
  sales: "assets.sales",
  liabilities: "liabilities",
  deferredIncome: "liabilities.deferred_income",
  storeCredit: "liabilities.deferred_income.store_credit",
  giftCards: "liabilities.deferred_income.gift_cards",
  loyalty: "liabilities.deferred_income.loyalty",
  creditAccounts: "liabilities.deferred_income.credit_accounts",
} as const

export const DEFAULT_TYPES: { code: string; name: string; parent: string | null }[] = [
  { code: TYPE_CODES.assets, name: "Assets", parent: null },
  { code: TYPE_CODES.cash, name: "Cash", parent: TYPE_CODES.assets },
  { code: TYPE_CODES.unpaidSources, name: "Unpaid sources", parent: TYPE_CODES.assets },
  { code: TYPE_CODES.sales, name: "Sales", parent: TYPE_CODES.assets },
  { code: TYPE_CODES.liabilities, name: "Liabilities", parent: null },
  { code: TYPE_CODES.deferredIncome, name: "Deferred income", parent: TYPE_CODES.liabilities },
  { code: TYPE_CODES.storeCredit, name: "Store credit", parent: TYPE_CODES.deferredIncome },
  { code: TYPE_CODES.giftCards, name: "Gift cards", parent: TYPE_CODES.deferredIncome },
  { code: TYPE_CODES.loyalty, name: "Loyalty", parent: TYPE_CODES.deferredIncome },
  { code: TYPE_CODES.creditAccounts, name: "Credit accounts", parent: TYPE_CODES.deferredIncome },
]

export const CORE_ROLES = [
  "bank",
  "unpaid_source",
  "redemptions",
  "lapsed",
  "refunds_to_credit",
] as const
export type CoreRole = (typeof CORE_ROLES)[number]

export const DEFAULT_CORE_NAMES: Record<CoreRole, string> = {
  bank: "Bank",
  unpaid_source: "Unpaid source",
  redemptions: "Redemptions",
  lapsed: "Lapsed",
  refunds_to_credit: "Refunds to credit",
}

/** type code and credit limit (null = unlimited) of each core account */
export const CORE_ACCOUNTS: Record<CoreRole, { type: string; creditLimit: string | null }> = {
  bank: { type: TYPE_CODES.cash, creditLimit: null },
  unpaid_source: { type: TYPE_CODES.unpaidSources, creditLimit: null },
  redemptions: { type: TYPE_CODES.sales, creditLimit: "0" },
  lapsed: { type: TYPE_CODES.sales, creditLimit: "0" },
  refunds_to_credit: { type: TYPE_CODES.sales, creditLimit: null },
}

export function typeId(code: string): string {
  return `lat_${code.replace(/\./g, "_")}`
}

export function coreAccountId(role: CoreRole, currency: string): string {
  return `acc_sys_${currency.toLowerCase()}_${role}`
}
