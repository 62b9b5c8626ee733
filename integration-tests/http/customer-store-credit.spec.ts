import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createAdminAuth } from "../support/admin"
import { Call, caller } from "../support/http"

jest.setTimeout(180000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    let call: Call
    let customerId: string

    beforeEach(async () => {
      const auth = await createAdminAuth(getContainer(), api)
      call = caller(api, () => auth.headers)
      const { data } = await call("post", "/admin/customers", { email: "cora@example.com" })
      customerId = data.customer.id
    })

    const transfers = async () => Number((await dbConnection.raw(`SELECT count(*) AS n FROM ledger_transfer`)).rows[0].n)
    const accountsOf = async () => (await call("get", `/admin/accounts?customer_id=${customerId}`)).data.accounts

    it("opens the customer's wallet on the first credit and tops it up afterwards", async () => {
      const first = await call("post", `/admin/customers/${customerId}/store-credit`, { amount: "12.00", currency_code: "usd" })
      expect(first.status).toBe(200)
      expect(first.data.account).toMatchObject({ customer_id: customerId, balance: "12.00", currency_code: "usd" })
      expect(first.data.transfer).toMatchObject({ amount: "12.00", source_id: "acc_sys_usd_unpaid_source", kind: "load" })

      const second = await call("post", `/admin/customers/${customerId}/store-credit`, { amount: 3, currency_code: "usd", source: "received", description: "Paid at the till" })
      expect(second.data.account.id).toBe(first.data.account.id)
      expect(second.data.account.balance).toBe("15.00")
      expect(second.data.transfer).toMatchObject({ source_id: "acc_sys_usd_bank", description: "Paid at the till" })
      expect(await accountsOf()).toHaveLength(1)
    })

    it("moves money once for a retried key, in parallel too", async () => {
      const body = { amount: "5", currency_code: "usd", idempotency_key: "credit-once" }
      const before = await transfers()
      const answers = await Promise.all(Array.from({ length: 4 }, () => call("post", `/admin/customers/${customerId}/store-credit`, body)))
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200])
      expect(new Set(answers.map((a) => a.data.transfer.id)).size).toBe(1)
      expect(await transfers()).toBe(before + 1)
      const [wallet] = await accountsOf()
      expect(wallet.balance).toBe("5.00")
    })

    it("puts dated credit into the wallet as a lot that expires on that date", async () => {
      await call("post", `/admin/customers/${customerId}/store-credit`, { amount: "10", currency_code: "usd" })
      const expires = new Date(Date.now() + 30 * 86_400_000).toISOString()
      const res = await call("post", `/admin/customers/${customerId}/store-credit`, { amount: "4", currency_code: "usd", expires_at: expires })
      expect(res.status).toBe(200)
      expect(res.data.account).toMatchObject({ balance: "14.00", customer_id: customerId, end_date: null })
      expect(await accountsOf()).toHaveLength(1)
      const lots = await call("get", `/admin/accounts/${res.data.account.id}/lots`)
      expect(lots.data.lots.map((l: any) => [l.amount, l.remaining, l.expires_at, l.transfer_reference])).toEqual([
        ["4.00", "4.00", expires, res.data.transfer.reference],
        ["10.00", "10.00", null, null],
      ])
      expect(lots.data.next_expiring).toEqual({ amount: "4.00", expires_at: expires })
    })

    it("refuses bad input and unknown customers with a code, writing nothing", async () => {
      const before = await transfers()
      const cases: [string, unknown, number, string][] = [
        [customerId, { amount: "-1", currency_code: "usd" }, 400, "invalid_amount"],
        [customerId, { amount: "1.001", currency_code: "usd" }, 400, "invalid_amount"],
        [customerId, { amount: "1", currency_code: "usd", source: "gift" }, 400, "invalid_request"],
        [customerId, { amount: "1", currency_code: "usd", extra: true }, 400, "invalid_request"],
        [customerId, { amount: "1", currency_code: "dollars" }, 400, "invalid_currency"],
        ["cus_01NOTHEREAAAAAAAAAAAAAAAAA", { amount: "1", currency_code: "usd" }, 404, "not_found"],
      ]
      for (const [id, body, status, code] of cases) {
        const res = await call("post", `/admin/customers/${id}/store-credit`, body)
        expect({ status: res.status, code: res.data.code }).toEqual({ status, code })
      }
      expect(await transfers()).toBe(before)
      expect(await accountsOf()).toHaveLength(0)
    })

    it("requires an admin", async () => {
      const res = await call("post", `/admin/customers/${customerId}/store-credit`, { amount: "1", currency_code: "usd" }, {})
      expect(res.status).toBe(401)
    })
  },
})
