import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import verifyLedgerJob from "../../src/jobs/verify-ledger"
import reconcileLedgerJob from "../../src/jobs/reconcile-ledger"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { runReconciliation } from "../../src/workflows/reconciliation/runs"
import type { ReconciliationReport } from "../../src/workflows/reconciliation/sweep"
import { checkoutSuite } from "../support/checkout-suite"
import { eventually, storefront } from "../support/checkout"
import { snapshot } from "../support/ledger-helpers"
import { TestStore, registerShopper } from "../support/store"

jest.setTimeout(240000)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Makes the plugin's subscribers of these events skip, as if the events were lost (test-only switch). */
const dropEvents = (...events: string[]) => {
  process.env.LEDGER_TEST_DROP_EVENTS = events.join(",")
}
const deliverEvents = () => {
  delete process.env.LEDGER_TEST_DROP_EVENTS
}

// The scheduled jobs stay off in this suite (a sweep at :17 would repair what a test breaks
// on purpose); a test runs a job's handler itself, turned on for that call.
const JOB_SWITCHES = ["LEDGER_RECONCILE_SCHEDULE", "LEDGER_VERIFY_SCHEDULE"]
for (const name of JOB_SWITCHES) process.env[name] = "off"
const withJobsOn = async <T>(run: () => Promise<T>): Promise<T> => {
  for (const name of JOB_SWITCHES) delete process.env[name]
  try {
    return await run()
  } finally {
    for (const name of JOB_SWITCHES) process.env[name] = "off"
  }
}

/**
 * Issue 10 §3, through a booted Medusa: events are lost on purpose (the subscribers skip),
 * the ledger is shown out of step with Medusa, the reconciliation sweep posts exactly what
 * is missing, a second sweep and the late events change nothing, verify() stays clean.
 * Then the scheduled verify(): a failing check emits ledger.verify.failed and is stored.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, sales, adminCall, wallet, giftCard, paymentOf, emit } = suite
    let store: TestStore
    let shop: ReturnType<typeof storefront>
    let ledger: LedgerModuleService
    beforeEach(() => ({ store, shop, ledger } = suite.ctx))
    afterEach(deliverEvents)
    const db = () => getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const held = async (id: string) => Number((await ledger.getAccount(id)).held)
    const openHolds = async () => (await ledger.listLedgerHolds({ status: "open" })).length

    /** A 60.00 order (50.00 shirt + 10.00 shipping): `fromAccount` from an allocation, the rest by card. */
    const splitOrder = async (accountId: string, fromAccount: number, headers: Record<string, string>, capture = true) => {
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], headers)
      expect((await shop.allocate(cart.id, { account_id: accountId, amount: fromAccount }, headers)).status).toBe(200)
      await shop.pay(cart.id, "pp_system_default", {}, headers)
      const { data } = await shop.complete(cart.id, headers)
      expect(data.type).toBe("order")
      const payment = await paymentOf(data.order.id)
      if (capture) expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
      return { order: data.order, payment }
    }
    /** A 60.00 order paid whole by a gift card through the account provider, captured. */
    const providerOrder = async (code: string) => {
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
      expect((await shop.pay(cart.id, "pp_account_account", { code })).status).toBe(200)
      const { data } = await shop.complete(cart.id)
      const payment = await paymentOf(data.order.id)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
      return { order: data.order, payment }
    }
    /** An order of `units` gift cards paid by card, captured. */
    const giftCardOrder = async (units: number) => {
      const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: units }])
      await shop.pay(cart.id, "pp_system_default", {})
      const { data } = await shop.complete(cart.id)
      const payment = await paymentOf(data.order.id)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
      return { order: data.order, payment }
    }
    const byOrder = (report: ReconciliationReport) =>
      Object.fromEntries(report.orders.map((o) => [o.order_id, { missing: o.missing.map((g) => g.kind).sort(), posted: o.posted }]))

    it("lost payment.captured and order.placed: the sweep posts exactly the missing captures and gift cards, once", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "recon-capture@example.com")
      const account = await wallet(shopper.customer.id, 200)
      const card = await giftCard(100)
      dropEvents("payment.captured", "order.placed")

      const split = await splitOrder(account.id, 40, shopper.headers) // 40 from the wallet, 20 by card
      const provider = await providerOrder(card.code!) // 60 from the gift card (account provider)
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
      expect((await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)).status).toBe(200)
      const whole = (await shop.complete(cart.id, shopper.headers)).data.order // 60 from the wallet, nothing to capture
      const cards = await giftCardOrder(2) // two 25.00 cards, paid by card

      // Out of step: Medusa captured everything, the ledger still only holds.
      await sleep(1000)
      expect([await balance(account.id), await held(account.id)]).toEqual([200, 100])
      expect([await balance(card.id), await held(card.id)]).toEqual([100, 60])
      expect(await sales()).toBe(0)
      expect(await ledger.listLedgerAccounts({ idempotency_key: [`giftcard:${cards.order.items[0].id}:0`] })).toEqual([])
      deliverEvents()

      const { report, run } = await runReconciliation(getContainer())
      expect(run).toMatchObject({ kind: "reconciliation", ok: true })
      expect(report).toMatchObject({ ok: true, days: 7, fixed: 4, failed: 0 })
      expect(report.checked).toMatchObject({ orders: 4, captures: 3, refunds: 0, canceled_orders: 0 })
      const orders = byOrder(report)
      expect(Object.keys(orders).sort()).toEqual([split.order.id, provider.order.id, whole.id, cards.order.id].sort())
      expect(orders[split.order.id].missing).toEqual(["allocation_capture"])
      expect(orders[split.order.id].posted).toEqual([
        expect.objectContaining({ kind: "transfer", transfer_kind: "capture", source_id: account.id, amount: "40.00" }),
      ])
      expect(orders[provider.order.id].missing).toEqual(["payment_capture"])
      expect(orders[provider.order.id].posted).toEqual([
        expect.objectContaining({ kind: "transfer", transfer_kind: "capture", source_id: card.id, amount: "60.00" }),
      ])
      expect(orders[whole.id].missing).toEqual(["allocation_capture"])
      expect(orders[whole.id].posted).toEqual([expect.objectContaining({ kind: "transfer", source_id: account.id, amount: "60.00" })])
      expect(orders[cards.order.id].missing).toEqual(["gift_card_issue", "gift_card_issue"])
      expect(orders[cards.order.id].posted.map((p) => p.kind)).toEqual(["gift_card_issued", "gift_card_issued"])
      expect(report.orders.every((o) => o.remaining.length === 0 && o.error === null)).toBe(true)

      // Exactly the missing money moved.
      expect([await balance(account.id), await held(account.id)]).toEqual([100, 0])
      expect([await balance(card.id), await held(card.id)]).toEqual([40, 0])
      expect(await sales()).toBe(160)
      const issued = await suite.issuedCards(cards.order.items[0].id, 2)
      expect(issued.map((c: any) => Number(c.balance))).toEqual([25, 25])
      expect(await openHolds()).toBe(0)

      // A second sweep, through the admin route, finds nothing and changes nothing.
      const before = await snapshot(db())
      const again = await adminCall("post", "/admin/ledger/reconciliation", {})
      expect(again.status).toBe(200)
      expect(again.data.run.report).toMatchObject({ ok: true, orders: [], fixed: 0, checked: { orders: 4 } })
      expect(await snapshot(db())).toEqual(before)

      // The late events, delivered after the sweep: nothing moves.
      await Promise.all([
        emit("payment.captured", split.payment.id),
        emit("payment.captured", provider.payment.id),
        emit("payment.captured", cards.payment.id),
        emit("order.placed", whole.id),
      ])
      await sleep(2000)
      expect(await snapshot(db())).toEqual(before)

      // The admin's Ledger page reads the last run from here.
      const last = await adminCall("get", "/admin/ledger/reconciliation")
      expect(last.status).toBe(200)
      expect(last.data.reconciliation).toMatchObject({ kind: "reconciliation", ok: true, report: { orders: [], fixed: 0 } })
      expect(last.data.reconciliation.id).toBe(again.data.run.id)
      expect(last.data.verify).toBeNull()
      // days is checked
      const bad = await adminCall("post", "/admin/ledger/reconciliation", { days: 0 })
      expect([bad.status, bad.data.code]).toEqual([400, "invalid_request"])
    })

    it("lost order.canceled: the sweep returns the money once and voids unspent cards; a late event changes nothing", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "recon-cancel@example.com")
      const account = await wallet(shopper.customer.id, 200)
      const card = await giftCard(100)
      const captured = await splitOrder(account.id, 40, shopper.headers) // captured: wallet 200 → 160
      const open = await splitOrder(account.id, 30, shopper.headers, false) // not captured: 30 held
      const provider = await providerOrder(card.code!) // gift card 100 → 40
      const cards = await giftCardOrder(1)
      await eventually(async () => expect([await balance(account.id), await held(account.id), await balance(card.id)]).toEqual([160, 30, 40]))
      const [issued] = await suite.issuedCards(cards.order.items[0].id, 1)
      const bank = Number((await ledger.getCoreAccount("bank", "usd")).balance)

      dropEvents("order.canceled")
      for (const o of [captured.order, open.order, provider.order, cards.order]) {
        expect((await adminCall("post", `/admin/orders/${o.id}/cancel`, {})).status).toBe(200)
      }
      await sleep(1000)
      // Medusa refunded the provider payment itself (the provider posts it); the rest is out of step.
      expect(await balance(card.id)).toBe(100)
      expect([await balance(account.id), await held(account.id)]).toEqual([160, 30])
      expect((await ledger.getAccount(issued.id)).status).toBe("open")
      deliverEvents()

      // The scheduled job's handler runs the sweep.
      const report = (await withJobsOn(() => reconcileLedgerJob(getContainer())))!
      expect(report).toMatchObject({ ok: true, fixed: 3, failed: 0, checked: { orders: 4, canceled_orders: 4 } })
      const orders = byOrder(report)
      expect(orders[provider.order.id]).toBeUndefined()
      expect(orders[captured.order.id].missing).toEqual(["allocation_reversal"])
      expect(orders[captured.order.id].posted).toEqual([
        expect.objectContaining({ kind: "transfer", transfer_kind: "reversal", destination_id: account.id, amount: "40.00" }),
      ])
      expect(orders[open.order.id].missing).toEqual(["allocation_release"])
      expect(orders[open.order.id].posted).toEqual([expect.objectContaining({ kind: "hold_released" })])
      expect(orders[cards.order.id].missing).toEqual(["gift_card_void"])
      expect(orders[cards.order.id].posted).toEqual([{ kind: "gift_card_voided", account_id: issued.id }])

      // Every cent back exactly once.
      expect((await ledger.getAccount(issued.id)).status).toBe("closed")
      expect([await balance(account.id), await held(account.id)]).toEqual([200, 0])
      expect(await balance(card.id)).toBe(100)
      expect(await sales()).toBe(0)
      expect(Number((await ledger.getCoreAccount("bank", "usd")).balance)).toBe(bank + 25)
      expect(await openHolds()).toBe(0)

      const before = await snapshot(db())
      const { report: second } = await runReconciliation(getContainer(), { days: 1 })
      expect(second).toMatchObject({ ok: true, orders: [], days: 1, checked: { canceled_orders: 4 } })
      await Promise.all([captured, open, provider, cards].map((o) => emit("order.canceled", o.order.id)))
      await sleep(2000)
      expect(await snapshot(db())).toEqual(before)
    })

    it("a sweep racing the late events moves the money once", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "recon-race@example.com")
      const account = await wallet(shopper.customer.id, 300)
      dropEvents("payment.captured", "order.canceled")
      const paid = await splitOrder(account.id, 40, shopper.headers) // capture lost
      const canceled = await splitOrder(account.id, 50, shopper.headers) // capture and cancel lost
      expect((await adminCall("post", `/admin/orders/${canceled.order.id}/cancel`, {})).status).toBe(200)
      await sleep(500)
      expect([await balance(account.id), await held(account.id)]).toEqual([300, 90])
      deliverEvents()

      // Two sweeps at once, and the late events arriving while they run (and one right away).
      const later = (ms: number, name: string, id: string) => sleep(ms).then(() => emit(name, id))
      const results = await Promise.all([
        runReconciliation(getContainer()),
        runReconciliation(getContainer()),
        later(100, "payment.captured", paid.payment.id),
        later(200, "order.canceled", canceled.order.id),
        later(300, "payment.captured", paid.payment.id),
        later(400, "order.canceled", canceled.order.id),
      ])
      expect(results.slice(0, 2).map((r: any) => r.report.ok)).toEqual([true, true])
      // Whoever won each race, the gaps were seen and the ledger posted each fix once.
      const posted = results.slice(0, 2).flatMap((r: any) => r.report.orders.flatMap((o: any) => o.posted))
      expect(posted.length).toBeLessThanOrEqual(2)
      await eventually(async () => expect([await balance(account.id), await held(account.id)]).toEqual([260, 0]))
      await sleep(1500)
      expect([await balance(account.id), await held(account.id)]).toEqual([260, 0])
      expect(await sales()).toBe(40)
      expect(await ledger.listLedgerTransfers({ source_id: account.id, kind: "capture" })).toHaveLength(1)
      expect((await runReconciliation(getContainer())).report.orders).toEqual([])
    })

    it("a refund Medusa recorded without its ledger posting is posted by the sweep, once", async () => {
      const card = await giftCard(100)
      const provider = await providerOrder(card.code!)
      await eventually(async () => expect(await balance(card.id)).toBe(40))
      // A refund record committed without the provider call (a crash between the two).
      const payments = getContainer().resolve(Modules.PAYMENT)
      const [refund] = await (payments as any).createRefunds([{ payment_id: provider.payment.id, amount: 15 }])
      expect(await balance(card.id)).toBe(40)

      const { report } = await runReconciliation(getContainer())
      expect(byOrder(report)[provider.order.id].missing).toEqual(["payment_refund"])
      expect(byOrder(report)[provider.order.id].posted).toEqual([
        expect.objectContaining({ kind: "transfer", transfer_kind: "refund", destination_id: card.id, amount: "15.00" }),
      ])
      expect(await balance(card.id)).toBe(55)
      const refunds = await ledger.listLedgerTransfers({ kind: "refund" })
      expect(refunds.map((t: any) => t.idempotency_key)).toEqual([expect.stringMatching(new RegExp(`^pp-refund:${refund.id}:`))])
      const { report: again } = await runReconciliation(getContainer())
      expect(again.orders).toEqual([])
      expect(await balance(card.id)).toBe(55)
    })

    it("scheduled verify: a clean run is stored; a failing check logs, emits ledger.verify.failed and is stored", async () => {
      const container = getContainer()
      const events: any[] = []
      container.resolve(Modules.EVENT_BUS).subscribe("ledger.verify.failed", async (e: any) => {
        events.push(e)
      })
      const logged: string[] = []
      const logger = container.resolve("logger")
      const error = logger.error
      logger.error = (...args: any[]) => {
        logged.push(String(args[0]))
        return error.apply(logger, args)
      }
      try {
        const account = await giftCard(50)
        expect(await verifyLedgerJob(container)).toBeUndefined() // off: does nothing
        expect((await adminCall("get", "/admin/ledger/reconciliation")).data.verify).toBeNull()
        const clean = await withJobsOn(() => verifyLedgerJob(container))
        expect(clean!.ok).toBe(true)
        await sleep(300)
        expect(events).toEqual([])
        expect((await adminCall("get", "/admin/ledger/reconciliation")).data.verify).toMatchObject({ kind: "verify", ok: true })

        // Tamper: a cached held amount that is not the sum of the open holds.
        await db().raw(`UPDATE ledger_account SET held = held + 1 WHERE id = ?`, [account.id])
        try {
          const failed = await withJobsOn(() => verifyLedgerJob(container))
          expect(failed!.ok).toBe(false)
          await eventually(async () => expect(events).toHaveLength(1))
          const payload = events[0].data ?? events[0]
          expect(payload.checks).toEqual([
            expect.objectContaining({ name: "cached_held_matches_holds", count: 1, offending: [expect.objectContaining({ id: account.id })] }),
          ])
          expect(typeof payload.checked_at).toBe("string")
          expect(logged.some((l) => l.includes("ledger verify failed") && l.includes("cached_held_matches_holds"))).toBe(true)
          const last = (await adminCall("get", "/admin/ledger/reconciliation")).data.verify
          expect(last).toMatchObject({ kind: "verify", ok: false })
          expect(last.report.checks.find((c: any) => c.name === "cached_held_matches_holds")).toMatchObject({ ok: false, count: 1 })
        } finally {
          await db().raw(`UPDATE ledger_account SET held = held - 1 WHERE id = ?`, [account.id])
        }
      } finally {
        logger.error = error
      }
    })
  },
})
