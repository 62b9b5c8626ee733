import type { MedusaContainer } from "@medusajs/framework/types"
import { jobSchedule } from "../utils/job-schedule"
import { runReconciliation } from "../workflows/reconciliation/runs"

const schedule = jobSchedule("LEDGER_RECONCILE_SCHEDULE", "17 * * * *")

/**
 * Hourly reconciliation sweep: what Medusa captured, refunded or canceled in the last
 * `reconcileDays` and the ledger has not posted (a lost payment.captured or
 * order.canceled) is posted now; the report is logged and stored.
 * LEDGER_RECONCILE_SCHEDULE (cron, or `off`) changes when it runs.
 */
export default async function reconcileLedgerJob(container: MedusaContainer) {
  if (!schedule.enabled()) return
  const { report } = await runReconciliation(container)
  return report
}

export const config = { name: "ledger-reconcile", schedule: schedule.schedule }
