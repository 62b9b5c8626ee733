import { model } from "@medusajs/framework/utils"
import Account from "./account"

export const HOLD_STATUSES = ["open", "captured", "released", "expired"] as const

/**
 * Funds reserved on an account for a pending payment. While open, `amount` counts in
 * the account's cached `held`; capture turns (part of) it into a transfer.
 */
const Hold = model
  .define("ledger_hold", {
    id: model.id({ prefix: "lhold" }).primaryKey(),
    amount: model.bigNumber(),
    captured_amount: model.bigNumber().default(0),
    status: model.enum([...HOLD_STATUSES]).default("open"),
    expires_at: model.dateTime().nullable(),
    reference: model.text().nullable(),
    transfer_id: model.text().nullable(),
    idempotency_key: model.text().nullable(),
    metadata: model.json().nullable(),
    account: model.belongsTo(() => Account, { mappedBy: "holds" }),
  })
  .indexes([
    { on: ["idempotency_key"], unique: true, where: "idempotency_key IS NOT NULL" },
    { on: ["status", "expires_at"] },
    { on: ["reference"], where: "reference IS NOT NULL" },
  ])

export default Hold
