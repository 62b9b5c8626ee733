/** The report routes' answers (see src/modules/ledger/reports.ts). */
export type ReportCell = { balance: string; accounts: number }
export const EXPIRY_BUCKETS = ["expired", "d0_30", "d31_60", "d61_90", "d90_plus", "no_end_date"] as const
export type ExpiryBucket = (typeof EXPIRY_BUCKETS)[number]
export const BUCKET_LABELS: Record<ExpiryBucket, string> = {
  expired: "Expired",
  d0_30: "≤ 30 days",
  d31_60: "31–60 days",
  d61_90: "61–90 days",
  d90_plus: "> 90 days",
  no_end_date: "No end date",
}

export type DeferredIncomeRow = {
  account_type_id: string | null
  account_type_code: string | null
  name: string
  path: string
  balance: string
  accounts: number
  buckets: Record<ExpiryBucket, ReportCell>
}
export type DeferredIncomeReport = {
  as_of: string
  reports: { currency_code: string; rows: DeferredIncomeRow[]; totals: DeferredIncomeRow }[]
}

export type ProfitLossReport = {
  from: string
  to: string
  reports: { currency_code: string; lines: { key: string; label: string; amount: string; entries: number }[]; sum: string; change: string; balanced: boolean }[]
}

export type TrialBalanceReport = {
  as_of: string
  reports: {
    currency_code: string
    rows: { account_type_id: string; account_type_code: string; name: string; depth: number; balance: string; accounts: number; subtree_balance: string }[]
    total: string
    balanced: boolean
  }[]
}
