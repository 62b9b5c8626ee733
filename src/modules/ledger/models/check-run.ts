import { model } from "@medusajs/framework/utils"

export const CHECK_RUN_KINDS = ["reconciliation", "verify"] as const

/**
 * A run of a scheduled check of the books: a reconciliation sweep (its report: what it
 * compared with Medusa, what was missing, what it posted) or a verify() run (its checks).
 * The admin's Settings → Ledger page shows the last of each; older runs are pruned.
 */
const CheckRun = model
  .define("ledger_check_run", {
    id: model.id({ prefix: "lrun" }).primaryKey(),
    kind: model.enum([...CHECK_RUN_KINDS]),
    ok: model.boolean(),
    started_at: model.dateTime(),
    finished_at: model.dateTime(),
    report: model.json(),
  })
  .indexes([{ on: ["kind", "started_at"] }])

export default CheckRun
