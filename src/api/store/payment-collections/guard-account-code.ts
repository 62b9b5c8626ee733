import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { GuardTarget, guardCodeLookup } from "../../../modules/code-guard"
import { LEDGER_MODULE } from "../../../modules/ledger"
import type LedgerModuleService from "../../../modules/ledger/service"
import { ACCOUNT_PROVIDER_PREFIX } from "../../../workflows/order-payments/fetch-order"
import { z } from "@medusajs/framework/zod"
import { validationError } from "../../utils/input"
import { ledgerErrorResponse } from "../../utils/ledger-route"
import { CodeSchema, IdSchema } from "../../utils/validators"

const AccountSessionData = z.looseObject({ account_id: IdSchema.nullish(), code: CodeSchema.nullish() })

/**
 * A payment session for the account provider may carry a gift-card code: look it up under
 * the code guard first, so guessing codes through checkout counts like anywhere else.
 */
export async function guardAccountCode(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  const body = (req.body ?? {}) as { provider_id?: string; data?: { code?: unknown; account_id?: unknown } }
  if (!String(body.provider_id ?? "").startsWith(ACCOUNT_PROVIDER_PREFIX)) {
    return next()
  }
  // The account provider's data, as the plugin's own routes take them (see INPUT_LIMITS).
  const data = AccountSessionData.safeParse(body.data ?? {})
  if (!data.success) {
    const error = validationError(data.error.issues as any, "data")
    return res.status(400).json({ type: error.type, code: error.code, message: error.message })
  }
  const code = body.data?.code
  if (typeof code !== "string") {
    return next()
  }
  try {
    const target = await guardTargetOf(req, req.params.id)
    await guardCodeLookup(req, () => req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).getAccountByCode(code), target)
    next()
  } catch (err) {
    const response = ledgerErrorResponse(err)
    if (!response) return next(err)
    res.status(response.status).json(response.body)
  }
}

/**
 * The collection's cart, so guesses here and through allocations count against the same
 * `cart:<id>`; a collection without a cart (an order's) is counted on its own.
 */
async function guardTargetOf(req: MedusaRequest, paymentCollectionId: string): Promise<GuardTarget> {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: paymentCollectionId },
  })
  return data[0]?.cart_id ? { cart_id: data[0].cart_id } : { payment_collection_id: paymentCollectionId }
}
