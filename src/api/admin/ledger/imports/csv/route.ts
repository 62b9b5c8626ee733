import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { importCsvBalancesWorkflow } from "../../../../../workflows/imports/workflows/import-csv-balances"
import { actorOf } from "../../../../utils/actor"
import { importRoute } from "../import-route"
import type { AdminImportCsvType } from "../validators"

/**
 * Opens the balances of a CSV file in the ledger: `{ report }`, each refused row with its
 * line and reason (README "Importing balances"). 400 `invalid_csv` for a file that cannot
 * be read (syntax, header).
 */
export const POST = importRoute(async (req: AuthenticatedMedusaRequest<AdminImportCsvType>, res: MedusaResponse) => {
  const { csv, dry_run, mode } = req.validatedBody
  const { result } = await importCsvBalancesWorkflow(req.scope).run({
    input: { csv, dry_run: dry_run ?? false, mode: mode ?? "independent", actor: actorOf(req) },
  })
  res.json({ report: result })
})
