import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminGetAccountLotsParamsType } from "../../validators"

/** The account's lots (credit with its own expiry), in the order they are spent. */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountLotsParamsType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const { lots, count, limit, offset } = await ledger.listLots(req.params.id, req.validatedQuery)
    res.json({ lots, count, limit, offset, next_expiring: await ledger.nextExpiring(req.params.id) })
  }
)
