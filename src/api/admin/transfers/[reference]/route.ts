import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ledgerRoute } from "../../../utils/ledger-route"
import { retrieveTransfer } from "../helpers"

export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json({ transfer: await retrieveTransfer(req, req.params.reference) })
})
