import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { retrieveCustomerAccount } from "../../helpers"
import type { StoreGetAccountLotsParamsType } from "../../validators"

/** The lots of one of the customer's accounts: what expires when, soonest first. */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, StoreGetAccountLotsParamsType>, res: MedusaResponse) => {
    await retrieveCustomerAccount(req, req.params.id, ["id"])
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const { lots, count, limit, offset } = await ledger.listLots(req.params.id, req.validatedQuery)
    // the origin transfer by its reference only: internal ids are not the shopper's business
    const shown = lots.map(({ transfer_id, account_id, ...lot }) => lot)
    res.json({ lots: shown, count, limit, offset, next_expiring: await ledger.nextExpiring(req.params.id) })
  }
)
