import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { PostLedgerTransferStepInput, postLedgerTransferStep } from "./steps"

/**
 * Posts one transfer: a plain transfer, a top-up, a withdrawal, a redemption, a refund
 * or a reversal (see PostLedgerTransferStepInput). Compose `postLedgerTransferStep` in
 * your own workflows to have the money taken back when a later step fails.
 */
export const postLedgerTransferWorkflow = createWorkflow(
  "post-ledger-transfer",
  (input: WorkflowData<PostLedgerTransferStepInput>) => new WorkflowResponse(postLedgerTransferStep(input))
)
