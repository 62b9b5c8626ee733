import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { ledgerRoute } from "../../../utils/ledger-route"
import { retrieveCustomerAccount } from "../helpers"

export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const account = await retrieveCustomerAccount(req, req.params.id, req.queryConfig.fields)
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  // the credit that expires next: "12.00 expire on 1 March"
  account.next_expiring = await ledger.nextExpiring(req.params.id)
  res.json({ account })
})
