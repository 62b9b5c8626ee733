import type { MedusaResponse } from "@medusajs/framework/http"
import {
  EXPIRY_BUCKETS,
  type DeferredIncomeReport,
  type ProfitLossReport,
  type TrialBalanceReport,
} from "../../../../modules/ledger/reports"

/**
 * The reports as CSV (RFC 4180: comma separated, CRLF, fields quoted when they hold a
 * comma, a quote or a line break). Money stays the exact decimal string of the JSON answer.
 * Text that a spreadsheet would run as a formula (a type name starting with =, +, -, @) is
 * prefixed with an apostrophe.
 */
type Cell = string | number | boolean | null | undefined

function field(value: Cell, text = false): string {
  let s = value === null || value === undefined ? "" : String(value)
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function csv(header: string[], rows: { cells: Cell[]; text?: number[] }[]): string {
  const lines = [header.join(",")]
  for (const { cells, text = [] } of rows) lines.push(cells.map((c, i) => field(c, text.includes(i))).join(","))
  return lines.join("\r\n") + "\r\n"
}

/** 2026-01-31T23:59:59.123456Z → 20260131T235959Z (file names) */
const compact = (iso: string) => iso.replace(/\.\d+/, "").replace(/[-:]/g, "")

const suffix = (currency?: string | null) => (currency ? `-${currency.toLowerCase()}` : "")

export function sendCsv(res: MedusaResponse, filename: string, body: string) {
  res.setHeader("content-type", "text/csv; charset=utf-8")
  res.setHeader("content-disposition", `attachment; filename="${filename}"`)
  res.status(200).send(body)
}

export function deferredIncomeCsv(report: DeferredIncomeReport, currency?: string | null) {
  const header = ["as_of", "currency_code", "account_type_id", "account_type_code", "path", "balance", "accounts"]
  for (const b of EXPIRY_BUCKETS) header.push(`${b}_balance`, `${b}_accounts`)
  const rows = report.reports.flatMap((r) =>
    [...r.rows, r.totals].map((row) => ({
      cells: [
        report.as_of,
        r.currency_code,
        row.account_type_id,
        row.account_type_code,
        row.path,
        row.balance,
        row.accounts,
        ...EXPIRY_BUCKETS.flatMap((b) => [row.buckets[b].balance, row.buckets[b].accounts]),
      ],
      text: [4],
    }))
  )
  return { filename: `deferred-income-${compact(report.as_of)}${suffix(currency)}.csv`, body: csv(header, rows) }
}

export function trialBalanceCsv(report: TrialBalanceReport, currency?: string | null) {
  const header = ["as_of", "currency_code", "account_type_id", "account_type_code", "path", "depth", "balance", "accounts", "subtree_balance"]
  const rows = report.reports.flatMap((r) => [
    ...r.rows.map((row) => ({
      cells: [report.as_of, r.currency_code, row.account_type_id, row.account_type_code, row.path, row.depth, row.balance, row.accounts, row.subtree_balance],
      text: [4],
    })),
    { cells: [report.as_of, r.currency_code, null, null, "Total", null, r.total, null, null] },
  ])
  return { filename: `trial-balance-${compact(report.as_of)}${suffix(currency)}.csv`, body: csv(header, rows) }
}

export function profitLossCsv(report: ProfitLossReport, currency?: string | null) {
  const header = ["from", "to", "currency_code", "line", "label", "amount", "entries"]
  const rows = report.reports.flatMap((r) => [
    ...r.lines.map((l) => ({ cells: [report.from, report.to, r.currency_code, l.key, l.label, l.amount, l.entries] })),
    { cells: [report.from, report.to, r.currency_code, "sum", "Sum of the lines", r.sum, null] },
    { cells: [report.from, report.to, r.currency_code, "change", "Change in deferred income", r.change, null] },
  ])
  return { filename: `profit-loss-${compact(report.from)}-${compact(report.to)}${suffix(currency)}.csv`, body: csv(header, rows) }
}
