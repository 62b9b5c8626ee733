import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { checkoutSuite } from "../support/checkout-suite"
import { eventually, storefront } from "../support/checkout"
import { snapshot } from "../support/ledger-helpers"
import { TestStore, registerShopper } from "../support/store"

jest.setTimeout(240000)

/**
 * Issue 7, items 1, 2 and 12, through a booted Medusa: refunds to store credit move money
 * exactly once or not at all, and gift cards bought with store credit are funded from
 * where that money went.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, adminCall, wallet, giftCard, paymentOf } = suite
    let store: TestStore
    let shop: ReturnType<typeof storefront>
    let ledger: LedgerModuleService
    beforeEach(() => ({ store, shop, ledger } = suite.ctx))
    const db = () => getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const medusaRefunds = async (paymentId: string) =>
      (await adminCall("get", `/admin/payments/${paymentId}?fields=*refunds`)).data.payment.refunds ?? []

    /** A 60.00 order (50.00 shirt + 10.00 shipping): `fromAccount` from an allocation, the rest by card, captured. */
    const splitOrder = async (accountId: string | { code: string }, fromAccount: number, headers?: Record<string, string>) => {
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], headers)
      const body = typeof accountId === "string" ? { account_id: accountId, amount: fromAccount } : { code: accountId.code, amount: fromAccount }
      expect((await shop.allocate(cart.id, body, headers)).status).toBe(200)
      await shop.pay(cart.id, "pp_system_default", {}, headers)
      const { data } = await shop.complete(cart.id, headers)
      expect(data.type).toBe("order")
      const payment = await paymentOf(data.order.id)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
      return { order: data.order, payment }
    }

    it("item 1: a retried refund with the same key returns the first result and moves nothing", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "retry@example.com")
      const account = await wallet(shopper.customer.id, 100)
      const { order } = await splitOrder(account.id, 40, shopper.headers)
      await eventually(async () => expect(await balance(account.id)).toBe(60))

      const first = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 40, idempotency_key: "rta-1" })
      expect(first.status).toBe(200)
      expect(await balance(account.id)).toBe(100)
      const before = await snapshot(db())
      const again = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 40, idempotency_key: "rta-1" })
      expect(again.status).toBe(200)
      expect(again.data).toEqual(first.data)
      expect(await snapshot(db())).toEqual(before)
      expect(await balance(account.id)).toBe(100)

      // the same key for another amount is a conflict, and moves nothing
      const other = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 10, idempotency_key: "rta-1" })
      expect([other.status, other.data.code]).toEqual([409, "idempotency_conflict"])
      expect(await snapshot(db())).toEqual(before)

      // parallel requests with one new key (from the header): one refund of the card's 20
      const sent = await Promise.all(
        Array.from({ length: 4 }, () =>
          api.post(`/admin/orders/${order.id}/refund-to-account`, { amount: 20 }, {
            headers: { ...suite.ctx.admin, "idempotency-key": "rta-2" },
            validateStatus: () => true,
          })
        )
      )
      expect(sent.map((r: any) => r.status)).toEqual([200, 200, 200, 200])
      expect(sent.map((r: any) => r.data)).toEqual(sent.map(() => sent[0].data))
      expect(await balance(account.id)).toBe(120)
      const more = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: "0.01" })
      expect([more.status, more.data.code]).toEqual([400, "refund_exceeds_transfer"])
    })

    it("lots: what the wallet paid goes back to its lots with their expiry; the card's part is new credit with its own", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "lots@example.com")
      const account = await wallet(shopper.customer.id, 0)
      const points = new Date(Date.now() + 20 * 86_400_000).toISOString()
      await ledger.topUp(account.id, 50, { expires_at: points })
      const { order } = await splitOrder(account.id, 40, shopper.headers)
      await eventually(async () => expect(await balance(account.id)).toBe(10))
      const refundExpiry = new Date(Date.now() + 90 * 86_400_000).toISOString()
      const bad = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 1, expires_at: "2001-01-01T00:00:00Z" })
      expect([bad.status, bad.data.code]).toEqual([400, "invalid_request"])
      expect(await balance(account.id)).toBe(10)
      const res = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 60, expires_at: refundExpiry })
      expect(res.status).toBe(200)
      expect(await balance(account.id)).toBe(70)
      const { data } = await adminCall("get", `/admin/accounts/${account.id}/lots?status=all`)
      expect(data.lots.map((l: any) => [l.amount, l.remaining, l.expires_at])).toEqual([
        ["50.00", "50.00", points],
        ["20.00", "20.00", refundExpiry],
      ])
    })

    it("item 2: a refund refused on one part (the card paid from is closed or frozen) writes nothing", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "closed@example.com")
      const card = await giftCard(20)
      const { order } = await splitOrder({ code: card.code! }, 20, shopper.headers)
      await eventually(async () => expect(await balance(card.id)).toBe(0))
      // the expiry sweep (or an admin) closes the spent card
      await ledger.closeAccount(card.id)
      const before = await snapshot(db())
      for (const key of [undefined, "rta-closed", "rta-closed"]) {
        const res = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 40, ...(key ? { idempotency_key: key } : {}) })
        expect([res.status, res.data.code]).toEqual([400, "account_closed"])
        expect(await snapshot(db())).toEqual(before)
      }
      expect(await ledger.listLedgerAccounts({ customer_id: shopper.customer.id })).toEqual([])
      // the refused key is free again: refunding only the card's part with it works
      const cardPart = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 40, account_id: "acc_none", idempotency_key: "rta-closed" })
      expect(cardPart.status).toBe(404)
    })

    it("item 2: a refund of an account-provider payment to a frozen card is refused before Medusa refunds anything", async () => {
      const card = await giftCard(100)
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
      expect((await shop.pay(cart.id, "pp_account_account", { code: card.code })).status).toBe(200)
      const { data } = await shop.complete(cart.id)
      const payment = await paymentOf(data.order.id)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, {})).status).toBe(200)
      await eventually(async () => expect(await balance(card.id)).toBe(40))
      await ledger.freezeAccount(card.id)
      const before = await snapshot(db())
      const res = await adminCall("post", `/admin/orders/${data.order.id}/refund-to-account`, { amount: 30 })
      expect([res.status, res.data.code]).toEqual([400, "account_frozen"])
      expect(await snapshot(db())).toEqual(before)
      expect(await medusaRefunds(payment.id)).toEqual([])
      await ledger.thawAccount(card.id)
      const ok = await adminCall("post", `/admin/orders/${data.order.id}/refund-to-account`, { amount: 30 })
      expect(ok.status).toBe(200)
      expect(ok.data.refund.payments_refunded).toEqual([{ payment_id: payment.id, amount: "30.00" }])
      expect(await balance(card.id)).toBe(70)
      expect((await medusaRefunds(payment.id)).map((r: any) => Number(r.amount))).toEqual([30])
    })

    it("item 9: a refund racing the capture subscriber over one capture: both succeed, the capture posts once", async () => {
      const card = await giftCard(100)
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
      expect((await shop.pay(cart.id, "pp_account_account", { code: card.code })).status).toBe(200)
      const { data } = await shop.complete(cart.id)
      const payment = await paymentOf(data.order.id)
      expect((await adminCall("post", `/admin/payments/${payment.id}/capture`, { amount: 30 })).status).toBe(200)
      // payment.captured is being handled while the admin refunds: both post the capture if it is missing
      const [refund, again] = await Promise.all([
        adminCall("post", `/admin/payments/${payment.id}/refund`, { amount: 10 }),
        suite.emit("payment.captured", payment.id),
      ])
      expect(refund.status).toBe(200)
      expect(again).toBeUndefined()
      await eventually(async () => expect(await balance(card.id)).toBe(80))
      const captures = await ledger.listLedgerTransfers({ source_id: card.id, kind: ["capture", "redemption"] })
      expect(captures.map((t: any) => [t.kind, Number(t.amount)])).toEqual([["capture", 30]])
    })

    it("item 12: a gift card bought half with a wallet, half by card, is funded half from sales, half from Bank", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "giftbuyer@example.com")
      const account = await wallet(shopper.customer.id, 100)
      // two 25.00 cards + 10.00 shipping = 60.00: 30.00 from the wallet, 30.00 by card
      const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: 2 }], shopper.headers)
      expect((await shop.allocate(cart.id, { account_id: account.id, amount: 30 }, shopper.headers)).status).toBe(200)
      await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
      const { data } = await shop.complete(cart.id, shopper.headers)
      const payment = await paymentOf(data.order.id)
      await adminCall("post", `/admin/payments/${payment.id}/capture`, {})
      const cards = await suite.issuedCards(data.order.items[0].id, 2)
      for (const card of cards) {
        const loads = await ledger.listLedgerTransfers({ destination_id: card.id, kind: "load" }, { order: { created_at: "ASC" } } as any)
        expect(loads.map((t: any) => [t.source_id, Number(t.amount)])).toEqual([
          ["acc_sys_usd_redemptions", 12.5],
          ["acc_sys_usd_bank", 12.5],
        ])
        expect((await ledger.getAccount(card.id)).balance).toBe("25.00")
      }
      // Bank records only the 25.00 really received for the cards; sales keep the wallet's 30 less the 25 passed on to the cards
      expect((await ledger.getAccount("acc_sys_usd_bank")).balance).toBe("-25.00")
      expect((await ledger.getAccount("acc_sys_usd_redemptions")).balance).toBe("5.00")

      // canceling the order voids both cards and gives the wallet its 30 back
      expect((await adminCall("post", `/admin/orders/${data.order.id}/cancel`, {})).status).toBe(200)
      await eventually(async () => expect(await balance(account.id)).toBe(100))
      for (const card of cards) {
        expect(await ledger.getAccount(card.id)).toMatchObject({ status: "closed", balance: "0.00" })
      }
      expect((await ledger.getAccount("acc_sys_usd_redemptions")).balance).toBe("0.00")
    })
  },
})
