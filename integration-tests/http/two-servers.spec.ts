import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { createAdminAuth } from "../support/admin"
import { eventually, storefront } from "../support/checkout"
import { registerShopper, seedStore } from "../support/store"
import { Call, caller } from "../support/http"
import { fetchApi, startMedusaProcess } from "../support/medusa-process"

jest.setTimeout(240000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    it("keeps every invariant with two Medusa processes posting to one database", async () => {
      const auth = await createAdminAuth(getContainer(), api)
      const one: Call = caller(api, () => auth.headers)
      const server = await startMedusaProcess(dbConfig.clientUrl)
      try {
        const two: Call = async (method, url, body, headers) => {
          const res = await fetch(server.url + url, {
            method: method.toUpperCase(),
            headers: { "content-type": "application/json", ...(headers ?? auth.headers) },
            body: method === "get" ? undefined : JSON.stringify(body ?? {}),
          })
          return { status: res.status, data: await res.json() }
        }
        const both = [one, two]

        // The same account drained from both processes: exactly 100.00 leaves it.
        const { data } = await two("post", "/admin/accounts", { name: "Shared", currency_code: "usd", initial_amount: 100 })
        const shared = data.account.id
        const drains = await Promise.all(
          Array.from({ length: 32 }, (_, i) => both[i % 2]("post", `/admin/accounts/${shared}/withdraw`, { amount: 10 }))
        )
        expect(drains.filter((r) => r.status === 200)).toHaveLength(10)
        expect(drains.filter((r) => r.status === 400).every((r) => r.data.code === "insufficient_funds")).toBe(true)
        expect(Number((await one("get", `/admin/accounts/${shared}`)).data.account.balance)).toBe(0)

        // Many wallets paying into the one sales account from both processes.
        const wallets: any[] = []
        for (let i = 0; i < 8; i++) {
          const res = await both[i % 2]("post", "/admin/accounts", {
            name: `W${i}`,
            currency_code: "usd",
            generate_code: true,
            initial_amount: 50,
          })
          wallets.push(res.data.account)
        }
        const before = (await one("get", "/admin/accounts/acc_sys_usd_redemptions")).data.account.balance
        const spends = await Promise.all(
          Array.from({ length: 80 }, (_, i) =>
            both[i % 2]("post", `/admin/accounts/code/${wallets[i % 8].code}/redemptions`, { amount: "1.25" })
          )
        )
        expect(spends.every((r) => r.status === 200)).toBe(true)
        const after = (await two("get", "/admin/accounts/acc_sys_usd_redemptions")).data.account.balance
        expect(after - before).toBeCloseTo(100, 10)

        // One idempotency key, sent to both processes at once: one transfer.
        const replays = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            both[i % 2]("post", `/admin/accounts/${wallets[0].id}/withdraw`, { amount: 3, idempotency_key: "two-servers" })
          )
        )
        expect(replays.every((r) => r.status === 200)).toBe(true)
        expect(new Set(replays.map((r) => r.data.transfer.id)).size).toBe(1)

        // Two reversals of one transfer, one per process: exactly one succeeds.
        const t = await one("post", "/admin/transfers", {
          source_account_id: wallets[1].id,
          destination_account_id: wallets[2].id,
          amount: 5,
        })
        const reversals = await Promise.all(both.map((c) => c("post", `/admin/transfers/${t.data.transfer.reference}/reverse`)))
        expect(reversals.map((r) => r.status).sort()).toEqual([200, 400])
        expect(reversals.find((r) => r.status === 400)!.data.code).toBe("already_reversed")

        const verify = await two("get", "/admin/ledger/verify")
        expect(verify.data.checks.filter((c: any) => !c.ok)).toEqual([])
      } finally {
        server.child.kill("SIGTERM")
        await new Promise((r) => server.child.once("exit", r))
      }
    })

    it("lets checkouts on two servers spend one wallet only once", async () => {
      const container = getContainer()
      const ledger = container.resolve<LedgerModuleService>("ledger")
      const store = await seedStore(container)
      const shopper = await registerShopper(api, store.publishableKey, "two@example.com")
      const wallet = await ledger.createAccount({ name: "Wallet", currency_code: "usd", customer_id: shopper.customer.id, initial_amount: 180 })
      const server = await startMedusaProcess(dbConfig.clientUrl)
      try {
        const shops = [storefront(api, store), storefront(fetchApi(server.url), store)]
        const carts = []
        for (let i = 0; i < 8; i++) {
          const shop = shops[i % 2]
          const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
          expect(Number((await shop.allocate(cart.id, { account_id: wallet.id }, shopper.headers)).data.allocation.amount)).toBe(60)
          carts.push(cart)
        }
        // 8 carts of 60.00 on a 180.00 wallet, completed on both servers at once: 3 orders.
        const results = await Promise.all(carts.map((c, i) => shops[i % 2].complete(c.id, shopper.headers)))
        expect(results.filter((r) => r.data?.type === "order")).toHaveLength(3)
        await eventually(async () => expect(Number((await ledger.getAccount(wallet.id)).balance)).toBe(0))
        expect(Number((await ledger.getAccount(wallet.id)).held)).toBe(0)
        expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([])
        expect(Number((await ledger.getCoreAccount("redemptions", "usd")).balance)).toBe(180)
        expect((await ledger.verify()).checks.filter((c) => !c.ok)).toEqual([])
      } finally {
        server.child.kill("SIGTERM")
        await new Promise((r) => server.child.once("exit", r))
      }
    })
  },
})
