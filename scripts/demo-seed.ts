import type { ExecArgs } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import fs from "fs"
import { LEDGER_MODULE } from "../src/modules/ledger"
import { TYPE_CODES, typeId } from "../src/modules/ledger/core"
import type LedgerModuleService from "../src/modules/ledger/service"
import { ensureShopper, seedStore } from "./lib/store-seed"

export const SHOPPER = { email: "shopper@medusa-accounts.test", password: "supersecret" }

/**
 * Seeds the demo store: a sellable store (region paying with the account provider and
 * Medusa's system provider, shipping, products incl. a gift card), a shopper who can log
 * in, and the ledger: the shopper's wallet, gift cards, a loyalty wallet and a B2B credit
 * account, with redemptions, a refund and a reversal. Safe to run again: it finds what an
 * earlier run made and prints it. With DEMO_INFO_FILE set, writes what a storefront needs
 * there as JSON (demo.js prints it).
 */
export default async function seedDemo({ container }: ExecArgs) {
  const ledger = container.resolve<LedgerModuleService>(LEDGER_MODULE)
  await ledger.ensureCoreAccounts(["usd", "eur"])
  const actor = { type: "system" as const, id: "demo-seed" }

  const store = await seedStore(container, (m) => console.log(`  store: ${m}`))
  const shopper = await ensureShopper(container, { ...SHOPPER, first_name: "Sam", last_name: "Shopper" })
  const customers = container.resolve(Modules.CUSTOMER)
  let [company] = await customers.listCustomers({ email: "buyer@acme.test" })
  if (!company) {
    company = await customers.createCustomers({ email: "buyer@acme.test", first_name: "Ada", last_name: "Buyer", company_name: "Acme Ltd" })
  }

  const existing = await ledger.listLedgerAccounts({ name: "Demo gift card" })
  if (!existing.length) {
    const wallet = await ledger.createAccount(
      {
        name: "Sam's store credit",
        currency_code: "usd",
        customer_id: shopper.id,
        type_id: typeId(TYPE_CODES.storeCredit),
        initial_amount: 150,
      },
      { actor, description: "Goodwill credit" }
    )
    const card = await ledger.createAccount(
      {
        name: "Demo gift card",
        currency_code: "usd",
        type_id: typeId(TYPE_CODES.giftCards),
        generate_code: true,
        initial_amount: 100,
        source_account_id: "@bank",
        end_date: new Date(Date.now() + 365 * 24 * 3600 * 1000),
        can_pay_shipping: true,
        metadata: { recipient_email: "friend@medusa-accounts.test", message: "Happy birthday!" },
      },
      { actor, description: "Gift card sold by card" }
    )
    await ledger.createAccount(
      {
        name: "Demo gift card (EUR)",
        currency_code: "eur",
        type_id: typeId(TYPE_CODES.giftCards),
        generate_code: true,
        initial_amount: 40,
        source_account_id: "@bank",
      },
      { actor }
    )
    const loyalty = await ledger.createAccount(
      {
        name: "Sam's loyalty points",
        currency_code: "usd",
        customer_id: shopper.id,
        type_id: typeId(TYPE_CODES.loyalty),
        initial_amount: 15,
      },
      { actor, description: "Welcome bonus" }
    )
    const b2b = await ledger.createAccount(
      {
        name: "Acme Ltd credit account",
        currency_code: "usd",
        customer_id: company.id,
        type_id: typeId(TYPE_CODES.creditAccounts),
        credit_limit: 5000,
      },
      { actor }
    )

    const spend = await ledger.redeem(card.id, 30, { actor, merchant_reference: "order_demo_1001", description: "Order #1001" })
    await ledger.refund(spend.id, 10, { actor, merchant_reference: "order_demo_1001", description: "Returned item" })
    await ledger.redeem(wallet.id, 12.5, { actor, merchant_reference: "order_demo_1002", description: "Order #1002" })
    const mistake = await ledger.topUp(wallet.id, 200, { actor, description: "Top-up typed with an extra zero" })
    await ledger.reverse(mistake.id, { actor, description: "Reversed: wrong amount" })
    await ledger.transfer(loyalty.id, wallet.id, 5, { actor, description: "Points converted to store credit" })
    // points that expire piece by piece (lots): spent soonest first, announced a week ahead
    const days = (n: number) => new Date(Date.now() + n * 86_400_000)
    await ledger.topUp(loyalty.id, 10, { actor, description: "Spring points", expires_at: days(20) })
    await ledger.topUp(loyalty.id, 25, { actor, description: "Summer points", expires_at: days(120) })
    await ledger.redeem(loyalty.id, 12, { actor, merchant_reference: "order_demo_1004", description: "Order #1004" })
    await ledger.redeem(b2b.id, 1200, { actor, merchant_reference: "order_demo_1003", description: "Invoice INV-1003 (on credit)" })
  }

  const accounts = await ledger.listLedgerAccounts({ role: null }, { order: { created_at: "ASC" } })
  console.log("\nDemo accounts:")
  for (const a of accounts) {
    const dto = await ledger.getAccount(a.id)
    console.log(
      `  ${dto.name.padEnd(28)} ${dto.currency_code.toUpperCase()} ${String(dto.balance).padStart(9)}` +
        (dto.code ? `  code ${ledger.formatCode(dto.code)}` : "") +
        `  ${dto.id}`
    )
  }
  const wallet = await ledger.ensureWallet(shopper.id, "usd")
  const [card] = await ledger.listLedgerAccounts({ name: "Demo gift card" })
  const info = {
    publishable_key: store.publishable_key,
    region_id: store.region_id,
    sales_channel_id: store.sales_channel_id,
    shipping_option_id: store.shipping_option_id,
    products: store.products,
    shopper: { ...SHOPPER, customer_id: shopper.id, wallet_id: wallet.id, wallet_balance: wallet.balance },
    gift_card: card ? { id: card.id, code: ledger.formatCode(card.code), balance: (await ledger.getAccount(card.id)).balance } : null,
  }
  console.log("\nDemo store:")
  console.log(`  Publishable key      ${info.publishable_key}`)
  console.log(`  Region               ${info.region_id} (USD; pp_account_account, pp_system_default)`)
  console.log(`  Shipping option      ${info.shipping_option_id}`)
  for (const p of Object.values(store.products)) {
    console.log(`  ${p.title.padEnd(20)} ${p.variants.map((v) => `${v.id} (${v.title}, ${v.price.toFixed(2)})`).join(", ")}`)
  }
  console.log(`  Shopper              ${SHOPPER.email} / ${SHOPPER.password}, wallet ${wallet.id} (${wallet.balance} USD)`)
  if (info.gift_card) console.log(`  Gift card code       ${info.gift_card.code} (${info.gift_card.balance} USD)`)
  if (process.env.DEMO_INFO_FILE) {
    fs.writeFileSync(process.env.DEMO_INFO_FILE, JSON.stringify(info, null, 2))
  }

  const verify = await ledger.verify()
  console.log(`\nLedger verify: ${verify.ok ? "all invariants hold" : "FAILED"}`)
}
