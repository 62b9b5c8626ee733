import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { guardCodeLookup } from "../../../../../modules/code-guard"
import { allocateAccountToCartWorkflow } from "../../../../../workflows/allocate-account-to-cart"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { allocationCart, presentAllocation } from "./helpers"
import type { StoreCreateAccountAllocationType } from "./validators"

/**
 * Applies store credit to a cart: the shopper's own account (logged in) or a gift card
 * code (anyone holding it; failed codes count against the address, the customer and the cart).
 */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<StoreCreateAccountAllocationType>, res: MedusaResponse) => {
    const body = req.validatedBody
    const allocate = async () => {
      const { result } = await allocateAccountToCartWorkflow(req.scope).run({
        input: {
          cart_id: req.params.id,
          account_id: body.account_id,
          code: body.code,
          amount: body.amount,
          customer_id: req.auth_context?.actor_type === "customer" ? req.auth_context.actor_id : null,
        },
      })
      return result
    }
    const line = body.code
      ? await guardCodeLookup(req, allocate, { cart_id: req.params.id })
      : await allocate()
    const cart = await allocationCart(req.scope, req.params.id)
    res.json({ allocation: presentAllocation(line, cart.currency_code), cart })
  }
)
