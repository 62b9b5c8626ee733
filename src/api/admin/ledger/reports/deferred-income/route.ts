import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { deferredIncomeCsv, sendCsv } from "../csv"
import type { AdminDeferredIncomeReportParamsType } from "../validators"

/** Deferred income as of a moment, per account type and time to expiry (JSON or CSV). */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminDeferredIncomeReportParamsType>, res: MedusaResponse) => {
    const { format, ...query } = req.validatedQuery
    const report = await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).deferredIncomeReport(query)
    if (format === "csv") {
      const { filename, body } = deferredIncomeCsv(report, query.currency_code)
      return sendCsv(res, filename, body)
    }
    res.json(report)
  }
)
