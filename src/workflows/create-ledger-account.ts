import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { CreateLedgerAccountStepInput, createLedgerAccountStep } from "./steps"

export const createLedgerAccountWorkflow = createWorkflow(
  "create-ledger-account",
  (input: WorkflowData<CreateLedgerAccountStepInput>) => new WorkflowResponse(createLedgerAccountStep(input))
)
