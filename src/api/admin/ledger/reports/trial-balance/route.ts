import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { sendCsv, trialBalanceCsv } from "../csv"
import type { AdminTrialBalanceReportParamsType } from "../validators"

/** Every account type's balance as of a moment, per currency; sums to zero (JSON or CSV). */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminTrialBalanceReportParamsType>, res: MedusaResponse) => {
    const { format, ...query } = req.validatedQuery
    const report = await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).trialBalanceReport(query)
    if (format === "csv") {
      const { filename, body } = trialBalanceCsv(report, query.currency_code)
      return sendCsv(res, filename, body)
    }
    res.json(report)
  }
)
