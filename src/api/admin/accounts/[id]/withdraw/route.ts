import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postLedgerTransferWorkflow } from "../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import { retrieveAccount } from "../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../query-config"
import type { AdminWithdrawAccountType } from "../../validators"

export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminWithdrawAccountType>, res: MedusaResponse) => {
  const { amount, destination_account_id, idempotency_key, ...options } = req.validatedBody
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "withdraw",
      account_id: req.params.id,
      amount,
      destination_id: destination_account_id,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({
    transfer: serializeMoney(result),
    account: await retrieveAccount(req, req.params.id, retrieveAdminAccountQueryConfig.defaults),
  })
})
