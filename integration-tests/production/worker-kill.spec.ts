import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { eventually, storefront } from "../support/checkout"
import { checkoutSuite } from "../support/checkout-suite"
import { fetchApi, startMedusaProcess } from "../support/medusa-process"
import { eventQueue, freshRedis, skippedWithoutRedis, testRedisUrl } from "../support/redis"

jest.setTimeout(600_000)

/**
 * kill -9 of the worker while it processes captures and cancellations on Medusa's Redis
 * event bus. Whatever it was doing is cut off mid-way; a new worker takes the queue (and,
 * once their lock lapses, the jobs the dead one held), the reconciliation sweep posts what
 * an event did not, and in the end the ledger agrees with Medusa's payments: every capture
 * posted once, every cancellation returned once, no hold left.
 */

const REDIS_URL = testRedisUrl(2)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, giftCard } = suite

    it("kill -9 of the worker mid-captures: after a restart and the sweep, every capture and cancellation is in the ledger once", async () => {
      if (!(await freshRedis(REDIS_URL))) return skippedWithoutRedis("the worker kill test", REDIS_URL)
      const { store, ledger } = suite.ctx
      const env = { REDIS_URL, LEDGER_CODE_TRUSTED_PROXIES: "1" }
      const server = await startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "server" } })
      let worker = await startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "worker" } })
      try {
        const http = fetchApi(server.url)
        const shop = storefront(http, store)
        const admin = { headers: suite.ctx.admin }

        // 16 orders, 8 on each card, each paying 10.00 from it and the rest by card.
        const cards = [await giftCard(120), await giftCard(120)]
        const orders: { id: string; card: string }[] = []
        for (let i = 0; i < 16; i++) {
          const card = cards[i % 2]
          const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shop.guest, `worker-kill-${i}@cluster.test`)
          expect((await shop.allocate(cart.id, { code: card.code, amount: 10 })).status).toBe(200)
          expect((await shop.pay(cart.id, "pp_system_default")).status).toBe(200)
          const done = await shop.complete(cart.id)
          expect(done.data.type).toBe("order")
          orders.push({ id: done.data.order.id, card: card.id })
        }
        const canceled = orders.filter((_, k) => k % 3 === 0)

        // Capture everything at once, canceling a third right after their capture; the
        // worker is killed as soon as it has posted its first capture.
        const capturedInLedger = async () =>
          (await ledger.listLedgerTransfers({ source_id: cards.map((c) => c.id) })).filter((t: any) => t.kind === "capture").length
        const burst = Promise.all(
          orders.map(async (order) => {
            const { data } = await http.get(`/admin/orders/${order.id}?fields=*payment_collections,*payment_collections.payments`, admin)
            const payment = data.order.payment_collections[0].payments[0]
            expect((await http.post(`/admin/payments/${payment.id}/capture`, {}, admin)).status).toBe(200)
            if (canceled.includes(order)) expect((await http.post(`/admin/orders/${order.id}/cancel`, {}, admin)).status).toBe(200)
          })
        )
        await eventually(async () => expect(await capturedInLedger()).toBeGreaterThan(0), 60_000)
        worker.child.kill("SIGKILL")
        await burst
        const postedBeforeKill = await capturedInLedger()
        const queued = await eventQueue(REDIS_URL)

        // A new worker, and the sweep over what Medusa recorded.
        worker = await startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "worker" } })
        const sweep = await http.post("/admin/ledger/reconciliation", {}, admin)
        expect(sweep.status).toBe(200)

        const expected = new Map(cards.map((c) => [c.id, 120]))
        for (const o of orders) if (!canceled.includes(o)) expected.set(o.card, expected.get(o.card)! - 10)
        const agrees = async () => {
          for (const [id, amount] of expected) expect([id, await balance(id)]).toEqual([id, amount])
          expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([])
        }
        await eventually(agrees, 90_000)
        // Jobs the dead worker held come back once their lock lapses (BullMQ's stalled
        // check): let every one of them run, then the books must not have moved.
        await eventually(async () => expect((await eventQueue(REDIS_URL)).pending).toBe(0), 120_000)
        await agrees()

        // Each order: its capture posted once; a canceled order's capture returned once.
        for (const order of orders) {
          const transfers = await ledger.listLedgerTransfers({ merchant_reference: order.id })
          const captures = transfers.filter((t: any) => t.kind === "capture" && t.source_id === order.card)
          const returns = transfers.filter((t: any) => ["refund", "reversal"].includes(t.kind) && t.destination_id === order.card)
          const isCanceled = canceled.includes(order)
          // A cancellation that came before its capture was posted releases the hold instead.
          expect([order.id, captures.length <= 1, returns.length]).toEqual([order.id, true, isCanceled ? captures.length : 0])
          if (!isCanceled) expect([order.id, captures.length]).toEqual([order.id, 1])
        }
        // Medusa and the ledger agree: a second sweep finds nothing to post.
        const again = await http.post("/admin/ledger/reconciliation", {}, admin)
        expect(again.data.run).toMatchObject({ ok: true, report: { fixed: 0, failed: 0, orders: [] } })
        console.log(
          `[worker-kill] 16 orders, ${canceled.length} canceled; worker killed after ${postedBeforeKill} capture(s) posted with ${queued.pending} event(s) queued; the sweep fixed ${sweep.data.run.report.fixed} order(s), redelivery the rest`
        )
      } finally {
        await Promise.all([server.stop(), worker.stop()])
      }
    })
  },
})
