import { model } from "@medusajs/framework/utils"
import Transfer from "./transfer"

/**
 * One immutable posting: each transfer has exactly two, -amount on the source and
 * +amount on the destination. `balance_after` is the account's balance once this
 * entry was posted and `seq` its place in posting order (both taken under the
 * account's row lock, so an account's statement is ordered by `seq`).
 */
const Entry = model
  .define("ledger_entry", {
    id: model.id({ prefix: "lent" }).primaryKey(),
    amount: model.bigNumber(),
    balance_after: model.bigNumber(),
    seq: model.autoincrement(),
    transfer: model.belongsTo(() => Transfer, { mappedBy: "entries" }),
    // No foreign key: the posting function locks the account before writing, and a
    // FK check would take a KEY SHARE lock on the hot sales row for every order.
    account_id: model.text(),
  })
  .indexes([
    { on: ["account_id", "seq"] },
    { on: ["account_id", "created_at"] },
  ])

export default Entry
