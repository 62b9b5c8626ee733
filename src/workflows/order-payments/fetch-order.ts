import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LedgerError } from "../../modules/ledger/errors"

export const ACCOUNT_PROVIDER_PREFIX = "pp_account_"

const ORDER_FIELDS = [
  "id",
  "display_id",
  "currency_code",
  "customer_id",
  "customer.has_account",
  "email",
  "cart.id",
  // items.* : an order item's quantity comes from its detail, which only the full item loads
  "items.*",
  "credit_lines.*",
  "payment_collections.id",
  "payment_collections.amount",
  "payment_collections.payments.id",
  "payment_collections.payments.provider_id",
  "payment_collections.payments.data",
  "payment_collections.payments.amount",
  "payment_collections.payments.canceled_at",
  "payment_collections.payments.captures.id",
  "payment_collections.payments.captures.amount",
  "payment_collections.payments.captures.created_at",
  "payment_collections.payments.refunds.id",
  "payment_collections.payments.refunds.amount",
]

export type LedgerOrder = {
  id: string
  display_id?: number
  currency_code: string
  customer_id?: string | null
  customer?: { has_account?: boolean } | null
  email?: string | null
  cart?: { id: string } | null
  items?: any[]
  credit_lines?: any[]
  payment_collections?: any[]
}

export async function fetchLedgerOrder(container: any, orderId: string): Promise<LedgerOrder> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ORDER_FIELDS, filters: { id: orderId } })
  if (!data[0]) {
    throw new LedgerError("not_found", `Order ${orderId} not found`)
  }
  return data[0]
}

export const paymentsOf = (order: LedgerOrder) =>
  (order.payment_collections ?? []).flatMap((pc: any) => pc?.payments ?? []).filter(Boolean)

export const accountPaymentsOf = (order: LedgerOrder) =>
  paymentsOf(order).filter((p: any) => String(p.provider_id).startsWith(ACCOUNT_PROVIDER_PREFIX))

export const orderLabel = (order: LedgerOrder) => `Order #${order.display_id ?? order.id}`
