import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { retrieveCustomerAccount } from "../../helpers"
import type { StoreGetAccountEntriesParamsType } from "../../validators"

/** The statement of one of the customer's accounts, with the running balance after each entry. */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, StoreGetAccountEntriesParamsType>, res: MedusaResponse) => {
    await retrieveCustomerAccount(req, req.params.id, ["id"])
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const { lines, count, limit, offset } = await ledger.statement(req.params.id, req.validatedQuery)
    // Internal ids of transfers and of the other side's account are not the shopper's business.
    const entries = lines.map(({ transfer_id, counterparty_id, ...line }) =>
      line.lots ? { ...line, lots: line.lots.map(({ lot_id, ...use }) => use) } : line
    )
    res.json({ entries, count, limit, offset })
  }
)
