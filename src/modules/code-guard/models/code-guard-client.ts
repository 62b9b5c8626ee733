import { model } from "@medusajs/framework/utils"

/**
 * Failed gift-card code attempts of one client (an address). Written only through the
 * code-guard service, under a row lock, so servers sharing the database count together.
 */
const CodeGuardClient = model.define("code_guard_client", {
  id: model.id({ prefix: "cgc" }).primaryKey(),
  client: model.text().unique(),
  consecutive_failures: model.number().default(0),
  total_failures: model.number().default(0),
  cooling_until: model.dateTime().nullable(),
  blocked_at: model.dateTime().nullable(),
  last_failure_at: model.dateTime().nullable(),
})

export default CodeGuardClient
