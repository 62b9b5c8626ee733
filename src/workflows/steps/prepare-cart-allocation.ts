import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { LedgerError } from "../../modules/ledger/errors"
import { parseAmount } from "../../modules/ledger/money"
import { ALLOCATION_REFERENCE, AllocationCart, allowanceFor } from "../allocations/allowance"
import { resolveLedger } from "./resolve-ledger"

export type PrepareCartAllocationInput = {
  cart_id: string
  account_id?: string | null
  code?: string | null
  amount?: number | string | null
  /** the logged-in shopper; personal accounts are only theirs (or their members') */
  customer_id?: string | null
}

export const CART_ALLOCATION_FIELDS = [
  "id",
  "currency_code",
  "completed_at",
  "total",
  "shipping_total",
  "items.id",
  "items.product_id",
  "items.total",
  "credit_lines.*",
]

export async function fetchAllocationCart(container: any, cartId: string): Promise<AllocationCart & { completed_at?: Date | null }> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: CART_ALLOCATION_FIELDS, filters: { id: cartId } })
  if (!data[0]) {
    throw new LedgerError("not_found", `Cart ${cartId} not found`)
  }
  return data[0]
}

/**
 * Checks that the shopper may apply this account to the cart and works out the amount:
 * the one asked for, or by default all the account may pay. Returns the credit line to
 * create and the ones (this account's earlier allocation) it replaces.
 */
export const prepareCartAllocationStep = createStep(
  "prepare-cart-allocation",
  async (input: PrepareCartAllocationInput, { container }) => {
    const ledger = resolveLedger(container)
    const cart = await fetchAllocationCart(container, input.cart_id)
    if (cart.completed_at) {
      throw new LedgerError("invalid_request", `Cart ${cart.id} is already completed`)
    }
    const account = await ledger.resolvePayingAccount({
      account_id: input.account_id,
      code: input.code,
      customer_id: input.customer_id,
      currency_code: cart.currency_code,
    })
    const allowance = allowanceFor(account, cart)
    const asked = input.amount === undefined || input.amount === null ? null : parseAmount(input.amount, account.currency_code)
    if (allowance.max.lte(0) || (asked !== null && allowance.max.lt(asked))) {
      const why = {
        balance: ["insufficient_funds", "the account's available balance"],
        products: ["amount_too_high", "the products and shipping this account may pay for"],
        cart_total: ["amount_too_high", "what the cart still owes"],
      }[allowance.limitedBy] as ["insufficient_funds" | "amount_too_high", string]
      throw new LedgerError(why[0], `This account may pay at most ${allowance.max.toFixed()} of this cart (${why[1]})`)
    }
    const amount = asked ?? allowance.max.toFixed()
    return new StepResponse({
      credit_line: {
        cart_id: cart.id,
        amount,
        reference: ALLOCATION_REFERENCE,
        reference_id: account.id,
        metadata: {
          account_name: account.name,
          // Shown to the shopper who applied it; never the whole code.
          code_hint: account.code ? `…${account.code.slice(-4)}` : null,
          via: input.code ? "code" : "account",
        },
      },
      replaces: allowance.replaces,
      account_id: account.id,
    })
  }
)
