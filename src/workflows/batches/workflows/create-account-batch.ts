import { WorkflowData, WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { CreateAccountBatchStepInput, createAccountBatchStep } from "../steps"

/**
 * Creates up to 1,000 accounts (gift cards with generated codes, customers' wallets) with
 * their initial loads in one database call. See LedgerModuleService.createAccounts.
 */
export const createAccountBatchWorkflow = createWorkflow(
  "create-ledger-account-batch",
  (input: WorkflowData<CreateAccountBatchStepInput>) => new WorkflowResponse(createAccountBatchStep(input))
)
