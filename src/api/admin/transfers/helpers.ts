import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { LedgerError } from "../../../modules/ledger/errors"
import type LedgerModuleService from "../../../modules/ledger/service"
import { serializeMoney } from "../../utils/serialize"
import { retrieveAdminTransferQueryConfig } from "./query-config"

/**
 * A transfer by reference (or id) with its entries, its refunds and reversals, and how
 * much of it can still be refunded; 404 when unknown.
 */
export async function retrieveTransfer(req: MedusaRequest, referenceOrId: string, fields?: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const { data } = await query.graph({
    entity: "ledger_transfer",
    fields: fields ?? req.queryConfig?.fields ?? retrieveAdminTransferQueryConfig.defaults,
    filters: { $or: [{ reference: referenceOrId }, { id: referenceOrId }] },
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Transfer ${referenceOrId} not found`)
  }
  const transfer = data[0]
  const { data: children } = await query.graph({
    entity: "ledger_transfer",
    fields: ["id", "reference", "kind", "amount", "created_at"],
    filters: { parent_id: transfer.id },
  })
  return {
    ...serializeMoney(transfer),
    refunds: children.map((c) => serializeMoney(c)),
    refundable_amount: await ledger.refundableAmount(transfer.id),
  }
}
