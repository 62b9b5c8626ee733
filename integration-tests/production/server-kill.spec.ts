import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { storefront } from "../support/checkout"
import { checkoutSuite } from "../support/checkout-suite"
import { fetchApi, startMedusaProcess } from "../support/medusa-process"
import { postingLoad } from "../support/posting-load"

jest.setTimeout(600_000)

/**
 * kill -9 of a server in the middle of a burst: clients post transfers with idempotency
 * keys and complete checkouts on two Medusa processes; one of them is killed without
 * warning. Whatever got a 2xx is in the ledger, nothing is half-written (verify), and
 * retrying every failed request on the surviving server lands it exactly once.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const suite = checkoutSuite(api, getContainer)

    it("kill -9 of a server mid-burst: every 2xx stands, every retried request lands once", async () => {
      const { store, ledger } = suite.ctx
      const [victim, survivor] = await Promise.all([startMedusaProcess(dbConfig.clientUrl), startMedusaProcess(dbConfig.clientUrl)])
      try {
        const load = await postingLoad([victim.url, survivor.url], { email: "admin@ledger.test", password: "ledger-test-password" }, { clients: 6, prefix: "kill" })

        // Checkouts paying 10.00 each with a gift card that covers all of them, the rest by card.
        const card = await suite.giftCard(200)
        const shops = [fetchApi(victim.url), fetchApi(survivor.url)].map((s) => storefront(s, store))
        const carts: string[] = []
        for (let i = 0; i < 12; i++) {
          const cart = await shops[1].cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shops[1].guest, `kill-${i}@shop.test`)
          expect((await shops[1].allocate(cart.id, { code: card.code, amount: 10 })).status).toBe(200)
          expect((await shops[1].pay(cart.id, "pp_system_default")).status).toBe(200)
          carts.push(cart.id)
        }

        const completions: { cart: string; status: number; type?: string; order?: string }[] = []
        const complete = async (shop: (typeof shops)[number], cart: string) => {
          const res = await shop.complete(cart).catch((e) => ({ status: 0, data: { message: String(e) } }))
          const outcome = { cart, status: res.status, type: res.data?.type, order: res.data?.order?.id }
          completions.push(outcome)
          return outcome
        }

        let checkouts: Promise<unknown> = Promise.resolve()
        await load.run(async () => {
          await load.waitForSuccesses(30)
          // Every completion goes to the server about to die; kill it once some have answered.
          checkouts = Promise.all(carts.map((cart) => complete(shops[0], cart)))
          const deadline = Date.now() + 60_000
          while (completions.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
          victim.child.kill("SIGKILL")
          await checkouts
          await load.waitForSuccesses(60)
        })

        // What the dead server answered 2xx stands; the rest is retried on the survivor.
        const answered = completions.filter((c) => c.status === 200 && c.type === "order")
        const retried = await Promise.all(
          completions.filter((c) => !answered.includes(c)).map((c) => complete(shops[1], c.cart))
        )
        for (const r of retried) expect([r.cart, r.status, r.type]).toEqual([r.cart, 200, "order"])
        const orders = new Map([...answered, ...retried].map((c) => [c.cart, c.order!]))
        expect(orders.size).toBe(carts.length)

        // Exactly one order per cart, and each order's gift-card money held once.
        const db = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
        const { rows: links } = await db.raw(`SELECT order_id, cart_id FROM order_cart WHERE cart_id = ANY(?) AND deleted_at IS NULL`, [carts])
        expect(links).toHaveLength(carts.length)
        for (const link of links) expect(orders.get(link.cart_id)).toBe(link.order_id)
        const { rows: placed } = await db.raw(`SELECT count(*)::int AS n FROM "order" WHERE email LIKE 'kill-%' AND deleted_at IS NULL`)
        expect(placed[0].n).toBe(carts.length)
        const holds = await ledger.listLedgerHolds({ account_id: card.id, status: "open" })
        expect(holds).toHaveLength(carts.length)
        expect(holds.reduce((sum: number, h: any) => sum + Number(h.amount), 0)).toBe(10 * carts.length)
        expect(Number((await ledger.getAccount(card.id)).held)).toBe(10 * carts.length)

        // Postings: one transfer per key, the one its 2xx named; the sink got exactly the sum.
        const landed = load.landed()
        const transfers = await ledger.listLedgerTransfers({ idempotency_key: landed.map((l) => l.key) }, { take: 10_000 })
        expect(transfers).toHaveLength(landed.length)
        const byKey = new Map(transfers.map((t: any) => [t.idempotency_key, t.id]))
        expect(landed.filter((l) => byKey.get(l.key) !== l.id)).toEqual([])
        expect(Number((await ledger.getAccount(load.destination.id)).balance)).toBe(landed.length)

        const dropped = load.failures().filter((f) => f.status === 0).length
        const lostCheckouts = completions.length - carts.length
        console.log(
          `[server-kill] ${landed.length} postings (${dropped} requests cut off or refused by the dead server, each retried until it landed) and ${carts.length} checkouts (${answered.length} answered before the kill, ${lostCheckouts} cut off and retried on the survivor)`
        )
        expect(dropped + lostCheckouts).toBeGreaterThan(0)
      } finally {
        await Promise.all([victim.stop(), survivor.stop()])
      }
    })
  },
})
