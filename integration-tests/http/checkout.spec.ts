import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { checkoutSuite } from "../support/checkout-suite"
import { eventually, storefront } from "../support/checkout"
import { TestStore, registerShopper } from "../support/store"

jest.setTimeout(240000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, sales, adminCall, wallet, giftCard, paymentOf, emit } = suite
    let store: TestStore
    let shop: ReturnType<typeof storefront>
    let ledger: LedgerModuleService
    beforeEach(() => ({ store, shop, ledger } = suite.ctx))

    describe("paying with store credit", () => {
      it("pays a whole order from the shopper's wallet, captured when placed", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "wallet@example.com")
        const account = await wallet(shopper.customer.id, 200)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
        expect(cart.total).toBe(60)

        const res = await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)
        expect(res.status).toBe(200)
        expect(res.data.allocation).toMatchObject({ account_id: account.id, amount: "60.00" })
        expect(res.data.cart.total).toBe(0)

        const done = await shop.complete(cart.id, shopper.headers)
        expect(done.data.type).toBe("order")
        const salesBefore = 0
        await eventually(async () => expect(await balance(account.id)).toBe(140))
        expect((await sales()) - salesBefore).toBe(60)
        const transfers = await ledger.listLedgerTransfers({ merchant_reference: done.data.order.id })
        expect(transfers).toHaveLength(1)
        expect(Number((await ledger.getAccount(account.id)).held)).toBe(0)
        // The order keeps its allocations as credit lines pointing at the account.
        const { data: placed } = await adminCall("get", `/admin/orders/${done.data.order.id}?fields=*credit_lines`)
        expect(placed.order.credit_lines).toEqual([
          expect.objectContaining({ reference: "ledger_account", reference_id: account.id, amount: 60 }),
        ])
      })

      it("lets only one of four tabs spend the same wallet at completion", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "race@example.com")
        const account = await wallet(shopper.customer.id, 60)
        const carts = []
        for (let i = 0; i < 4; i++) {
          const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
          expect(Number((await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)).data.allocation.amount)).toBe(60)
          carts.push(cart)
        }
        const results = await Promise.all(carts.map((c) => shop.complete(c.id, shopper.headers)))
        const orders = results.filter((r) => r.data.type === "order")
        expect(orders).toHaveLength(1)
        await eventually(async () => expect(await balance(account.id)).toBe(0))
        expect(await ledger.listLedgerHolds({ status: "open" })).toEqual([])
        expect(Number((await ledger.getAccount(account.id)).held)).toBe(0)
        expect(await sales()).toBe(60)
      })

      it("pays with a gift card code through the account provider; capture moves the money once", async () => {
        const card = await giftCard(100)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
        const session = await shop.pay(cart.id, "pp_account_account", { code: card.code!.toLowerCase() })
        expect(session.status).toBe(200)
        const done = await shop.complete(cart.id)
        expect(done.data.type).toBe("order")
        expect(Number((await ledger.getAccount(card.id)).held)).toBe(60)

        const payment = await paymentOf(done.data.order.id)
        const captured = await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
        expect(captured.status).toBe(200)
        await eventually(async () => expect(await balance(card.id)).toBe(40))
        // The same event delivered twice more, once concurrently with itself.
        await Promise.all([emit("payment.captured", payment.id), emit("payment.captured", payment.id)])
        await new Promise((r) => setTimeout(r, 1500))
        expect(await balance(card.id)).toBe(40)
        expect(await sales()).toBe(60)
        expect(Number((await ledger.getAccount(card.id)).held)).toBe(0)
      })

      it("credit that expires between completion and capture: the hold keeps it, the capture takes it, the sweep lapses the rest", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "points@example.com")
        const account = await wallet(shopper.customer.id, 0)
        await ledger.topUp(account.id, 70, { expires_at: new Date(Date.now() + 4000), description: "Points" })
        await ledger.topUp(account.id, 30, { description: "Refund" }) // never expires
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
        expect((await shop.pay(cart.id, "pp_account_account", { account_id: account.id }, shopper.headers)).status).toBe(200)
        const done = await shop.complete(cart.id, shopper.headers)
        expect(done.data.type).toBe("order")
        // the hold reserved the 60 from the points, which expire first
        const held = (await ledger.listLots(account.id, { status: "all" })).lots.map((l) => [l.remaining, l.reserved])
        expect(held).toEqual([["70.00", "60.00"], ["30.00", "0.00"]])

        await new Promise((r) => setTimeout(r, 4500))
        const swept = await ledger.closeExpiredAccounts()
        expect(swept.lapsed_credit.filter((l) => l.account_id === account.id).map((l) => l.amount)).toEqual(["10.00"])
        expect(await ledger.getAccount(account.id)).toMatchObject({ balance: "90.00", held: "60.00" })

        const payment = await paymentOf(done.data.order.id)
        expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
        await eventually(async () => expect(await balance(account.id)).toBe(30))
        expect((await ledger.listLots(account.id, { status: "all" })).lots.map((l) => [l.remaining, l.reserved, l.status])).toEqual([
          ["0.00", "0.00", "used"],
          ["30.00", "0.00", "active"],
        ])
        expect(await sales()).toBe(60)
        // the statement shows the capture took the points
        const capture = (await ledger.statement(account.id)).lines.find((l) => l.kind === "capture")!
        expect(capture.lots!.map((u) => [u.kind, u.amount])).toEqual([["capture", "60.00"]])
      })

      it("splits one order across a wallet, a gift card and Medusa's system provider; cancel returns every cent", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "split@example.com")
        const account = await wallet(shopper.customer.id, 30)
        const card = await giftCard(20)
        const cart = await shop.cart(
          [
            { variant_id: store.shirt.variant.id, quantity: 1 },
            { variant_id: store.mug.variant.id, quantity: 1 },
          ],
          shopper.headers
        )
        expect(cart.total).toBe(80)
        expect(Number((await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)).data.allocation.amount)).toBe(30)
        const byCode = await shop.allocate(cart.id, { code: card.code }, shopper.headers)
        expect(Number(byCode.data.allocation.amount)).toBe(20)
        expect(byCode.data.cart.total).toBe(30)

        const session = await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
        expect(session.status).toBe(200)
        expect(Number(session.data.payment_collection.amount)).toBe(30)
        const done = await shop.complete(cart.id, shopper.headers)
        expect(done.data.type).toBe("order")
        expect(Number((await ledger.getAccount(account.id)).held)).toBe(30)
        expect(Number((await ledger.getAccount(card.id)).held)).toBe(20)

        const payment = await paymentOf(done.data.order.id)
        expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
        await eventually(async () => expect(await sales()).toBe(50))
        await emit("payment.captured", payment.id)
        await new Promise((r) => setTimeout(r, 1000))
        expect(await sales()).toBe(50)
        expect(await balance(account.id)).toBe(0)
        expect(await balance(card.id)).toBe(0)

        const canceled = await adminCall("post", `/admin/orders/${done.data.order.id}/cancel`, {})
        expect(canceled.status).toBe(200)
        await eventually(async () => {
          expect(await balance(account.id)).toBe(30)
          expect(await balance(card.id)).toBe(20)
        })
        await emit("order.canceled", done.data.order.id)
        await new Promise((r) => setTimeout(r, 1000))
        expect(await balance(account.id)).toBe(30)
        expect(await balance(card.id)).toBe(20)
        expect(await sales()).toBe(0)
      })

      it("fails completion cleanly when the balance was spent in another tab", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "tabs@example.com")
        const account = await wallet(shopper.customer.id, 60)
        const card = await giftCard(10)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
        await shop.allocate(cart.id, { code: card.code }, shopper.headers)
        expect(Number((await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)).data.allocation.amount)).toBe(50)
        await ledger.redeem(account.id, 30)

        const done = await shop.complete(cart.id, shopper.headers)
        expect(done.status).toBeGreaterThanOrEqual(400)
        expect(JSON.stringify(done.data)).toMatch(/insufficient|available/i)
        const holds = await ledger.listLedgerHolds({ status: "open" })
        expect(holds).toEqual([])
        expect(Number((await ledger.getAccount(card.id)).held)).toBe(0)
        expect((await shop.getCart(cart.id, shopper.headers)).completed_at).toBeFalsy()
      })
    })

    describe("who may pay", () => {
      it("refuses frozen, closed, expired and other customers' accounts", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "who@example.com")
        const other = await registerShopper(api, store.publishableKey, "other@example.com")
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
        const frozen = await wallet(shopper.customer.id, 100)
        await ledger.freezeAccount(frozen.id)
        const closed = await wallet(shopper.customer.id, 0)
        await ledger.closeAccount(closed.id)
        const expired = await wallet(shopper.customer.id, 0, { end_date: new Date(Date.now() + 1500) })
        const theirs = await wallet(other.customer.id, 100)
        await new Promise((r) => setTimeout(r, 1600))

        const codeOf = async (id: string) => (await shop.allocate(cart.id, { account_id: id }, shopper.headers)).data.code
        expect(await codeOf(frozen.id)).toBe("account_frozen")
        expect(await codeOf(closed.id)).toBe("account_closed")
        expect(await codeOf(expired.id)).toBe("account_inactive")
        const stolen = await shop.allocate(cart.id, { account_id: theirs.id }, shopper.headers)
        expect([stolen.status, stolen.data.code]).toEqual([404, "not_found"])
        const anonymous = await shop.allocate(cart.id, { account_id: theirs.id })
        expect(anonymous.status).toBe(404)
        // Nor through the payment provider.
        const viaProvider = await shop.pay(cart.id, "pp_account_account", { account_id: theirs.id }, shopper.headers)
        expect(viaProvider.status).toBeGreaterThanOrEqual(400)
        expect((await shop.getCart(cart.id, shopper.headers)).credit_lines).toEqual([])
      })

      it("limits an allocation to the products it may pay for and to shipping when allowed", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "rules@example.com")
        const mugsOnly = await wallet(shopper.customer.id, 100, { product_ids: [store.mug.product.id], can_pay_shipping: false })
        const cart = await shop.cart(
          [
            { variant_id: store.shirt.variant.id, quantity: 1 },
            { variant_id: store.mug.variant.id, quantity: 2 },
          ],
          shopper.headers
        )
        const tooMuch = await shop.allocate(cart.id, { account_id: mugsOnly.id, amount: 41 }, shopper.headers)
        expect([tooMuch.status, tooMuch.data.code]).toEqual([400, "amount_too_high"])
        const res = await shop.allocate(cart.id, { account_id: mugsOnly.id }, shopper.headers)
        expect(Number(res.data.allocation.amount)).toBe(40)
        const shipping = await wallet(shopper.customer.id, 100, { product_ids: [store.mug.product.id] })
        expect(Number((await shop.allocate(cart.id, { account_id: shipping.id }, shopper.headers)).data.allocation.amount)).toBe(50)
        // Re-applying replaces, deleting gives the amount back to the cart.
        const again = await shop.allocate(cart.id, { account_id: mugsOnly.id, amount: 5 }, shopper.headers)
        expect(again.data.cart.account_allocations).toHaveLength(2)
        expect(again.data.cart.total).toBe(100 - 55)
        const removed = await shop.deallocate(cart.id, again.data.allocation.id, shopper.headers)
        expect(removed.data.cart.total).toBe(100 - 50)
      })

      it("blocks a client guessing codes after the thresholds", async () => {
        const card = await giftCard(50)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
        for (let i = 0; i < 3; i++) {
          const miss = await shop.allocate(cart.id, { code: `NOPE-NOPE-${i}` })
          expect([miss.status, miss.data.code]).toEqual([404, "not_found"])
        }
        const blocked = await shop.allocate(cart.id, { code: card.code })
        expect([blocked.status, blocked.data.code]).toEqual([429, "code_blocked"])
        const viaProvider = await shop.pay(cart.id, "pp_account_account", { code: card.code })
        expect([viaProvider.status, viaProvider.data.code]).toEqual([429, "code_blocked"])
        expect((await shop.getCart(cart.id)).credit_lines).toEqual([])
      })
    })

    describe("refunds to the wallet", () => {
      it("refunds part of an account-paid order, then refuses more than what is left", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "refund@example.com")
        const account = await wallet(shopper.customer.id, 100)
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], shopper.headers)
        await shop.allocate(cart.id, { account_id: account.id }, shopper.headers)
        const { data } = await shop.complete(cart.id, shopper.headers)
        await eventually(async () => expect(await balance(account.id)).toBe(40))

        const partial = await adminCall("post", `/admin/orders/${data.order.id}/refund-to-account`, { amount: 25 })
        expect(partial.status).toBe(200)
        expect(await balance(account.id)).toBe(65)
        const tooMuch = await adminCall("post", `/admin/orders/${data.order.id}/refund-to-account`, { amount: 35.01 })
        expect([tooMuch.status, tooMuch.data.code]).toEqual([400, "refund_exceeds_transfer"])
        expect(await balance(account.id)).toBe(65)
        const rest = await adminCall("post", `/admin/orders/${data.order.id}/refund-to-account`, { amount: 35 })
        expect(rest.status).toBe(200)
        expect(await balance(account.id)).toBe(100)
      })

      it("refunds a card-paid order to the customer's wallet, and a guest's to a new code", async () => {
        const shopper = await registerShopper(api, store.publishableKey, "card@example.com")
        const paidByCard = async (headers?: Record<string, string>) => {
          const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], headers)
          await shop.pay(cart.id, "pp_system_default", {}, headers)
          const { data } = await shop.complete(cart.id, headers)
          const payment = await paymentOf(data.order.id)
          await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
          return data.order
        }
        const order = await paidByCard(shopper.headers)
        const res = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 15, note: "Late delivery" })
        expect(res.status).toBe(200)
        const [walletAccount] = await ledger.listLedgerAccounts({ customer_id: shopper.customer.id })
        expect(walletAccount).toBeDefined()
        expect(await balance(walletAccount.id)).toBe(15)
        const over = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 45.01 })
        expect([over.status, over.data.code]).toEqual([400, "refund_exceeds_transfer"])

        const guestOrder = await paidByCard()
        const guest = await adminCall("post", `/admin/orders/${guestOrder.id}/refund-to-account`, { amount: 60 })
        expect(guest.status).toBe(200)
        const code = guest.data.refund.accounts[0].code
        expect(code).toMatch(/^[0-9A-Z-]+$/)
        expect(Number((await ledger.getAccountByCode(code)).balance)).toBe(60)
      })
    })

    describe("gift cards", () => {
      it("issues a card per unit when paid, and the card pays for the next order", async () => {
        const cart = await shop.cart([
          { variant_id: store.giftCard.variant.id, quantity: 2, metadata: { recipient_email: "friend@example.com", message: "Enjoy" } },
        ])
        await shop.pay(cart.id, "pp_system_default", {})
        const { data } = await shop.complete(cart.id)
        const payment = await paymentOf(data.order.id)
        await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
        const item = data.order.items[0]
        const cards = await suite.issuedCards(item.id, 2)
        await emit("payment.captured", payment.id)
        await new Promise((r) => setTimeout(r, 1000))
        expect(await suite.issuedCards(item.id, 2)).toHaveLength(2)
        const card = await ledger.getAccount(cards[0].id)
        expect(Number(card.balance)).toBe(25)
        expect(card.metadata).toMatchObject({ recipient_email: "friend@example.com", message: "Enjoy", order_id: data.order.id })

        const next = await shop.cart([{ variant_id: store.mug.variant.id, quantity: 1 }])
        expect(Number((await shop.allocate(next.id, { code: card.code })).data.allocation.amount)).toBe(25)
        await shop.pay(next.id, "pp_system_default", {})
        const second = await shop.complete(next.id)
        expect(second.data.type).toBe("order")
        const secondPayment = await paymentOf(second.data.order.id)
        await adminCall("post", `/admin/payments/${secondPayment.id}/capture`, {})
        await eventually(async () => expect(await balance(card.id)).toBe(0))
      })
    })
  },
})
