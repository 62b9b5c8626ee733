import { useQuery } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import { ledgerKeys } from "./query-keys"

export interface OrderAccountMoney {
  currency_code: string
  accounts: {
    account: { id: string; name: string; code: string | null; type: { id: string; code: string; name: string } | null; currency_code: string; customer_id: string | null; status: string; balance: string }
    allocations: { credit_line_id: string; amount: string }[]
    /** out: money left the account for the order; in: it came back (refund, reversal) */
    transfers: { id: string; reference: string; kind: string; direction: "out" | "in"; amount: string; created_at: string; description: string | null; parent_reference: string | null }[]
    holds: { id: string; source: "allocation" | "payment"; amount: string; captured_amount: string; status: string; expires_at: string | null }[]
    paid: string
    refunded: string
    net: string
  }[]
  gift_cards_issued: { account_id: string; code_last4: string | null; line_item_id: string; amount: string; balance: string; status: string }[]
  refundable_to_account: string
  amount_due: string
  payable_accounts: { id: string; name: string; code: string | null; currency_code: string; available: string | null }[]
}

export function useOrderAccountMoney(orderId: string) {
  return useQuery({
    queryKey: ledgerKeys.order(orderId),
    queryFn: () => ledgerFetch<OrderAccountMoney>(`/admin/orders/${orderId}/account-money`),
  })
}
