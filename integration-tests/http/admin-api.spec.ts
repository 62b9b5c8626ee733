import { Modules } from "@medusajs/framework/utils"
import { TestEventUtils, medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createAdminAuth } from "../support/admin"
import { Call, caller } from "../support/http"

jest.setTimeout(180000)

const UNKNOWN_ACCOUNT = "acc_01NOTHEREAAAAAAAAAAAAAAAAA"

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    let auth: Awaited<ReturnType<typeof createAdminAuth>>
    let call: Call

    beforeEach(async () => {
      auth = await createAdminAuth(getContainer(), api)
      call = caller(api, () => auth.headers)
    })

    const createAccount = async (body: Record<string, unknown> = {}) => {
      const res = await call("post", "/admin/accounts", { name: "Wallet", currency_code: "usd", ...body })
      expect(res.status).toBe(200)
      return res.data.account
    }

    const counts = async () => {
      const { rows } = await dbConnection.raw(
        `SELECT (SELECT count(*) FROM ledger_transfer)::int AS transfers,
                (SELECT count(*) FROM ledger_entry)::int AS entries,
                (SELECT count(*) FROM ledger_account)::int AS accounts`
      )
      return rows[0]
    }

    const expectVerified = async () => {
      const res = await call("get", "/admin/ledger/verify")
      expect(res.status).toBe(200)
      expect(res.data.checks.filter((c: any) => !c.ok)).toEqual([])
      expect(res.data.ok).toBe(true)
    }

    describe("authentication", () => {
      it("refuses every ledger route without admin credentials (401)", async () => {
        const account = await createAccount({ initial_amount: 10, generate_code: true })
        const { data } = await call("get", "/admin/transfers")
        const reference = data.transfers[0].reference
        const routes: [Parameters<Call>[0], string][] = [
          ["get", "/admin/accounts"],
          ["post", "/admin/accounts"],
          ["get", `/admin/accounts/${account.id}`],
          ["post", `/admin/accounts/${account.id}`],
          ["post", `/admin/accounts/${account.id}/freeze`],
          ["post", `/admin/accounts/${account.id}/thaw`],
          ["post", `/admin/accounts/${account.id}/close`],
          ["post", `/admin/accounts/${account.id}/top-up`],
          ["post", `/admin/accounts/${account.id}/withdraw`],
          ["get", `/admin/accounts/${account.id}/entries`],
          ["get", `/admin/accounts/code/${account.code}`],
          ["post", `/admin/accounts/code/${account.code}/redemptions`],
          ["post", `/admin/accounts/code/${account.code}/refunds`],
          ["get", "/admin/transfers"],
          ["post", "/admin/transfers"],
          ["get", `/admin/transfers/${reference}`],
          ["post", `/admin/transfers/${reference}/reverse`],
          ["post", `/admin/transfers/${reference}/refunds`],
          ["get", "/admin/account-types"],
          ["post", "/admin/account-types"],
          ["get", "/admin/ledger/verify"],
        ]
        const before = await counts()
        for (const [method, url] of routes) {
          const res = await call(method, url, { amount: 1, name: "x", currency_code: "usd" }, {})
          expect([method, url, res.status]).toEqual([method, url, 401])
          const bad = await call(method, url, { amount: 1 }, { authorization: "Bearer not-a-token" })
          expect([method, url, bad.status]).toEqual([method, url, 401])
        }
        expect(await counts()).toEqual(before)
      })

      it("accepts a secret API key and records it as the actor", async () => {
        const account = await createAccount()
        const res = await call("post", `/admin/accounts/${account.id}/top-up`, { amount: 5 }, auth.apiKeyHeaders)
        expect(res.status).toBe(200)
        expect(res.data.transfer.actor_type).toBe("api_key")
        const list = await call("get", "/admin/accounts", undefined, auth.apiKeyHeaders)
        expect(list.status).toBe(200)
      })
    })

    describe("accounts", () => {
      it("creates an account with a generated code, funded in the same request", async () => {
        const account = await createAccount({
          name: "Gift card",
          description: "Birthday",
          generate_code: true,
          initial_amount: "25.50",
          end_date: "2099-01-01T00:00:00Z",
          metadata: { recipient: "a@b.c" },
        })
        expect(account).toEqual(
          expect.objectContaining({
            name: "Gift card",
            description: "Birthday",
            status: "open",
            currency_code: "usd",
            balance: "25.50",
            held: "0.00",
            credit_limit: "0.00",
            available: "25.50",
            metadata: { recipient: "a@b.c" },
            type: expect.objectContaining({ path: "Liabilities / Deferred income / Store credit" }),
          })
        )
        expect(account.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/)
        const entries = await call("get", `/admin/accounts/${account.id}/entries`)
        expect(entries.data.entries).toEqual([
          expect.objectContaining({ kind: "load", amount: "25.50", balance_after: "25.50", counterparty_id: "acc_sys_usd_unpaid_source" }),
        ])
      })

      it("lists with filters, search and pagination", async () => {
        const a = await createAccount({ name: "Alice wallet", customer_id: "cus_alice" })
        const b = await createAccount({ name: "Bob wallet", currency_code: "eur", member_ids: ["cus_alice"] })
        await createAccount({ name: "Carol card", generate_code: true })
        await call("post", `/admin/accounts/${a.id}/freeze`)

        const byQ = await call("get", "/admin/accounts?q=wallet&is_core=false")
        expect(byQ.data.accounts.map((x: any) => x.name).sort()).toEqual(["Alice wallet", "Bob wallet"])
        const frozen = await call("get", "/admin/accounts?status=frozen")
        expect(frozen.data.accounts.map((x: any) => x.id)).toEqual([a.id])
        const eur = await call("get", "/admin/accounts?currency_code=eur&is_core=false")
        expect(eur.data.accounts.map((x: any) => x.id)).toEqual([b.id])
        const alice = await call("get", "/admin/accounts?customer_id=cus_alice")
        expect(alice.data.accounts.map((x: any) => x.id).sort()).toEqual([a.id, b.id].sort())
        const core = await call("get", "/admin/accounts?is_core=true&currency_code=usd")
        expect(core.data.accounts.map((x: any) => x.role).sort()).toEqual(
          ["bank", "lapsed", "redemptions", "refunds_to_credit", "unpaid_source"]
        )
        const page = await call("get", "/admin/accounts?is_core=false&limit=2&offset=0&order=name")
        expect(page.data).toEqual(expect.objectContaining({ count: 3, limit: 2, offset: 0 }))
        expect(page.data.accounts.map((x: any) => x.name)).toEqual(["Alice wallet", "Bob wallet"])
        // Sorted by the balance shown: the sales account's lives in shard rows, its row says 0.
        const rich = await createAccount({ name: "Rich", initial_amount: 500 })
        await call("post", "/admin/transfers", { source_account_id: rich.id, destination_account_id: "@redemptions", amount: 300, kind: "redemption" })
        const byBalance = await call("get", "/admin/accounts?currency_code=usd&order=-balance&limit=2")
        expect(byBalance.data.accounts.map((x: any) => [x.id, x.balance])).toEqual([
          ["acc_sys_usd_redemptions", "300.00"],
          [rich.id, "200.00"],
        ])
        const fields = await call("get", `/admin/accounts?id=${a.id}&fields=id,name`)
        expect(Object.keys(fields.data.accounts[0]).sort()).toEqual(["id", "name"])
        const bad = await call("get", "/admin/accounts?status=sleeping")
        expect(bad.status).toBe(400)
        expect(bad.data.code).toBe("invalid_request")
      })

      it("retrieves and updates; 404 for unknown ids; 400 for bad bodies", async () => {
        const account = await createAccount({ initial_amount: 40 })
        const got = await call("get", `/admin/accounts/${account.id}`)
        expect(Number(got.data.account.balance)).toBe(40)

        const updated = await call("post", `/admin/accounts/${account.id}`, {
          name: "Renamed",
          credit_limit: "20",
          member_ids: ["cus_1", "cus_2"],
          product_ids: ["prod_1"],
          can_pay_shipping: false,
        })
        expect(updated.status).toBe(200)
        expect(updated.data.account).toEqual(
          expect.objectContaining({
            name: "Renamed",
            credit_limit: "20.00",
            available: "60.00",
            product_ids: ["prod_1"],
            can_pay_shipping: false,
          })
        )
        expect(updated.data.account.members.map((m: any) => m.customer_id).sort()).toEqual(["cus_1", "cus_2"])

        expect((await call("get", `/admin/accounts/${UNKNOWN_ACCOUNT}`)).status).toBe(404)
        const missing = await call("post", `/admin/accounts/${UNKNOWN_ACCOUNT}`, { name: "x" })
        expect([missing.status, missing.data.code]).toEqual([404, "not_found"])

        const before = await counts()
        const cases: [string, unknown, string][] = [
          ["/admin/accounts", { currency_code: "usd" }, "invalid_request"],
          ["/admin/accounts", { name: "x", currency_code: "usd", bogus: 1 }, "invalid_request"],
          ["/admin/accounts", { name: "x", currency_code: "dollars" }, "invalid_currency"],
          ["/admin/accounts", { name: "x", currency_code: "usd", initial_amount: -5 }, "invalid_amount"],
          ["/admin/accounts", { name: "x", currency_code: "usd", initial_amount: "1.005" }, "invalid_amount"],
          ["/admin/accounts", { name: "x", currency_code: "jpy", initial_amount: "10.5" }, "invalid_amount"],
          ["/admin/accounts", { name: "x", currency_code: "usd", credit_limit: "abc" }, "invalid_amount"],
          ["/admin/accounts", { name: "x", currency_code: "usd", account_type_id: "lat_nope" }, "not_found"],
          [`/admin/accounts/${account.id}`, { credit_limit: {} }, "invalid_request"],
          [`/admin/accounts/${account.id}`, { end_date: "not a date" }, "invalid_request"],
        ]
        for (const [url, body, code] of cases) {
          const res = await call("post", url, body)
          expect([url, body, res.status, res.data.code]).toEqual([url, body, code === "not_found" ? 404 : 400, code])
          expect(res.data.message).toEqual(expect.any(String))
        }
        expect(await counts()).toEqual(before)
      })

      it("refuses to lower a credit limit below what is used", async () => {
        const account = await createAccount({ credit_limit: 50 })
        await call("post", `/admin/accounts/${account.id}/withdraw`, { amount: 30 })
        const res = await call("post", `/admin/accounts/${account.id}`, { credit_limit: 10 })
        expect([res.status, res.data.code]).toEqual([400, "invalid_credit_limit"])
        expect(Number((await call("get", `/admin/accounts/${account.id}`)).data.account.credit_limit)).toBe(50)
      })

      it("freezes, thaws and closes, with the rules on money", async () => {
        const account = await createAccount({ initial_amount: 10 })
        const frozen = await call("post", `/admin/accounts/${account.id}/freeze`)
        expect(frozen.data.account.status).toBe("frozen")
        const pay = await call("post", `/admin/accounts/${account.id}/withdraw`, { amount: 1 })
        expect([pay.status, pay.data.code]).toEqual([400, "account_frozen"])
        const receive = await call("post", `/admin/accounts/${account.id}/top-up`, { amount: 1 })
        expect([receive.status, receive.data.code]).toEqual([400, "account_frozen"])
        expect((await call("post", `/admin/accounts/${account.id}/thaw`)).data.account.status).toBe("open")

        const notEmpty = await call("post", `/admin/accounts/${account.id}/close`)
        expect([notEmpty.status, notEmpty.data.code]).toEqual([400, "account_not_empty"])
        await call("post", `/admin/accounts/${account.id}/withdraw`, { amount: 10 })
        const closed = await call("post", `/admin/accounts/${account.id}/close`)
        expect(closed.data.account).toEqual(expect.objectContaining({ status: "closed", balance: "0.00" }))
        expect(closed.data.account.closed_at).toEqual(expect.any(String))
        const again = await call("post", `/admin/accounts/${account.id}/thaw`)
        expect([again.status, again.data.code]).toEqual([400, "account_closed"])
        const topUp = await call("post", `/admin/accounts/${account.id}/top-up`, { amount: 1 })
        expect([topUp.status, topUp.data.code]).toEqual([400, "account_closed"])

        for (const action of ["freeze", "thaw", "close"]) {
          const res = await call("post", `/admin/accounts/${UNKNOWN_ACCOUNT}/${action}`)
          expect([action, res.status, res.data.code]).toEqual([action, 404, "not_found"])
          const bad = await call("post", `/admin/accounts/${account.id}/${action}`, { reason: "x" })
          expect([action, bad.status, bad.data.code]).toEqual([action, 400, "invalid_request"])
        }
        await expectVerified()
      })

      it("tops up and withdraws, from and to chosen accounts", async () => {
        const account = await createAccount()
        const paid = await call("post", `/admin/accounts/${account.id}/top-up`, {
          amount: "30.00",
          source_account_id: "acc_sys_usd_bank",
          merchant_reference: "pos-1",
        })
        expect(paid.status).toBe(200)
        expect(paid.data.transfer).toEqual(
          expect.objectContaining({ kind: "load", amount: "30.00", source_id: "acc_sys_usd_bank", merchant_reference: "pos-1", actor_type: "user" })
        )
        expect(Number(paid.data.account.balance)).toBe(30)
        const out = await call("post", `/admin/accounts/${account.id}/withdraw`, { amount: 12.25 })
        expect(out.data.transfer.destination_id).toBe("acc_sys_usd_unpaid_source")
        expect(Number(out.data.account.balance)).toBe(17.75)
        const tooMuch = await call("post", `/admin/accounts/${account.id}/withdraw`, { amount: 100 })
        expect([tooMuch.status, tooMuch.data.code]).toEqual([400, "insufficient_funds"])

        for (const action of ["top-up", "withdraw"]) {
          for (const [body, code] of [
            [{}, "invalid_request"],
            [{ amount: 0 }, "invalid_amount"],
            [{ amount: "NaN" }, "invalid_amount"],
            [{ amount: "12.345" }, "invalid_amount"],
            [{ amount: 1, extra: true }, "invalid_request"],
          ] as const) {
            const res = await call("post", `/admin/accounts/${account.id}/${action}`, body)
            expect([action, body, res.status, res.data.code]).toEqual([action, body, 400, code])
          }
          const missing = await call("post", `/admin/accounts/${UNKNOWN_ACCOUNT}/${action}`, { amount: 1 })
          expect([action, missing.status, missing.data.code]).toEqual([action, 404, "not_found"])
        }
        await expectVerified()
      })

      it("pages the statement with running balances", async () => {
        const account = await createAccount({ initial_amount: 100 })
        for (const amount of [1, 2, 3, 4]) {
          await call("post", `/admin/accounts/${account.id}/withdraw`, { amount })
        }
        const newest = await call("get", `/admin/accounts/${account.id}/entries?limit=2`)
        expect(newest.data).toEqual(expect.objectContaining({ count: 5, limit: 2, offset: 0 }))
        expect(newest.data.entries.map((e: any) => [e.amount, e.balance_after])).toEqual([["-4.00", "90.00"], ["-3.00", "94.00"]])
        const oldest = await call("get", `/admin/accounts/${account.id}/entries?order=asc&limit=3&offset=1`)
        expect(oldest.data.entries.map((e: any) => [e.amount, e.balance_after])).toEqual([["-1.00", "99.00"], ["-2.00", "97.00"], ["-3.00", "94.00"]])
        const bad = await call("get", `/admin/accounts/${account.id}/entries?limit=0`)
        expect([bad.status, bad.data.code]).toEqual([400, "invalid_request"])
        expect((await call("get", `/admin/accounts/${UNKNOWN_ACCOUNT}/entries`)).status).toBe(404)
      })
    })

    describe("core accounts", () => {
      it("creates a new region's currency's core accounts as soon as the region exists", async () => {
        const before = await call("get", "/admin/accounts?is_core=true&currency_code=gbp")
        expect(before.data.count).toBe(0)
        const created = TestEventUtils.waitSubscribersExecution("region.created", getContainer().resolve(Modules.EVENT_BUS))
        const region = await call("post", "/admin/regions", { name: "UK", currency_code: "gbp" })
        expect(region.status).toBe(200)
        await created
        const after = await call("get", "/admin/accounts?is_core=true&currency_code=gbp")
        expect(after.data.accounts.map((a: any) => a.id).sort()).toEqual([
          "acc_sys_gbp_bank",
          "acc_sys_gbp_lapsed",
          "acc_sys_gbp_redemptions",
          "acc_sys_gbp_refunds_to_credit",
          "acc_sys_gbp_unpaid_source",
        ])
      })

      it("lets only descriptive fields of a core account change, and never closes one", async () => {
        const renamed = await call("post", "/admin/accounts/acc_sys_usd_redemptions", { name: "Sales", description: "Orders" })
        expect(renamed.data.account).toEqual(expect.objectContaining({ name: "Sales", role: "redemptions", credit_limit: "0.00" }))
        for (const body of [{ credit_limit: 100 }, { end_date: "2000-01-01" }, { account_type_id: "lat_assets_cash" }]) {
          const res = await call("post", "/admin/accounts/acc_sys_usd_redemptions", body)
          expect([body, res.status, res.data.code]).toEqual([body, 403, "not_authorized"])
        }
        const close = await call("post", "/admin/accounts/acc_sys_usd_lapsed/close")
        expect([close.status, close.data.code]).toEqual([403, "not_authorized"])
      })

      it("creates an account once per idempotency key and refuses the key for another account", async () => {
        const body = { name: "Card", currency_code: "usd", initial_amount: 20, idempotency_key: "sale-1-card" }
        const first = await call("post", "/admin/accounts", body)
        const again = await call("post", "/admin/accounts", body)
        expect(again.data.account.id).toBe(first.data.account.id)
        expect(Number(again.data.account.balance)).toBe(20)
        const before = await counts()
        const other = await call("post", "/admin/accounts", { ...body, initial_amount: 25 })
        expect([other.status, other.data.code]).toEqual([409, "idempotency_conflict"])
        const renamed = await call("post", "/admin/accounts", { ...body, name: "Other card" })
        expect([renamed.status, renamed.data.code]).toEqual([409, "idempotency_conflict"])
        const topUp = await call("post", `/admin/accounts/${first.data.account.id}/top-up`, { amount: 1, idempotency_key: "top-up-1" })
        const reused = await call("post", "/admin/accounts", { name: "New", currency_code: "usd", initial_amount: 1, idempotency_key: "top-up-1" })
        expect([reused.status, reused.data.code]).toEqual([409, "idempotency_conflict"])
        expect(await counts()).toEqual({ ...before, transfers: before.transfers + 1, entries: before.entries + 2 })
        expect(topUp.status).toBe(200)

        const empty = await call("post", "/admin/accounts", { name: "Empty", currency_code: "usd", idempotency_key: "empty-1" })
        const emptyAgain = await call("post", "/admin/accounts", { name: "Empty", currency_code: "usd", idempotency_key: "empty-1" })
        expect(emptyAgain.data.account.id).toBe(empty.data.account.id)
      })
    })

    describe("code API for outside systems", () => {
      it("looks up, redeems and refunds by code, ignoring case and dashes", async () => {
        const card = await createAccount({ name: "Card", generate_code: true, initial_amount: 50 })
        const pretty = card.code.toLowerCase().match(/.{4}/g).join("-")
        const found = await call("get", `/admin/accounts/code/${pretty}`)
        expect(found.data.account.id).toBe(card.id)

        const r1 = await call("post", `/admin/accounts/code/${pretty}/redemptions`, { amount: 20, merchant_reference: "order-1" })
        expect(r1.status).toBe(200)
        expect(r1.data.transfer).toEqual(expect.objectContaining({ kind: "redemption", destination_id: "acc_sys_usd_redemptions" }))
        expect(Number(r1.data.account.balance)).toBe(30)
        const r2 = await call("post", `/admin/accounts/code/${card.code}/redemptions`, { amount: 10, merchant_reference: "order-2" })
        expect(Number(r2.data.account.balance)).toBe(20)

        const refund = await call("post", `/admin/accounts/code/${card.code}/refunds`, { amount: 15, merchant_reference: "order-1" })
        expect(refund.status).toBe(200)
        expect(refund.data.transfer).toEqual(expect.objectContaining({ kind: "refund", parent_id: r1.data.transfer.id }))
        expect(Number(refund.data.account.balance)).toBe(35)
        const byRef = await call("post", `/admin/accounts/code/${card.code}/refunds`, { amount: 10, transfer_reference: r2.data.transfer.reference })
        expect(byRef.data.transfer.parent_id).toBe(r2.data.transfer.id)
        const over = await call("post", `/admin/accounts/code/${card.code}/refunds`, { amount: 6 })
        expect([over.status, over.data.code]).toEqual([400, "refund_exceeds_transfer"])
        const short = await call("post", `/admin/accounts/code/${card.code}/redemptions`, { amount: 1000 })
        expect([short.status, short.data.code]).toEqual([400, "insufficient_funds"])

        const unknown = await call("get", "/admin/accounts/code/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        expect([unknown.status, unknown.data.code]).toEqual([404, "not_found"])
        expect((await call("post", "/admin/accounts/code/ZZZZZZZZZZZZZZZZ/redemptions", { amount: 1 })).status).toBe(404)
        expect((await call("post", "/admin/accounts/code/ZZZZZZZZZZZZZZZZ/refunds", { amount: 1 })).status).toBe(404)
        const badCode = await call("get", "/admin/accounts/code/a!")
        expect([badCode.status, badCode.data.code]).toEqual([400, "invalid_code"])
        const badBody = await call("post", `/admin/accounts/code/${card.code}/redemptions`, { amount: [] })
        expect([badBody.status, badBody.data.code]).toEqual([400, "invalid_request"])
        const badRefund = await call("post", `/admin/accounts/code/${card.code}/refunds`, {})
        expect([badRefund.status, badRefund.data.code]).toEqual([400, "invalid_request"])
        await expectVerified()
      })
    })

    describe("transfers", () => {
      it("creates, lists, retrieves, refunds and reverses", async () => {
        const a = await createAccount({ name: "A", initial_amount: 100 })
        const b = await createAccount({ name: "B" })
        const created = await call("post", "/admin/transfers", {
          source_account_id: a.id,
          destination_account_id: b.id,
          amount: "60",
          description: "Move",
          merchant_reference: "ref-9",
        })
        expect(created.status).toBe(200)
        const t = created.data.transfer
        expect(t).toEqual(expect.objectContaining({ kind: "transfer", amount: "60.00", source_balance: "40.00", destination_balance: "60.00" }))
        expect(t.reference).toMatch(/^[0-9A-Z]{16}$/)

        const got = await call("get", `/admin/transfers/${t.reference}`)
        expect(got.data.transfer.entries.map((e: any) => [e.account_id, e.amount]).sort()).toEqual(
          [[a.id, "-60.00"], [b.id, "60.00"]].sort()
        )
        expect(Number(got.data.transfer.refundable_amount)).toBe(60)
        expect((await call("get", `/admin/transfers/${t.id}`)).data.transfer.reference).toBe(t.reference)

        const list = await call("get", `/admin/transfers?account_id=${b.id}`)
        expect(list.data.transfers.map((x: any) => x.reference)).toEqual([t.reference])
        const byRef = await call("get", `/admin/transfers?merchant_reference=ref-9&kind=transfer`)
        expect(byRef.data.count).toBe(1)
        const byDate = await call("get", `/admin/transfers?created_at[gte]=2000-01-01&kind[]=load`)
        expect(byDate.data.transfers.every((x: any) => x.kind === "load")).toBe(true)
        expect(byDate.data.count).toBe(1)

        const refund = await call("post", `/admin/transfers/${t.reference}/refunds`, { amount: 15 })
        expect(refund.data.transfer).toEqual(expect.objectContaining({ kind: "refund", amount: "15.00", source_id: b.id, destination_id: a.id }))
        expect(Number(refund.data.original.refundable_amount)).toBe(45)
        const over = await call("post", `/admin/transfers/${t.reference}/refunds`, { amount: 46 })
        expect([over.status, over.data.code]).toEqual([400, "refund_exceeds_transfer"])

        const reversal = await call("post", `/admin/transfers/${t.reference}/reverse`, { description: "Mistake" })
        expect(reversal.data.transfer).toEqual(expect.objectContaining({ kind: "reversal", amount: "45.00" }))
        expect(Number(reversal.data.original.refundable_amount)).toBe(0)
        expect(reversal.data.original.refunds.map((r: any) => r.kind).sort()).toEqual(["refund", "reversal"])
        const twice = await call("post", `/admin/transfers/${t.reference}/reverse`)
        expect([twice.status, twice.data.code]).toEqual([400, "already_reversed"])
        const ofReversal = await call("post", `/admin/transfers/${reversal.data.transfer.reference}/reverse`)
        expect([ofReversal.status, ofReversal.data.code]).toEqual([400, "not_reversible"])
        expect(Number((await call("get", `/admin/accounts/${a.id}`)).data.account.balance)).toBe(100)
        await expectVerified()
      })

      it("answers bad input with a code and writes nothing", async () => {
        const a = await createAccount({ initial_amount: 10 })
        const eur = await createAccount({ currency_code: "eur" })
        const before = await counts()
        const cases: [string, Record<string, unknown>, number, string][] = [
          ["/admin/transfers", { source_account_id: a.id, amount: 1 }, 400, "invalid_request"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: eur.id, amount: 1 }, 400, "currency_mismatch"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: a.id, amount: 1 }, 400, "same_account"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: "@redemptions", amount: 11 }, 400, "insufficient_funds"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: UNKNOWN_ACCOUNT, amount: 1 }, 404, "not_found"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: "@nowhere", amount: 1 }, 400, "invalid_request"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: "@redemptions", amount: "Infinity" }, 400, "invalid_amount"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: "@redemptions", amount: 1e21 }, 400, "invalid_amount"],
          ["/admin/transfers", { source_account_id: a.id, destination_account_id: "@redemptions", amount: 1, kind: "capture" }, 400, "invalid_request"],
          ["/admin/transfers/NOPE/refunds", { amount: 1 }, 404, "not_found"],
          ["/admin/transfers/NOPE/reverse", {}, 404, "not_found"],
          ["/admin/transfers/NOPE/refunds", {}, 400, "invalid_request"],
          ["/admin/transfers/NOPE/reverse", { amount: 5 }, 400, "invalid_request"],
        ]
        for (const [url, body, status, code] of cases) {
          const res = await call("post", url, body)
          expect([url, body, res.status, res.data.code]).toEqual([url, body, status, code])
        }
        expect((await call("get", "/admin/transfers/NOPE")).status).toBe(404)
        const badList = await call("get", "/admin/transfers?kind=gift")
        expect([badList.status, badList.data.code]).toEqual([400, "invalid_request"])
        expect(await counts()).toEqual(before)
        await expectVerified()
      })

      it("replays an idempotency key (body or Idempotency-Key header) and refuses it for other arguments", async () => {
        const a = await createAccount({ initial_amount: 10 })
        const first = await call("post", `/admin/accounts/${a.id}/withdraw`, { amount: 4, idempotency_key: "w-1" })
        const again = await call("post", `/admin/accounts/${a.id}/withdraw`, { amount: 4 }, { ...auth.headers, "idempotency-key": "w-1" })
        expect(again.status).toBe(200)
        expect(again.data.transfer.id).toBe(first.data.transfer.id)
        expect(again.data.transfer.replayed).toBe(true)
        expect(Number(again.data.account.balance)).toBe(6)
        const before = await counts()
        const conflict = await call("post", `/admin/accounts/${a.id}/withdraw`, { amount: 5, idempotency_key: "w-1" })
        expect(conflict.status).toBe(409)
        expect(conflict.data).toEqual({ type: "conflict", code: "idempotency_conflict", message: expect.stringContaining("w-1") })
        expect(await counts()).toEqual(before)
      })
    })

    describe("account types and verify", () => {
      it("lists the chart of accounts and creates types under it", async () => {
        const list = await call("get", "/admin/account-types")
        expect(list.data.account_types.map((t: any) => t.code)).toEqual(
          expect.arrayContaining(["assets.sales", "liabilities.deferred_income.gift_cards"])
        )
        const parent = list.data.account_types.find((t: any) => t.code === "liabilities.deferred_income")
        const created = await call("post", "/admin/account-types", { name: "Employee perks", parent_id: parent.id })
        expect(created.data.account_type).toEqual(
          expect.objectContaining({ code: "liabilities.deferred_income.employee_perks", path: "Liabilities / Deferred income / Employee perks" })
        )
        const account = await createAccount({ account_type_id: created.data.account_type.id })
        expect(account.type.name).toBe("Employee perks")
        const children = await call("get", `/admin/account-types?parent_id=${parent.id}`)
        expect(children.data.account_types.map((t: any) => t.name)).toContain("Employee perks")

        const dup = await call("post", "/admin/account-types", { name: "Employee perks", parent_id: parent.id })
        expect([dup.status, dup.data.code]).toEqual([400, "code_taken"])
        const noParent = await call("post", "/admin/account-types", { name: "X", parent_id: "lat_nope" })
        expect([noParent.status, noParent.data.code]).toEqual([404, "not_found"])
        const bad = await call("post", "/admin/account-types", { label: "X" })
        expect([bad.status, bad.data.code]).toEqual([400, "invalid_request"])
      })

      it("verify reports the trial balance and pinpoints a tampered balance", async () => {
        const a = await createAccount({ initial_amount: 10 })
        const clean = await call("get", "/admin/ledger/verify")
        expect(clean.data.ok).toBe(true)
        expect(clean.data.checks.map((c: any) => c.name)).toEqual(
          expect.arrayContaining([
            "transfers_sum_to_zero",
            "ledger_sums_to_zero_per_currency",
            "two_entries_per_transfer",
            "cached_balance_matches_entries",
            "credit_limits_respected",
            "transfers_append_only",
            "reversed_at_most_once",
            "idempotency_keys_unique",
            "closed_accounts_empty",
          ])
        )
        const usd = clean.data.trial_balance.find((r: any) => r.currency_code === "usd")
        expect(usd.net).toBe("0")

        // A hand-written UPDATE that bypasses the ledger is caught.
        await dbConnection.raw(`UPDATE ledger_account SET balance = balance + 1 WHERE id = ?`, [a.id])
        const dirty = await call("get", "/admin/ledger/verify")
        expect(dirty.data.ok).toBe(false)
        const check = dirty.data.checks.find((c: any) => c.name === "cached_balance_matches_entries")
        expect(check.offending).toEqual([expect.objectContaining({ id: a.id, balance: "11", entries_sum: "10" })])
      })
    })

    describe("concurrency through HTTP", () => {
      it("32 parallel 10.00 withdrawals from a 100.00 account: exactly 10 succeed", async () => {
        const a = await createAccount({ initial_amount: 100 })
        const results = await Promise.all(
          Array.from({ length: 32 }, () => call("post", `/admin/accounts/${a.id}/withdraw`, { amount: "10.00" }))
        )
        const ok = results.filter((r) => r.status === 200)
        const refused = results.filter((r) => r.status === 400)
        expect(ok).toHaveLength(10)
        expect(refused).toHaveLength(22)
        expect(refused.every((r) => r.data.code === "insufficient_funds")).toBe(true)
        expect(Number((await call("get", `/admin/accounts/${a.id}`)).data.account.balance)).toBe(0)
        await expectVerified()
      })

      it("one idempotency key sent 16 times at once posts one transfer", async () => {
        const a = await createAccount({ initial_amount: 100 })
        const results = await Promise.all(
          Array.from({ length: 16 }, () =>
            call("post", `/admin/accounts/${a.id}/withdraw`, {
              amount: 7,
              idempotency_key: "same-request",
            })
          )
        )
        expect(results.every((r) => r.status === 200)).toBe(true)
        expect(new Set(results.map((r) => r.data.transfer.id)).size).toBe(1)
        expect(Number((await call("get", `/admin/accounts/${a.id}`)).data.account.balance)).toBe(93)
        await expectVerified()
      })
    })
  },
})
