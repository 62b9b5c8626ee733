import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { updateLedgerAccountWorkflow } from "../../../../workflows"
import { ledgerRoute } from "../../../utils/ledger-route"
import { retrieveAccount, retrieveAccountWithExtras } from "../helpers"
import { retrieveAdminAccountQueryConfig } from "../query-config"
import type { AdminUpdateAccountType } from "../validators"

/** One account with its type, members and the computed fields (see ACCOUNT_EXTRAS). */
export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json({ account: await retrieveAccountWithExtras(req, req.params.id) })
})

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminUpdateAccountType>, res: MedusaResponse) => {
    const { account_type_id, ...data } = req.validatedBody
    await updateLedgerAccountWorkflow(req.scope).run({
      input: { id: req.params.id, data: { ...data, ...(account_type_id ? { type_id: account_type_id } : {}) } },
    })
    res.json({ account: await retrieveAccount(req, req.params.id, retrieveAdminAccountQueryConfig.defaults) })
  }
)
