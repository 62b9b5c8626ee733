import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { ledgerRoute } from "../../../utils/ledger-route"
import type { AdminUpdateAccountTypeType } from "../validators"

/**
 * Renames an account type (and sets its metadata). The code stays: reports and the core
 * accounts find types by id and code, so the default types may be renamed too. The path
 * of the type and of every type below it follows the new name.
 */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminUpdateAccountTypeType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    res.json({ account_type: await ledger.updateAccountType(req.params.id, req.validatedBody) })
  }
)
