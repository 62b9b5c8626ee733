import { useQuery } from "@tanstack/react-query"
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
