import { refreshCartItemsWorkflow } from "@medusajs/medusa/core-flows"
import { Modules } from "@medusajs/framework/utils"
import { toDecimal } from "../../modules/ledger/money"
import { allocationsOf, allowanceFor } from "../allocations/allowance"
import { fetchAllocationCart } from "../steps/prepare-cart-allocation"
import { resolveLedger } from "../steps/resolve-ledger"

/**
 * Allocations follow cart changes: when items, quantities, shipping or the region change,
 * an allocation now above what its account may pay for the cart shrinks to that (or goes
 * when nothing is left). Runs just before Medusa refreshes the payment collection, which
 * re-reads the cart, so the card provider is asked for the new remainder.
 */
refreshCartItemsWorkflow.hooks.beforeRefreshingPaymentCollection(async ({ input }: { input: any }, { container }) => {
  const cartId = input?.cart_id
  if (!cartId) return
  const ledger = resolveLedger(container)
  // The credit-line methods are generated on the cart module, not in its typed interface.
  const cartModule = container.resolve(Modules.CART) as any
  let cart = await fetchAllocationCart(container, cartId)
  for (const line of allocationsOf(cart)) {
    const account = await ledger.getAccount(line.reference_id!)
    const { max } = allowanceFor(account, cart)
    if (toDecimal(line.amount).lte(max)) continue
    await cartModule.softDeleteCreditLines([line.id])
    if (max.gt(0)) {
      await cartModule.createCreditLines([
        { cart_id: cart.id, amount: max.toNumber(), reference: line.reference!, reference_id: line.reference_id!, metadata: line.metadata },
      ] as any)
    }
    cart = await fetchAllocationCart(container, cartId)
  }
})
