import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminGetBalanceHistoryParamsType } from "../../validators"

/**
 * The account's balance at `points` evenly spaced moments from `from` (default: its
 * creation) to `to` (default: now), both included, for a chart: the balance after every
 * transfer posted at or before each moment.
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetBalanceHistoryParamsType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    res.json(await ledger.balanceHistory(req.params.id, req.validatedQuery))
  }
)
