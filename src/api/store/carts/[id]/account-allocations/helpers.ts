import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { formatAmount } from "../../../../../modules/ledger/money"
import { ALLOCATION_REFERENCE } from "../../../../../workflows/allocations/allowance"

const CART_FIELDS = ["id", "currency_code", "total", "credit_line_total", "credit_lines.*"]

/** The cart as the storefront needs it after an allocation changed: totals and allocations. */
export async function allocationCart(container: MedusaContainer, cartId: string) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const {
    data: [cart],
  } = await query.graph({ entity: "cart", fields: CART_FIELDS, filters: { id: cartId } })
  return {
    ...cart,
    account_allocations: (cart.credit_lines ?? [])
      .filter((l: any) => l.reference === ALLOCATION_REFERENCE)
      .map((l: any) => presentAllocation(l, cart.currency_code)),
  }
}

/** An allocation as the ledger shows money: an exact decimal string (the cart's totals stay Medusa's numbers). */
export function presentAllocation(line: any, currency: string) {
  return {
    id: line.id,
    account_id: line.reference_id,
    amount: formatAmount(line.raw_amount ?? line.amount, currency),
    name: line.metadata?.account_name ?? null,
    code_hint: line.metadata?.code_hint ?? null,
  }
}
