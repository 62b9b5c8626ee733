import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { captureOrderAccountPaymentsWorkflow } from "../../src/workflows/capture-order-account-payments"
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

      // three staff members pay the next 20 due at once, each with a key of their own: one payment
      await addMugs(order.id)
      const racing = await Promise.all(["a", "b", "c"].map((k) => pay(order.id, { account_id: account.id, amount: 20, idempotency_key: `pfa-race-${k}` })))
      expect(racing.map((r) => [r.status, r.data.code ?? null]).sort()).toEqual([
        [200, null],
        [400, "amount_exceeds_due"],
        [400, "amount_exceeds_due"],
      ])
      expect(await balance(account.id)).toBe(20)
      expect((await orderState(order.id)).order.summary.pending_difference).toBe(0)
    })

    /** Every payment row Medusa has, soft-deleted ones included: a refusal must add none. */
    const medusaPaymentRows = async () =>
      (
        await db().raw(`SELECT (SELECT count(*) FROM payment_collection)::int AS collections,
                               (SELECT count(*) FROM payment_session)::int AS sessions,
                               (SELECT count(*) FROM payment)::int AS payments,
                               (SELECT count(*) FROM capture)::int AS captures,
                               (SELECT count(*) FROM order_transaction)::int AS transactions`)
      ).rows[0]

    it("a refused payment writes nothing, in the ledger or in Medusa", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "refused@example.com")
      const stranger = await registerShopper(api, store.publishableKey, "stranger@example.com")
      const poor = await wallet(shopper.customer.id, 5)
      const theirs = await wallet(stranger.customer.id, 100)
      const euros = await ledger.createAccount({ name: "Euro wallet", currency_code: "eur", customer_id: shopper.customer.id, initial_amount: 100 })
      const frozen = await wallet(shopper.customer.id, 100)
      await ledger.freezeAccount(frozen.id)
      const restricted = await wallet(shopper.customer.id, 100, { product_ids: [store.mug.product.id] })
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)

      const refusals: [Record<string, unknown>, number, string][] = [
        [{ account_id: poor.id, amount: 20 }, 400, "insufficient_funds"],
        [{ account_id: poor.id, amount: "20.01" }, 400, "amount_exceeds_due"],
        [{ account_id: poor.id, amount: 0 }, 400, "invalid_amount"],
        [{ account_id: poor.id, amount: "1.001" }, 400, "invalid_amount"],
        [{ account_id: theirs.id }, 403, "not_authorized"],
        [{ account_id: euros.id }, 400, "currency_mismatch"],
        [{ account_id: frozen.id }, 400, "account_frozen"],
        [{ account_id: restricted.id }, 403, "not_authorized"],
        [{ account_id: "acc_unknown" }, 404, "not_found"],
        [{ code: "NOSUCHCODE00" }, 404, "not_found"],
        [{ account_id: poor.id, code: "NOSUCHCODE00" }, 400, "invalid_request"],
        [{}, 400, "invalid_request"],
        [{ account_id: poor.id, extra: 1 }, 400, "invalid_request"],
        [{ account_id: "acc_sys_usd_bank" }, 403, "not_authorized"],
      ]
      const ledgerBefore = await snapshot(db())
      const medusaBefore = await medusaPaymentRows()
      for (const [body, status, code] of refusals) {
        for (const key of [undefined, "pfa-refused"]) {
          const res = await pay(order.id, key ? { ...body, idempotency_key: key } : body)
          expect([JSON.stringify(body), res.status, res.data.code]).toEqual([JSON.stringify(body), status, code])
        }
      }
      expect(await snapshot(db())).toEqual(ledgerBefore)
      expect(await medusaPaymentRows()).toEqual(medusaBefore)
      expect((await orderState(order.id)).accountPayments).toEqual([])
      // an unknown order
      expect((await pay("order_unknown", { account_id: poor.id })).status).toBe(404)

      // the refused key was given back; without an amount the wallet pays what it has: 5 of the 20
      const part = await pay(order.id, { account_id: poor.id, idempotency_key: "pfa-refused" })
      expect(part.status).toBe(200)
      expect(part.data.transfer.amount).toBe("5.00")
      expect(part.data.order).toMatchObject({ amount_due: "15.00", payment_status: "partially_captured" })
      expect(await balance(poor.id)).toBe(0)
      // the order edit's payment collection now asks for the 15 still due
      const { order: state } = await orderState(order.id)
      const open = state.payment_collections.filter((pc: any) => ["not_paid", "awaiting"].includes(pc.status))
      expect(open.map((pc: any) => pc.amount)).toEqual([15])
      // an empty wallet pays nothing
      const empty = await pay(order.id, { account_id: poor.id })
      expect([empty.status, empty.data.code]).toEqual([400, "insufficient_funds"])
    })

    it("a gift card code pays; Medusa's refund of that payment and canceling the order give it back", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "giftpay@example.com")
      const card = await giftCard(50)
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)
      const res = await pay(order.id, { code: card.code!.toLowerCase() })
      expect(res.status).toBe(200)
      expect(res.data.account).toMatchObject({ id: card.id, code: `•••• ${card.code!.slice(-4)}`, balance: "30.00" })
      expect(res.data.order.payment_status).toBe("captured")
      expect(await balance(card.id)).toBe(30)

      // Medusa's own refund of the payment goes back to the card, through the provider
      expect((await adminCall("post", `/admin/payments/${res.data.payment.id}/refund`, { amount: 5 })).status).toBe(200)
      expect(await balance(card.id)).toBe(35)
      expect((await ledger.listLedgerTransfers({ parent_id: res.data.transfer.id })).map((t: any) => [t.kind, Number(t.amount)])).toEqual([
        ["refund", 5],
      ])
      // a refund to store credit takes the card's payment back first
      const rta = await adminCall("post", `/admin/orders/${order.id}/refund-to-account`, { amount: 5, account_id: card.id })
      expect(rta.status).toBe(200)
      expect(rta.data.refund.payments_refunded).toEqual([{ payment_id: res.data.payment.id, amount: "5.00" }])
      expect(await balance(card.id)).toBe(40)

      // canceling the order: Medusa refunds the rest of every captured payment, the card gets its 10 back
      expect((await adminCall("post", `/admin/orders/${order.id}/cancel`, {})).status).toBe(200)
      await eventually(async () => expect(await balance(card.id)).toBe(50))
      expect(await ledger.refundableAmount(res.data.transfer.id)).toBe("0.00")
    })

    it("a failure on the Medusa side after the ledger posted leaves the ledger as it was, and frees the key", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "fails@example.com")
      const account = await wallet(shopper.customer.id, 100)
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)
      const before = (await orderState(order.id)).order
      // PostgreSQL itself refuses Medusa's capture row (a trigger in the test database; nothing is mocked)
      await db().raw(`CREATE FUNCTION pfa_refuse_capture() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN RAISE EXCEPTION 'capture refused for the test'; END $$`)
      await db().raw(`CREATE TRIGGER pfa_refuse_capture BEFORE INSERT ON capture FOR EACH ROW EXECUTE FUNCTION pfa_refuse_capture()`)
      try {
        const failed = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-fail" })
        expect(failed.status).toBeGreaterThanOrEqual(400)
        // the redemption was posted, then reversed: the wallet and the sales account are as before
        expect(await balance(account.id)).toBe(100)
        expect(Number((await ledger.getAccount(account.id)).held)).toBe(0)
        expect(await suite.sales()).toBe(0)
        const [redemption] = await spentFrom(account.id)
        expect(await ledger.refundableAmount(redemption.id)).toBe("0.00")
        // Medusa has no payment of the account provider left (the collection made for it is gone)
        const after = await orderState(order.id)
        expect(after.accountPayments.filter((p: any) => !p.canceled_at)).toEqual([])
        expect(after.order.payment_status).toBe(before.payment_status)
        expect(after.order.payment_collections.map((pc: any) => [pc.id, pc.status, pc.amount])).toEqual(
          before.payment_collections.map((pc: any) => [pc.id, pc.status, pc.amount])
        )
        expect(after.order.summary.pending_difference).toBe(20)
      } finally {
        await db().raw(`DROP TRIGGER pfa_refuse_capture ON capture`)
        await db().raw(`DROP FUNCTION pfa_refuse_capture()`)
      }
      // the key was freed: the same request now goes through, once
      const ok2 = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-fail" })
      expect(ok2.status).toBe(200)
      expect(ok2.data.order.payment_status).toBe("captured")
      expect(await balance(account.id)).toBe(80)
      expect(await suite.sales()).toBe(20)
    })

    it("GET /admin/orders/:id/account-money: a wallet and a gift card through placing, capture, refund to store credit and cancel", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "money@example.com")
      const account = await wallet(shopper.customer.id, 100)
      const card = await giftCard(30)
      const other = await wallet(shopper.customer.id, 0) // empty: not offered to pay
      // shirt 50 + a 25.00 gift card + shipping 10 = 85: 40 from the wallet, 20 from the card, 25 by card
      const cart = await shop.cart(
        [
          { variant_id: store.shirt.variant.id, quantity: 1 },
          { variant_id: store.giftCard.variant.id, quantity: 1 },
        ],
        shopper.headers
      )
      expect((await shop.allocate(cart.id, { account_id: account.id, amount: 40 }, shopper.headers)).status).toBe(200)
      expect((await shop.allocate(cart.id, { code: card.code, amount: 20 }, shopper.headers)).status).toBe(200)
      await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
      const { data } = await shop.complete(cart.id, shopper.headers)
      expect(data.type).toBe("order")
      const orderId = data.order.id
      const money = async () => {
        const res = await adminCall("get", `/admin/orders/${orderId}/account-money`)
        expect(res.status).toBe(200)
        return res.data
      }
      const group = (m: any, id: string) => m.accounts.find((g: any) => g.account.id === id)
      const brief = (g: any) => g.transfers.map((t: any) => [t.kind, t.direction, t.amount])

      // placed: the allocations are held, nothing has moved
      const placed = await money()
      expect(placed).toMatchObject({ order_id: orderId, currency_code: "usd", amount_due: "0.00", gift_cards_issued: [] })
      expect(placed.accounts.map((g: any) => g.account.id).sort()).toEqual([account.id, card.id].sort())
      expect(group(placed, account.id)).toMatchObject({
        account: { id: account.id, name: "Wallet", code: null, currency_code: "usd", customer_id: shopper.customer.id, type: { code: "liabilities.deferred_income.store_credit" } },
        allocations: [{ amount: "40.00" }],
        transfers: [],
        holds: [{ source: "allocation", amount: "40.00", captured_amount: "0.00", status: "open" }],
        paid: "0.00",
        refunded: "0.00",
        net: "0.00",
      })
      expect(group(placed, card.id).account.code).toBe(`•••• ${card.code!.slice(-4)}`)
      expect(group(placed, card.id).holds).toMatchObject([{ source: "allocation", amount: "20.00", status: "open" }])

      // captured: the holds became transfers to the sales account, the gift card was issued
      const payment = await suite.paymentOf(orderId)
      await ok("post", `/admin/payments/${payment.id}/capture`, {})
      const [issued] = await suite.issuedCards(data.order.items.find((i: any) => i.is_giftcard).id, 1)
      const captured = await eventually(async () => {
        const m = await money()
        expect(m.gift_cards_issued).toHaveLength(1)
        return m
      })
      expect(brief(group(captured, account.id))).toEqual([["capture", "out", "40.00"]])
      expect(group(captured, account.id)).toMatchObject({ paid: "40.00", refunded: "0.00", net: "40.00", holds: [{ status: "captured", captured_amount: "40.00" }] })
      expect(brief(group(captured, card.id))).toEqual([["capture", "out", "20.00"]])
      expect(captured.gift_cards_issued).toEqual([
        { account_id: issued.id, code_last4: issued.code!.slice(-4), line_item_id: expect.any(String), amount: "25.00", balance: "25.00", status: "open" },
      ])
      expect(group(captured, issued.id)).toBeUndefined()
      // allocations 40 + 20, the card's 25
      expect(captured.refundable_to_account).toBe("85.00")
      expect(captured.payable_accounts).toEqual([{ id: account.id, name: "Wallet", code: null, currency_code: "usd", available: "60.00" }])
      expect(captured.payable_accounts.map((a: any) => a.id)).not.toContain(other.id)

      // a partial refund to store credit, to the wallet
      const refund = await adminCall("post", `/admin/orders/${orderId}/refund-to-account`, { amount: 30, account_id: account.id })
      expect(refund.status).toBe(200)
      const refunded = await money()
      const capture = group(refunded, account.id).transfers[0]
      expect(group(refunded, account.id).transfers.map((t: any) => [t.kind, t.direction, t.amount, t.parent_reference])).toEqual([
        ["capture", "out", "40.00", null],
        ["refund", "in", "30.00", capture.reference],
      ])
      expect(group(refunded, account.id)).toMatchObject({ paid: "40.00", refunded: "30.00", net: "10.00" })
      expect(refunded.refundable_to_account).toBe("55.00")
      // what the answer says can be refunded is what the route accepts, and not a cent more
      const over = await adminCall("post", `/admin/orders/${orderId}/refund-to-account`, { amount: "55.01" })
      expect([over.status, over.data.code]).toEqual([400, "refund_exceeds_transfer"])

      // canceled: the allocations are reversed, the unspent gift card voided
      expect((await adminCall("post", `/admin/orders/${orderId}/cancel`, {})).status).toBe(200)
      const canceled = await eventually(async () => {
        const m = await money()
        expect(group(m, card.id).net).toBe("0.00")
        expect(group(m, account.id).net).toBe("0.00")
        expect(m.gift_cards_issued[0].status).toBe("closed")
        return m
      })
      expect(brief(group(canceled, account.id))).toEqual([
        ["capture", "out", "40.00"],
        ["refund", "in", "30.00"],
        ["reversal", "in", "10.00"],
      ])
      expect(brief(group(canceled, card.id))).toEqual([
        ["capture", "out", "20.00"],
        ["reversal", "in", "20.00"],
      ])
      expect(canceled.gift_cards_issued[0]).toMatchObject({ amount: "25.00", balance: "0.00", status: "closed" })
      expect(canceled.refundable_to_account).toBe("0.00")
      expect(canceled.amount_due).toBe("0.00")
      expect(await balance(account.id)).toBe(100)
      expect(await balance(card.id)).toBe(30)
    })

    it("account-money shows a pay-from-account payment, and what is due before it", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "due@example.com")
      const account = await wallet(shopper.customer.id, 15)
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)
      const before = (await adminCall("get", `/admin/orders/${order.id}/account-money`)).data
      expect(before).toMatchObject({ amount_due: "20.00", accounts: [], refundable_to_account: "60.00" })
      expect(before.payable_accounts).toEqual([{ id: account.id, name: "Wallet", code: null, currency_code: "usd", available: "15.00" }])
      expect((await pay(order.id, { account_id: account.id })).status).toBe(200)
      const after = (await adminCall("get", `/admin/orders/${order.id}/account-money`)).data
      expect(after.amount_due).toBe("5.00")
      expect(after.payable_accounts).toEqual([])
      expect(after.accounts.map((g: any) => [g.account.id, g.transfers.map((t: any) => [t.kind, t.direction, t.amount]), g.paid, g.net])).toEqual([
        [account.id, [["redemption", "out", "15.00"]], "15.00", "15.00"],
      ])
      // the card's 60 and the wallet's 15
      expect(after.refundable_to_account).toBe("75.00")
      expect((await adminCall("get", `/admin/orders/order_unknown/account-money`)).status).toBe(404)
    })

    it("account-money finds the account provider's hold by payment session and refunds by parent; a shopper cannot pass a transfer off as paid", async () => {
      const card = await giftCard(100)
      // a paid-from-account transfer exists (a staff payment of another order)
      const shopper = await registerShopper(api, store.publishableKey, "forger@example.com")
      const paid = await paidOrder(shopper.headers)
      await addMugs(paid.id)
      const staff = await pay(paid.id, { code: card.code })
      expect(staff.status).toBe(200)
      expect(await balance(card.id)).toBe(80)

      // a shopper's session naming that transfer gets an ordinary hold: the provider never trusts data for it
      const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }])
      expect((await shop.pay(cart.id, "pp_account_account", { code: card.code, transfer_id: staff.data.transfer.id })).status).toBe(200)
      const { data } = await shop.complete(cart.id)
      expect(data.type).toBe("order")
      const payment = await suite.paymentOf(data.order.id)
      expect(payment.data.transfer_id ?? null).toBeNull()
      expect((await ledger.getAccount(card.id)).held).toBe("60.00")

      const money = async () => (await adminCall("get", `/admin/orders/${data.order.id}/account-money`)).data
      const held = (await money()).accounts[0]
      expect(held).toMatchObject({ account: { id: card.id }, transfers: [], holds: [{ source: "payment", amount: "60.00", status: "open" }] })
      await ok("post", `/admin/payments/${payment.id}/capture`, {})
      await eventually(async () => expect(await balance(card.id)).toBe(20))
      await ok("post", `/admin/payments/${payment.id}/refund`, { amount: 10 })
      const after = (await money()).accounts[0]
      expect(after.transfers.map((t: any) => [t.kind, t.direction, t.amount])).toEqual([
        ["capture", "out", "60.00"],
        ["refund", "in", "10.00"],
      ])
      expect(after).toMatchObject({ paid: "60.00", refunded: "10.00", net: "50.00", holds: [{ status: "captured", captured_amount: "60.00" }] })
      // the other order's staff payment is not this order's
      expect(after.transfers.map((t: any) => t.id)).not.toContain(staff.data.transfer.id)
    })

    it("a keyed request that died after posting its redemption is finished by a retry after the lease, paying once", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "crash@example.com")
      const account = await wallet(shopper.customer.id, 100)
      const order = await paidOrder(shopper.headers)
      await addMugs(order.id)
      // what a request with key "pfa-crash" had done when its server died: claimed, amount decided, redemption posted
      const { operation } = await ledger.beginOperation("pfa-crash", "pay_from_account", { order_id: order.id, account_id: account.id, amount: null })
      await ledger.updateOperation(operation.id, { progress: { amount: "20" } })
      await ledger.redeem(account.id, "20", {
        merchant_reference: order.id,
        idempotency_key: `pfa-crash:redemption:${operation.id}`,
        metadata: { pay_from_account: true, order_id: order.id },
      })
      expect(await balance(account.id)).toBe(80)
      // its lease runs out
      await db().raw(`UPDATE ledger_operation SET updated_at = now() - interval '2 minutes' WHERE id = ?`, [operation.id])

      const retry = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-crash" })
      expect(retry.status).toBe(200)
      expect(retry.data.order).toMatchObject({ payment_status: "captured", amount_due: "0.00" })
      expect(retry.data.transfer).toMatchObject({ amount: "20.00", replayed: true })
      expect(await balance(account.id)).toBe(80)
      expect((await spentFrom(account.id)).length).toBe(1)
      expect((await orderState(order.id)).accountPayments.map((p: any) => p.amount)).toEqual([20])
      const again = await pay(order.id, { account_id: account.id, idempotency_key: "pfa-crash" })
      expect(again.data).toEqual(retry.data)
    })

    it("paying an edit of an order that bought a gift card leaves the issued card as it was", async () => {
      const shopper = await registerShopper(api, store.publishableKey, "giftedit@example.com")
      const account = await wallet(shopper.customer.id, 100)
      // a 25.00 gift card + shipping, paid by card: the card is funded from Bank
      const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: 1 }], shopper.headers)
      await shop.pay(cart.id, "pp_system_default", {}, shopper.headers)
      const { data } = await shop.complete(cart.id, shopper.headers)
      const payment = await suite.paymentOf(data.order.id)
      await ok("post", `/admin/payments/${payment.id}/capture`, {})
      const [card] = await suite.issuedCards(data.order.items[0].id, 1)
      const loads = async () =>
        (await ledger.listLedgerTransfers({ destination_id: card.id, kind: "load" })).map((t: any) => [t.source_id, Number(t.amount)])
      expect(await loads()).toEqual([["acc_sys_usd_bank", 25]])

      await addMugs(data.order.id)
      expect((await pay(data.order.id, { account_id: account.id })).status).toBe(200)
      // what payment.captured runs: the order's money again, the card found as it was issued
      const { result } = await captureOrderAccountPaymentsWorkflow(getContainer()).run({ input: { order_id: data.order.id } })
      expect(result.gift_cards.cards.map((c: any) => c.id)).toEqual([card.id])
      expect(result.gift_cards.created).toEqual([])
      expect(await loads()).toEqual([["acc_sys_usd_bank", 25]])
      expect(await balance(account.id)).toBe(80)
    })
  },
})
