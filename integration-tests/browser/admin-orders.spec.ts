// The order page's "Account money" widget in a real Chromium: refund to store credit, and
// paying what an order edit left due from store credit, each checked through the API.
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { adminBrowserSuite, screenshot } from "../support/browser"
import { checkoutSuite } from "../support/checkout-suite"
import { registerShopper } from "../support/store"

jest.setTimeout(300_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const shopSuite = checkoutSuite(api, getContainer)
    const { ctx, ok, open } = adminBrowserSuite(api, getContainer, dbConfig)

    /** A shopper's 60.00 order (50.00 shirt + 10.00 shipping) paid by card and captured. */
    const paidOrder = async () => {
      const { store, shop } = shopSuite.ctx
      const shopper = await registerShopper(api, store.publishableKey, `buyer-${Date.now()}@example.com`)
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
      expect((await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)).status).toBe(200)
      const { data } = await shop.complete(cart.id, shopper.headers)
      expect(data.type).toBe("order")
      const payment = await shopSuite.paymentOf(data.order.id)
      await ok("post", `/admin/payments/${payment.id}/capture`, {})
      return { order: data.order, customer: shopper.customer }
    }
    const walletsOf = async (customerId: string) => (await ok("get", `/admin/accounts?customer_id=${customerId}`)).accounts

    it("refunds an order to store credit from the order page", async () => {
      const { order, customer } = await paidOrder()
      const before = await ok("get", `/admin/orders/${order.id}/account-money`)
      expect(before.refundable_to_account).toBe("60.00")

      await open(`/orders/${order.id}`, "[data-testid=refund-to-credit]")
      await ctx.page.getByTestId("refund-to-credit").click()
      await ctx.page.locator("#refund-amount").fill("15")
      await ctx.page.getByTestId("refund-to-credit-submit").click()
      await ctx.page.getByTestId("order-account").first().waitFor()
      await screenshot(ctx.page, "order-widget", "[data-testid=order-account-money]")

      const [wallet] = await walletsOf(customer.id)
      expect(wallet.balance).toBe("15.00")
      const after = await ok("get", `/admin/orders/${order.id}/account-money`)
      expect(after.refundable_to_account).toBe("45.00")
      // Paid by card, so credited from Refunds to credit (the card payment itself is not refunded).
      const credits = (await ok("get", `/admin/transfers?account_id=${wallet.id}`)).transfers
      expect(credits.map((t: any) => [t.source_id, t.amount, t.merchant_reference])).toEqual([["acc_sys_usd_refunds_to_credit", "15.00", order.id]])
    })

    it("pays what an order edit left due from store credit, once", async () => {
      const { store } = shopSuite.ctx
      const { order, customer } = await paidOrder()
      const wallet = await shopSuite.wallet(customer.id, 50)
      await ok("post", "/admin/order-edits", { order_id: order.id })
      await ok("post", `/admin/order-edits/${order.id}/items`, { items: [{ variant_id: store.mug.variant.id, quantity: 1 }] })
      await ok("post", `/admin/order-edits/${order.id}/request`, {})
      await ok("post", `/admin/order-edits/${order.id}/confirm`, {})
      expect((await ok("get", `/admin/orders/${order.id}/account-money`)).amount_due).toBe("20.00")

      await open(`/orders/${order.id}`, "[data-testid=pay-from-account]")
      await ctx.page.getByTestId("pay-from-account").click()
      await screenshot(ctx.page, "pay-from-account")
      await ctx.page.getByTestId("pay-from-account-submit").click()
      await ctx.page.getByTestId("pay-from-account").waitFor({ state: "detached" })

      expect((await ok("get", `/admin/accounts/${wallet.id}`)).account.balance).toBe("30.00")
      const spent = (await ok("get", `/admin/transfers?account_id=${wallet.id}&kind=redemption`)).transfers
      expect(spent.map((t: any) => t.amount)).toEqual(["20.00"])
      const money = await ok("get", `/admin/orders/${order.id}/account-money`)
      expect(money.amount_due).toBe("0.00")
      const { order: paid } = await ok("get", `/admin/orders/${order.id}?fields=payment_status,summary`)
      expect(paid.payment_status).toBe("captured")
    })
  },
})
