import { useQuery } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import type { Page, Transfer } from "../lib/types"
import { ledgerKeys } from "./query-keys"

export function useTransfers(query: Record<string, string | number | boolean | string[] | undefined>) {
  return useQuery({
    queryKey: ledgerKeys.transfers(query),
    queryFn: () => ledgerFetch<{ transfers: Transfer[] } & Page>("/admin/transfers", { query }),
    placeholderData: (previous) => previous,
  })
}

export function useTransfer(reference: string) {
  return useQuery({
    queryKey: ledgerKeys.transfer(reference),
    queryFn: () => ledgerFetch<{ transfer: Transfer }>(`/admin/transfers/${encodeURIComponent(reference)}`),
  })
}
