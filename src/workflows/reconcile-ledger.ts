import { StepResponse, WorkflowResponse, createStep, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { runReconciliation, runScheduledVerify } from "./reconciliation/runs"
import type { ReconcileInput } from "./reconciliation/sweep"

export type { ReconciliationReport, ReconciliationGap, ReconciliationFix, ReconciledOrder } from "./reconciliation/sweep"

/**
 * The reconciliation sweep (see reconciliation/sweep.ts), its report logged and stored.
 * No compensation: every fix mirrors something Medusa has committed, and is keyed.
 */
export const reconcileLedgerStep = createStep("reconcile-ledger", async (input: ReconcileInput, { container }) => {
  const { report } = await runReconciliation(container, input)
  return new StepResponse(report)
})

export const reconcileLedgerWorkflow = createWorkflow("reconcile-ledger", (input: ReconcileInput) =>
  new WorkflowResponse(reconcileLedgerStep(input))
)

/** verify(), stored as the last run; a failing check logs an error and emits ledger.verify.failed. */
export const verifyLedgerStep = createStep("verify-ledger-scheduled", async (_: Record<string, never>, { container }) => {
  const { result } = await runScheduledVerify(container)
  return new StepResponse(result)
})

export const verifyLedgerWorkflow = createWorkflow("verify-ledger-scheduled", (input: Record<string, never>) =>
  new WorkflowResponse(verifyLedgerStep(input))
)
