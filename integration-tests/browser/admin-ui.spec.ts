// The admin pages and widgets, driven in a real Chromium against a Medusa process that
// serves the built admin (scripts/lib/admin-build.js) on the test database; each flow
// checks the money through the API after the UI action.
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { Browser, Page } from "playwright-core"
import { createAdminAuth } from "../support/admin"
import { launchChromium, loginToAdmin, screenshot } from "../support/browser"
import { Call, caller } from "../support/http"
import { startMedusaProcess } from "../support/medusa-process"

jest.setTimeout(300_000)

const EMAIL = "admin-ui@ledger.test"
const PASSWORD = "ledger-test-password"

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConfig }) => {
    let browser: Browser
    let page: Page
    let call: Call
    let base: string
    let server: Awaited<ReturnType<typeof startMedusaProcess>>

    beforeAll(async () => {
      ;[{ browser }, server] = await Promise.all([launchChromium(), startMedusaProcess(dbConfig.clientUrl, { admin: true })])
      base = server.url
    })
    afterAll(async () => {
      await browser?.close()
      server?.child.kill("SIGTERM")
    })

    beforeEach(async () => {
      const auth = await createAdminAuth(getContainer(), api, EMAIL)
      call = caller(api, () => auth.headers)
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      page = await context.newPage()
      page.on("console", (m) => m.type() === "error" && console.error(`[browser] ${m.text()}`))
      page.on("pageerror", (e) => console.error(`[browser] ${e.message}`))
      await loginToAdmin(page, base, EMAIL, PASSWORD)
    })
    afterEach(async () => {
      await page?.context().close()
    })

    it("issues a gift card and finds it by its code", async () => {
      await page.goto(`${base}/app/accounts/gift-cards`)
      await page.getByTestId("issue-gift-card").click()
      await page.getByLabel("Value").fill("25")
      await page.getByTestId("issue-gift-card-submit").click()
      await page.waitForURL(/\/app\/accounts\/acc_/)
      const code = (await page.getByTestId("summary-code").innerText()).trim()
      const id = page.url().split("/").pop()!
      const { data } = await call("get", `/admin/accounts/${id}`)
      expect(data.account.balance).toBe("25.00")
      expect(data.account.code.replace(/-/g, "")).toBe(code.replace(/-/g, ""))
      await screenshot(page, "account-detail")
      await page.goto(`${base}/app/accounts/gift-cards`)
      await screenshot(page, "gift-cards")
    })
  },
})
