import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminGetAccountEntriesParamsType } from "../../validators"

/** The account's statement: entries with the running balance after each. */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountEntriesParamsType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const { lines, count, limit, offset } = await ledger.statement(req.params.id, req.validatedQuery)
    res.json({ entries: lines, count, limit, offset })
  }
)
