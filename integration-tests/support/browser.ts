import fs from "fs"
import path from "path"
import type { Browser, Page } from "playwright-core"
import { chromium } from "playwright-core"

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
