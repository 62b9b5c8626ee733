import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postLedgerTransferWorkflow } from "../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import { retrieveTransfer } from "../../helpers"
import type { AdminReverseTransferType } from "../../validators"

/** Reverses what is left of the transfer (at most once). */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminReverseTransferType>, res: MedusaResponse) => {
  const { idempotency_key, ...options } = req.validatedBody
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "reverse",
      transfer: req.params.reference,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({ transfer: serializeMoney(result), original: await retrieveTransfer(req, req.params.reference) })
})
