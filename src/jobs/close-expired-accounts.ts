import type { MedusaContainer } from "@medusajs/framework/types"
import { closeExpiredAccountsWorkflow } from "../workflows/close-expired-accounts"

/** Daily expiry sweep; LEDGER_EXPIRY_SCHEDULE (cron) changes when it runs. */
export default async function closeExpiredLedgerAccounts(container: MedusaContainer) {
  const { result } = await closeExpiredAccountsWorkflow(container).run()
  const logger = container.resolve("logger")
  logger.info(
    `medusa-accounts: expiry closed ${result.closed.length} account(s), skipped ${result.skipped_negative.length} with a negative balance, released ${result.released_holds.length} expired hold(s)`
  )
  if (result.skipped_negative.length) {
    // These stay open until someone settles the debt; the sweep will not touch them.
    logger.warn(`medusa-accounts: expired accounts with a negative balance: ${result.skipped_negative.join(", ")}`)
  }
  return result
}

// Medusa reads a job's config when it imports the file, before any plugin option is
// known, and a host app cannot override a plugin's job: an env var is what can change it.
export const config = {
  name: "ledger-close-expired-accounts",
  schedule: process.env.LEDGER_EXPIRY_SCHEDULE || "0 3 * * *",
}
