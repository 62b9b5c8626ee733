import { useQuery } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import { ledgerKeys } from "./query-keys"

export interface OrderAccountMoney {
  currency_code: string
  accounts: {
    account: { id: string; name: string; code: string | null; type?: string | null; currency_code: string; customer_id: string | null }
    transfers: { reference: string; kind: string; amount: string; created_at: string; description: string | null; parent_reference?: string | null }[]
    holds: { id: string; amount: string; captured_amount: string; status: string; expires_at: string | null }[]
    paid: string
    refunded: string
    net: string
  }[]
  gift_cards_issued: { account_id: string; code_last4: string; amount: string; status: string }[]
  refundable_to_account: string
  amount_due: string
  payable_accounts: { id: string; name: string; currency_code: string; available: string | null }[]
}

export function useOrderAccountMoney(orderId: string) {
  return useQuery({
    queryKey: ledgerKeys.order(orderId),
    queryFn: () => ledgerFetch<OrderAccountMoney>(`/admin/orders/${orderId}/account-money`),
  })
}
