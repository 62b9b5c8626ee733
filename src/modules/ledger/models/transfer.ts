import { model } from "@medusajs/framework/utils"
import Entry from "./entry"

export const TRANSFER_KINDS = [
  "transfer",
  "load",
  "redemption",
  "capture",
  "refund",
  "reversal",
  "expiry",
] as const

/**
 * One immutable movement of `amount` from source to destination. Refunds and
 * reversals point at the transfer they undo through `parent_id`. The database
 * refuses UPDATE and DELETE on this table.
 */
const Transfer = model
  .define("ledger_transfer", {
    id: model.id({ prefix: "ltr" }).primaryKey(),
    reference: model.text().unique(),
    kind: model.enum([...TRANSFER_KINDS]).default("transfer"),
    source_id: model.text(),
    destination_id: model.text(),
    amount: model.bigNumber(),
    currency_code: model.text(),
    parent_id: model.text().nullable(),
    hold_id: model.text().nullable(),
    merchant_reference: model.text().searchable().nullable(),
    description: model.text().searchable().nullable(),
    actor_type: model.text().default("system"),
    actor_id: model.text().nullable(),
    idempotency_key: model.text().nullable(),
    metadata: model.json().nullable(),
    entries: model.hasMany(() => Entry, { mappedBy: "transfer" }),
  })
  .indexes([
    { on: ["idempotency_key"], unique: true, where: "idempotency_key IS NOT NULL" },
    { on: ["parent_id"], where: "parent_id IS NOT NULL" },
    { on: ["source_id", "created_at"] },
    { on: ["destination_id", "created_at"] },
    { on: ["merchant_reference"], where: "merchant_reference IS NOT NULL" },
    { on: ["created_at"] },
  ])

export default Transfer
