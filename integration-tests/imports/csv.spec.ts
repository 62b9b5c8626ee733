import fs from "fs"
import os from "os"
import path from "path"
import { Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { coreAccountId } from "../../src/modules/ledger/core"
import type LedgerModuleService from "../../src/modules/ledger/service"
import type { ImportReport } from "../../src/workflows/imports/types"
import { createAdminAuth } from "../support/admin"
import { snapshot } from "../support/ledger-helpers"
import { runMedusaCli } from "../support/medusa-process"

jest.setTimeout(240000)

/**
 * Issue 11 §2: balances from a CSV file (code, currency, balance, expiry, customer_email,
 * type), through the admin route and the exec script; and the loyalty import's refusal
 * in an app without the loyalty plugin.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection, dbConfig }) => {
    let headers: Record<string, string>
    let ledger: LedgerModuleService
    let customers: any[]
    beforeEach(async () => {
      headers = (await createAdminAuth(getContainer(), api)).headers
      ledger = getContainer().resolve("ledger")
      customers = await getContainer()
        .resolve(Modules.CUSTOMER)
        .createCustomers([{ email: "ann@csv.test", has_account: true }, { email: "bob@csv.test" }])
    })
    const post = async (url: string, body: unknown, extra: Record<string, string> = {}) => {
      const res = await api.post(url, body, { headers: { ...headers, ...extra }, validateStatus: () => true })
      return { status: res.status, data: res.data }
    }
    const importCsv = async (csv: string, opts: { dry_run?: boolean; mode?: "atomic" | "independent" } = {}) => {
      const { status, data } = await post("/admin/ledger/imports/csv", { csv, ...opts })
      expect(status).toBe(200)
      return data.report as ImportReport
    }

    const file = [
      "code,currency,balance,expiry,customer_email,type",
      "GC-1111-2222-3333,usd,25.00,2027-12-31,,gift_card",
      '"gc 4444 5555 6666",EUR,10,2027-01-01T12:00:00+02:00,ANN@csv.test,gift_card',
      ",usd,12.34,,ann@csv.test,store_credit",
      "SC-7777-8888,usd,0,,bob@csv.test,store_credit",
      '"AB-CD-EF-01",eur,5.5,,,store_credit',
    ].join("\r\n")

    it("a dry run reports and writes nothing; the import opens each row; a second run changes nothing", async () => {
      const before = await snapshot(dbConnection)
      const dry = await importCsv(file, { dry_run: true })
      expect(await snapshot(dbConnection)).toEqual(before)
      expect(dry).toMatchObject({
        source: "csv",
        dry_run: true,
        ok: true,
        counts: { read: 5, gift_cards: 2, store_credit: 3, created: 5, failed: 0 },
        totals: [
          { currency_code: "eur", source_total: "15.5", ledger_total: "15.5", match: true },
          { currency_code: "usd", source_total: "37.34", ledger_total: "37.34", match: true },
        ],
      })

      const report = await importCsv(file)
      expect(report).toMatchObject({ ok: true, counts: { created: 5, replayed: 0, failed: 0 } })
      const card = await ledger.getAccountByCode("gc-1111-2222-3333")
      expect(card).toMatchObject({ balance: "25.00", currency_code: "usd", type_id: "lat_liabilities_deferred_income_gift_cards", customer_id: null })
      expect(new Date(card.end_date!).toISOString()).toBe("2027-12-31T23:59:59.999Z")
      const [load] = await ledger.listLedgerTransfers({ destination_id: card.id })
      expect(load.source_id).toBe(coreAccountId("bank", "usd"))
      const eurCard = await ledger.getAccountByCode("GC444455556666")
      expect(eurCard).toMatchObject({ balance: "10.00", currency_code: "eur", customer_id: customers[0].id })
      expect(new Date(eurCard.end_date!).toISOString()).toBe("2027-01-01T10:00:00.000Z")
      const wallet = await ledger.ensureWallet(customers[0].id, "usd")
      expect(wallet).toMatchObject({ balance: "12.34", code: null })
      const [walletLoad] = await ledger.listLedgerTransfers({ destination_id: wallet.id })
      expect(walletLoad.source_id).toBe(coreAccountId("unpaid_source", "usd"))
      expect(await ledger.getAccountByCode("SC77778888")).toMatchObject({ balance: "0.00", customer_id: customers[1].id })
      expect(await ledger.getAccountByCode("ABCDEF01")).toMatchObject({ balance: "5.50", customer_id: null })
      expect((await ledger.verify()).ok).toBe(true)

      const after = await snapshot(dbConnection)
      const again = await importCsv(file)
      expect(again).toMatchObject({ ok: true, counts: { created: 0, replayed: 5, failed: 0 } })
      expect(again.totals).toEqual(report.totals)
      expect(await snapshot(dbConnection)).toEqual(after)

      // a record changed since: refused, never doubled
      const changed = await importCsv(file.replace("GC-1111-2222-3333,usd,25.00", "GC-1111-2222-3333,usd,30.00"))
      expect(changed).toMatchObject({ ok: false, counts: { replayed: 4, failed: 1 } })
      expect(changed.errors).toEqual([expect.objectContaining({ line: 2, code: "idempotency_conflict" })])
      expect(await snapshot(dbConnection)).toEqual(after)
    })

    const bad = [
      "type,code,currency,balance,expiry,customer_email",
      "gift_card,GOOD-0001-AAAA,usd,10,,",
      "gift_card,GOOD-0002-AAAA,usd,1.234,,", // 3 decimals: the ledger refuses
      "gift_card,GOOD-0003-AAAA,usd,-5,,",
      "gift_card,good-0001-aaaa,usd,3,,", // same code as line 2
      "voucher,GOOD-0004-AAAA,usd,3,,",
      "store_credit,,usd,3,,nobody@csv.test",
      "gift_card,GOOD-0005-AAAA,usd,3,2025-02-30,",
      "gift_card,,usd,3,,",
      "gift_card,GOOD-0006-AAAA,usd,3",
      "gift_card,GOOD-0007-AAAA,usd,7.5,,",
    ].join("\n")

    it("bad rows are reported with their line and reason; atomic mode writes nothing, independent mode the good rows", async () => {
      const before = await snapshot(dbConnection)
      const atomic = await importCsv(bad, { mode: "atomic" })
      expect(await snapshot(dbConnection)).toEqual(before)
      expect(atomic).toMatchObject({ ok: false, rolled_back: true, counts: { created: 0, failed: 8, not_posted: 2 } })
      expect(atomic.errors.map((e) => [e.line, e.code])).toEqual([
        [3, "invalid_amount"],
        [4, "invalid_amount"],
        [5, "duplicate_code"],
        [6, "invalid_type"],
        [7, "customer_not_found"],
        [8, "invalid_expiry"],
        [9, "missing_code"],
        [10, "invalid_row"],
        [11, "invalid_amount"],
      ].filter(([line]) => line !== 11))
      // again: still nothing
      await importCsv(bad, { mode: "atomic" })
      expect(await snapshot(dbConnection)).toEqual(before)

      const independent = await importCsv(bad)
      expect(independent).toMatchObject({ ok: false, counts: { created: 2, failed: 8 } })
      expect((await ledger.getAccountByCode("GOOD0007AAAA")).balance).toBe("7.50")
      expect(independent.totals).toEqual([
        { currency_code: "usd", source_total: "33.734", source_records: 8, ledger_total: "17.5", ledger_accounts: 2, match: false },
      ])
    })

    it("a failure half way through an atomic import of more than one batch writes nothing; a re-run writes nothing", async () => {
      const rows = ["code,currency,balance,type"]
      for (let i = 0; i < 1500; i++) rows.push(`BULK-${String(i).padStart(6, "0")},usd,1,gift_card`)
      rows[1201] = "BULK-001200,usd,0.001,gift_card" // line 1202
      const csv = rows.join("\n")
      const before = await snapshot(dbConnection)
      const report = await importCsv(csv, { mode: "atomic" })
      expect(report).toMatchObject({ ok: false, rolled_back: true, counts: { read: 1500, created: 0, failed: 1, not_posted: 1499 } })
      expect(report.errors).toEqual([expect.objectContaining({ line: 1202, code: "invalid_amount" })])
      expect(await snapshot(dbConnection)).toEqual(before)
      await importCsv(csv, { mode: "atomic" })
      expect(await snapshot(dbConnection)).toEqual(before)
      rows[1201] = "BULK-001200,usd,1,gift_card"
      const fixed = await importCsv(rows.join("\n"), { mode: "atomic" })
      expect(fixed).toMatchObject({ ok: true, counts: { created: 1500 }, totals: [{ currency_code: "usd", source_total: "1500", ledger_total: "1500", match: true }] })
      expect((await ledger.verify()).ok).toBe(true)
    })

    it("refuses what it cannot read: a bad header or syntax, a body too large, unknown fields, no loyalty plugin", async () => {
      const before = await snapshot(dbConnection)
      const header = await post("/admin/ledger/imports/csv", { csv: "code,amount,type\nX,1,gift_card" })
      expect(header).toMatchObject({ status: 400, data: { code: "invalid_csv" } })
      expect(header.data.message).toMatch(/unknown: amount; missing: currency, balance/)
      const syntax = await post("/admin/ledger/imports/csv", { csv: 'code,currency,balance,type\n"open,usd,1,gift_card' })
      expect(syntax).toMatchObject({ status: 400, data: { code: "invalid_csv" } })
      expect(syntax.data.message).toMatch(/line 2: a quoted field is not closed/)
      expect(await post("/admin/ledger/imports/csv", { csv: "x", extra: true })).toMatchObject({ status: 400, data: { code: "invalid_request" } })
      expect(await post("/admin/ledger/imports/csv", { csv: "code,currency,balance,type\n", mode: "all" })).toMatchObject({ status: 400, data: { code: "invalid_request" } })
      const huge = await post("/admin/ledger/imports/csv", { csv: "x".repeat(7 * 1024 * 1024) })
      expect(huge).toMatchObject({ status: 413, data: { code: "payload_too_large" } })
      // larger than other routes take, within this one's limit
      const big = ["code,currency,balance,type", ...Array.from({ length: 6000 }, (_, i) => `BIGFILE-${String(i).padStart(8, "0")},usd,1,gift_card`)].join("\n")
      expect(big.length).toBeGreaterThan(150 * 1024)
      const dry = await importCsv(big, { dry_run: true })
      expect(dry.counts).toMatchObject({ read: 6000, created: 6000 })
      const form = await api.post("/admin/ledger/imports/csv", "csv=x", {
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        validateStatus: () => true,
      })
      expect(form.status).toBe(415)
      expect(await post("/admin/ledger/imports/loyalty", { dry_run: true })).toMatchObject({
        status: 400,
        data: { code: "loyalty_not_installed", message: expect.stringMatching(/@medusajs\/loyalty-plugin is not registered/) },
      })
      expect(await snapshot(dbConnection)).toEqual(before)
    })

    it("the exec script imports a file, with --dry-run first", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledger-import-"))
      const csvPath = path.join(dir, "balances.csv")
      fs.writeFileSync(csvPath, "code,currency,balance,type\nSCRIPT-0001-AAAA,usd,9.99,gift_card\n")
      const dry = await runMedusaCli(["exec", "./src/scripts/import-csv.ts", csvPath, "--", "--dry-run"], dbConfig.clientUrl)
      if (dry.code !== 0) console.error(dry.output.slice(-3000))
      expect(dry.code).toBe(0)
      expect(dry.output).toMatch(/"dry_run": true/)
      await expect(ledger.getAccountByCode("SCRIPT0001AAAA")).rejects.toMatchObject({ code: "not_found" })
      const real = await runMedusaCli(["exec", "./src/scripts/import-csv.ts", csvPath], dbConfig.clientUrl)
      expect(real.code).toBe(0)
      expect(real.output).toMatch(/"created": 1/)
      expect((await ledger.getAccountByCode("SCRIPT0001AAAA")).balance).toBe("9.99")
      const usage = await runMedusaCli(["exec", "./src/scripts/import-csv.ts"], dbConfig.clientUrl)
      expect(usage.output).toMatch(/usage: medusa exec/)
      // this app has no loyalty plugin
      const loyalty = await runMedusaCli(["exec", "./src/scripts/import-loyalty.ts", "--", "--dry-run"], dbConfig.clientUrl)
      expect(loyalty.output).toMatch(/import-loyalty: loyalty_not_installed: @medusajs\/loyalty-plugin is not registered/)
    })
  },
})
