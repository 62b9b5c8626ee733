import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { removeCartAllocationWorkflow } from "../../../../../../workflows/remove-cart-allocation"
import { ledgerRoute } from "../../../../../utils/ledger-route"
import { allocationCart } from "../helpers"

export const DELETE = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  await removeCartAllocationWorkflow(req.scope).run({
    input: { cart_id: req.params.id, allocation_id: req.params.allocation_id },
  })
  res.json({
    id: req.params.allocation_id,
    object: "account_allocation",
    deleted: true,
    cart: await allocationCart(req.scope, req.params.id),
  })
})
