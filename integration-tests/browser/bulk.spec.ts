// Bulk issue (Gift cards) and Bulk credit (Accounts) driven in Chromium against the built
// admin (issue 11 §1); the money is checked through the API, the downloaded CSVs are read.
import fs from "fs"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { Download, Page } from "playwright-core"
import { parseCsv } from "../../src/admin/lib/csv"
import { adminBrowserSuite, screenshot } from "../support/browser"

jest.setTimeout(300_000)

/** The rows of a downloaded CSV as objects by header. */
async function readDownload(download: Download) {
  const text = fs.readFileSync((await download.path())!, "utf8")
  const [header, ...rows] = parseCsv(text).map((r) => r.cells)
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])))
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const { ctx, ok, open, confirmPrompt } = adminBrowserSuite(api, getContainer, dbConfig)
    let page: Page
    beforeEach(() => {
      page = ctx.page
    })

    it("bulk issues 25 gift cards and downloads their codes once", async () => {
      await open("/accounts/gift-cards", "[data-testid=bulk-issue]")
      await page.getByTestId("bulk-issue").click()
      await page.locator("#bulk-issue-count").fill("25")
      await page.locator("#bulk-issue-value").fill("15")
      await page.locator("#bulk-issue-expires").fill("2031-03-31")
      await page.getByTestId("bulk-issue-total").getByText(/25 cards of \$15\.00: \$375\.00 in all, paid for/).waitFor()
      await page.getByTestId("bulk-issue-submit").click()
      await page.getByTestId("bulk-issue-done").getByText("25 gift cards of $15.00 issued.").waitFor()
      await screenshot(page, "bulk-issue")

      // Closing before the codes are downloaded asks first; Back keeps them.
      await page.getByTestId("bulk-issue-close").click()
      await confirmPrompt("Back")
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-issue-download").click()])
      expect(download.suggestedFilename()).toMatch(/^gift-cards-.*-25\.csv$/)
      const cards = await readDownload(download)
      expect(cards).toHaveLength(25)
      expect(new Set(cards.map((c) => c.code)).size).toBe(25)
      for (const card of cards) {
        expect(card).toMatchObject({ value: "15.00", currency: "USD", expiry: "2031-03-31" })
        const { account } = await ok("get", `/admin/accounts/code/${encodeURIComponent(card.code)}`)
        expect(account).toMatchObject({ id: card.account_id, balance: "15.00", currency_code: "usd" })
        expect(new Date(account.end_date).getTime()).toBe(new Date(2031, 2, 31, 23, 59, 59).getTime())
      }
      const { transfers } = await ok("get", `/admin/transfers?account_id=${cards[0].account_id}`)
      expect(transfers[0]).toMatchObject({ kind: "load", source_id: "acc_sys_usd_bank", amount: "15.00" })

      // Downloaded: closing asks nothing, and the list shows the new cards.
      await page.getByTestId("bulk-issue-close").click()
      await page.getByTestId("bulk-issue-close").waitFor({ state: "detached" })
      const list = await ok("get", "/admin/accounts?is_gift_card=true&limit=1")
      expect(list.count).toBe(25)
    })

    it("bulk issue in several requests: a request whose answer was lost is sent again by Retry and replays", async () => {
      // The second request reaches the server and is answered, but the browser never gets
      // the answer (as on a dropped connection): the run stops there.
      let requests = 0
      await page.route("**/admin/accounts/batch", async (route) => {
        if (requests++ === 1) {
          await route.fetch()
          return route.abort("connectionreset")
        }
        return route.continue()
      })
      await open("/accounts/gift-cards", "[data-testid=bulk-issue]")
      await page.getByTestId("bulk-issue").click()
      await page.locator("#bulk-issue-count").fill("1001")
      await page.locator("#bulk-issue-value").fill("5")
      await page.getByTestId("money-source").click()
      await page.getByRole("option", { name: /Goodwill or promotion/ }).click()
      await page.getByTestId("bulk-issue-submit").click()
      await page.getByTestId("bulk-issue-retry").waitFor()
      expect(await page.getByTestId("progress-label").innerText()).toBe("500 cards of 1,001 issued (1 of 3 requests)")
      // The lost request made its 500 cards; Retry sends it again with the same key.
      const made = async () => (await ok("get", "/admin/accounts?is_gift_card=true&limit=1")).count
      expect(await made()).toBe(1000)
      await page.getByTestId("bulk-issue-retry").click()
      await page.getByTestId("bulk-issue-done").getByText("1,001 gift cards of $5.00 issued.").waitFor()
      expect(requests).toBe(4)
      expect(await made()).toBe(1001)

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-issue-download").click()])
      const cards = await readDownload(download)
      expect(cards).toHaveLength(1001)
      expect(new Set(cards.map((c) => c.code)).size).toBe(1001)
      const listed = new Set<string>()
      for (const offset of [0, 1000]) {
        const { accounts } = await ok("get", `/admin/accounts?is_gift_card=true&limit=1000&offset=${offset}`)
        accounts.forEach((a: any) => listed.add(a.id))
      }
      expect(cards.every((c) => listed.has(c.account_id))).toBe(true)
      const unpaid = (await ok("get", "/admin/accounts/acc_sys_usd_unpaid_source")).account
      expect(unpaid.balance).toBe("-5005.00")
    })

    it("bulk credits from a CSV: the preview flags the bad rows, the good ones are posted, the result downloads", async () => {
      const ann = (await ok("post", "/admin/customers", { email: "ann@example.com" })).customer.id
      const bob = (await ok("post", "/admin/customers", { email: "bob@example.com" })).customer.id
      const bobWallet = (await ok("post", `/admin/customers/${bob}/store-credit`, { amount: "5", currency_code: "usd" })).account.id
      const frozen = (await ok("post", "/admin/accounts", { name: "Frozen pot", currency_code: "usd" })).account.id
      await ok("post", `/admin/accounts/${frozen}/freeze`)
      const csv = [
        "email,account_id,amount,note",
        "ann@example.com,,10,Spring promotion",
        "bob@example.com,,2.50,Spring promotion",
        "nobody@example.com,,3,",
        `,${frozen},4,`,
        "ann@example.com,,1.001,",
      ].join("\n")

      await open("/accounts", "[data-testid=bulk-credit]")
      await page.getByTestId("bulk-credit").click()
      await page.getByTestId("bulk-credit-file").setInputFiles({ name: "spring.csv", mimeType: "text/csv", buffer: Buffer.from(csv) })
      await page.getByTestId("bulk-credit-check").getByText("Check 5 rows").waitFor()
      await page.getByTestId("bulk-credit-check").click()
      await page.getByTestId("bulk-credit-summary").getByText("2 rows ready, 3 rows with problems.").waitFor()
      await page.getByTestId("bulk-credit-total").getByText(/USD: \$12\.50 to 2 rows, promotional/).waitFor()
      const reason = (line: number) => page.locator(`[data-testid=bulk-credit-row][data-line="${line}"] [data-testid=bulk-credit-reason]`).innerText()
      expect(await reason(4)).toBe("No customer has the email nobody@example.com")
      expect(await reason(5)).toBe("The account is frozen. Thaw it first.")
      expect(await reason(6)).toMatch(/^Enter an amount greater than zero/)
      expect(await reason(2)).toBe("A wallet will be opened")
      await screenshot(page, "bulk-credit-preview")
      // The preview wrote nothing.
      expect((await ok("get", `/admin/accounts?customer_id=${ann}`)).accounts).toHaveLength(0)
      expect((await ok("get", `/admin/accounts/${bobWallet}`)).account.balance).toBe("5.00")

      await page.getByTestId("bulk-credit-post").getByText("Credit 2 rows").click()
      await page.getByTestId("bulk-credit-summary").getByText("2 rows credited, 3 rows not.").waitFor()
      await screenshot(page, "bulk-credit-result")
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("bulk-credit-download").click()])
      const result = await readDownload(download)
      expect(result.map((r) => [r.row, r.status, r.error_code])).toEqual([
        ["2", "credited", ""],
        ["3", "credited", ""],
        ["4", "skipped", "customer_not_found"],
        ["5", "skipped", "account_frozen"],
        ["6", "skipped", "invalid_amount"],
      ])

      const [annWallet] = (await ok("get", `/admin/accounts?customer_id=${ann}`)).accounts
      expect(annWallet.balance).toBe("10.00")
      expect((await ok("get", `/admin/accounts/${bobWallet}`)).account.balance).toBe("7.50")
      expect((await ok("get", `/admin/accounts/${frozen}`)).account.balance).toBe("0.00")
      const { transfer } = await ok("get", `/admin/transfers/${result[0].transfer_reference}`)
      expect(transfer).toMatchObject({ kind: "load", destination_id: annWallet.id, source_id: "acc_sys_usd_unpaid_source", description: "Spring promotion" })
    })

    it("bulk credit: a request whose answer was lost is sent again by Retry and credits once", async () => {
      const ann = (await ok("post", "/admin/customers", { email: "ann@example.com" })).customer.id
      let posts = 0
      await page.route("**/admin/accounts/bulk-credit", async (route) => {
        const dryRun = JSON.parse(route.request().postData() ?? "{}").dry_run
        if (!dryRun && posts++ === 0) {
          await route.fetch()
          return route.abort("connectionreset")
        }
        return route.continue()
      })
      await open("/accounts", "[data-testid=bulk-credit]")
      await page.getByTestId("bulk-credit").click()
      await page.getByTestId("bulk-credit-file").setInputFiles({ name: "one.csv", mimeType: "text/csv", buffer: Buffer.from("email,amount\nANN@example.com,4.50\n") })
      await page.getByTestId("bulk-credit-check").click()
      await page.getByTestId("bulk-credit-post").getByText("Credit 1 row").click()
      await page.getByTestId("bulk-credit-retry").waitFor()
      const [wallet] = (await ok("get", `/admin/accounts?customer_id=${ann}`)).accounts
      expect(wallet.balance).toBe("4.50")
      await page.getByTestId("bulk-credit-retry").click()
      await page.getByTestId("bulk-credit-summary").getByText("1 row credited, 0 rows not.").waitFor()
      await page.locator("[data-testid=bulk-credit-row]").getByText("Already credited").waitFor()
      expect(posts).toBe(2)
      expect((await ok("get", `/admin/accounts/${wallet.id}`)).account.balance).toBe("4.50")
      expect((await ok("get", `/admin/transfers?account_id=${wallet.id}`)).transfers).toHaveLength(1)
    })
  },
})
