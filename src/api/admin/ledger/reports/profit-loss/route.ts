import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { profitLossCsv, sendCsv } from "../csv"
import type { AdminProfitLossReportParamsType } from "../validators"

/** Profit and loss of a period: its lines, their sum and the change in deferred income (JSON or CSV). */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminProfitLossReportParamsType>, res: MedusaResponse) => {
    const { format, ...query } = req.validatedQuery
    const report = await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).profitLossReport(query)
    if (format === "csv") {
      const { filename, body } = profitLossCsv(report, query.currency_code)
      return sendCsv(res, filename, body)
    }
    res.json(report)
  }
)
