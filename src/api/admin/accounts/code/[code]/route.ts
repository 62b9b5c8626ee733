import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { retrieveAccount } from "../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../query-config"

/** Code API for outside systems (point of sale, CRM): look an account up by its code. */
export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const { id } = await ledger.getAccountByCode(req.params.code)
  res.json({ account: await retrieveAccount(req, id, retrieveAdminAccountQueryConfig.defaults) })
})
