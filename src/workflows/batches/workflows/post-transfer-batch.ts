import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { PostTransferBatchStepInput, postTransferBatchStep } from "../steps"

/**
 * Posts up to 1,000 transfers in one database call: independent (each item alone) or
 * atomic (all or none), one result per item. See LedgerModuleService.postBatch.
 */
export const postTransferBatchWorkflow = createWorkflow(
  "post-ledger-transfer-batch",
  (input: WorkflowData<PostTransferBatchStepInput>) => new WorkflowResponse(postTransferBatchStep(input))
)
