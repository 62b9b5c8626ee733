import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { setLedgerAccountStatusWorkflow } from "../../../../../workflows"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { retrieveAccount } from "../../helpers"
import { retrieveAdminAccountQueryConfig } from "../../query-config"

export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  await setLedgerAccountStatusWorkflow(req.scope).run({ input: { id: req.params.id, status: "frozen" } })
  res.json({ account: await retrieveAccount(req, req.params.id, retrieveAdminAccountQueryConfig.defaults) })
})
