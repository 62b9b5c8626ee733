import { model } from "@medusajs/framework/utils"
import AccountMember from "./account-member"
import AccountType from "./account-type"
import Hold from "./hold"

export const ACCOUNT_STATUSES = ["open", "frozen", "closed"] as const

/**
 * A pot of money in one currency. `balance` and `held` are caches of the entries and
 * the open holds; only the ledger's SQL functions write them, with the row locked.
 */
const Account = model
  .define("ledger_account", {
    id: model.id({ prefix: "acc" }).primaryKey(),
    name: model.text().searchable(),
    description: model.text().searchable().nullable(),
    // Stored normalised (uppercase, no dashes); unique where present.
    code: model.text().searchable().nullable(),
    status: model.enum([...ACCOUNT_STATUSES]).default("open"),
    currency_code: model.text(),
    // null = unlimited (a source account); 0 = may not go below zero.
    credit_limit: model.bigNumber().nullable(),
    balance: model.bigNumber().default(0),
    held: model.bigNumber().default(0),
    start_date: model.dateTime().nullable(),
    end_date: model.dateTime().nullable(),
    closed_at: model.dateTime().nullable(),
    customer_id: model.text().nullable(),
    // null = any product may be paid for.
    product_ids: model.array().nullable(),
    can_pay_shipping: model.boolean().default(true),
    // Set on the core accounts (bank, unpaid_source, redemptions, lapsed, refunds_to_credit).
    role: model.text().nullable(),
    // The key the account was created with, so a retried creation returns it.
    idempotency_key: model.text().nullable(),
    metadata: model.json().nullable(),
    // When the account started keeping lots (credit with its own expiry); null: never.
    lots_since: model.dateTime().nullable(),
    type: model.belongsTo(() => AccountType, { mappedBy: "accounts" }),
    members: model.hasMany(() => AccountMember, { mappedBy: "account" }),
    holds: model.hasMany(() => Hold, { mappedBy: "account" }),
  })
  .indexes([
    { on: ["code"], unique: true, where: "code IS NOT NULL" },
    { on: ["idempotency_key"], unique: true, where: "idempotency_key IS NOT NULL" },
    { on: ["role", "currency_code"], unique: true, where: "role IS NOT NULL" },
    { on: ["customer_id"], where: "customer_id IS NOT NULL" },
    { on: ["status", "end_date"] },
    // The admin's accounts list pages in these orders (id breaks ties); none of them is
    // written by a posting, so balance updates stay HOT.
    { on: ["created_at", "id"] },
    { on: ["name", "id"] },
    { on: ["end_date", "id"] },
    // the admin list: open accounts of a currency, newest first, and their count
    { on: ["currency_code", "status", "created_at"] },
  ])

export default Account
