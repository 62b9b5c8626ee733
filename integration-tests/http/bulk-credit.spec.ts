// POST /admin/accounts/bulk-credit: credits from a merchant's file, row by row (issue 11 §1).
import { Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createAdminAuth } from "../support/admin"
import { Call, caller } from "../support/http"
import { registerShopper } from "../support/store"

jest.setTimeout(180000)

const URL = "/admin/accounts/bulk-credit"

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    let call: Call
    let adminHeaders: Record<string, string>
    let apiKeyHeaders: Record<string, string>
    let ann: string
    let bob: string
    let bobWallet: string
    let frozen: string
    let open: string

    const ok = async (method: "get" | "post", url: string, body?: unknown) => {
      const res = await call(method, url, body)
      if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
      return res.data
    }

    beforeEach(async () => {
      const auth = await createAdminAuth(getContainer(), api)
      adminHeaders = auth.headers
      apiKeyHeaders = auth.apiKeyHeaders
      call = caller(api, () => auth.headers)
      ann = (await ok("post", "/admin/customers", { email: "ann@example.com" })).customer.id
      bob = (await ok("post", "/admin/customers", { email: "Bob@Example.com" })).customer.id
      // Bob has a wallet already; Ann has none until she is credited.
      bobWallet = (await ok("post", `/admin/customers/${bob}/store-credit`, { amount: "5", currency_code: "usd" })).account.id
      frozen = (await ok("post", "/admin/accounts", { name: "Frozen pot", currency_code: "usd" })).account.id
      await ok("post", `/admin/accounts/${frozen}/freeze`)
      open = (await ok("post", "/admin/accounts", { name: "Team pot", currency_code: "usd" })).account.id
    })

    const count = async (table: string) => Number((await dbConnection.raw(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
    const balance = async (id: string) => (await ok("get", `/admin/accounts/${id}`)).account.balance
    const walletsOf = async (customer: string) =>
      (await ok("get", `/admin/accounts?customer_id=${customer}`)).accounts.filter((a: any) => a.currency_code === "usd")

    // A file with good and bad rows; `line` is the line of the file (the header is line 1).
    const fileRows = () => [
      { line: 2, email: "ann@example.com", amount: "10", note: "Spring promotion" },
      { line: 3, email: "bob@example.com", amount: 2.5, note: "Spring promotion" },
      { line: 4, email: "nobody@example.com", amount: "3" },
      { line: 5, email: "ann@example.com", amount: "1.001" },
      { line: 6, account_id: frozen, amount: "4" },
      { line: 7, account_id: open, amount: "6", note: "Team bonus" },
      { line: 8, customer_id: ann, amount: "abc" },
    ]

    const verdicts = (results: any[]) => results.map((r) => ({ line: r.line, ok: r.ok, code: r.error?.code ?? null }))
    const expectedVerdicts = [
      { line: 2, ok: true, code: null },
      { line: 3, ok: true, code: null },
      { line: 4, ok: false, code: "customer_not_found" },
      { line: 5, ok: false, code: "invalid_amount" },
      { line: 6, ok: false, code: "account_frozen" },
      { line: 7, ok: true, code: null },
      { line: 8, ok: false, code: "invalid_amount" },
    ]

    it("a dry run flags the bad rows with their lines and writes nothing, not even a wallet", async () => {
      const [transfers, accounts] = [await count("ledger_transfer"), await count("ledger_account")]
      const res = await call("post", URL, { currency_code: "usd", rows: fileRows(), dry_run: true })
      expect(res.status).toBe(200)
      expect(res.data).toMatchObject({ dry_run: true, ok: false, failed_index: null, counts: { ok: 3, failed: 4, replayed: 0 } })
      expect(verdicts(res.data.results)).toEqual(expectedVerdicts)
      const [annRow, bobRow] = res.data.results
      // Ann's wallet does not exist yet: fine in a dry run, it is opened when posting.
      expect(annRow).toMatchObject({ index: 0, customer_id: ann, email: "ann@example.com", account_id: null, amount: "10.00" })
      expect(bobRow).toMatchObject({ customer_id: bob, account_id: bobWallet, amount: "2.50" })
      expect(bobRow.transfer).toBeUndefined()
      expect(await count("ledger_transfer")).toBe(transfers)
      expect(await count("ledger_account")).toBe(accounts)
      expect(await walletsOf(ann)).toHaveLength(0)
      expect(await balance(bobWallet)).toBe("5.00")
    })

    it("independent mode credits the good rows into wallets (opened when needed) and reports the bad ones", async () => {
      const transfers = await count("ledger_transfer")
      const res = await call("post", URL, { currency_code: "usd", rows: fileRows(), idempotency_key: "spring-1" })
      expect(res.status).toBe(200)
      expect(res.data).toMatchObject({ dry_run: false, ok: false, failed_index: null, counts: { ok: 3, failed: 4, replayed: 0 } })
      expect(verdicts(res.data.results)).toEqual(expectedVerdicts)
      expect(await count("ledger_transfer")).toBe(transfers + 3)

      const [annWallet] = await walletsOf(ann)
      expect(annWallet).toMatchObject({ balance: "10.00", customer_id: ann })
      expect(res.data.results[0].account_id).toBe(annWallet.id)
      expect(await balance(bobWallet)).toBe("7.50")
      expect(await balance(open)).toBe("6.00")
      expect(await balance(frozen)).toBe("0.00")

      const credit = res.data.results[0].transfer
      const { transfer } = await ok("get", `/admin/transfers/${credit.reference}`)
      expect(transfer).toMatchObject({
        id: credit.id,
        kind: "load",
        amount: "10.00",
        source_id: "acc_sys_usd_unpaid_source",
        destination_id: annWallet.id,
        description: "Spring promotion",
      })
    })

    it("money received posts from Bank; a row can name an account in another currency only to be refused", async () => {
      const eur = (await ok("post", "/admin/accounts", { name: "Euro pot", currency_code: "eur" })).account.id
      const res = await call("post", URL, {
        currency_code: "usd",
        source_account_id: "@bank",
        rows: [
          { email: "ann@example.com", amount: "3" },
          { account_id: eur, amount: "3" },
          { amount: "3" },
        ],
      })
      expect(res.status).toBe(200)
      expect(verdicts(res.data.results).map((v) => v.code)).toEqual([null, "currency_mismatch", "invalid_request"])
      const { transfer } = await ok("get", `/admin/transfers/${res.data.results[0].transfer.reference}`)
      expect(transfer.source_id).toBe("acc_sys_usd_bank")
      expect(await balance(eur)).toBe("0.00")
    })

    it("atomic mode with one bad row writes nothing, whether the row is bad in the file or refused by the ledger", async () => {
      const [transfers, accounts] = [await count("ledger_transfer"), await count("ledger_account")]
      const good = [
        { line: 2, email: "ann@example.com", amount: "10" },
        { line: 3, email: "bob@example.com", amount: "1" },
      ]
      const unknown = await call("post", URL, { currency_code: "usd", mode: "atomic", rows: [...good, { line: 4, email: "nobody@example.com", amount: "1" }] })
      expect(unknown.status).toBe(404)
      expect(unknown.data).toMatchObject({ code: "customer_not_found", index: 2, line: 4, ok: false, failed_index: 2, counts: { ok: 0, failed: 3 } })
      expect(unknown.data.results.map((r: any) => r.error?.code)).toEqual(["not_posted", "not_posted", "customer_not_found"])

      const refused = await call("post", URL, { currency_code: "usd", mode: "atomic", rows: [...good, { line: 4, account_id: frozen, amount: "1" }] })
      expect(refused.status).toBe(400)
      expect(refused.data).toMatchObject({ code: "account_frozen", index: 2, line: 4, ok: false })

      expect(await count("ledger_transfer")).toBe(transfers)
      expect(await count("ledger_account")).toBe(accounts)
      expect(await walletsOf(ann)).toHaveLength(0)
      expect(await balance(bobWallet)).toBe("5.00")

      // Dry run in atomic mode: 200, each row's own verdict, and whether the batch would pass.
      const preview = await call("post", URL, { currency_code: "usd", mode: "atomic", dry_run: true, rows: [...good, { line: 4, account_id: frozen, amount: "1" }] })
      expect(preview.status).toBe(200)
      expect(preview.data).toMatchObject({ dry_run: true, ok: false, failed_index: 2, counts: { ok: 2, failed: 1 } })
      expect(preview.data.results.map((r: any) => r.error?.code ?? null)).toEqual([null, null, "account_frozen"])
      expect(await count("ledger_transfer")).toBe(transfers)

      // The same rows without the bad one go through, all of them.
      const all = await call("post", URL, { currency_code: "usd", mode: "atomic", rows: good })
      expect(all.status).toBe(200)
      expect(all.data).toMatchObject({ ok: true, failed_index: null, counts: { ok: 2, failed: 0 } })
      expect(await balance(bobWallet)).toBe("6.00")
    })

    it("a retried request with the same idempotency key replays: balances unchanged", async () => {
      const body = { currency_code: "usd", rows: fileRows(), idempotency_key: "spring-retry" }
      const first = await call("post", URL, body)
      const transfers = await count("ledger_transfer")
      const [annWallet] = await walletsOf(ann)
      const again = await call("post", URL, body)
      expect(again.status).toBe(200)
      expect(again.data.counts).toEqual({ ok: 3, failed: 4, replayed: 3 })
      expect(again.data.results.map((r: any) => r.transfer?.id ?? null)).toEqual(first.data.results.map((r: any) => r.transfer?.id ?? null))
      expect(await count("ledger_transfer")).toBe(transfers)
      expect(await walletsOf(ann)).toHaveLength(1)
      expect(await balance(annWallet.id)).toBe("10.00")
      expect(await balance(bobWallet)).toBe("7.50")
      // The header works as the key too.
      const header = await call("post", URL, { currency_code: "usd", rows: fileRows() }, { ...adminHeaders, "idempotency-key": "spring-retry" })
      expect(header.data.counts.replayed).toBe(3)
      expect(await count("ledger_transfer")).toBe(transfers)
    })

    it("credits 1,000 customers without wallets in one request, each once", async () => {
      const customers = getContainer().resolve(Modules.CUSTOMER)
      await customers.createCustomers(Array.from({ length: 1000 }, (_, i) => ({ email: `Shopper${i}@Example.com` })))
      const rows = Array.from({ length: 1000 }, (_, i) => ({ line: i + 2, email: `shopper${i}@example.com`, amount: "1.25" }))
      const transfers = await count("ledger_transfer")
      const started = Date.now()
      const res = await call("post", URL, { currency_code: "usd", rows, idempotency_key: "thousand" })
      const took = Date.now() - started
      console.log(`[bulk-credit] 1,000 rows, 1,000 wallets opened: ${took} ms`)
      expect(res.status).toBe(200)
      expect(res.data.counts).toEqual({ ok: 1000, failed: 0, replayed: 0 })
      expect(new Set(res.data.results.map((r: any) => r.account_id)).size).toBe(1000)
      expect(await count("ledger_transfer")).toBe(transfers + 1000)
      const replayStarted = Date.now()
      const again = await call("post", URL, { currency_code: "usd", rows, idempotency_key: "thousand" })
      console.log(`[bulk-credit] the same 1,000 rows again (replayed): ${Date.now() - replayStarted} ms`)
      expect(again.data.counts).toEqual({ ok: 1000, failed: 0, replayed: 1000 })
      expect(await count("ledger_transfer")).toBe(transfers + 1000)
      const sum = (await dbConnection.raw(`SELECT sum(amount)::text AS s FROM ledger_transfer WHERE idempotency_key LIKE 'thousand:%'`)).rows[0].s
      expect(Number(sum)).toBe(1250)
    })

    it("refuses a malformed request with a code and writes nothing", async () => {
      const transfers = await count("ledger_transfer")
      const row = { email: "ann@example.com", amount: "1" }
      const cases: [unknown, string][] = [
        [{ currency_code: "usd", rows: [] }, "invalid_request"],
        [{ currency_code: "usd", rows: Array.from({ length: 1001 }, () => ({ customer_id: ann, amount: 1 })) }, "invalid_request"],
        [{ currency_code: "dollars", rows: [row] }, "invalid_currency"],
        [{ currency_code: "usd", rows: [row], mode: "all" }, "invalid_request"],
        [{ currency_code: "usd", rows: [row], source_account_id: "acc_sys_usd_bank" }, "invalid_request"],
        [{ currency_code: "usd", rows: [{ ...row, extra: 1 }] }, "invalid_request"],
        [{ currency_code: "usd", rows: [{ ...row, amount: true }] }, "invalid_request"],
        [{ currency_code: "usd", rows: [row], surprise: true }, "invalid_request"],
      ]
      for (const [body, code] of cases) {
        const res = await call("post", URL, body)
        expect({ status: res.status, code: res.data.code }).toEqual({ status: res.status === 413 ? 413 : 400, code: res.status === 413 ? "payload_too_large" : code })
      }
      expect(await count("ledger_transfer")).toBe(transfers)
    })

    it("needs an admin or a secret API key: no credentials, a customer's token or a publishable key is 401", async () => {
      const { api_key } = await ok("post", "/admin/api-keys", { title: "storefront", type: "publishable" })
      const shopper = await registerShopper(api, api_key.token, "shopper@example.com")
      const body = { currency_code: "usd", rows: [{ customer_id: shopper.customer.id, amount: "100" }] }
      expect((await call("post", URL, body, shopper.headers)).status).toBe(401)
      expect((await call("post", URL, body, { authorization: shopper.headers.authorization })).status).toBe(401)
      expect((await call("post", URL, body, {})).status).toBe(401)
      expect((await call("post", URL, body, { "x-publishable-api-key": api_key.token })).status).toBe(401)
      expect(await walletsOf(shopper.customer.id)).toHaveLength(0)
      // A secret API key (an outside system) may.
      const bySecret = await call("post", URL, { ...body, dry_run: true }, apiKeyHeaders)
      expect(bySecret.status).toBe(200)
      expect(bySecret.data.results[0]).toMatchObject({ ok: true, customer_id: shopper.customer.id, account_id: null })
    })
  },
})
