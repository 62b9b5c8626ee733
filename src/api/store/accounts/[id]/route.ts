import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { ledgerRoute } from "../../../utils/ledger-route"
import { retrieveCustomerAccount } from "../helpers"

export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const account = await retrieveCustomerAccount(req, req.params.id, req.queryConfig.fields)
  // with the balance (not when `fields` leaves it out): the credit that expires next,
  // "12.00 expire on 1 March"
  if (req.queryConfig.fields.includes("balance")) {
    account.next_expiring = await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).nextExpiring(req.params.id)
  }
  res.json({ account })
})
