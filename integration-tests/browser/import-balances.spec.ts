// Settings → Ledger → Import balances driven in Chromium against the built admin (issue 11 §2,
// admin action): a CSV with a bad line is dry-run (nothing written), imported (the good rows),
// imported again (replayed, nothing changed); the loyalty import says the plugin is missing.
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { Page } from "playwright-core"
import { adminBrowserSuite, screenshot } from "../support/browser"

jest.setTimeout(300_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const { ctx, ok, open, confirmPrompt } = adminBrowserSuite(api, getContainer, dbConfig)
    let page: Page
    beforeEach(() => {
      page = ctx.page
    })

    const CODES = { card: "GC-IMPT-1111-2222", bad: "GC-IMPT-3333-4444", eur: "SC-IMPT-5555" }
    const csv = [
      "code,currency,balance,expiry,customer_email,type",
      `${CODES.card},usd,25.00,2030-12-31,,gift_card`,
      ",usd,12.34,,ann@import.test,store_credit",
      `${CODES.bad},usd,1.234,,,gift_card`, // line 4: three decimals, refused
      `${CODES.eur},eur,5.5,,,store_credit`,
    ].join("\n")

    /** The account with this code, or null (404). */
    const byCode = async (code: string) => {
      const res = await ctx.call("get", `/admin/accounts/code/${encodeURIComponent(code)}`)
      if (res.status === 404) return null
      expect(res.status).toBe(200)
      return res.data.account
    }
    /** What the import may touch: the three accounts by code, ann's accounts, and their transfers. */
    const state = async (ann: string) => {
      const accounts = [await byCode(CODES.card), await byCode(CODES.bad), await byCode(CODES.eur), ...(await ok("get", `/admin/accounts?customer_id=${ann}`)).accounts]
      const out: any[] = []
      for (const a of accounts) {
        if (!a) {
          out.push(null)
          continue
        }
        const { transfers } = await ok("get", `/admin/transfers?account_id=${a.id}`)
        out.push({ id: a.id, balance: a.balance, currency: a.currency_code, transfers: transfers.map((t: any) => t.reference) })
      }
      return out
    }

    it("a CSV with a bad line: the dry run shows it and writes nothing, the import opens the good rows, again replays", async () => {
      const ann = (await ok("post", "/admin/customers", { email: "ann@import.test" })).customer.id
      const section = page.getByTestId("import-csv")
      const report = section.getByTestId("csv-report")

      await open("/settings/ledger", "[data-testid=import-balances]")
      expect(await section.getByTestId("csv-dry-run").isDisabled()).toBe(true)
      await section.getByTestId("import-csv-file").setInputFiles({ name: "balances.csv", mimeType: "text/csv", buffer: Buffer.from(csv) })
      await section.getByTestId("csv-dry-run").click()
      await section.locator("[data-testid=csv-report][data-dry-run=true]").waitFor()
      expect(await report.getByTestId("import-headline").innerText()).toBe(
        "Dry run of 4 records: 3 would be opened, 0 already imported, 1 refused. Nothing was written."
      )
      const refusals = report.getByTestId("import-error")
      expect(await refusals.count()).toBe(1)
      expect(await refusals.first().getAttribute("data-line")).toBe("4")
      expect(await refusals.first().getAttribute("data-code")).toBe("invalid_amount")
      expect(await refusals.first().innerText()).toContain("4")
      // The refused line's 1.234 is in the file's USD total, not in the ledger's: no match.
      const usd = report.locator("[data-testid=import-total][data-currency=usd]")
      expect(await usd.innerText()).toContain("$37.34")
      expect(await usd.getByTestId("import-source-total").innerText()).toBe("38.574 USD")
      expect(await usd.getByTestId("import-match").innerText()).toBe("No")
      expect(await report.locator("[data-testid=import-total][data-currency=eur]").getByTestId("import-match").innerText()).toBe("Yes")
      await screenshot(page, "import-balances", "[data-testid=import-balances]")
      // The dry run wrote nothing.
      expect(await state(ann)).toEqual([null, null, null])

      // Import: confirmed, then the final report; the good rows are accounts with their balances.
      await section.getByTestId("csv-import").click()
      await confirmPrompt("Import")
      await section.locator("[data-testid=csv-report][data-dry-run=false]").waitFor()
      expect(await report.getByTestId("import-headline").innerText()).toBe("4 records read: 3 opened, 0 already imported, 1 refused.")
      expect(await report.getByTestId("import-error").getAttribute("data-line")).toBe("4")
      expect(await byCode(CODES.card)).toMatchObject({ balance: "25.00", currency_code: "usd", metadata: expect.objectContaining({ imported_from: "csv" }) })
      expect(await byCode(CODES.eur)).toMatchObject({ balance: "5.50", currency_code: "eur" })
      expect(await byCode(CODES.bad)).toBeNull()
      const [wallet] = (await ok("get", `/admin/accounts?customer_id=${ann}`)).accounts
      expect(wallet).toMatchObject({ balance: "12.34", currency_code: "usd", code: null })
      const after = await state(ann)
      expect(after.map((a) => a && a.transfers.length)).toEqual([1, null, 1, 1])
      expect((await ok("get", "/admin/ledger/verify")).ok).toBe(true)

      // Again: the dry run and the import find every good row imported before, and nothing changes.
      await section.getByTestId("csv-check-again").click()
      await section.locator("[data-testid=csv-report][data-dry-run=true]").waitFor()
      expect(await report.getByTestId("import-headline").innerText()).toBe(
        "Dry run of 4 records: 0 would be opened, 3 already imported, 1 refused. Nothing was written."
      )
      await section.getByTestId("csv-import").click()
      await confirmPrompt("Import")
      await section.locator("[data-testid=csv-report][data-dry-run=false]").waitFor()
      expect(await report.getByTestId("import-headline").innerText()).toBe("4 records read: 0 opened, 3 already imported, 1 refused.")
      expect(await report.getByTestId("import-replayed").innerText()).toBe("Every record was imported before (3 records replayed): nothing changed.")
      expect(await state(ann)).toEqual(after)
    })

    it("a file that cannot be read shows the refusal with its code", async () => {
      await open("/settings/ledger", "[data-testid=import-balances]")
      const section = page.getByTestId("import-csv")
      await section.getByTestId("import-csv-file").setInputFiles({ name: "wrong.csv", mimeType: "text/csv", buffer: Buffer.from("code,amount\nX,1\n") })
      await section.getByTestId("csv-dry-run").click()
      await section.getByTestId("csv-error").waitFor()
      expect(await section.getByTestId("import-error-code").innerText()).toBe("invalid_csv")
      expect(await section.getByTestId("csv-import").isDisabled()).toBe(true)
    })

    it("the loyalty import says the plugin is not installed in this app", async () => {
      await open("/settings/ledger", "[data-testid=import-balances]")
      const section = page.getByTestId("import-loyalty")
      await section.getByTestId("loyalty-dry-run").click()
      await section.getByTestId("loyalty-not-installed").waitFor()
      expect(await section.getByTestId("loyalty-not-installed").innerText()).toContain("loyalty_not_installed")
      expect(await section.getByTestId("loyalty-not-installed").innerText()).toContain("The loyalty plugin is not installed in this app.")
      expect(await section.getByTestId("loyalty-import").isDisabled()).toBe(true)
    })
  },
})
