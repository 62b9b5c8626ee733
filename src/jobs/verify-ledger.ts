import type { MedusaContainer } from "@medusajs/framework/types"
import { jobSchedule } from "../utils/job-schedule"
import { runScheduledVerify } from "../workflows/reconciliation/runs"

const schedule = jobSchedule("LEDGER_VERIFY_SCHEDULE", "45 4 * * *")

/**
 * Daily verify(): stored as the last run; a failing check logs an error and emits
 * ledger.verify.failed. LEDGER_VERIFY_SCHEDULE (cron, or `off`) changes when it runs.
 */
export default async function verifyLedgerJob(container: MedusaContainer) {
  if (!schedule.enabled()) return
  const { result } = await runScheduledVerify(container)
  return result
}

export const config = { name: "ledger-verify", schedule: schedule.schedule }
