import { model } from "@medusajs/framework/utils"

export const OPERATION_STATUSES = ["pending", "done"] as const

/**
 * A keyed request that moves money in several parts, some outside the ledger (a refund to
 * store credit refunds Medusa payments too). The key claims the request; its plan, then
 * its result, are kept here, so a retry with the key returns the first result and moves
 * nothing, and a request interrupted halfway resumes instead of starting over.
 */
const Operation = model
  .define("ledger_operation", {
    id: model.id({ prefix: "lop" }).primaryKey(),
    idempotency_key: model.text(),
    kind: model.text(),
    request: model.json(),
    status: model.enum([...OPERATION_STATUSES]).default("pending"),
    // What has been done so far, then the answer given.
    progress: model.json().nullable(),
    result: model.json().nullable(),
  })
  .indexes([{ on: ["idempotency_key"], unique: true }])

export default Operation
