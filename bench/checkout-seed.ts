/**
 * Seeds the checkout bench's Medusa database (run by scripts/bench.js through
 * `medusa exec ./bench/checkout-seed.ts`): the store seed the demo uses, a logged-in shopper
 * with a well-funded wallet, one gift card per code checkout, and an admin to read the
 * ledger afterwards. Writes what the bench needs as JSON to BENCH_CHECKOUT_INFO.
 */
import type { ExecArgs } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { createUsersWorkflow } from "@medusajs/medusa/core-flows"
import fs from "fs"
import { LEDGER_MODULE } from "../src/modules/ledger"
import { TYPE_CODES, typeId } from "../src/modules/ledger/core"
import type LedgerModuleService from "../src/modules/ledger/service"
import { ensureShopper, seedStore } from "../scripts/lib/store-seed"

export const BENCH_SHOPPER = { email: "bench-shopper@medusa-accounts.test", password: "bench-password" }
export const BENCH_ADMIN = { email: "bench-admin@medusa-accounts.test", password: "bench-password" }

export default async function seedCheckoutBench({ container }: ExecArgs) {
  const out = process.env.BENCH_CHECKOUT_INFO
  const cards = Number(process.env.BENCH_CHECKOUT_CARDS ?? 100)
  if (!out || !Number.isInteger(cards) || cards < 0) {
    throw new Error("checkout-seed: set BENCH_CHECKOUT_INFO (output file) and BENCH_CHECKOUT_CARDS")
  }
  const ledger = container.resolve<LedgerModuleService>(LEDGER_MODULE)
  await ledger.ensureCoreAccounts(["usd"])
  const store = await seedStore(container)
  const shopper = await ensureShopper(container, { ...BENCH_SHOPPER, first_name: "Bench", last_name: "Shopper" })
  const wallet = await ledger.createAccount(
    { name: "Bench wallet", currency_code: "usd", customer_id: shopper.id, type_id: typeId(TYPE_CODES.storeCredit), initial_amount: 1000000 },
    { idempotency_key: "bench-checkout-wallet" }
  )
  const codes: string[] = []
  for (let i = 0; i < cards; i++) {
    const card = await ledger.createAccount(
      {
        name: `Bench gift card ${i}`,
        currency_code: "usd",
        type_id: typeId(TYPE_CODES.giftCards),
        generate_code: true,
        initial_amount: 100,
        source_account_id: "@bank",
      },
      { idempotency_key: `bench-checkout-card-${i}` }
    )
    codes.push(ledger.formatCode(card.code)!)
  }

  const users = container.resolve(Modules.USER)
  if (!(await users.listUsers({ email: BENCH_ADMIN.email })).length) {
    const {
      result: [user],
    } = await createUsersWorkflow(container).run({ input: { users: [{ email: BENCH_ADMIN.email }] } })
    const auth = container.resolve(Modules.AUTH)
    const { authIdentity } = await auth.register("emailpass", { body: BENCH_ADMIN } as any)
    await auth.updateAuthIdentities({ id: authIdentity!.id, app_metadata: { user_id: user.id } })
  }

  const tee = store.products["ledger-tee"].variants.find((v) => v.title === "M") ?? store.products["ledger-tee"].variants[0]
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        publishable_key: store.publishable_key,
        region_id: store.region_id,
        shipping_option_id: store.shipping_option_id,
        variant_id: tee.id,
        item_price: tee.price,
        shopper: { ...BENCH_SHOPPER, customer_id: shopper.id },
        admin: BENCH_ADMIN,
        wallet_id: wallet.id,
        gift_card_codes: codes,
      },
      null,
      2
    )
  )
}
