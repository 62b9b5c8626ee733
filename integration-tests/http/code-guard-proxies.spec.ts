import { createApiKeysWorkflow } from "@medusajs/medusa/core-flows"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type CodeGuardModuleService from "../../src/modules/code-guard/service"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { registerShopper } from "../support/store"

jest.setTimeout(180000)

const UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
// Read by the root medusa-config.ts at boot (the runner's `env` comes after the config is loaded).
process.env.LEDGER_CODE_TRUSTED_PROXIES = "1"

/**
 * Medusa behind one reverse proxy (`codeGuard.trustedProxies: 1`): the test client plays the
 * proxy, so the right-most X-Forwarded-For entry is the address the proxy saw.
 */
medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let publishableKey: string
    let ledger: LedgerModuleService
    let guard: CodeGuardModuleService
    const tokens: Record<string, string> = {}
    const ids: Record<string, string> = {}

    const checkBalance = async (code: string, xff?: string, as?: string) => {
      const headers: Record<string, string> = { "x-publishable-api-key": publishableKey }
      if (xff) headers["x-forwarded-for"] = xff
      if (as) headers.authorization = `Bearer ${tokens[as]}`
      const res = await api.post("/store/accounts/balance", { code }, { headers, validateStatus: () => true })
      return res.status as number
    }

    const signUp = async (name: string) => {
      const { customer, headers } = await registerShopper(api, publishableKey, `${name}@shoppers.test`)
      tokens[name] = headers.authorization.replace(/^Bearer /, "")
      ids[name] = customer.id
    }

    beforeEach(async () => {
      const container = getContainer()
      ledger = container.resolve<LedgerModuleService>("ledger")
      guard = container.resolve<CodeGuardModuleService>("code_guard")
      const {
        result: [key],
      } = await createApiKeysWorkflow(container).run({
        input: { api_keys: [{ title: "storefront", type: "publishable", created_by: "" }] },
      })
      publishableKey = key.token
    })

    const giftCard = () => ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: 25 })

    it("keys by the address one hop back: a spoofed left part changes nothing, another proxy-seen address counts apart", async () => {
      const card = await giftCard()
      expect(guard.guardOptions.trustedProxies).toBe(1)
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) {
        statuses.push(await checkBalance(i < 4 ? UNKNOWN_CODE : card.code!, `10.${i}.0.1, 192.0.2.${i}, 198.51.100.7`))
      }
      expect(statuses).toEqual([404, 404, 404, 429, 429])
      expect(await guard.getClientStatus("198.51.100.7")).toEqual(expect.objectContaining({ consecutive_failures: 3, cooling: true }))
      // Another address the proxy saw, and the proxy itself (no header), are not affected.
      expect(await checkBalance(card.code!, "198.51.100.8")).toBe(200)
      expect(await checkBalance(card.code!, "198.51.100.7, 198.51.100.9")).toBe(200)
      expect(await checkBalance(card.code!)).toBe(200)
      expect((await guard.listCodeGuardClients({ client: ["10.0.0.1", "192.0.2.0", "127.0.0.1"] })).filter((c) => c.total_failures > 0)).toEqual([])
    })

    it("a logged-in customer switching addresses is cooled off by the per-customer count; others are not", async () => {
      const card = await giftCard()
      await signUp("mallory")
      await signUp("carol")
      for (const n of [1, 2, 3]) {
        expect(await checkBalance(UNKNOWN_CODE, `203.0.113.${n}`, "mallory")).toBe(404)
      }
      expect(await checkBalance(card.code!, "203.0.113.4", "mallory")).toBe(429)
      expect(await guard.getClientStatus(`customer:${ids.mallory}`)).toEqual(
        expect.objectContaining({ consecutive_failures: 3, total_failures: 3, cooling: true })
      )
      // Each address failed once; another customer or a guest there may go on.
      expect(await checkBalance(card.code!, "203.0.113.1", "carol")).toBe(200)
      expect(await checkBalance(card.code!, "203.0.113.2")).toBe(200)
    })
  },
})
