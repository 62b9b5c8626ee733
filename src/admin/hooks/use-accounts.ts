import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { ledgerFetch, newIdempotencyKey } from "../lib/api"
import type { Account, AccountType, Hold, Lot, Page, StatementLine } from "../lib/types"
import { ledgerKeys } from "./query-keys"

export type AccountListQuery = Record<string, string | number | boolean | string[] | undefined>

export function useAccounts(query: AccountListQuery, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ledgerKeys.accounts(query),
    queryFn: () => ledgerFetch<{ accounts: Account[] } & Page>("/admin/accounts", { query }),
    placeholderData: (previous) => previous,
    ...options,
  })
}

export function useAccount(id: string) {
  return useQuery({
    queryKey: ledgerKeys.account(id),
    queryFn: () => ledgerFetch<{ account: Account }>(`/admin/accounts/${id}`),
  })
}

export function useStatement(id: string, query: { limit: number; offset: number; from?: string; to?: string }) {
  return useQuery({
    queryKey: [...ledgerKeys.account(id), "entries", query],
    queryFn: () => ledgerFetch<{ entries: StatementLine[] } & Page>(`/admin/accounts/${id}/entries`, { query }),
    placeholderData: (previous) => previous,
  })
}

export function useHolds(id: string) {
  return useQuery({
    queryKey: [...ledgerKeys.account(id), "holds"],
    queryFn: () => ledgerFetch<{ holds: Hold[] }>(`/admin/accounts/${id}/holds`, { query: { status: "open" } }),
  })
}

/** The account's lots, every status, in the order they are spent. */
export function useLots(id: string) {
  return useQuery({
    queryKey: [...ledgerKeys.account(id), "lots"],
    queryFn: () =>
      ledgerFetch<{ lots: Lot[]; count: number; next_expiring: { amount: string; expires_at: string } | null }>(`/admin/accounts/${id}/lots`, {
        query: { status: "all", limit: 100 },
      }),
  })
}

export function useBalanceHistory(id: string, query: { from?: string; to?: string; points?: number } = {}) {
  return useQuery({
    queryKey: [...ledgerKeys.account(id), "history", query],
    queryFn: () => ledgerFetch<{ points: { at: string; balance: string }[] }>(`/admin/accounts/${id}/balance-history`, { query: { points: 60, ...query } }),
  })
}

export function useAccountOrders(id: string) {
  return useQuery({
    queryKey: [...ledgerKeys.account(id), "orders"],
    queryFn: () =>
      ledgerFetch<{
        orders: { order_id: string; paid: string; refunded: string; net: string; last_paid_at: string; order: { id: string; display_id?: number; email?: string; created_at?: string } | null }[]
      }>(
        `/admin/accounts/${id}/orders`
      ),
  })
}

export function useAccountTypes() {
  return useQuery({
    queryKey: ledgerKeys.settings("account-types"),
    queryFn: () => ledgerFetch<{ account_types: AccountType[] }>("/admin/account-types", { query: { limit: 500 } }),
    staleTime: 60_000,
  })
}

/** A POST to one of the ledger's routes that refreshes every ledger view when it lands. */
export function useLedgerPost<TBody extends Record<string, unknown>, TResult = unknown>(path: string | ((body: TBody) => string)) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: TBody) => {
      // `__path` lets one mutation serve several routes (freeze/thaw/close); it is not sent.
      const { __path, ...rest } = body as Record<string, unknown>
      return ledgerFetch<TResult>(typeof path === "string" ? path : path(body), { method: "POST", body: rest })
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ledgerKeys.all }),
  })
}

/**
 * One idempotency key per opened form: a resubmission after a timeout or a double click
 * replays the first posting instead of moving money twice. `renew` after a success.
 */
export function useIdempotencyKey(prefix: string): [string, () => void] {
  const [key, setKey] = useState(() => newIdempotencyKey(prefix))
  return [key, () => setKey(newIdempotencyKey(prefix))]
}
