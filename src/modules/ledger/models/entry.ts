import { model } from "@medusajs/framework/utils"
import Transfer from "./transfer"

/**
 * One immutable posting: each transfer has exactly two, -amount on the source and
 * +amount on the destination. `seq` is its place in posting order (taken under the
 * account's lock, so a statement is ordered by `seq`); `balance_after` the account's
 * balance once it was posted, except on core accounts (null: their statements sum by seq).
 */
const Entry = model
  .define("ledger_entry", {
    id: model.id({ prefix: "lent" }).primaryKey(),
    amount: model.bigNumber(),
    // null on core accounts, whose balance is spread over shard rows (see the migration)
    balance_after: model.bigNumber().nullable(),
    seq: model.autoincrement(),
    transfer: model.belongsTo(() => Transfer, { mappedBy: "entries" }),
    // No foreign key: the posting function locks the account before writing, and a
    // FK check would take a KEY SHARE lock on the hot sales row for every order.
    account_id: model.text(),
  })
  .indexes([
    { on: ["account_id", "seq"] },
    // reports: the period's entries (a profit and loss); see also the covering
    // (account_id, created_at, seq) index the reports' migration adds by hand
    { on: ["created_at"] },
  ])

export default Entry
