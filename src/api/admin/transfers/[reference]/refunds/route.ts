import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postLedgerTransferWorkflow } from "../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import { retrieveTransfer } from "../../helpers"
import type { AdminRefundTransferType } from "../../validators"

/** Refunds part of the transfer; all refunds together never exceed it. */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminRefundTransferType>, res: MedusaResponse) => {
  const { amount, idempotency_key, ...options } = req.validatedBody
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "refund",
      transfer: req.params.reference,
      amount,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({ transfer: serializeMoney(result), original: await retrieveTransfer(req, req.params.reference) })
})
