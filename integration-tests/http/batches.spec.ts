import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createAdminAuth } from "../support/admin"
import { Call, caller } from "../support/http"

jest.setTimeout(180000)

/** POST /admin/transfers/batch and POST /admin/accounts/batch through a booted Medusa (issue 11). */
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
    const balance = async (id: string) => (await call("get", `/admin/accounts/${id}`)).data.account.balance
    const counts = async () => {
      const { rows } = await dbConnection.raw(
        `SELECT (SELECT count(*) FROM ledger_transfer)::int AS transfers, (SELECT count(*) FROM ledger_entry)::int AS entries,
                (SELECT count(*) FROM ledger_account)::int AS accounts`
      )
      return rows[0]
    }
    const expectVerified = async () => {
      const res = await call("get", "/admin/ledger/verify")
      expect(res.data.checks.filter((c: any) => !c.ok)).toEqual([])
    }
    const spend = (from: string, amount: string) => ({ source_account_id: from, destination_account_id: "@redemptions", amount, kind: "redemption" })

    describe("POST /admin/transfers/batch", () => {
      it("independent: a result per item in order, refused items write nothing", async () => {
        const a = await createAccount({ initial_amount: 50 })
        const b = await createAccount({ initial_amount: 5 })
        const res = await call("post", "/admin/transfers/batch", {
          transfers: [spend(a.id, "10"), spend(b.id, "6"), spend(a.id, "1.001"), { source_account_id: "@bank", destination_account_id: b.id, amount: "20", kind: "load" }],
        })
        expect(res.status).toBe(200)
        expect(res.data).toMatchObject({ mode: "independent", ok: false, failed_index: null, counts: { ok: 2, failed: 2, replayed: 0 } })
        expect(res.data.results.map((r: any) => (r.ok ? "ok" : r.error.code))).toEqual(["ok", "insufficient_funds", "invalid_amount", "ok"])
        expect(res.data.results[0].transfer).toMatchObject({ kind: "redemption", amount: "10.00", currency_code: "usd", source_balance: "40.00" })
        expect(res.data.results[0].transfer.reference).toMatch(/^[0-9A-Z]{16}$/)
        expect(await balance(a.id)).toBe("40.00")
        expect(await balance(b.id)).toBe("25.00")
        await expectVerified()
      })

      it("atomic: a refused item answers with its status and index and nothing is written", async () => {
        const a = await createAccount({ initial_amount: 50 })
        const before = await counts()
        const res = await call("post", "/admin/transfers/batch", { mode: "atomic", transfers: [spend(a.id, "10"), spend(a.id, "45"), spend(a.id, "1")] })
        expect(res.status).toBe(400)
        expect(res.data).toMatchObject({ type: "not_allowed", code: "insufficient_funds", index: 1, failed_index: 1, ok: false })
        expect(res.data.message).toMatch(/^Item 1: /)
        expect(res.data.results.map((r: any) => r.error.code)).toEqual(["not_posted", "insufficient_funds", "not_posted"])
        expect(await counts()).toEqual(before)
        expect(await balance(a.id)).toBe("50.00")
      })

      it("a retried batch (same Idempotency-Key) replays and moves nothing twice; dry_run writes nothing", async () => {
        const a = await createAccount({ initial_amount: 50 })
        const body = { transfers: [spend(a.id, "10"), spend(a.id, "5")] }
        const dry = await call("post", "/admin/transfers/batch", { ...body, dry_run: true })
        expect(dry.status).toBe(200)
        expect(dry.data.counts).toEqual({ ok: 2, failed: 0, replayed: 0 })
        expect(await balance(a.id)).toBe("50.00")
        const first = await call("post", "/admin/transfers/batch", body, { ...auth.headers, "Idempotency-Key": "http-batch-1" })
        expect(first.data.counts.ok).toBe(2)
        const before = await counts()
        const again = await call("post", "/admin/transfers/batch", body, { ...auth.headers, "Idempotency-Key": "http-batch-1" })
        expect(again.status).toBe(200)
        expect(again.data.counts).toEqual({ ok: 2, failed: 0, replayed: 2 })
        expect(again.data.results.map((r: any) => r.transfer.id)).toEqual(first.data.results.map((r: any) => r.transfer.id))
        expect(await counts()).toEqual(before)
        expect(await balance(a.id)).toBe("35.00")
      })

      it("malformed batches are refused whole (400 invalid_request): empty, over 1,000, a bad item, an unknown field", async () => {
        const a = await createAccount({ initial_amount: 50 })
        const before = await counts()
        for (const body of [
          { transfers: [] },
          { transfers: Array.from({ length: 1001 }, () => spend(a.id, "0.01")) },
          { transfers: [spend(a.id, "1"), { source_account_id: a.id }] },
          { transfers: [spend(a.id, "1")], extra: 1 },
          { transfers: [spend(a.id, "1")], mode: "sometimes" },
        ]) {
          const res = await call("post", "/admin/transfers/batch", body)
          expect([res.status, res.data.code]).toEqual([400, "invalid_request"])
        }
        expect(await counts()).toEqual(before)
      })

      it("takes 1,000 items (a body over the 100 KB of single routes)", async () => {
        const a = await createAccount({ initial_amount: 1000 })
        const transfers = Array.from({ length: 1000 }, (_, i) => ({ ...spend(a.id, "0.25"), description: `Monthly fee, line ${i} `.padEnd(120, ".") }))
        expect(JSON.stringify({ transfers }).length).toBeGreaterThan(100 * 1024)
        const res = await call("post", "/admin/transfers/batch", { transfers })
        expect(res.status).toBe(200)
        expect(res.data.counts.ok).toBe(1000)
        expect(await balance(a.id)).toBe("750.00")
        await expectVerified()
      })
    })

    describe("POST /admin/accounts/batch", () => {
      it("issues gift cards with codes and loads from the bank; each code works", async () => {
        const { data: types } = await call("get", "/admin/account-types?limit=100")
        const giftCards = types.account_types.find((t: any) => t.code === "liabilities.deferred_income.gift_cards")
        const end = new Date(Date.now() + 365 * 86400_000).toISOString()
        const card = { name: "Gift card", currency_code: "usd", account_type_id: giftCards.id, generate_code: true, initial_amount: "25", source_account_id: "@bank", end_date: end }
        const res = await call("post", "/admin/accounts/batch", { accounts: Array.from({ length: 30 }, () => card) })
        expect(res.status).toBe(200)
        expect(res.data.counts).toEqual({ ok: 30, failed: 0, replayed: 0 })
        const accounts = res.data.results.map((r: any) => r.account)
        expect(new Set(accounts.map((a: any) => a.code)).size).toBe(30)
        for (const a of accounts) {
          expect(a).toMatchObject({ balance: "25.00", currency_code: "usd", type_id: giftCards.id, end_date: end })
        }
        const found = await call("get", `/admin/accounts/code/${accounts[3].code}`)
        expect(found.data.account.id).toBe(accounts[3].id)
        await expectVerified()
      })

      it("atomic with a code already taken: 400 code_taken naming the item, nothing written; a retry replays", async () => {
        await createAccount({ code: "BATCH-TAKEN" })
        const before = await counts()
        const res = await call("post", "/admin/accounts/batch", {
          mode: "atomic",
          accounts: [{ name: "A", currency_code: "usd", initial_amount: "5" }, { name: "B", currency_code: "usd", code: "batch taken" }],
        })
        expect([res.status, res.data.code, res.data.index]).toEqual([400, "code_taken", 1])
        expect(await counts()).toEqual(before)
        const body = { idempotency_key: "http-accounts-1", accounts: [{ name: "A", currency_code: "usd", initial_amount: "5" }, { name: "C", currency_code: "eur" }] }
        const first = await call("post", "/admin/accounts/batch", body)
        expect(first.data.counts).toEqual({ ok: 2, failed: 0, replayed: 0 })
        const again = await call("post", "/admin/accounts/batch", body)
        expect(again.data.counts).toEqual({ ok: 2, failed: 0, replayed: 2 })
        expect(again.data.results.map((r: any) => r.account.id)).toEqual(first.data.results.map((r: any) => r.account.id))
        await expectVerified()
      })

      it("is not taken for an update of an account called 'batch'", async () => {
        const res = await call("post", "/admin/accounts/batch", { name: "Renamed" })
        expect([res.status, res.data.code]).toEqual([400, "invalid_request"])
        expect(res.data.message).toMatch(/accounts/)
      })

      it("needs an admin (401 without credentials)", async () => {
        const res = await api.post("/admin/accounts/batch", { accounts: [{ name: "A", currency_code: "usd" }] }, { validateStatus: () => true })
        expect(res.status).toBe(401)
        const res2 = await api.post("/admin/transfers/batch", { transfers: [] }, { validateStatus: () => true })
        expect(res2.status).toBe(401)
      })
    })
  },
})
