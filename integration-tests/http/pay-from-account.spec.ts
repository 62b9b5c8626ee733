import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { checkoutSuite } from "../support/checkout-suite"
import { eventually, storefront } from "../support/checkout"
import { snapshot } from "../support/ledger-helpers"
import { TestStore, registerShopper } from "../support/store"

jest.setTimeout(240000)

/**
 * POST /admin/orders/:id/pay-from-account through a booted Medusa: an order edit leaves an
 * amount due, staff pay it from the customer's wallet or a gift card; the ledger and
 * Medusa both record it, or neither does.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, adminCall, wallet, giftCard } = suite
    let store: TestStore
    let shop: ReturnType<typeof storefront>
    let ledger: LedgerModuleService
    beforeEach(() => ({ store, shop, ledger } = suite.ctx))
    const db = () => getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const ok = async (method: "get" | "post", url: string, body?: unknown) => {
      const res = await adminCall(method, url, body)
      if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
      return res.data
    }

    /** A 60.00 order (50.00 shirt + 10.00 shipping) paid by card and captured: nothing due. */
    const paidOrder = async (headers?: Record<string, string>) => {
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], headers)
      expect((await shop.pay(cart.id, "pp_system_default", {}, headers)).status).toBe(200)
      const { data } = await shop.complete(cart.id, headers)
      expect(data.type).toBe("order")
      const payment = await suite.paymentOf(data.order.id)
      await ok("post", `/admin/payments/${payment.id}/capture`, {})
      return data.order
    }
    /** An order edit that adds `quantity` mugs (20.00 each), requested and confirmed: that much is due. */
    const addMugs = async (orderId: string, quantity = 1) => {
      await ok("post", "/admin/order-edits", { order_id: orderId })
      await ok("post", `/admin/order-edits/${orderId}/items`, { items: [{ variant_id: store.mug.variant.id, quantity }] })
      await ok("post", `/admin/order-edits/${orderId}/request`, {})
      await ok("post", `/admin/order-edits/${orderId}/confirm`, {})
    }
    const orderState = async (orderId: string) => {
      const { order } = await ok(
        "get",
        `/admin/orders/${orderId}?fields=id,payment_status,summary,*payment_collections,*payment_collections.payments,*payment_collections.payments.captures,*payment_collections.payments.refunds`
      )
      const payments = order.payment_collections.flatMap((pc: any) => pc.payments ?? [])
      return { order, payments, accountPayments: payments.filter((p: any) => p.provider_id === "pp_account_account") }
    }
    const pay = (orderId: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
      api
        .post(`/admin/orders/${orderId}/pay-from-account`, body, {
          headers: { ...suite.ctx.admin, ...headers },
          validateStatus: () => true,
        })
        .then((r: any) => ({ status: r.status as number, data: r.data }))
    const spentFrom = (accountId: string) => ledger.listLedgerTransfers({ source_id: accountId, kind: ["redemption", "capture"] })

    it("pays an order edit's amount due from the wallet: once, also when retried or sent in parallel", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "edit@example.com")
      const account = await wallet(shopper.customer.id, 100)
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)
      const due = await orderState(order.id)
      expect(due.order.summary.pending_difference).toBe(20)
      expect(due.order.payment_status).not.toBe("captured")

      const first = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-1" })
      expect(first.status).toBe(200)
      expect(first.data.order).toMatchObject({ id: order.id, payment_status: "captured", amount_due: "0.00" })
      expect(first.data.order.summary.pending_difference).toBe(0)
      expect(first.data.transfer).toMatchObject({
        kind: "redemption",
        amount: "20.00",
        source_id: account.id,
        destination_id: "acc_sys_usd_redemptions",
        merchant_reference: order.id,
      })
      expect(first.data.payment).toMatchObject({ provider_id: "pp_account_account", amount: "20.00" })
      expect(first.data.account).toMatchObject({ id: account.id, balance: "80.00", available: "80.00" })

      const after = await orderState(order.id)
      expect(after.order.payment_status).toBe("captured")
      expect(after.order.summary.pending_difference).toBe(0)
      expect(after.accountPayments.map((p: any) => [p.id, p.amount, p.captures.map((c: any) => c.amount)])).toEqual([
        [first.data.payment.id, 20, [20]],
      ])
      // payment.captured ran the capture subscriber: it found the transfer, posted nothing more
      await new Promise((r) => setTimeout(r, 1000))
      expect((await spentFrom(account.id)).map((t: any) => [t.kind, Number(t.amount)])).toEqual([["redemption", 20]])
      expect(await balance(account.id)).toBe(80)
      expect((await ledger.statement(account.id)).lines.map((l) => [l.kind, l.amount])).toEqual([
        ["redemption", "-20.00"],
        ["load", "100.00"],
      ])

      // the same key: the first answer, nothing written
      const before = await snapshot(db())
      const again = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-1" })
      expect(again.status).toBe(200)
      expect(again.data).toEqual(first.data)
      expect(await snapshot(db())).toEqual(before)
      // the key with other arguments is a conflict
      const other = await pay(order.id, { account_id: account.id, amount: 5, idempotency_key: "pfa-1" })
      expect([other.status, other.data.code]).toEqual([409, "idempotency_conflict"])
      expect(await snapshot(db())).toEqual(before)

      // another edit, paid by four parallel requests with one key (the header): once
      await addMugs(order.id, 2)
      const sent = await Promise.all(Array.from({ length: 4 }, () => pay(order.id, { account_id: account.id }, { "idempotency-key": "pfa-2" })))
      expect(sent.map((r) => r.status)).toEqual([200, 200, 200, 200])
      expect(sent.map((r) => r.data)).toEqual(sent.map(() => sent[0].data))
      expect(sent[0].data.transfer.amount).toBe("40.00")
      expect(await balance(account.id)).toBe(40)
      expect((await orderState(order.id)).order.payment_status).toBe("captured")
      expect((await spentFrom(account.id)).map((t: any) => Number(t.amount)).sort()).toEqual([20, 40])
      // nothing is due any more
      const more = await pay(order.id, { account_id: account.id })
      expect([more.status, more.data.code]).toEqual([400, "amount_exceeds_due"])
    })
  },
})
