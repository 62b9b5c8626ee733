import { StepResponse, WorkflowResponse, createStep, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { resolveLedger } from "./steps/resolve-ledger"

/**
 * Moves the balance of every account past its end date to Lapsed, closes it, and
 * releases expired holds. No compensation: each account's expiry is its own atomic
 * posting that locks the account, so a second run (or a second server) finds it closed.
 */
export const closeExpiredAccountsStep = createStep("close-expired-ledger-accounts", async (_: void, { container }) => {
  return new StepResponse(await resolveLedger(container).closeExpiredAccounts())
})

export const closeExpiredAccountsWorkflow = createWorkflow("close-expired-ledger-accounts", () => {
  return new WorkflowResponse(closeExpiredAccountsStep())
})
