import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { ImportCsvInput, importCsvBalancesStep, validateCsvStep } from "../steps/import-csv-balances"

/**
 * Opens the balances of a CSV file (README "Importing balances" for its columns) in the
 * ledger. `dry_run` checks everything and writes nothing; the result is the import report.
 */
export const importCsvBalancesWorkflow = createWorkflow("import-csv-balances", (input: WorkflowData<ImportCsvInput>) => {
  validateCsvStep({ csv: input.csv })
  return new WorkflowResponse(importCsvBalancesStep(input))
})
