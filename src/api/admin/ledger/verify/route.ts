import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { ledgerRoute } from "../../../utils/ledger-route"

/** Trial balance and every invariant of the ledger, with the offending rows. */
export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json(await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).verify())
})
