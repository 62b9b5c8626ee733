import type { MedusaContainer } from "@medusajs/framework/types"
import { closeExpiredAccountsWorkflow } from "../workflows/close-expired-accounts"

/** Daily expiry sweep; LEDGER_EXPIRY_SCHEDULE (cron) changes when it runs. */
export default async function closeExpiredLedgerAccounts(container: MedusaContainer) {
  const { result } = await closeExpiredAccountsWorkflow(container).run()
  container
    .resolve("logger")
    .info(
      `medusa-accounts: expiry closed ${result.closed.length} account(s), skipped ${result.skipped_negative.length} with a negative balance, released ${result.released_holds.length} expired hold(s)`
    )
  return result
}

// Job configs are read when the job file loads, before any plugin option is known:
// an environment variable is what can change the schedule.
export const config = {
  name: "ledger-close-expired-accounts",
  schedule: process.env.LEDGER_EXPIRY_SCHEDULE || "0 3 * * *",
}
