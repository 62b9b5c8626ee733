import fs from "fs"
import path from "path"
import ts from "typescript"
import Medusa from "@medusajs/js-sdk"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { eventually } from "../support/checkout"
import { checkoutSuite } from "../support/checkout-suite"
import { registerShopper } from "../support/store"

jest.setTimeout(240000)

// The README's "### The storefront flow" snippet, run as written against a booted store: only
// the base URL and the publishable key are swapped for real ones; the names it takes from its
// surroundings (email, password, region_id, ...) are given to it as variables.

const HEADING = "### The storefront flow"
const BASE_URL = `"http://localhost:9000"`
const PUBLISHABLE_KEY = `"pk_..."`
const MEMORY_AUTH = `auth: { type: "jwt", jwtTokenStorageMethod: "memory" }`
// What the snippet's variables hold once it ran (it is a module body: we read them back).
const EXPOSED = ["sdk", "cart", "accounts", "allocation", "totals", "current", "result"]

/** The first ```ts block after the heading, before the next heading. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8")
  const start = readme.indexOf(`\n${HEADING}\n`)
  if (start < 0) throw new Error(`README.md has no "${HEADING}" heading`)
  const rest = readme.slice(start + HEADING.length + 2)
  const nextHeading = rest.search(/^#{1,6} /m)
  const section = nextHeading < 0 ? rest : rest.slice(0, nextHeading)
  const block = section.match(/^```ts\n([\s\S]*?)^```$/m)
  if (!block) throw new Error(`README.md: no \`\`\`ts block under "${HEADING}"`)
  return block[1]
}

/** Replaces text that must be in the snippet exactly once (so a changed README fails loudly). */
function swap(code: string, from: string, to: string): string {
  const count = code.split(from).length - 1
  if (count !== 1) throw new Error(`README snippet: expected ${from} once, found it ${count} times`)
  return code.replace(from, () => to)
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (
  ...args: unknown[]
) => Promise<any>

/** Transpiles the snippet to CommonJS and runs it as the body of an async function. */
async function run(source: string, scope: Record<string, unknown>): Promise<Record<string, any>> {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  })
  expect((diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([])
  const names = Object.keys(scope)
  const body = `${outputText}\nreturn { ${EXPOSED.join(", ")} }`
  const snippet = new AsyncFunction("require", "exports", ...names, body)
  return snippet(require, {}, ...names.map((n) => scope[n]))
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const suite = checkoutSuite(api, getContainer)
    const { balance, sales, adminCall, wallet, giftCard } = suite

    /** A shopper with a 25.00 wallet, and everything the snippet expects in scope. */
    const prepare = async (email: string) => {
      const { store } = suite.ctx
      const shopper = await registerShopper(api, store.publishableKey, email)
      const account = await wallet(shopper.customer.id, 25)
      const card = await giftCard(100)
      const scope = {
        email,
        password: shopper.password,
        region_id: store.region.id,
        variant_id: store.shirt.variant.id, // 50.00, plus 10.00 shipping
        shipping_address: { first_name: "Ada", last_name: "Shopper", address_1: "1 Main St", city: "NYC", country_code: "us", postal_code: "10001" },
        option_id: store.shippingOption.id,
        code: card.code,
      }
      const source = swap(
        swap(readmeSnippet(), BASE_URL, JSON.stringify(String(api.defaults.baseURL))),
        PUBLISHABLE_KEY,
        JSON.stringify(store.publishableKey)
      )
      return { shopper, account, scope, source }
    }

    it("places an order as the README shows: wallet allocation, the rest by pp_system_default", async () => {
      const { shopper, account, scope, source } = await prepare("readme@example.com")
      const salesBefore = await sales()

      const { sdk, accounts, allocation, totals, result } = await run(source, scope)

      // The shopper's own wallet was offered and applied in full; 35.00 was left for the provider.
      expect(accounts.map((a: any) => a.id)).toEqual([account.id])
      expect(allocation).toMatchObject({ account_id: account.id })
      expect(Number(allocation.amount)).toBe(25)
      expect(totals.total).toBe(35)
      expect(result.type).toBe("order")
      const order = result.order

      // The shopper's order, carrying the allocation as a credit line and a 35.00 pp_system_default payment.
      const { data } = await adminCall(
        "get",
        `/admin/orders/${order.id}?fields=+customer_id,+total,*credit_lines,*payment_collections,*payment_collections.payments`
      )
      expect(data.order).toMatchObject({ customer_id: shopper.customer.id, total: 35 }) // 60.00 less the credit line
      expect(data.order.credit_lines).toEqual([
        expect.objectContaining({ reference: "ledger_account", reference_id: account.id, amount: 25 }),
      ])
      const payments = data.order.payment_collections.flatMap((c: any) => c.payments)
      expect(payments).toHaveLength(1)
      expect(payments[0]).toMatchObject({ provider_id: "pp_system_default", amount: 35 })

      // Completion held the allocation on the wallet; capturing the payment moves it.
      expect(Number((await suite.ctx.ledger.getAccount(account.id)).held)).toBe(25)
      expect((await adminCall("post", `/admin/payments/${payments[0].id}/capture`, {})).status).toBe(200)
      await eventually(async () => expect(await balance(account.id)).toBe(0))
      expect(Number((await suite.ctx.ledger.getAccount(account.id)).held)).toBe(0)
      expect((await sales()) - salesBefore).toBe(25)
      const transfers = await suite.ctx.ledger.listLedgerTransfers({ merchant_reference: order.id })
      expect(transfers.map((t: any) => [t.source_id, Number(t.amount)])).toEqual([[account.id, 25]])

      // The shopper sees it through the store API, with the snippet's own (logged-in) sdk.
      const after = await sdk.client.fetch("/store/accounts", { query: { currency_code: "usd" } })
      expect(after.accounts.map((a: any) => [a.id, a.balance])).toEqual([[account.id, "0.00"]])
    })

    it("needs jwtTokenStorageMethod \"memory\" in Node: the SDK's default drops the login token", async () => {
      const { account, scope, source } = await prepare("default-storage@example.com")
      const { store } = suite.ctx
      const baseUrl = String(api.defaults.baseURL)
      const login = { email: scope.email, password: scope.password }

      // What the note beside the snippet says, directly: only "memory" keeps the token in Node.
      const byDefault = new Medusa({ baseUrl, publishableKey: store.publishableKey, auth: { type: "jwt" } })
      await byDefault.auth.login("customer", "emailpass", login)
      expect(await byDefault.client.getToken()).toBeNull()
      const inMemory = new Medusa({ baseUrl, publishableKey: store.publishableKey, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } })
      await inMemory.auth.login("customer", "emailpass", login)
      expect(await inMemory.client.getToken()).toEqual(expect.any(String))

      // The snippet without it stops at the first call that needs the shopper: /store/accounts.
      const withoutMemory = swap(source, MEMORY_AUTH, `auth: { type: "jwt" }`)
      await expect(run(withoutMemory, scope)).rejects.toMatchObject({ status: 401 })
      expect(await balance(account.id)).toBe(25)
      expect(await suite.ctx.ledger.listLedgerHolds({ status: "open" })).toEqual([])
    })
  },
})
