import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { eventually, storefront } from "../support/checkout"
import { checkoutSuite } from "../support/checkout-suite"
import { fetchApi, startMedusaProcess } from "../support/medusa-process"
import { freshRedis, skippedWithoutRedis, testRedisUrl } from "../support/redis"
import { registerShopper } from "../support/store"

jest.setTimeout(600_000)

/**
 * The production shape: two server processes and one worker on Medusa's Redis modules
 * (event bus, workflow engine, locking, cache), as the README's "Running in production"
 * configures them. The servers take every request; only the worker runs subscribers, so
 * every capture and cancellation reaches the ledger through Redis.
 */

const REDIS_URL = testRedisUrl(0)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, giftCard, wallet } = suite

    it("two servers and a worker on Redis: 40 checkouts on shared accounts, captures, cancellations and refunds move money once", async () => {
      if (!(await freshRedis(REDIS_URL))) return skippedWithoutRedis("the Redis cluster test", REDIS_URL)
      const { store, ledger } = suite.ctx
      // Behind a load balancer (one trusted proxy), so the code guard tells the shoppers apart.
      const env = { REDIS_URL, LEDGER_CODE_TRUSTED_PROXIES: "1" }
      const processes = await Promise.all([
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "server" } }),
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "server" } }),
        startMedusaProcess(dbConfig.clientUrl, { env: { ...env, MEDUSA_WORKER_MODE: "worker" } }),
      ])
      const [one, two] = processes.map((p) => fetchApi(p.url))
      try {
        const servers = [one, two]
        const shops = servers.map((s) => storefront(s, store))
        const admin = (i: number) => async (method: "get" | "post", url: string, body?: unknown) =>
          method === "post" ? servers[i % 2].post(url, body ?? {}, { headers: suite.ctx.admin }) : servers[i % 2].get(url, { headers: suite.ctx.admin })

        // Shared money, each account used by orders asking the same amount, so exactly
        // floor(balance / amount) of them can succeed whatever the interleaving.
        const alice = await registerShopper(api, store.publishableKey, "alice@cluster.test")
        const bob = await registerShopper(api, store.publishableKey, "bob@cluster.test")
        const aliceWallet = await wallet(alice.customer.id, 100) // 10 orders allocate 25 → 4 succeed
        const bobWallet = await wallet(bob.customer.id, 130) // 10 orders allocate 30 → 4 succeed
        const cardFull = await giftCard(200) // 10 orders pay 60 in full with the account provider → 3 succeed
        const cardSplit = await giftCard(90) // 10 orders allocate 20, rest by card → 4 succeed
        const plans = Array.from({ length: 40 }, (_, i) => {
          switch (i % 4) {
            case 0:
              return { i, who: alice, allocate: { account_id: aliceWallet.id, amount: 25 }, account: aliceWallet.id, amount: 25 }
            case 1:
              return { i, who: bob, allocate: { account_id: bobWallet.id, amount: 30 }, account: bobWallet.id, amount: 30 }
            case 2:
              return { i, who: null, provider: { code: cardFull.code }, account: cardFull.id, amount: 60 }
            default:
              return { i, who: null, allocate: { code: cardSplit.code, amount: 20 }, account: cardSplit.id, amount: 20 }
          }
        })

        // Carts and allocations first (an allocation reserves nothing), then every
        // completion at once across both servers: the money decides which ones succeed.
        // One shopper's carts are prepared one after another: Medusa itself races when one
        // customer opens payment sessions in parallel ("Account holder ... already exists").
        const prepare = async (plan: (typeof plans)[number]) => {
            const shop = shops[plan.i % 2]
            const client = { "x-forwarded-for": `203.0.113.${plan.i + 1}` }
            const headers = { ...(plan.who ? plan.who.headers : shop.guest), ...client }
            const email = plan.who ? plan.who.customer.email : `guest-${plan.i}@cluster.test`
            const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], headers, email)
            if (plan.allocate) {
              const res = await shop.allocate(cart.id, plan.allocate, headers)
              if (res.status !== 200) throw new Error(`allocation ${plan.i}: ${res.status} ${JSON.stringify(res.data)}`)
            }
            const session = plan.allocate
              ? await shop.pay(cart.id, "pp_system_default", {}, headers)
              : await shop.pay(cart.id, "pp_account_account", plan.provider, headers)
            if (session.status !== 200) throw new Error(`payment session ${plan.i}: ${session.status} ${JSON.stringify(session.data)}`)
            return { plan, cart, headers }
        }
        const groups = new Map<string, (typeof plans)[number][]>()
        for (const plan of plans) {
          const key = plan.who ? plan.who.customer.id : `guest-${plan.i}`
          groups.set(key, [...(groups.get(key) ?? []), plan])
        }
        const prepared = await Promise.all(
          [...groups.values()].map(async (group) => {
            const out = []
            for (const plan of group) out.push(await prepare(plan))
            return out
          })
        )
        const ready = prepared.flat().sort((a, b) => a.plan.i - b.plan.i)
        const done = await Promise.all(ready.map(({ plan, cart, headers }) => shops[(plan.i + 1) % 2].complete(cart.id, headers)))
        const orders = ready
          .map((r, k) => ({ ...r, res: done[k] }))
          .filter((r) => r.res.status === 200 && r.res.data.type === "order")
          .map((r) => ({ plan: r.plan, order: r.res.data.order }))
        const refused = done.filter((r) => !(r.status === 200 && r.data.type === "order"))
        for (const r of refused) expect([r.status, r.data?.code ?? r.data?.error?.code ?? r.data?.type]).toEqual([400, "insufficient_funds"])
        const byAccount = (id: string) => orders.filter((o) => o.plan.account === id).length
        expect([aliceWallet.id, bobWallet.id, cardFull.id, cardSplit.id].map(byAccount)).toEqual([4, 4, 3, 4])

        // Capture every order's payments (alternating servers), then cancel a third of
        // them and refund 5.00 of some others to store credit.
        const paymentsOf = async (orderId: string) => {
          const { data } = await admin(0)("get", `/admin/orders/${orderId}?fields=*payment_collections,*payment_collections.payments`)
          return data.order.payment_collections.flatMap((c: any) => c.payments)
        }
        await Promise.all(
          orders.map(async ({ order }, k) => {
            for (const payment of await paymentsOf(order.id)) {
              const res = await admin(k)("post", `/admin/payments/${payment.id}/capture`, {})
              expect(res.status).toBe(200)
            }
          })
        )
        // Every capture reaches the ledger through the worker: no hold is left open.
        await eventually(async () => expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([]), 60_000)

        const canceled = orders.filter((_, k) => k % 3 === 0)
        const refunded = orders.filter((_, k) => k % 3 === 1 && _.plan.who)
        await Promise.all([
          ...canceled.map(async ({ order }, k) => expect((await admin(k)("post", `/admin/orders/${order.id}/cancel`, {})).status).toBe(200)),
          ...refunded.map(async ({ order }, k) =>
            expect((await admin(k + 1)("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 5 })).status).toBe(200)
          ),
        ])

        // Each account ends where its orders say: spent by the orders that stand, returned
        // by each cancellation once; the refunds to store credit land in the shopper's wallet.
        const expected = new Map<string, number>([
          [aliceWallet.id, 100],
          [bobWallet.id, 130],
          [cardFull.id, 200],
          [cardSplit.id, 90],
        ])
        for (const { plan } of orders) expected.set(plan.account, expected.get(plan.account)! - plan.amount)
        for (const { plan } of canceled) expected.set(plan.account, expected.get(plan.account)! + plan.amount)
        await eventually(async () => {
          for (const [id, amount] of expected) {
            const refundedHere = refunded.filter((r) => r.plan.account === id && !canceled.includes(r)).length * 5
            expect([id, await balance(id)]).toEqual([id, amount + refundedHere])
          }
        }, 60_000)

        // Exactly one capture transfer per order, and per account one return per
        // cancellation or refund (an account-provider payment's return is keyed by Medusa's
        // refund, not the order, so the returns are counted per account).
        for (const { order, plan } of orders) {
          const transfers = await ledger.listLedgerTransfers({ merchant_reference: order.id })
          const out = transfers.filter((t: any) => t.source_id === plan.account && ["capture", "redemption"].includes(t.kind))
          expect([order.id, out.length]).toEqual([order.id, 1])
        }
        for (const id of expected.keys()) {
          const returns = (await ledger.listLedgerTransfers({ destination_id: id })).filter((t: any) => ["refund", "reversal"].includes(t.kind))
          const mine = (list: typeof orders) => list.filter((o) => o.plan.account === id)
          const amounts = [...mine(canceled).map((o) => o.plan.amount), ...mine(refunded).map(() => 5)].sort((a, b) => a - b)
          expect([id, returns.map((t: any) => Number(t.amount)).sort((a: number, b: number) => a - b)]).toEqual([id, amounts])
        }
        expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([])
        const verified = await ledger.verify()
        expect(verified.checks.filter((c) => !c.ok)).toEqual([])
        console.log(
          `[cluster] ${orders.length} orders of 40 (refused ${refused.length}), ${canceled.length} canceled after capture, ${refunded.length} refunded to store credit`
        )
      } finally {
        await Promise.all(processes.map((p) => p.stop()))
      }
    })
  },
})
