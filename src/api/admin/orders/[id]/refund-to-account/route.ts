import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { refundOrderToAccountWorkflow } from "../../../../../workflows/refund-order-to-account"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import type { AdminRefundOrderToAccountType } from "./validators"

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminRefundOrderToAccountType>, res: MedusaResponse) => {
    const { result } = await refundOrderToAccountWorkflow(req.scope).run({
      input: {
        order_id: req.params.id,
        amount: req.validatedBody.amount,
        account_id: req.validatedBody.account_id,
        note: req.validatedBody.note,
        expires_at: req.validatedBody.expires_at ?? null,
        actor: actorOf(req),
        idempotency_key: idempotencyKeyOf(req, req.validatedBody),
      },
    })
    res.json({ refund: { ...result, transfers: result.transfers.map((t: any) => serializeMoney(t)) } })
  }
)
