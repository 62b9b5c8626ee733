import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../../modules/ledger/service"
import { postLedgerTransferWorkflow } from "../../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../../utils/actor"
import { ledgerRoute } from "../../../../../utils/ledger-route"
import { serializeMoney } from "../../../../../utils/serialize"
import { retrieveAccount } from "../../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../../query-config"
import type { AdminRedeemByCodeType } from "../../../validators"

/** Spends from the account with this code into the sales (redemptions) account. */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminRedeemByCodeType>, res: MedusaResponse) => {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const { id } = await ledger.getAccountByCode(req.params.code)
  const { amount, idempotency_key, ...options } = req.validatedBody
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "redeem",
      account_id: id,
      amount,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({
    transfer: serializeMoney(result),
    account: await retrieveAccount(req, id, retrieveAdminAccountQueryConfig.defaults),
  })
})
