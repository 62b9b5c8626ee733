import Decimal from "decimal.js"
import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../../modules/ledger"
import { LedgerError } from "../../../../../../modules/ledger/errors"
import { parseAmount } from "../../../../../../modules/ledger/money"
import type LedgerModuleService from "../../../../../../modules/ledger/service"
import { postLedgerTransferWorkflow } from "../../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../../utils/actor"
import { ledgerRoute } from "../../../../../utils/ledger-route"
import { serializeMoney } from "../../../../../utils/serialize"
import { retrieveAccount } from "../../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../../query-config"
import type { AdminRefundByCodeType } from "../../../validators"

/**
 * Refunds a redemption of the account with this code: the one named by
 * `transfer_reference`, else its latest redemption (matching `merchant_reference` when
 * given) that still has enough left to refund. Never more than was redeemed.
 */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminRefundByCodeType>, res: MedusaResponse) => {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const account = await ledger.getAccountByCode(req.params.code)
  const { amount, transfer_reference, idempotency_key, ...options } = req.validatedBody
  const value = parseAmount(amount, account.currency_code)
  let reference = transfer_reference
  if (reference) {
    const transfer = await ledger.getTransfer(reference)
    if (transfer.source_id !== account.id || transfer.kind !== "redemption") {
      throw new LedgerError("not_found", `No redemption ${reference} on this account`)
    }
  } else {
    const redemptions = await ledger.listLedgerTransfers(
      {
        source_id: account.id,
        kind: "redemption",
        ...(options.merchant_reference ? { merchant_reference: options.merchant_reference } : {}),
      },
      { order: { created_at: "DESC" }, take: 100 }
    )
    for (const r of redemptions) {
      if (new Decimal(await ledger.refundableAmount(r.id)).gte(value)) {
        reference = r.reference
        break
      }
    }
    if (!reference) {
      throw new LedgerError("refund_exceeds_transfer", "No redemption of this account has that much left to refund")
    }
  }
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: {
      action: "refund",
      transfer: reference,
      amount: value,
      options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
    },
  })
  res.json({
    transfer: serializeMoney(result),
    account: await retrieveAccount(req, account.id, retrieveAdminAccountQueryConfig.defaults),
  })
})
