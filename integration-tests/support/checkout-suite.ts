import { Modules } from "@medusajs/framework/utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { createAdminAuth } from "./admin"
import { giftCardKey } from "../../src/workflows/order-payments/issue-gift-cards"
import { eventually, storefront } from "./checkout"
import { TestStore, seedStore } from "./store"

type Shop = ReturnType<typeof storefront>

/**
 * For a checkout suite inside medusaIntegrationTestRunner: before each test a seeded store,
 * a storefront, the ledger and admin credentials; after each, the ledger must verify.
 * Returns them (read inside tests) with the helpers the suites share.
 */
export function checkoutSuite(api: any, getContainer: () => any) {
  const ctx = {} as { store: TestStore; shop: Shop; ledger: LedgerModuleService; admin: Record<string, string> }
  beforeEach(async () => {
    const container = getContainer()
    ctx.ledger = container.resolve("ledger")
    ctx.store = await seedStore(container)
    ctx.shop = storefront(api, ctx.store)
    ctx.admin = (await createAdminAuth(container, api)).headers
  })
  afterEach(async () => {
    const result = await ctx.ledger.verify()
    expect(result.checks.filter((c) => !c.ok)).toEqual([])
  })
  const adminCall = async (method: "get" | "post" | "delete", url: string, body?: unknown) => {
    const config = { headers: ctx.admin, validateStatus: () => true }
    const res = method === "post" ? await api.post(url, body ?? {}, config) : await api[method](url, config)
    return { status: res.status as number, data: res.data }
  }
  return {
    ctx,
    adminCall,
    balance: async (id: string) => Number((await ctx.ledger.getAccount(id)).balance),
    sales: async () => Number((await ctx.ledger.getCoreAccount("redemptions", "usd")).balance),
    wallet: (customerId: string, amount: number, extra: Record<string, unknown> = {}) =>
      ctx.ledger.createAccount({ name: "Wallet", currency_code: "usd", customer_id: customerId, initial_amount: amount || undefined, ...extra }),
    giftCard: (amount: number, extra: Record<string, unknown> = {}) =>
      ctx.ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: amount, source_account_id: "@bank", ...extra }),
    paymentOf: async (orderId: string) => {
      const { data } = await adminCall("get", `/admin/orders/${orderId}?fields=*payment_collections,*payment_collections.payments`)
      return data.order.payment_collections[0].payments[0]
    },
    /** The cards an order's gift-card line issued (one per unit), once all of them exist. */
    issuedCards: (itemId: string, units: number) =>
      eventually(async () => {
        const keys = Array.from({ length: units }, (_, unit) => giftCardKey(itemId, unit))
        const found = await ctx.ledger.listLedgerAccounts({ idempotency_key: keys })
        expect(found).toHaveLength(units)
        return found
      }),
    emit: (name: string, id: string) => getContainer().resolve(Modules.EVENT_BUS).emit({ name, data: { id } }),
  }
}
