// The admin pages and widgets, driven in a real Chromium against a Medusa process that
// serves the built admin (scripts/lib/admin-build.js) on the test database; each flow
// checks the money through the API after the UI action, and saves a screenshot of the
// page for the README (docs/screenshots).
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { Page } from "playwright-core"
import { adminBrowserSuite, screenshot } from "../support/browser"
import { runScheduledVerify } from "../../src/workflows/reconciliation/runs"

jest.setTimeout(300_000)

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    const { ctx, ok, open, confirmPrompt } = adminBrowserSuite(api, getContainer, dbConfig)
    let page: Page
    beforeEach(() => {
      page = ctx.page
    })

    const account = async (id: string) => (await ok("get", `/admin/accounts/${id}`)).account
    const transfersOf = async (id: string) => (await ok("get", `/admin/transfers?account_id=${id}&limit=100`)).transfers
    const newAccount = async (body: Record<string, unknown>) => (await ok("post", "/admin/accounts", { name: "Wallet", currency_code: "usd", ...body })).account

    it("creates an account in the Create form, with initial money from a named source", async () => {
      await open("/accounts", "[data-testid=create-account]")
      await page.getByTestId("create-account").click()
      await page.locator("#account-name").fill("Goodwill wallet")
      await page.getByTestId("account-currency").click()
      await page.getByRole("option", { name: "USD" }).click()
      await page.locator("#account-initial-amount").fill("7.25")
      await page.getByTestId("money-source").click()
      await page.getByRole("option", { name: /Goodwill or promotion/ }).click()
      await screenshot(page, "create-account")
      await page.getByTestId("create-account-submit").click()
      await page.waitForURL(/\/app\/accounts\/acc_/)
      const id = page.url().split("/").pop()!
      expect((await account(id)).balance).toBe("7.25")
      const [load] = await transfersOf(id)
      expect(load.source_id).toBe("acc_sys_usd_unpaid_source")
    })

    it("issues a gift card and finds it by its code", async () => {
      await open("/accounts/gift-cards", "[data-testid=issue-gift-card]")
      await page.getByTestId("issue-gift-card").click()
      await page.locator("#gift-card-value").fill("25")
      await page.getByTestId("gift-card-currency").click()
      await page.getByRole("option", { name: "USD" }).click()
      await page.getByTestId("issue-gift-card-submit").click()
      await page.waitForURL(/\/app\/accounts\/acc_/)
      const code = (await page.getByTestId("summary-code").innerText()).trim()
      const id = page.url().split("/").pop()!
      const card = await account(id)
      expect(card.balance).toBe("25.00")
      expect(card.code.replace(/-/g, "")).toBe(code.replace(/-/g, ""))
      expect((await transfersOf(id))[0].source_id).toBe("acc_sys_usd_bank")

      // Typed in lowercase without dashes, the code finds the card in the list.
      await open("/accounts/gift-cards", "table")
      await page.getByPlaceholder(/Search by code/).fill(code.replace(/-/g, "").toLowerCase())
      await page.getByText(`•••• ${code.replace(/-/g, "").slice(-4)}`).waitFor()
      expect(await page.locator("tbody tr").count()).toBe(1)
      await screenshot(page, "gift-cards")
    })

    it("tops up an account and shows the running balance on the statement", async () => {
      const wallet = await newAccount({ initial_amount: "10.00", source_account_id: "acc_sys_usd_bank" })
      await open(`/accounts/${wallet.id}`, "[data-testid=action-top-up]")
      await page.getByTestId("action-top-up").click()
      await page.locator("#posting-amount").fill("15.50")
      await page.locator("#posting-note").fill("Birthday bonus")
      await page.getByTestId("posting-submit").click()
      await page.getByTestId("summary-balance").getByText("$25.50").waitFor()
      const first = page.getByTestId("statement-line").first()
      await first.getByText("Birthday bonus").waitFor()
      expect(await first.getByTestId("line-amount").innerText()).toBe("$15.50")
      expect(await first.getByTestId("line-balance").innerText()).toBe("$25.50")
      expect(await page.getByTestId("statement-line").nth(1).getByTestId("line-balance").innerText()).toBe("$10.00")
      expect((await account(wallet.id)).balance).toBe("25.50")
      const topUp = (await transfersOf(wallet.id)).find((t: any) => t.description === "Birthday bonus")
      expect(topUp).toMatchObject({ amount: "15.50", source_id: "acc_sys_usd_bank", kind: "load" })
      await screenshot(page, "account-detail")
    })

    it("tops up with an expiry, and shows the account's credit by expiry, soonest first", async () => {
      const wallet = await newAccount({ initial_amount: "10.00", source_account_id: "acc_sys_usd_bank" })
      await open(`/accounts/${wallet.id}`, "[data-testid=action-top-up]")
      await page.getByTestId("action-top-up").click()
      await page.locator("#posting-amount").fill("20")
      const day = new Date(Date.now() + 10 * 86_400_000)
      const ymd = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`
      await page.locator("#posting-expires").fill(ymd)
      await page.locator("#posting-note").fill("Loyalty points")
      await page.getByTestId("posting-submit").click()
      await page.getByTestId("summary-balance").getByText("$30.00").waitFor()
      const { lots } = await ok("get", `/admin/accounts/${wallet.id}/lots?status=all`)
      expect(lots.map((l: any) => [l.amount, l.remaining])).toEqual([["20.00", "20.00"], ["10.00", "10.00"]])
      // the lot lapses at the end of the day picked, in the admin's time zone
      expect(new Date(lots[0].expires_at).getTime()).toBe(new Date(`${ymd}T23:59:59.999`).getTime())

      await ok("post", "/admin/transfers", { source_account_id: wallet.id, destination_account_id: "@redemptions", amount: "5", kind: "redemption" })
      await open(`/accounts/${wallet.id}`, "[data-testid=account-lots]")
      const rows = page.getByTestId("account-lots").getByTestId("lot-row")
      await rows.first().getByText("$15.00").waitFor()
      expect(await rows.count()).toBe(2)
      await rows.nth(1).getByText("Never").waitFor()
      await rows.nth(1).getByText("Balance before lots").waitFor()
      await page.getByTestId("account-lots").getByText("$15.00 expires").waitFor()
      // the statement says which lot each line took from or added to
      expect(await page.getByTestId("statement-line").first().getByTestId("line-lots").innerText()).toMatch(/^from \$5\.00 \(expires /)
      await screenshot(page, "account-lots", "[data-testid=account-lots]")
    })

    it("freezes, then thaws an account through the actions menu", async () => {
      const wallet = await newAccount({ initial_amount: "5" })
      await open(`/accounts/${wallet.id}`, "[data-testid=account-actions]")
      await page.getByTestId("account-actions").click()
      await page.getByRole("menuitem", { name: "Freeze" }).click()
      await confirmPrompt("Freeze")
      await page.getByText("Frozen").first().waitFor()
      expect((await account(wallet.id)).status).toBe("frozen")
      await page.getByTestId("account-actions").click()
      await page.getByRole("menuitem", { name: "Thaw" }).click()
      await confirmPrompt("Thaw")
      await page.getByTestId("action-top-up").waitFor()
      expect((await account(wallet.id)).status).toBe("open")
    })

    it("shows a refusal as a sentence and moves nothing", async () => {
      const wallet = await newAccount({ initial_amount: "10" })
      const before = await transfersOf(wallet.id)
      await open(`/accounts/${wallet.id}`, "[data-testid=account-actions]")
      await page.getByTestId("account-actions").click()
      await page.getByRole("menuitem", { name: "Withdraw" }).click()
      await page.locator("#posting-amount").fill("100")
      await page.getByTestId("posting-submit").click()
      const sentence = await page.getByTestId("field-error").innerText()
      expect(sentence).toBe("The account does not have enough money available for this.")
      await screenshot(page, "refusal")
      expect((await account(wallet.id)).balance).toBe("10.00")
      expect(await transfersOf(wallet.id)).toHaveLength(before.length)

      // Closing a non-empty account is refused with the reason, and it stays open.
      await page.keyboard.press("Escape")
      await page.getByTestId("account-actions").click()
      await page.getByRole("menuitem", { name: "Close" }).click()
      await confirmPrompt("Close account")
      await page.getByText(/still holds money/).waitFor()
      expect((await account(wallet.id)).status).toBe("open")
    })

    it("reverses a transfer through the prompt and refunds part of another", async () => {
      const a = await newAccount({ name: "From", initial_amount: "50" })
      const b = await newAccount({ name: "To" })
      const t1 = (await ok("post", "/admin/transfers", { source_account_id: a.id, destination_account_id: b.id, amount: "20" })).transfer
      const t2 = (await ok("post", "/admin/transfers", { source_account_id: a.id, destination_account_id: b.id, amount: "12" })).transfer

      await open(`/accounts/transfers/${t1.reference}`, "[data-testid=transfer-reverse]")
      await page.getByTestId("transfer-reverse").click()
      await confirmPrompt("Reverse")
      await page.getByTestId("transfer-children").waitFor()
      expect((await account(a.id)).balance).toBe("38.00")

      await open(`/accounts/transfers/${t2.reference}`, "[data-testid=transfer-refund]")
      await page.getByTestId("transfer-refund").click()
      await page.locator("#posting-amount").fill("4.50")
      await page.getByTestId("posting-submit").click()
      await page.getByTestId("transfer-refundable").getByText("$7.50").waitFor()
      await screenshot(page, "transfer-detail")
      expect((await account(a.id)).balance).toBe("42.50")
      expect((await account(b.id)).balance).toBe("7.50")
      const detail = (await ok("get", `/admin/transfers/${t2.reference}`)).transfer
      expect(detail.refundable_amount).toBe("7.50")

      await open("/accounts/transfers", "table")
      await screenshot(page, "transfers")
    })

    it("issues store credit from the customer page into a wallet opened for it", async () => {
      const { customer } = await ok("post", "/admin/customers", { email: "credit@example.com", first_name: "Cora" })
      await open(`/customers/${customer.id}`, "[data-testid=issue-store-credit]")
      await page.getByTestId("issue-store-credit").click()
      await page.locator("#credit-amount").fill("12")
      await page.getByTestId("credit-currency").click()
      await page.getByRole("option", { name: "USD" }).click()
      await page.getByTestId("issue-store-credit-submit").click()
      await page.getByTestId("customer-account-balance").getByText("$12.00").waitFor()
      await screenshot(page, "customer-widget", "[data-testid=customer-accounts]")
      const { accounts } = await ok("get", `/admin/accounts?customer_id=${customer.id}`)
      expect(accounts).toHaveLength(1)
      expect(accounts[0]).toMatchObject({ balance: "12.00", currency_code: "usd" })
      expect((await transfersOf(accounts[0].id))[0].source_id).toBe("acc_sys_usd_unpaid_source")
    })

    it("shows the deferred-income and profit-and-loss figures the API computes for known data", async () => {
      const in20Days = new Date(Date.now() + 20 * 86_400_000).toISOString()
      await newAccount({ name: "Card", account_type_id: "lat_liabilities_deferred_income_gift_cards", generate_code: true, initial_amount: "25", source_account_id: "acc_sys_usd_bank", end_date: in20Days })
      const wallet = await newAccount({ name: "Wallet", initial_amount: "40", source_account_id: "acc_sys_usd_unpaid_source" })
      await ok("post", "/admin/transfers", { source_account_id: wallet.id, destination_account_id: "acc_sys_usd_redemptions", amount: "10", kind: "redemption" })

      // By hand: gift cards 25.00 due within 30 days, store credit 30.00 without an end date.
      const di = (await ok("get", "/admin/ledger/reports/deferred-income?currency_code=usd")).reports[0]
      expect(di.totals.balance).toBe("55.00")
      await open("/accounts/reports", "[data-testid=deferred-income-usd]")
      await page.getByTestId("report-currency").click()
      await page.getByRole("option", { name: "USD" }).click()
      await page.getByTestId("deferred-income-eur").waitFor({ state: "detached" })
      const section = page.getByTestId("deferred-income-usd")
      const cards = section.getByTestId("di-row-liabilities.deferred_income.gift_cards")
      expect(await cards.getByTestId("di-d0_30").innerText()).toBe("$25.00")
      const credit = section.getByTestId("di-row-liabilities.deferred_income.store_credit")
      expect(await credit.getByTestId("di-no_end_date").innerText()).toBe("$30.00")
      expect(await section.getByTestId("di-totals").getByTestId("di-total").innerText()).toBe("$55.00")
      await screenshot(page, "reports")

      // Profit and loss this month: 25.00 paid in, 40.00 granted, 10.00 redeemed; the change is their sum.
      const pl = (await ok("get", "/admin/ledger/reports/profit-loss?currency_code=usd")).reports[0]
      const line = (key: string) => pl.lines.find((l: any) => l.key === key).amount
      expect([line("loads_paid"), line("loads_unpaid"), line("redemptions"), pl.change, pl.balanced]).toEqual(["25.00", "40.00", "-10.00", "55.00", true])
      await page.getByRole("tab", { name: "Profit and loss" }).click()
      const plSection = page.getByTestId("profit-loss-usd")
      await plSection.waitFor()
      expect(await plSection.getByTestId("pl-loads_paid").getByTestId("pl-amount").innerText()).toBe("$25.00")
      expect(await plSection.getByTestId("pl-loads_unpaid").getByTestId("pl-amount").innerText()).toBe("$40.00")
      expect(await plSection.getByTestId("pl-redemptions").getByTestId("pl-amount").innerText()).toBe("-$10.00")
      expect(await plSection.getByTestId("pl-change").innerText()).toContain("equals the sum")
      await page.getByRole("tab", { name: "Trial balance" }).click()
      expect(await page.getByTestId("trial-balance-usd").getByTestId("tb-total").innerText()).toContain("balanced")
    })

    it("shows the ledger checks green and the chart of account types", async () => {
      await newAccount({ initial_amount: "3" })
      await open("/settings/ledger", "[data-testid=verify-status]")
      expect(await page.getByTestId("verify-status").innerText()).toBe("All checks pass")
      expect((await ok("get", "/admin/ledger/verify")).ok).toBe(true)
      await page.getByTestId("account-types").getByText("Gift cards").waitFor()
      await screenshot(page, "ledger-settings")
      // The reconciliation section: a sweep run from the page, and the last scheduled verify() run.
      const section = page.getByTestId("reconciliation")
      await runScheduledVerify(getContainer())
      await page.getByTestId("reconciliation-run").click()
      await section.getByTestId("reconciliation-status").waitFor()
      expect(await section.getByTestId("reconciliation-status").innerText()).toBe("In step")
      expect(await section.getByTestId("reconciliation-checked").innerText()).toContain("Checked 0 orders: 0 captures, 0 refunds")
      expect(await section.getByTestId("scheduled-verify-status").innerText()).toBe("All checks passed")
      expect((await ok("get", "/admin/ledger/reconciliation")).reconciliation).toMatchObject({ ok: true, report: { orders: [] } })
      await screenshot(page, "ledger-reconciliation", "[data-testid=reconciliation]")
      await open("/accounts", "table")
      await screenshot(page, "accounts")
    })
  },
})
