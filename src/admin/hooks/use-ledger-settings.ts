import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import { ledgerKeys } from "./query-keys"

export interface VerifyCheck {
  name: string
  description: string
  ok: boolean
  count: number
  offending: Record<string, unknown>[]
}

export function useVerify() {
  return useQuery({
    queryKey: ledgerKeys.settings("verify"),
    queryFn: () => ledgerFetch<{ ok: boolean; checked_at: string; checks: VerifyCheck[] }>("/admin/ledger/verify"),
  })
}

export interface GuardClient {
  client: string
  consecutive_failures: number
  total_failures: number
  blocked: boolean
  blocked_until: string | null
  cooling: boolean
  cooling_until: string | null
  last_failure_at: string | null
}

export function useGuardClients() {
  return useQuery({
    queryKey: ledgerKeys.settings("code-guard"),
    queryFn: () => ledgerFetch<{ clients: GuardClient[] }>("/admin/ledger/code-guard/clients", { query: { limit: 50 } }),
  })
}

/** Something Medusa recorded that the ledger had not posted (see the reconciliation sweep). */
export interface ReconciliationGap {
  kind: string
  amount?: string
  account_id?: string
  hold_id?: string
  transfer_id?: string
  payment_id?: string
  capture_id?: string
  refund_id?: string
}

export interface ReconciliationFix {
  kind: "transfer" | "hold_released" | "gift_card_issued" | "gift_card_voided"
  reference?: string
  transfer_kind?: string
  amount?: string
  account_id?: string
  hold_id?: string
}

export interface ReconciliationReport {
  started_at: string
  finished_at: string
  days: number
  since: string
  checked: { orders: number; captures: number; refunds: number; canceled_orders: number }
  orders: {
    order_id: string
    display_id: number | null
    canceled: boolean
    missing: ReconciliationGap[]
    posted: ReconciliationFix[]
    remaining: ReconciliationGap[]
    error: string | null
  }[]
  fixed: number
  failed: number
  ok: boolean
}

export interface CheckRun<T> {
  id: string
  kind: "reconciliation" | "verify"
  ok: boolean
  started_at: string
  finished_at: string
  report: T
}

export interface LastChecks {
  reconciliation: CheckRun<ReconciliationReport> | null
  verify: CheckRun<{ ok: boolean; checked_at: string; checks: VerifyCheck[] }> | null
}

/** The last reconciliation sweep and the last scheduled verify() run. */
export function useLastChecks() {
  return useQuery({
    queryKey: ledgerKeys.settings("reconciliation"),
    queryFn: () => ledgerFetch<LastChecks>("/admin/ledger/reconciliation"),
  })
}

/** Runs the reconciliation sweep now; every ledger view refreshes (it may have posted). */
export function useRunReconciliation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: { days?: number } = {}) =>
      ledgerFetch<{ run: CheckRun<ReconciliationReport> }>("/admin/ledger/reconciliation", { method: "POST", body }),
    onSuccess: () => client.invalidateQueries({ queryKey: ledgerKeys.all }),
  })
}
