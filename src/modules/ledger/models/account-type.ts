import { model } from "@medusajs/framework/utils"
import Account from "./account"

/**
 * A node of the chart of accounts, e.g. `Liabilities / Deferred income / Gift cards`.
 * `code` is a stable dotted slug (`liabilities.deferred_income.gift_cards`) so reports
 * can select a whole subtree with a prefix match.
 */
const AccountType = model
  .define("ledger_account_type", {
    id: model.id({ prefix: "lat" }).primaryKey(),
    code: model.text().unique(),
    name: model.text().searchable(),
    path: model.text(),
    parent: model
      .belongsTo(() => AccountType, { mappedBy: "children" })
      .nullable(),
    children: model.hasMany(() => AccountType, { mappedBy: "parent" }),
    accounts: model.hasMany(() => Account, { mappedBy: "type" }),
    metadata: model.json().nullable(),
  })

export default AccountType
