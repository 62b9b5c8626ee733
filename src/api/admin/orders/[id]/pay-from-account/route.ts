import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { payOrderFromAccountWorkflow } from "../../../../../workflows/pay-order-from-account"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import type { AdminPayOrderFromAccountType } from "./validators"

/** Staff pay what an order owes (after an edit, exchange or claim) from an account or a gift card code. */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminPayOrderFromAccountType>, res: MedusaResponse) => {
    const { result } = await payOrderFromAccountWorkflow(req.scope).run({
      input: {
        order_id: req.params.id,
        account_id: req.validatedBody.account_id,
        code: req.validatedBody.code,
        amount: req.validatedBody.amount,
        actor: actorOf(req),
        idempotency_key: idempotencyKeyOf(req, req.validatedBody),
      },
    })
    res.json({ ...result, transfer: serializeMoney(result.transfer) })
  }
)
