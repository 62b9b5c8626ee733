import { Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { checkoutSuite } from "../support/checkout-suite"
import { eventually, storefront } from "../support/checkout"
import { TestStore, registerShopper } from "../support/store"

jest.setTimeout(240000)

/** Money after the order is placed: provider captures and refunds, cart changes, cancels, events. */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, adminCall, giftCard, paymentOf } = suite
    let store: TestStore
    let shop: ReturnType<typeof storefront>
    let ledger: LedgerModuleService
    beforeEach(() => ({ store, shop, ledger } = suite.ctx))

    const providerOrder = async (card: { code: string | null }) => {
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
      expect((await shop.pay(cart.id, "pp_account_account", { code: card.code })).status).toBe(200)
      const { data } = await shop.complete(cart.id)
      expect(data.type).toBe("order")
      return { order: data.order, payment: await paymentOf(data.order.id) }
    }

    it("account provider: partial captures, refunds through Medusa up to what was captured", async () => {
      const card = await giftCard(100)
      const { payment } = await providerOrder(card)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, { amount: 35 })).status).toBe(200)
      await eventually(async () => expect(await balance(card.id)).toBe(65))
      // The first capture released the rest of the hold; the second is paid from the account.
      expect(Number((await ledger.getAccount(card.id)).held)).toBe(0)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, { amount: 25 })).status).toBe(200)
      await eventually(async () => expect(await balance(card.id)).toBe(40))

      const refund = await adminCall("post", `/admin/payments/${payment.id}/refund`, { amount: 50 })
      expect(refund.status).toBe(200)
      expect(await balance(card.id)).toBe(90)
      const tooMuch = await adminCall("post", `/admin/payments/${payment.id}/refund`, { amount: 10.01 })
      expect(tooMuch.status).toBe(400)
      expect(await balance(card.id)).toBe(90)
      expect(Number((await ledger.getCoreAccount("redemptions", "usd")).balance)).toBe(10)
    })

    it("refund to account of a provider-paid order goes through Medusa's payment refund", async () => {
      const card = await giftCard(100)
      const { order, payment } = await providerOrder(card)
      await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
      await eventually(async () => expect(await balance(card.id)).toBe(40))
      const res = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 15, note: "Scratched" })
      expect(res.status).toBe(200)
      expect(res.data.refund.payments_refunded).toEqual([{ payment_id: payment.id, amount: "15.00" }])
      expect(await balance(card.id)).toBe(55)
      const { data } = await adminCall("get", `/admin/payments/${payment.id}?fields=*refunds`)
      expect(data.payment.refunds.map((r: any) => r.amount)).toEqual([15])
      const over = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 45.01 })
      expect([over.status, over.data.code]).toEqual([400, "refund_exceeds_transfer"])
      expect(await balance(card.id)).toBe(55)
    })

    it("account provider: canceling an order before capture releases the hold; after capture Medusa refunds it", async () => {
      const card = await giftCard(150)
      const first = await providerOrder(card)
      expect(Number((await ledger.getAccount(card.id)).held)).toBe(60)
      expect((await adminCall("post", `/admin/orders/${first.order.id}/cancel`, {})).status).toBe(200)
      await eventually(async () => expect(Number((await ledger.getAccount(card.id)).held)).toBe(0))
      expect(await balance(card.id)).toBe(150)

      const second = await providerOrder(card)
      await adminCall("post", `/admin/payments/${second.payment.id}/capture`, {})
      await eventually(async () => expect(await balance(card.id)).toBe(90))
      expect((await adminCall("post", `/admin/orders/${second.order.id}/cancel`, {})).status).toBe(200)
      await eventually(async () => expect(await balance(card.id)).toBe(150))
      expect(Number((await ledger.getCoreAccount("redemptions", "usd")).balance)).toBe(0)
    })

    it("allocations follow cart changes", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "changes@example.com")
      const mugs = await ledger.createAccount({
        name: "Mug voucher",
        currency_code: "usd",
        customer_id: shopper.customer.id,
        initial_amount: 100,
        product_ids: [store.mug.product.id],
        can_pay_shipping: false,
      })
      const cart = await shop.cart([{ variant_id: store.mug.variant.id, quantity: 3 }], shopper.headers)
      expect(Number((await shop.allocate(cart.id, { account_id: mugs.id }, shopper.headers)).data.allocation.amount)).toBe(60)
      const line = cart.items[0]
      const updated = await shop.send("post", `/store/carts/${cart.id}/line-items/${line.id}`, { quantity: 1 }, shopper.headers)
      expect(updated.status).toBe(200)
      const after = await shop.getCart(cart.id, shopper.headers)
      expect(after.credit_lines.map((l: any) => l.amount)).toEqual([20])
      expect(after.total).toBe(10)
      await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
      const done = await shop.complete(cart.id, shopper.headers)
      expect(done.data.type).toBe("order")
      expect(Number((await ledger.getAccount(mugs.id)).held)).toBe(20)
    })

    it("a canceled order voids its unspent gift cards and reports spent ones", async () => {
      const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: 2 }])
      await shop.pay(cart.id, "pp_system_default", {})
      const { data } = await shop.complete(cart.id)
      const payment = await paymentOf(data.order.id)
      await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
      const cards = await suite.issuedCards(data.order.items[0].id, 2)
      await ledger.redeem(cards[1].id, 5)
      const bank = Number((await ledger.getCoreAccount("bank", "usd")).balance)
      expect((await adminCall("post", `/admin/orders/${data.order.id}/cancel`, {})).status).toBe(200)
      await eventually(async () => expect((await ledger.getAccount(cards[0].id)).status).toBe("closed"))
      expect(await balance(cards[0].id)).toBe(0)
      expect(Number((await ledger.getCoreAccount("bank", "usd")).balance)).toBe(bank + 25)
      const spent = await ledger.getAccount(cards[1].id)
      expect([spent.status, spent.balance]).toEqual(["open", "20.00"])
    })

    it("Medusa's refund of an overpayment to store credit lands in the customer's wallet", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "overpaid@example.com")
      const cart = await shop.cart(
        [
          { variant_id: store.shirt.variant.id, quantity: 1 },
          { variant_id: store.mug.variant.id, quantity: 1 },
        ],
        shopper.headers
      )
      await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
      const { data } = await shop.complete(cart.id, shopper.headers)
      const order = data.order
      await adminCall("post", `/admin/payments/${(await paymentOf(order.id)).id}/capture`, {})
      // Take the mug off the order: the customer has now paid 20.00 too much.
      const mug = order.items.find((i: any) => i.variant_id === store.mug.variant.id)
      const edit = await adminCall("post", "/admin/order-edits", { order_id: order.id })
      expect(edit.status).toBe(200)
      expect((await adminCall("post", `/admin/order-edits/${order.id}/items/item/${mug.id}`, { quantity: 0 })).status).toBe(200)
      expect((await adminCall("post", `/admin/order-edits/${order.id}/request`, {})).status).toBe(200)
      expect((await adminCall("post", `/admin/order-edits/${order.id}/confirm`, {})).status).toBe(200)

      const credit = await adminCall("post", `/admin/orders/${order.id}/credit-lines`, {
        amount: -20,
        reference: "refund",
        reference_id: order.id,
      })
      expect(credit.status).toBe(200)
      const [wallet] = await ledger.listLedgerAccounts({ customer_id: shopper.customer.id })
      expect(await balance(wallet.id)).toBe(20)
    })

    it("emits events for transfers, accounts, freezes, closes, low balances and issued gift cards", async () => {
      const bus = getContainer().resolve(Modules.EVENT_BUS)
      const seen: { name: string; data: any }[] = []
      for (const name of [
        "ledger.transfer.created",
        "ledger.account.created",
        "ledger.account.frozen",
        "ledger.account.closed",
        "ledger.account.low_balance",
        "ledger.gift_card.issued",
      ]) {
        bus.subscribe(name, async (event: any) => {
          seen.push({ name, data: event.data })
        })
      }
      const account = await ledger.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: 10 })
      const spend = await ledger.redeem(account.id, 8)
      await ledger.redeem(account.id, 8, { idempotency_key: "once" }).catch(() => null)
      await ledger.freezeAccount(account.id)
      await ledger.thawAccount(account.id)
      await ledger.withdraw(account.id, 2)
      await ledger.closeAccount(account.id)

      const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: 1, metadata: { recipient_email: "r@example.com" } }])
      await shop.pay(cart.id, "pp_system_default", {})
      const { data } = await shop.complete(cart.id)
      await adminCall("post", `/admin/payments/${(await paymentOf(data.order.id)).id}/capture`, {})

      await eventually(async () => expect(seen.map((e) => e.name)).toContain("ledger.gift_card.issued"))
      const of = (name: string) => seen.filter((e) => e.name === name)
      expect(of("ledger.account.created").map((e) => e.data.id)).toContain(account.id)
      expect(of("ledger.transfer.created").map((e) => e.data.id)).toContain(spend.id)
      expect(of("ledger.account.frozen").map((e) => e.data.id)).toEqual([account.id])
      expect(of("ledger.account.closed").map((e) => e.data.id)).toEqual([account.id])
      // The option in medusa-config sets the threshold at 5.00: 10 → 2 crosses it once.
      expect(of("ledger.account.low_balance")).toEqual([
        { name: "ledger.account.low_balance", data: expect.objectContaining({ id: account.id, balance: "2.00", threshold: "5.00" }) },
      ])
      const issued = of("ledger.gift_card.issued")[0].data
      expect(issued).toMatchObject({ amount: "25.00", currency_code: "usd", recipient_email: "r@example.com", order_id: data.order.id })
      expect((await ledger.getAccountByCode(issued.code)).id).toBe(issued.id)
    })
  },
})
