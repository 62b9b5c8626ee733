import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { createAdminAuth } from "../support/admin"
import { Call, caller } from "../support/http"

jest.setTimeout(240000)

const DAY = 86_400_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const type = (code: string) => `lat_${code.replace(/\./g, "_")}`
const GIFT = type("liabilities.deferred_income.gift_cards")
const LOYALTY = type("liabilities.deferred_income.loyalty")
const CREDIT = type("liabilities.deferred_income.credit_accounts")
const CASH = type("assets.cash")
const DEFERRED_TYPES = ["Deferred income", "Credit accounts", "Gift cards", "Loyalty", "Store credit"]
const BUCKETS = ["expired", "d0_30", "d31_60", "d61_90", "d90_plus", "no_end_date"]

/** A report row as [name, balance, accounts, { bucket: [balance, accounts] } of the non-empty buckets]. */
const diRow = (row: any) => [
  row.name,
  row.balance,
  row.accounts,
  Object.fromEntries(Object.entries(row.buckets).filter(([, c]: any) => c.accounts).map(([b, c]: any) => [b, [c.balance, c.accounts]])),
]
const tbRow = (row: any) => [row.path, row.balance, row.accounts, row.subtree_balance]

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    let auth: Awaited<ReturnType<typeof createAdminAuth>>
    let call: Call

    beforeEach(async () => {
      auth = await createAdminAuth(getContainer(), api)
      call = caller(api, () => auth.headers)
    })

    const ok = async (method: "get" | "post", url: string, body?: unknown) => {
      const res = await call(method, url, body)
      if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.data)}`)
      return res.data
    }
    const account = async (body: Record<string, unknown>) =>
      (await ok("post", "/admin/accounts", { currency_code: "usd", ...body })).account
    const move = async (source: string, destination: string, amount: number | string, kind?: string) =>
      (await ok("post", "/admin/transfers", { source_account_id: source, destination_account_id: destination, amount, ...(kind ? { kind } : {}) })).transfer
    /** The database's clock, as the reports write moments (UTC, microseconds). */
    const dbNow = async (): Promise<string> => {
      const { rows } = await dbConnection.raw(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`)
      return rows[0].t
    }
    const report = async (name: string, query: Record<string, string>) =>
      ok("get", `/admin/ledger/reports/${name}?${new URLSearchParams(query)}`)
    const raw = (url: string) => api.get(url, { headers: auth.headers, validateStatus: () => true, responseType: "text" })

    it("reports deferred income, profit and loss and the trial balance from the entries, as of any moment, with hand-computed figures", async () => {
      const t0 = await dbNow()
      const end = (days: number) => new Date(Date.now() + days * DAY).toISOString()

      // ---- phase A (before t1)
      const gc1 = await account({ name: "GC1", account_type_id: GIFT, end_date: end(10), initial_amount: "100.00", source_account_id: "@bank" })
      const gc2 = await account({ name: "GC2", account_type_id: GIFT, end_date: end(45), initial_amount: 50, source_account_id: "@bank" })
      const w1 = await account({ name: "W1", initial_amount: 80 }) // store credit, open-ended, from Unpaid source
      const l1 = await account({ name: "L1", account_type_id: LOYALTY, end_date: end(75), initial_amount: 30 })
      const c1 = await account({ name: "C1", account_type_id: CREDIT, end_date: end(200), initial_amount: 20 })
      const x1 = await account({ name: "X1", end_date: new Date(Date.now() + 2000).toISOString(), initial_amount: 15 })
      await account({ name: "E1", currency_code: "eur", initial_amount: 40 })
      const gc1Spend = await move(gc1.id, "@redemptions", 25, "redemption")
      const w1Spend = await move(w1.id, "@redemptions", 10, "redemption")
      await ok("post", `/admin/transfers/${w1Spend.reference}/refunds`, { amount: 4 })
      // X1 is past its end date (not swept yet) by t1
      for (let i = 0; i < 50; i++) {
        const { rows } = await dbConnection.raw(`SELECT end_date < clock_timestamp() AS past FROM ledger_account WHERE id = ?`, [x1.id])
        if (rows[0].past) break
        await sleep(200)
      }
      const t1 = await dbNow()

      // ---- phase B (t1, t2]
      await ok("post", `/admin/accounts/${gc2.id}/top-up`, { amount: 20, source_account_id: "@bank" })
      await move(w1.id, "@redemptions", 30, "redemption")
      const reversed = await ok("post", `/admin/transfers/${gc1Spend.reference}/reverse`, {})
      expect(reversed.transfer).toEqual(expect.objectContaining({ kind: "reversal", amount: "25.00" }))
      await move("@refunds_to_credit", w1.id, 12)
      const expiry = await getContainer().resolve<LedgerModuleService>("ledger").closeExpiredAccounts()
      expect(expiry.closed).toEqual([x1.id])
      await ok("post", `/admin/accounts/${c1.id}/withdraw`, { amount: 5 })
      await move(l1.id, w1.id, 10)
      const o1 = await account({ name: "Petty cash", account_type_id: CASH, initial_amount: 50 })
      await move(o1.id, gc2.id, 7)
      const t2 = await dbNow()

      // ---- phase C (after t2): today's balances differ from t2's
      await move(w1.id, "@redemptions", 1, "redemption")

      // ================= deferred income as of t1
      const di1 = await report("deferred-income", { as_of: t1 })
      expect(di1.as_of).toBe(t1)
      expect(di1.buckets).toEqual(BUCKETS)
      expect(di1.reports.map((r: any) => r.currency_code)).toEqual(["eur", "usd"])
      const usd1 = di1.reports[1]
      expect(usd1.rows.map(diRow)).toEqual([
        ["Deferred income", "0.00", 0, {}],
        ["Credit accounts", "20.00", 1, { d90_plus: ["20.00", 1] }],
        ["Gift cards", "125.00", 2, { d0_30: ["75.00", 1], d31_60: ["50.00", 1] }],
        ["Loyalty", "30.00", 1, { d61_90: ["30.00", 1] }],
        ["Store credit", "89.00", 2, { expired: ["15.00", 1], no_end_date: ["74.00", 1] }],
      ])
      expect(diRow(usd1.totals)).toEqual([
        "Total",
        "264.00",
        6,
        { expired: ["15.00", 1], d0_30: ["75.00", 1], d31_60: ["50.00", 1], d61_90: ["30.00", 1], d90_plus: ["20.00", 1], no_end_date: ["74.00", 1] },
      ])
      expect(usd1.totals.buckets.d0_30).toEqual({ balance: "75.00", accounts: 1 })
      expect(usd1.rows[0]).toEqual(
        expect.objectContaining({ account_type_id: type("liabilities.deferred_income"), account_type_code: "liabilities.deferred_income", path: "Liabilities / Deferred income" })
      )
      expect(diRow(di1.reports[0].totals)).toEqual(["Total", "40.00", 1, { no_end_date: ["40.00", 1] }])

      // ================= deferred income as of t2 and now
      const di2 = (await report("deferred-income", { as_of: t2, currency_code: "USD" })).reports
      expect(di2.map((r: any) => r.currency_code)).toEqual(["usd"])
      expect(di2[0].rows.map(diRow)).toEqual([
        ["Deferred income", "0.00", 0, {}],
        ["Credit accounts", "15.00", 1, { d90_plus: ["15.00", 1] }],
        ["Gift cards", "177.00", 2, { d0_30: ["100.00", 1], d31_60: ["77.00", 1] }],
        ["Loyalty", "20.00", 1, { d61_90: ["20.00", 1] }],
        ["Store credit", "66.00", 1, { no_end_date: ["66.00", 1] }],
      ])
      expect(diRow(di2[0].totals)).toEqual([
        "Total",
        "278.00",
        5,
        { d0_30: ["100.00", 1], d31_60: ["77.00", 1], d61_90: ["20.00", 1], d90_plus: ["15.00", 1], no_end_date: ["66.00", 1] },
      ])
      const diNow = await report("deferred-income", { currency_code: "usd" })
      expect(Date.parse(diNow.as_of)).toBeGreaterThan(Date.parse(t2))
      expect(diRow(diNow.reports[0].rows[4])).toEqual(["Store credit", "65.00", 1, { no_end_date: ["65.00", 1] }])
      expect(diNow.reports[0].totals.balance).toBe("277.00")
      // before anything was posted
      expect((await report("deferred-income", { as_of: t0, currency_code: "usd" })).reports[0].totals).toEqual(
        expect.objectContaining({ balance: "0.00", accounts: 0 })
      )

      // ================= trial balance as of t1 and t2
      const tb1 = await report("trial-balance", { as_of: t1 })
      expect(tb1.as_of).toBe(t1)
      expect(tb1.reports.map((r: any) => [r.currency_code, r.total, r.balanced])).toEqual([
        ["eur", "0.00", true],
        ["usd", "0.00", true],
      ])
      expect(tb1.reports[1].rows.map(tbRow)).toEqual([
        ["Assets", "0.00", 0, "-264.00"],
        ["Assets / Cash", "-150.00", 1, "-150.00"],
        ["Assets / Sales", "31.00", 1, "31.00"],
        ["Assets / Unpaid sources", "-145.00", 1, "-145.00"],
        ["Liabilities", "0.00", 0, "264.00"],
        ["Liabilities / Deferred income", "0.00", 0, "264.00"],
        ["Liabilities / Deferred income / Credit accounts", "20.00", 1, "20.00"],
        ["Liabilities / Deferred income / Gift cards", "125.00", 2, "125.00"],
        ["Liabilities / Deferred income / Loyalty", "30.00", 1, "30.00"],
        ["Liabilities / Deferred income / Store credit", "89.00", 2, "89.00"],
      ])
      expect(tb1.reports[1].rows.map((r: any) => [r.name, r.depth, r.parent_id])).toEqual([
        ["Assets", 0, null],
        ["Cash", 1, type("assets")],
        ["Sales", 1, type("assets")],
        ["Unpaid sources", 1, type("assets")],
        ["Liabilities", 0, null],
        ["Deferred income", 1, type("liabilities")],
        ["Credit accounts", 2, type("liabilities.deferred_income")],
        ["Gift cards", 2, type("liabilities.deferred_income")],
        ["Loyalty", 2, type("liabilities.deferred_income")],
        ["Store credit", 2, type("liabilities.deferred_income")],
      ])
      expect(tb1.reports[0].rows.filter((r: any) => r.balance !== "0.00").map(tbRow)).toEqual([
        ["Assets / Unpaid sources", "-40.00", 1, "-40.00"],
        ["Liabilities / Deferred income / Store credit", "40.00", 1, "40.00"],
      ])
      const tb2 = (await report("trial-balance", { as_of: t2, currency_code: "usd" })).reports
      expect(tb2.map((r: any) => [r.currency_code, r.total, r.balanced])).toEqual([["usd", "0.00", true]])
      expect(tb2[0].rows.map(tbRow)).toEqual([
        ["Assets", "0.00", 0, "-278.00"],
        ["Assets / Cash", "-127.00", 2, "-127.00"], // Bank -170.00, Petty cash 43.00
        ["Assets / Sales", "39.00", 3, "39.00"], // Redemptions 36.00, Lapsed 15.00, Refunds to credit -12.00
        ["Assets / Unpaid sources", "-190.00", 1, "-190.00"],
        ["Liabilities", "0.00", 0, "278.00"],
        ["Liabilities / Deferred income", "0.00", 0, "278.00"],
        ["Liabilities / Deferred income / Credit accounts", "15.00", 1, "15.00"],
        ["Liabilities / Deferred income / Gift cards", "177.00", 2, "177.00"],
        ["Liabilities / Deferred income / Loyalty", "20.00", 1, "20.00"],
        ["Liabilities / Deferred income / Store credit", "66.00", 1, "66.00"],
      ])

      // deferred income = the trial balance's Deferred income rows, type by type
      for (const [di, tb] of [[usd1, tb1.reports[1]], [di2[0], tb2[0]]]) {
        for (const row of di.rows) {
          const t = tb.rows.find((x: any) => x.account_type_id === row.account_type_id)
          expect([row.name, row.balance, row.accounts]).toEqual([row.name, t.balance, t.accounts])
        }
        expect(di.totals.balance).toBe(tb.rows.find((x: any) => x.name === "Deferred income").subtree_balance)
      }

      // ================= profit and loss
      const line = (r: any) => Object.fromEntries(r.lines.map((l: any) => [l.key, [l.amount, l.entries]]))
      const pl = await report("profit-loss", { from: t1, to: t2, currency_code: "usd" })
      expect([pl.from, pl.to]).toEqual([t1, t2])
      expect(pl.reports).toHaveLength(1)
      expect(line(pl.reports[0])).toEqual({
        loads_paid: ["20.00", 1],
        loads_unpaid: ["0.00", 0],
        refunds_to_credit: ["12.00", 1],
        redemptions: ["-30.00", 1],
        redemption_refunds: ["0.00", 0],
        lapsed: ["-15.00", 1],
        withdrawals: ["-5.00", 1],
        reversals: ["25.00", 1],
        internal: ["0.00", 2],
        other: ["7.00", 1],
      })
      expect(pl.reports[0]).toEqual(expect.objectContaining({ currency_code: "usd", sum: "14.00", change: "14.00", balanced: true }))
      expect(pl.reports[0].lines[0]).toEqual({ key: "loads_paid", label: "Loads paid for (from Bank)", amount: "20.00", entries: 1 })
      // the change is the deferred-income position at `to` less the one at `from`
      expect(pl.reports[0].change).toBe((Number(di2[0].totals.balance) - Number(usd1.totals.balance)).toFixed(2))

      const whole = await report("profit-loss", { from: t0, to: t2 })
      expect(whole.reports.map((r: any) => r.currency_code)).toEqual(["eur", "usd"])
      expect(line(whole.reports[1])).toEqual({
        loads_paid: ["170.00", 3],
        loads_unpaid: ["145.00", 4],
        refunds_to_credit: ["12.00", 1],
        redemptions: ["-65.00", 3],
        redemption_refunds: ["4.00", 1],
        lapsed: ["-15.00", 1],
        withdrawals: ["-5.00", 1],
        reversals: ["25.00", 1],
        internal: ["0.00", 2],
        other: ["7.00", 1],
      })
      expect(whole.reports[1]).toEqual(expect.objectContaining({ sum: "278.00", change: "278.00", balanced: true }))
      expect(whole.reports[0]).toEqual(expect.objectContaining({ sum: "40.00", change: "40.00", balanced: true }))
      expect(line(whole.reports[0]).loads_unpaid).toEqual(["40.00", 1])
      const before = await report("profit-loss", { from: t0, to: t1, currency_code: "usd" })
      expect(before.reports[0]).toEqual(expect.objectContaining({ sum: "264.00", change: "264.00", balanced: true }))
      // default: the 30 days to now, phase C included
      const recent = await report("profit-loss", { currency_code: "usd" })
      expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(30 * DAY)
      expect(recent.reports[0]).toEqual(expect.objectContaining({ sum: "277.00", change: "277.00", balanced: true }))
      expect(line(recent.reports[0]).redemptions).toEqual(["-66.00", 4])

      // ================= CSV
      const csv = await raw(`/admin/ledger/reports/deferred-income?as_of=${encodeURIComponent(t1)}&currency_code=usd&format=csv`)
      expect(csv.status).toBe(200)
      expect(csv.headers["content-type"]).toMatch(/^text\/csv/)
      const stamp = t1.replace(/\.\d+/, "").replace(/[-:]/g, "")
      expect(csv.headers["content-disposition"]).toBe(`attachment; filename="deferred-income-${stamp}-usd.csv"`)
      expect(csv.data.split("\r\n")).toEqual([
        "as_of,currency_code,account_type_id,account_type_code,path,balance,accounts,expired_balance,expired_accounts,d0_30_balance,d0_30_accounts,d31_60_balance,d31_60_accounts,d61_90_balance,d61_90_accounts,d90_plus_balance,d90_plus_accounts,no_end_date_balance,no_end_date_accounts",
        `${t1},usd,${type("liabilities.deferred_income")},liabilities.deferred_income,Liabilities / Deferred income,0.00,0,0.00,0,0.00,0,0.00,0,0.00,0,0.00,0,0.00,0`,
        `${t1},usd,${CREDIT},liabilities.deferred_income.credit_accounts,Liabilities / Deferred income / Credit accounts,20.00,1,0.00,0,0.00,0,0.00,0,0.00,0,20.00,1,0.00,0`,
        `${t1},usd,${GIFT},liabilities.deferred_income.gift_cards,Liabilities / Deferred income / Gift cards,125.00,2,0.00,0,75.00,1,50.00,1,0.00,0,0.00,0,0.00,0`,
        `${t1},usd,${LOYALTY},liabilities.deferred_income.loyalty,Liabilities / Deferred income / Loyalty,30.00,1,0.00,0,0.00,0,0.00,0,30.00,1,0.00,0,0.00,0`,
        `${t1},usd,${type("liabilities.deferred_income.store_credit")},liabilities.deferred_income.store_credit,Liabilities / Deferred income / Store credit,89.00,2,15.00,1,0.00,0,0.00,0,0.00,0,0.00,0,74.00,1`,
        `${t1},usd,,,Total,264.00,6,15.00,1,75.00,1,50.00,1,30.00,1,20.00,1,74.00,1`,
        "",
      ])
      const plCsv = await raw(`/admin/ledger/reports/profit-loss?from=${encodeURIComponent(t1)}&to=${encodeURIComponent(t2)}&currency_code=usd&format=csv`)
      expect(plCsv.status).toBe(200)
      expect(plCsv.headers["content-type"]).toMatch(/^text\/csv/)
      expect(plCsv.headers["content-disposition"]).toBe(
        `attachment; filename="profit-loss-${stamp}-${t2.replace(/\.\d+/, "").replace(/[-:]/g, "")}-usd.csv"`
      )
      expect(plCsv.data.split("\r\n")).toEqual([
        "from,to,currency_code,line,label,amount,entries",
        `${t1},${t2},usd,loads_paid,Loads paid for (from Bank),20.00,1`,
        `${t1},${t2},usd,loads_unpaid,Credit granted without payment (from Unpaid source),0.00,0`,
        `${t1},${t2},usd,refunds_to_credit,Refunds to store credit (from Refunds to credit),12.00,1`,
        `${t1},${t2},usd,redemptions,Redemptions (to Redemptions),-30.00,1`,
        `${t1},${t2},usd,redemption_refunds,Refunds of redemptions back to accounts (from Redemptions),0.00,0`,
        `${t1},${t2},usd,lapsed,Lapsed balances of expired accounts (to Lapsed),-15.00,1`,
        `${t1},${t2},usd,withdrawals,Withdrawals (to Bank or Unpaid source),-5.00,1`,
        `${t1},${t2},usd,reversals,Reversals,25.00,1`,
        `${t1},${t2},usd,internal,Between deferred-income accounts,0.00,2`,
        `${t1},${t2},usd,other,With other accounts,7.00,1`,
        `${t1},${t2},usd,sum,Sum of the lines,14.00,`,
        `${t1},${t2},usd,change,Change in deferred income,14.00,`,
        "",
      ])
      const tbCsv = await raw(`/admin/ledger/reports/trial-balance?as_of=${encodeURIComponent(t2)}&format=csv`)
      expect(tbCsv.status).toBe(200)
      expect(tbCsv.headers["content-type"]).toMatch(/^text\/csv/)
      expect(tbCsv.headers["content-disposition"]).toBe(`attachment; filename="trial-balance-${t2.replace(/\.\d+/, "").replace(/[-:]/g, "")}.csv"`)
      const tbLines = tbCsv.data.split("\r\n")
      expect(tbLines[0]).toBe("as_of,currency_code,account_type_id,account_type_code,path,depth,balance,accounts,subtree_balance")
      expect(tbLines).toHaveLength(1 + 2 * 11 + 1)
      expect(tbLines).toContain(`${t2},usd,${CASH},assets.cash,Assets / Cash,1,-127.00,2,-127.00`)
      expect(tbLines).toContain(`${t2},usd,,,Total,,0.00,,`)
      expect(tbLines).toContain(`${t2},eur,,,Total,,0.00,,`)

      const verify = await ok("get", "/admin/ledger/verify")
      expect(verify.checks.filter((c: any) => !c.ok)).toEqual([])
    })

    it("reads dates as moments (a date alone: the end of that day, or for `from` its start), refuses bad queries with 400 and anyone but an admin with 401", async () => {
      const di = await report("deferred-income", { as_of: "2000-01-31" })
      expect(di.as_of).toBe("2000-02-01T00:00:00.000000Z")
      expect(di.reports.map((r: any) => [r.currency_code, r.totals.balance, r.rows.map((x: any) => x.name)])).toEqual([
        ["eur", "0.00", DEFERRED_TYPES],
        ["usd", "0.00", DEFERRED_TYPES],
      ])
      const pl = await report("profit-loss", { from: "2000-01-01", to: "2000-01-31" })
      expect([pl.from, pl.to]).toEqual(["2000-01-01T00:00:00.000000Z", "2000-02-01T00:00:00.000000Z"])
      expect(pl.reports[0].lines.map((l: any) => l.key)).toEqual([
        "loads_paid", "loads_unpaid", "refunds_to_credit", "redemptions", "redemption_refunds",
        "lapsed", "withdrawals", "reversals", "internal", "other",
      ])
      const oneDay = await report("profit-loss", { from: "2000-01-31", to: "2000-01-31" })
      expect([oneDay.from, oneDay.to]).toEqual(["2000-01-31T00:00:00.000000Z", "2000-02-01T00:00:00.000000Z"])
      expect((await report("deferred-income", { as_of: "9999-12-31", currency_code: "usd" })).as_of).toBe("10000-01-01T00:00:00.000000Z")
      const offset = await report("trial-balance", { as_of: "2000-01-31T10:00:00+02:00", currency_code: "usd" })
      expect(offset.as_of).toBe("2000-01-31T08:00:00.000000Z")
      expect(offset.reports[0]).toEqual(expect.objectContaining({ currency_code: "usd", total: "0.00", balanced: true }))

      const bad: [string, string][] = [
        ["deferred-income?as_of=yesterday", "invalid_request"],
        ["deferred-income?as_of=2026-02-30", "invalid_request"],
        ["deferred-income?as_of=2026-01-31T10:00:00", "invalid_request"], // no time zone
        ["deferred-income?asof=2026-01-31", "invalid_request"], // unknown parameter
        ["deferred-income?format=xml", "invalid_request"],
        ["deferred-income?currency_code=dollars", "invalid_currency"],
        ["trial-balance?as_of=31/01/2026", "invalid_request"],
        ["trial-balance?currency_code=us", "invalid_currency"],
        ["profit-loss?from=2026-02-01&to=2026-01-31", "invalid_request"],
        ["profit-loss?from=2026-01-31T10:00:00Z&to=2026-01-31T10:00:00Z", "invalid_request"],
        ["profit-loss?from=2026-01-31T10:00:00Z&to=2026-01-31T09:59:59Z", "invalid_request"],
        ["profit-loss?to=2026-13-01", "invalid_request"],
        ["profit-loss?from=2026-01-01&until=2026-02-01", "invalid_request"],
      ]
      for (const [url, code] of bad) {
        const res = await call("get", `/admin/ledger/reports/${url}`)
        expect([url, res.status, res.data.code, res.data.type]).toEqual([url, 400, code, "invalid_data"])
      }
      const defaultFrom = await call("get", `/admin/ledger/reports/profit-loss?to=2000-01-31`)
      expect(defaultFrom.data.from).toBe("2000-01-02T00:00:00.000000Z")

      for (const name of ["deferred-income", "profit-loss", "trial-balance"]) {
        expect((await call("get", `/admin/ledger/reports/${name}`, undefined, {})).status).toBe(401)
        expect((await call("get", `/admin/ledger/reports/${name}`, undefined, { authorization: "Bearer not-a-token" })).status).toBe(401)
        const withKey = await call("get", `/admin/ledger/reports/${name}?format=csv`, undefined, auth.apiKeyHeaders)
        expect([name, withKey.status]).toEqual([name, 200])
      }
    })
  },
})
