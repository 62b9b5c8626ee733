import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { UpdateLedgerAccountStepInput, updateLedgerAccountStep } from "./steps"

export const updateLedgerAccountWorkflow = createWorkflow(
  "update-ledger-account",
  (input: WorkflowData<UpdateLedgerAccountStepInput>) => new WorkflowResponse(updateLedgerAccountStep(input))
)
