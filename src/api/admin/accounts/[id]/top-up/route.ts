import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postLedgerTransferWorkflow } from "../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import { retrieveAccount } from "../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../query-config"
import type { AdminTopUpAccountType } from "../../validators"

export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminTopUpAccountType>, res: MedusaResponse) => {
  const { amount, source_account_id, idempotency_key, ...options } = req.validatedBody
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "top_up",
      account_id: req.params.id,
      amount,
      source_id: source_account_id,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({
    transfer: serializeMoney(result),
    account: await retrieveAccount(req, req.params.id, retrieveAdminAccountQueryConfig.defaults),
  })
})
