import path from "path"
import { Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { coreAccountId } from "../../src/modules/ledger/core"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { importLoyaltyBalancesWorkflow } from "../../src/workflows/imports/workflows/import-loyalty-balances"
import type { ImportReport } from "../../src/workflows/imports/types"
import { createAdminAuth } from "../support/admin"
import { snapshot } from "../support/ledger-helpers"

// The app of this suite is the project's medusa-config.ts plus the real @medusajs/loyalty-plugin's
// modules (installed into integration-tests/fixtures/loyalty by its install.js when missing).
jest.mock("../../medusa-config", () => {
  const base = jest.requireActual("../../medusa-config")
  return require("../fixtures/loyalty/loyalty-config")(base.default ?? base)
})

jest.setTimeout(240000)

const { PLUGIN_DIR } = require("../fixtures/loyalty/install")
const loyaltyWorkflows = () => require(path.join(PLUGIN_DIR, ".medusa/server/src/workflows"))

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    let headers: Record<string, string>
    let ledger: LedgerModuleService
    beforeEach(async () => {
      headers = (await createAdminAuth(getContainer(), api)).headers
      ledger = getContainer().resolve("ledger")
    })
    const post = (url: string, body: unknown) => api.post(url, body, { headers, validateStatus: () => true })

    /** Loyalty-plugin data made through its own workflows and services. */
    const seed = async () => {
      const container = getContainer()
      const { createStoreCreditAccountsWorkflow, creditAccountsWorkflow, debitAccountsWorkflow } = loyaltyWorkflows()
      const customers: any[] = await container.resolve(Modules.CUSTOMER).createCustomers([
        { email: "ann@loyalty.test", has_account: true },
        { email: "bob@loyalty.test", has_account: true },
      ])
      // gift cards as the plugin's createGiftCardsWorkflow makes them: the card, an anonymous
      // store-credit account credited with its value (reference gift_card, the card's id), status redeemed
      const loyalty = container.resolve<any>("loyalty")
      const cards: any[] = await loyalty.createGiftCards([
        { code: "GIFT-AAAA-BBBB-CCCC-DDDD", value: 50, currency_code: "usd", expires_at: new Date("2027-06-30T23:59:59.000Z") },
        { code: "GIFT-EEEE-FFFF-GGGG-HHHH", value: 30, currency_code: "eur" },
        { code: "GIFT-JJJJ-KKKK-MMMM-NNNN", value: 20, currency_code: "usd" },
      ])
      const { result: cardAccounts }: any = await createStoreCreditAccountsWorkflow(container).run({
        input: cards.map((c) => ({ currency_code: c.currency_code })),
      })
      await creditAccountsWorkflow(container).run({
        input: cards.map((c, i) => ({ account_id: cardAccounts[i].id, amount: c.value, note: "Gift card redemption", reference: "gift_card", reference_id: c.id })),
      })
      await loyalty.updateGiftCards(cards.map((c) => ({ id: c.id, status: "redeemed" })))
      const backing = (code: string) => cardAccounts[cards.findIndex((c) => c.code === code)].id
      // spending: 12.50 of the EUR card, all of the 20 USD card
      await debitAccountsWorkflow(container).run({
        input: [
          { account_id: backing("GIFT-EEEE-FFFF-GGGG-HHHH"), amount: 12.5, reference: "order", reference_id: "order_1" },
          { account_id: backing("GIFT-JJJJ-KKKK-MMMM-NNNN"), amount: 20, reference: "order", reference_id: "order_2" },
        ],
      })
      // a card whose value was never loaded (no store-credit account), made by the module itself
      await container.resolve<any>("loyalty").createGiftCards([{ code: "GIFT-PPPP-QQQQ-RRRR-SSSS", value: 15, currency_code: "usd", status: "pending" }])
      const { result: accounts }: any = await createStoreCreditAccountsWorkflow(container).run({
        input: [
          { customer_id: customers[0].id, currency_code: "usd" },
          { customer_id: customers[1].id, currency_code: "eur" },
          { currency_code: "usd" },
        ],
      })
      await creditAccountsWorkflow(container).run({
        input: [
          { account_id: accounts[0].id, amount: 40, reference: "user", reference_id: "user_1" },
          { account_id: accounts[1].id, amount: 10, reference: "user", reference_id: "user_1" },
          { account_id: accounts[2].id, amount: 7.25, reference: "user", reference_id: "user_1" },
        ],
      })
      await debitAccountsWorkflow(container).run({ input: [{ account_id: accounts[0].id, amount: 5, reference: "order", reference_id: "order_3" }] })
      return { customers, cards, accounts, backing }
    }

    /** What the loyalty plugin itself says its balances are, per currency (its own list computes them). */
    const pluginTotals = async () => {
      const container = getContainer()
      const all: any[] = await container.resolve<any>("store_credit").listStoreCreditAccounts({}, { take: null })
      const pending: any[] = await container.resolve<any>("loyalty").listGiftCards({ status: "pending" })
      const totals: Record<string, number> = {}
      for (const a of all) totals[a.currency_code] = (totals[a.currency_code] ?? 0) + Number(a.balance)
      for (const c of pending) totals[c.currency_code] = (totals[c.currency_code] ?? 0) + Number(c.value)
      return totals
    }

    const run = async (input: { dry_run?: boolean; mode?: "independent" | "atomic" } = {}) =>
      (await importLoyaltyBalancesWorkflow(getContainer()).run({ input })).result as ImportReport

    it("dry run reports and writes nothing; the import opens the same codes, balances, currencies, customers and expiry; a second run changes nothing", async () => {
      const { customers } = await seed()
      expect(await pluginTotals()).toEqual({ usd: 107.25, eur: 27.5 })

      const before = await snapshot(dbConnection)
      const dry = await run({ dry_run: true })
      expect(await snapshot(dbConnection)).toEqual(before)
      expect(dry).toMatchObject({
        source: "loyalty",
        dry_run: true,
        ok: true,
        counts: { read: 7, gift_cards: 4, store_credit: 3, created: 7, replayed: 0, failed: 0, not_posted: 0 },
        totals: [
          { currency_code: "eur", source_total: "27.5", ledger_total: "27.5", match: true },
          { currency_code: "usd", source_total: "107.25", ledger_total: "107.25", match: true },
        ],
      })
      expect(dry.notes.join(" ")).toMatch(/1 gift card\(s\) have no store-credit account/)

      // through the admin route
      const { status, data } = await post("/admin/ledger/imports/loyalty", {})
      expect(status).toBe(200)
      const report: ImportReport = data.report
      expect(report).toMatchObject({ dry_run: false, mode: "independent", ok: true, counts: { created: 7, replayed: 0, failed: 0 } })
      expect(report.totals).toEqual(dry.totals)

      // gift cards: same code, balance, currency, expiry, loaded from Bank
      const card = await ledger.getAccountByCode("gift-aaaa-bbbb-cccc-dddd")
      expect(card).toMatchObject({ balance: "50.00", currency_code: "usd", type_id: "lat_liabilities_deferred_income_gift_cards", status: "open" })
      expect(new Date(card.end_date!).toISOString()).toBe("2027-06-30T23:59:59.000Z")
      const [load] = await ledger.listLedgerTransfers({ destination_id: card.id })
      expect(load).toMatchObject({ kind: "load", source_id: coreAccountId("bank", "usd") })
      expect(Number(load.amount)).toBe(50)
      expect(await ledger.getAccountByCode("GIFTEEEEFFFFGGGGHHHH")).toMatchObject({ balance: "17.50", currency_code: "eur", end_date: null })
      const spent = await ledger.getAccountByCode("GIFT-JJJJ-KKKK-MMMM-NNNN")
      expect(spent.balance).toBe("0.00")
      expect(await ledger.listLedgerTransfers({ destination_id: spent.id })).toHaveLength(0)
      expect((await ledger.getAccountByCode("GIFT-PPPP-QQQQ-RRRR-SSSS")).balance).toBe("15.00")

      // store credit: the customers' wallets, from Unpaid source
      const wallet = await ledger.ensureWallet(customers[0].id, "usd")
      expect(wallet).toMatchObject({ balance: "35.00", customer_id: customers[0].id, code: null, type_id: "lat_liabilities_deferred_income_store_credit" })
      const [walletLoad] = await ledger.listLedgerTransfers({ destination_id: wallet.id })
      expect(walletLoad).toMatchObject({ source_id: coreAccountId("unpaid_source", "usd") })
      expect(Number(walletLoad.amount)).toBe(35)
      expect((await ledger.ensureWallet(customers[1].id, "eur")).balance).toBe("10.00")
      const anonymous = (await ledger.listLedgerAccounts({ customer_id: null, type_id: "lat_liabilities_deferred_income_store_credit" } as any))[0]
      expect(anonymous).toMatchObject({ currency_code: "usd" })
      expect((await ledger.getAccount(anonymous.id)).balance).toBe("7.25")
      expect(anonymous.code).toMatch(/^SC/)

      expect((await ledger.verify()).ok).toBe(true)

      // again: everything is found, nothing is written
      const after = await snapshot(dbConnection)
      const again = await run()
      expect(again).toMatchObject({ ok: true, counts: { created: 0, replayed: 7, failed: 0 } })
      expect(again.totals).toEqual(report.totals)
      expect(await snapshot(dbConnection)).toEqual(after)
      const dryAgain = await run({ dry_run: true })
      expect(dryAgain.counts).toMatchObject({ created: 0, replayed: 7 })
    })

    it("a record the ledger refuses: independent mode imports the others and lists it; atomic mode writes nothing", async () => {
      await seed()
      // 33.333 USD cannot be held by the ledger (USD has 2 decimals)
      await getContainer().resolve<any>("loyalty").createGiftCards([{ code: "GIFT-TTTT-VVVV-WWWW-XXXX", value: 33.333, currency_code: "usd", status: "pending" }])

      const before = await snapshot(dbConnection)
      const atomic = await run({ mode: "atomic" })
      expect(await snapshot(dbConnection)).toEqual(before)
      expect(atomic).toMatchObject({ ok: false, rolled_back: true, counts: { created: 0, failed: 1, not_posted: 7 } })
      expect(atomic.errors).toEqual([expect.objectContaining({ code: "invalid_amount" })])

      const independent = await run()
      expect(independent).toMatchObject({ ok: false, counts: { created: 7, failed: 1 } })
      const usd = independent.totals.find((t) => t.currency_code === "usd")!
      expect(usd).toMatchObject({ source_total: "140.583", ledger_total: "107.25", match: false })
      expect((await ledger.verify()).ok).toBe(true)
    })

    it("a customer who already has a ledger wallet is not given a second one", async () => {
      const { customers } = await seed()
      const existing = await ledger.ensureWallet(customers[0].id, "usd")
      const report = await run()
      expect(report.counts).toMatchObject({ created: 6, failed: 1 })
      expect(report.errors[0]).toMatchObject({ code: "wallet_exists" })
      expect((await ledger.ensureWallet(customers[0].id, "usd")).id).toBe(existing.id)
    })
  },
})
