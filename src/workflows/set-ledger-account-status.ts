import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { SetLedgerAccountStatusStepInput, setLedgerAccountStatusStep } from "./steps"

/** Freeze (status "frozen"), thaw ("open") or close ("closed") an account. */
export const setLedgerAccountStatusWorkflow = createWorkflow(
  "set-ledger-account-status",
  (input: WorkflowData<SetLedgerAccountStatusStepInput>) => new WorkflowResponse(setLedgerAccountStatusStep(input))
)
