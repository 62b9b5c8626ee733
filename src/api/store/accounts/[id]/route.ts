import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ledgerRoute } from "../../../utils/ledger-route"
import { retrieveCustomerAccount } from "../helpers"

export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json({ account: await retrieveCustomerAccount(req, req.params.id, req.queryConfig.fields) })
})
