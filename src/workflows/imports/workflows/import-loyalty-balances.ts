import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { ImportLoyaltyInput, importLoyaltyBalancesStep, requireLoyaltyPluginStep } from "../steps/import-loyalty-balances"

/**
 * Opens `@medusajs/loyalty-plugin`'s gift cards and store-credit accounts in the ledger
 * (README "Importing balances"). `dry_run` checks everything and writes nothing; the result
 * is the import report.
 */
export const importLoyaltyBalancesWorkflow = createWorkflow(
  "import-loyalty-balances",
  (input: WorkflowData<ImportLoyaltyInput>) => {
    requireLoyaltyPluginStep({})
    return new WorkflowResponse(importLoyaltyBalancesStep(input))
  }
)
