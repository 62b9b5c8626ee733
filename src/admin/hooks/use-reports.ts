import { useQuery } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import { ledgerKeys } from "./query-keys"

export function useReport<T>(kind: "deferred-income" | "profit-loss" | "trial-balance", query: Record<string, string | undefined>) {
  return useQuery({
    queryKey: ledgerKeys.reports(kind, query),
    queryFn: () => ledgerFetch<T>(`/admin/ledger/reports/${kind}`, { query }),
  })
}
