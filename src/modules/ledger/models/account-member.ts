import { model } from "@medusajs/framework/utils"
import Account from "./account"

/** A customer, besides the owner, who may see and spend an account. */
const AccountMember = model
  .define("ledger_account_member", {
    id: model.id({ prefix: "accmem" }).primaryKey(),
    customer_id: model.text(),
    account: model.belongsTo(() => Account, { mappedBy: "members" }),
  })
  // customer_id: a customer's shared accounts (the admin's list by customer or email).
  .indexes([{ on: ["account_id", "customer_id"], unique: true }, { on: ["customer_id"] }])

export default AccountMember
