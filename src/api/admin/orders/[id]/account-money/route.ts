import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { orderAccountMoney } from "../../../../../workflows/order-payments/account-money"
import { ledgerRoute } from "../../../../utils/ledger-route"

/** The order's account money per account, gift cards it issued, and what may be refunded or paid now. */
export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  res.json(await orderAccountMoney(req.scope, ledger, req.params.id))
})
