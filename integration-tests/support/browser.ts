import fs from "fs"
import path from "path"
import type { Browser, Page } from "playwright-core"
import { chromium } from "playwright-core"
import { createAdminAuth } from "./admin"
import { Call, caller } from "./http"
import { startMedusaProcess } from "./medusa-process"

const SYSTEM_CHROMIUMS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]

/**
 * A headless Chromium for the admin tests: CHROME_PATH, else a system Chromium, else the
 * one the @sparticuz/chromium package ships (unpacked to /tmp on first use), so
 * `npm install && npm test` needs nothing from outside the npm registry.
 */
export async function launchChromium(): Promise<{ browser: Browser; which: string }> {
  const system = [process.env.CHROME_PATH, ...SYSTEM_CHROMIUMS].find((p) => p && fs.existsSync(p))
  if (system) {
    const browser = await chromium.launch({ executablePath: system, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] })
    return { browser, which: system }
  }
  const packaged = require("@sparticuz/chromium")
  const sparticuz = packaged.default ?? packaged
  const executablePath = await sparticuz.executablePath()
  // Its args target AWS Lambda; --single-process there would end the browser with the
  // first closed context, and each test here has its own.
  const args = (sparticuz.args as string[]).filter((a) => a !== "--single-process")
  const browser = await chromium.launch({ executablePath, args, headless: true })
  return { browser, which: `@sparticuz/chromium (${executablePath})` }
}

export const SCREENSHOT_DIR = path.join(__dirname, "..", "..", "docs", "screenshots")

/** Logs in through the dashboard's own login form. */
export async function loginToAdmin(page: Page, baseUrl: string, email: string, password: string) {
  await page.goto(`${baseUrl}/app/login`)
  try {
    await page.locator("input[name=email]").waitFor({ timeout: 30_000 })
  } catch (e) {
    await page.screenshot({ path: "/tmp/admin-login-failure.png" })
    throw new Error(`the admin login page did not render (${page.url()}): ${(await page.content()).slice(0, 2000)}`)
  }
  await page.locator("input[name=email]").fill(email)
  await page.locator("input[name=password]").fill(password)
  await page.getByRole("button", { name: /continue/i }).click()
  await page.waitForURL((url) => !url.pathname.endsWith("/login"), { timeout: 60_000 })
}

/** A small PNG of the page (or one element) for the README. */
export async function screenshot(page: Page, name: string, selector?: string) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.waitForTimeout(300)
  if (selector) await page.locator(selector).first().screenshot({ path: file })
  else await page.screenshot({ path: file })
  return file
}

/**
 * For a browser suite inside medusaIntegrationTestRunner: a Medusa process serving the
 * built admin on the test database and a Chromium (once per file); before each test an
 * admin logged in through the dashboard in a fresh browser context, in a store that sells
 * in USD (its default) and EUR. Returns them (read inside tests) with helpers.
 */
export function adminBrowserSuite(api: any, getContainer: () => any, dbConfig: { clientUrl: string }) {
  const ctx = {} as { page: Page; base: string; call: Call }
  let browser: Browser
  let server: Awaited<ReturnType<typeof startMedusaProcess>>
  const email = `admin-ui-${process.env.JEST_WORKER_ID ?? 1}@ledger.test`

  beforeAll(async () => {
    ;[{ browser }, server] = await Promise.all([launchChromium(), startMedusaProcess(dbConfig.clientUrl, { admin: true })])
    ctx.base = server.url
  })
  afterAll(async () => {
    await browser?.close()
    server?.child.kill("SIGTERM")
  })
  beforeEach(async () => {
    const auth = await createAdminAuth(getContainer(), api, email)
    ctx.call = caller(api, () => auth.headers)
    const { stores } = await ok("get", "/admin/stores")
    await ok("post", `/admin/stores/${stores[0].id}`, {
      supported_currencies: [
        { currency_code: "usd", is_default: true },
        { currency_code: "eur", is_default: false },
      ],
    })
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    ctx.page = await context.newPage()
    ctx.page.setDefaultTimeout(45_000)
    ctx.page.on("pageerror", (e) => console.error(`[browser] ${e.message}`))
    await loginToAdmin(ctx.page, ctx.base, email, "ledger-test-password")
  })
  afterEach(async () => {
    await ctx.page?.context().close()
  })

  async function ok(method: "get" | "post", url: string, body?: unknown) {
    const res = await ctx.call(method, url, body)
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
    return res.data
  }
  return {
    ctx,
    ok,
    /** Opens an admin page and waits for an element of it. */
    open: async (path: string, ready: string) => {
      await ctx.page.goto(`${ctx.base}/app${path}`, { waitUntil: "domcontentloaded", timeout: 90_000 })
      await ctx.page.locator(ready).first().waitFor()
    },
    /** Confirms a usePrompt dialog with its confirm button. */
    confirmPrompt: async (name: string) => {
      const dialog = ctx.page.getByRole("alertdialog")
      await dialog.getByRole("button", { name }).click()
      await dialog.waitFor({ state: "detached" })
    },
  }
}
