import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import path from "path"
import { eventually, storefront } from "../support/checkout"
import { checkoutSuite } from "../support/checkout-suite"
import { fetchApi, runMedusaCli, startMedusaProcess } from "../support/medusa-process"
import { freshRedis, eventQueue, skippedWithoutRedis, testRedisUrl } from "../support/redis"
import { registerShopper } from "../support/store"

jest.setTimeout(600_000)

/**
 * At-least-once delivery on Medusa's Redis event bus: a subscriber that fails is run again,
 * an event delivered twice moves money once, and a scheduled job runs once per tick
 * however many workers there are.
 */

const REDIS_URL = testRedisUrl(1)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, giftCard, wallet } = suite
    const env = { REDIS_URL, LEDGER_CODE_TRUSTED_PROXIES: "1" }

    it("a subscriber that fails on its first delivery gets the event again through Redis, and the money moves once", async () => {
      if (!(await freshRedis(REDIS_URL))) return skippedWithoutRedis("the Redis redelivery test", REDIS_URL)
      const { store, ledger } = suite.ctx
      const env = { REDIS_URL, LEDGER_CODE_TRUSTED_PROXIES: "1" }
      const [server, worker] = await Promise.all([
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "server" } }),
        // The worker's plugin subscribers fail the first delivery of each of these events.
        startMedusaProcess(dbConfig.clientUrl, {
          env: { ...env, MEDUSA_WORKER_MODE: "worker", NODE_ENV: "test", LEDGER_TEST_FAIL_FIRST: "payment.captured,order.canceled" },
        }),
      ])
      try {
        const http = fetchApi(server.url)
        const shop = storefront(http, store)
        const adminPost = (url: string) => http.post(url, {}, { headers: suite.ctx.admin })
        const shopper = await registerShopper(api, store.publishableKey, "redelivery@cluster.test")
        const account = await wallet(shopper.customer.id, 40)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers, "redelivery@cluster.test")
        expect((await shop.allocate(cart.id, { account_id: account.id, amount: 25 }, shopper.headers)).status).toBe(200)
        expect((await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)).status).toBe(200)
        const done = await shop.complete(cart.id, shopper.headers)
        expect(done.data.type).toBe("order")
        const order = done.data.order

        const { data } = await http.get(`/admin/orders/${order.id}?fields=*payment_collections,*payment_collections.payments`, { headers: suite.ctx.admin })
        const payment = data.order.payment_collections[0].payments[0]
        expect((await adminPost(`/admin/payments/${payment.id}/capture`)).status).toBe(200)
        // The first delivery fails (logged by the worker); the retry posts the capture.
        await eventually(async () => expect(await balance(account.id)).toBe(15), 30_000)
        expect(worker.output()).toContain(`payment.captured ${payment.id} failed: failed on purpose`)
        const captures = (await ledger.listLedgerTransfers({ merchant_reference: order.id })).filter((t: any) => t.source_id === account.id)
        expect(captures).toHaveLength(1)

        expect((await adminPost(`/admin/orders/${order.id}/cancel`)).status).toBe(200)
        await eventually(async () => expect(await balance(account.id)).toBe(40), 30_000)
        expect(worker.output()).toContain(`order.canceled ${order.id} failed: failed on purpose`)
        // Give any further delivery time to land: still once.
        await new Promise((r) => setTimeout(r, 3000))
        expect(await balance(account.id)).toBe(40)
        const returns = (await ledger.listLedgerTransfers({ destination_id: account.id })).filter((t: any) => ["refund", "reversal"].includes(t.kind))
        expect(returns.map((t: any) => Number(t.amount))).toEqual([25])
        expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([])
      } finally {
        await Promise.all([server.stop(), worker.stop()])
      }
    })

    it("payment.captured and order.canceled delivered again on purpose move money once", async () => {
      if (!(await freshRedis(REDIS_URL))) return skippedWithoutRedis("the duplicate-delivery test", REDIS_URL)
      const { store, ledger } = suite.ctx
      const [server, worker] = await Promise.all([
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "server" } }),
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "worker" } }),
      ])
      try {
        const http = fetchApi(server.url)
        const shop = storefront(http, store)
        const adminPost = (url: string) => http.post(url, {}, { headers: suite.ctx.admin })
        // Two orders on one card: one stays, one is canceled after its capture.
        const card = await giftCard(100)
        const placed = []
        for (const i of [0, 1]) {
          const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shop.guest, `twice-${i}@cluster.test`)
          expect((await shop.allocate(cart.id, { code: card.code, amount: 30 })).status).toBe(200)
          expect((await shop.pay(cart.id, "pp_system_default")).status).toBe(200)
          const done = await shop.complete(cart.id)
          expect(done.data.type).toBe("order")
          placed.push(done.data.order)
        }
        const payments = []
        for (const order of placed) {
          const { data } = await http.get(`/admin/orders/${order.id}?fields=*payment_collections,*payment_collections.payments`, { headers: suite.ctx.admin })
          const payment = data.order.payment_collections[0].payments[0]
          expect((await adminPost(`/admin/payments/${payment.id}/capture`)).status).toBe(200)
          payments.push(payment)
        }
        await eventually(async () => expect(await balance(card.id)).toBe(40), 30_000)
        expect((await adminPost(`/admin/orders/${placed[1].id}/cancel`)).status).toBe(200)
        await eventually(async () => expect(await balance(card.id)).toBe(70), 30_000)

        const snapshot = async () => ({
          balance: await balance(card.id),
          held: Number((await ledger.getAccount(card.id)).held),
          transfers: (await ledger.listLedgerTransfers({ source_id: card.id })).length + (await ledger.listLedgerTransfers({ destination_id: card.id })).length,
          holds: (await ledger.listLedgerHolds({ account_id: card.id })).map((h: any) => `${h.status} ${h.amount}`).sort(),
        })
        const before = await snapshot()

        // Every event again, twice, at once, through the same Redis bus the servers use.
        const again = [
          ...payments.map((p) => ({ name: "payment.captured", data: { id: p.id } })),
          { name: "order.canceled", data: { id: placed[1].id } },
        ]
        const { added } = await eventQueue(REDIS_URL)
        const emitted = await runMedusaCli(["exec", path.join(__dirname, "../support/emit-events.ts"), JSON.stringify([...again, ...again])], dbConfig.clientUrl, {
          env: { REDIS_URL, MEDUSA_WORKER_MODE: "server" },
        })
        expect([emitted.code, emitted.output]).toEqual([0, expect.stringContaining("emitted 6 event(s)")])
        // The worker takes all six (none waits, none failed: a duplicate is not an error); nothing moved.
        await eventually(async () => expect(await eventQueue(REDIS_URL)).toMatchObject({ pending: 0, failed: 0 }), 60_000)
        expect((await eventQueue(REDIS_URL)).added - added).toBeGreaterThanOrEqual(6)
        expect(await snapshot()).toEqual(before)
        expect(before).toMatchObject({ balance: 70, held: 0 })
      } finally {
        await Promise.all([server.stop(), worker.stop()])
      }
    })

    it("the expiry job runs once per tick across two workers, and an expired card lapses once", async () => {
      if (!(await freshRedis(REDIS_URL))) return skippedWithoutRedis("the scheduled-job test", REDIS_URL)
      const { ledger } = suite.ctx
      // Expires in 3 s; the sweep runs every 3 s on whichever worker takes the tick.
      const card = await giftCard(25, { end_date: new Date(Date.now() + 3000).toISOString() })
      const jobEnv = { ...env, MEDUSA_WORKER_MODE: "worker", LOG_LEVEL: "info", LEDGER_EXPIRY_SCHEDULE: "*/3 * * * * *" }
      const workers = await Promise.all([0, 1].map(() => startMedusaProcess(dbConfig.clientUrl, { env: jobEnv })))
      const runs: { worker: number; at: number }[] = []
      workers.forEach((w, worker) =>
        w.child.stdout!.on("data", (d) => {
          for (const _ of String(d).match(/medusa-accounts: expiry closed/g) ?? []) runs.push({ worker, at: Date.now() })
        })
      )
      try {
        await eventually(async () => expect((await ledger.getAccount(card.id)).status).toBe("closed"), 60_000)
        // Over 15 s the schedule has 5 ticks (±1 at the edges). Run once per tick, that is
        // about 5 runs; run by each worker, 10. (Timing within a tick is not compared: on a
        // loaded machine a run can start a second late.)
        const from = runs.length
        const start = Date.now()
        await new Promise((r) => setTimeout(r, 15_000))
        const ticks = Math.floor(Date.now() / 3000) - Math.floor(start / 3000)
        const window = runs.slice(from)
        expect(window.length).toBeGreaterThanOrEqual(ticks - 2)
        expect(window.length).toBeLessThanOrEqual(ticks + 1)
        const lapses = (await ledger.listLedgerTransfers({ source_id: card.id })).filter((t: any) => t.kind === "expiry")
        expect(lapses.map((t: any) => Number(t.amount))).toEqual([25])
        console.log(
          `[expiry] ${window.length} runs for ${ticks} ticks in 15 s on two workers (${window.filter((r) => r.worker === 0).length} + ${window.filter((r) => r.worker === 1).length})`
        )
      } finally {
        await Promise.all(workers.map((w) => w.stop()))
      }
    })
  },
})
