import { createApiKeysWorkflow } from "@medusajs/medusa/core-flows"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { randomInt } from "crypto"
import type CodeGuardModuleService from "../../src/modules/code-guard/service"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { storefront } from "../support/checkout"
import { apiFrom, fromAddress } from "../support/http"
import { seedStore } from "../support/store"

jest.setTimeout(180000)

// Short cool-off so the suite can wait one out; read by the root medusa-config.ts at boot.
const COOL_OFF_SECONDS = 2
process.env.LEDGER_CODE_COOL_OFF_SECONDS = String(COOL_OFF_SECONDS)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const UNKNOWN_ACCOUNT = "acc_01NOTHEREAAAAAAAAAAAAAAAAA"
const UNKNOWN_CODE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ"

// `from`: the local address the request connects from, which is the client address the code
// guard keys on (no trusted proxies here); `xff`: an X-Forwarded-For header, which it ignores.
type Opts = { as?: string; from?: string; xff?: string; key?: string | null }
const randomAddress = () => Array.from({ length: 4 }, () => randomInt(1, 255)).join(".")

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let publishableKey: string
    let ledger: LedgerModuleService
    const tokens: Record<string, string> = {}
    const ids: Record<string, string> = {}

    /** A store request: publishable key, optional customer login and client address. */
    const store = async (method: "get" | "post", url: string, body?: unknown, opts: Opts = {}) => {
      const headers: Record<string, string> = {}
      if (opts.key !== null) headers["x-publishable-api-key"] = opts.key ?? publishableKey
      if (opts.as) headers.authorization = `Bearer ${tokens[opts.as]}`
      if (opts.xff) headers["x-forwarded-for"] = opts.xff
      const config = { headers, validateStatus: () => true, ...(opts.from ? fromAddress(api, opts.from) : {}) }
      const res = method === "get" ? await api.get(url, config) : await api.post(url, body ?? {}, config)
      return { status: res.status as number, data: res.data }
    }

    /** A customer signed up and logged in through Medusa's own store auth routes. */
    const signUp = async (name: string) => {
      const email = `${name}@shoppers.test`
      const password = "shopper-password"
      const registered = await api.post("/auth/customer/emailpass/register", { email, password })
      const created = await api.post(
        "/store/customers",
        { email, first_name: name },
        { headers: { authorization: `Bearer ${registered.data.token}`, "x-publishable-api-key": publishableKey } }
      )
      const login = await api.post("/auth/customer/emailpass", { email, password })
      tokens[name] = login.data.token
      ids[name] = created.data.customer.id
    }

    beforeEach(async () => {
      const container = getContainer()
      ledger = container.resolve<LedgerModuleService>("ledger")
      const {
        result: [key],
      } = await createApiKeysWorkflow(container).run({
        input: { api_keys: [{ title: "storefront", type: "publishable", created_by: "" }] },
      })
      publishableKey = key.token
      await signUp("alice")
      await signUp("bob")
    })

    afterEach(async () => {
      const result = await ledger.verify()
      expect(result.checks.filter((c) => !c.ok)).toEqual([])
      expect(result.ok).toBe(true)
    })

    /** Alice's wallet (5 of 30 held), an account Bob shares with her, Bob's own, a gift card. */
    const seed = async () => {
      const wallet = await ledger.createAccount({ name: "Alice wallet", currency_code: "usd", customer_id: ids.alice, initial_amount: 30, metadata: { note: "internal" } })
      await ledger.hold(wallet.id, 5)
      await ledger.redeem(wallet.id, "12.5", { merchant_reference: "order_1" })
      const shared = await ledger.createAccount({ name: "Family pot", currency_code: "eur", customer_id: ids.bob, member_ids: [ids.alice], initial_amount: 10 })
      const bobs = await ledger.createAccount({ name: "Bob wallet", currency_code: "usd", customer_id: ids.bob, initial_amount: 7 })
      const card = await ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: 25, end_date: "2099-01-01T00:00:00Z" })
      return { wallet, shared, bobs, card }
    }

    describe("customer accounts", () => {
      it("lists the customer's own and member accounts, with balance and available, and nothing private", async () => {
        const { wallet, shared, bobs } = await seed()
        const res = await store("get", "/store/accounts?order=name", undefined, { as: "alice" })
        expect(res.status).toBe(200)
        expect(res.data).toEqual(expect.objectContaining({ count: 2, limit: 20, offset: 0 }))
        expect(res.data.accounts).toEqual([
          expect.objectContaining({ id: wallet.id, name: "Alice wallet", balance: "17.50", held: "5.00", available: "12.50", currency_code: "usd", is_owner: true }),
          expect.objectContaining({ id: shared.id, name: "Family pot", balance: "10.00", available: "10.00", currency_code: "eur", is_owner: false }),
        ])
        for (const account of res.data.accounts) {
          for (const key of ["customer_id", "members", "metadata", "idempotency_key", "role"]) {
            expect(account).not.toHaveProperty(key)
          }
        }
        const bob = await store("get", "/store/accounts", undefined, { as: "bob" })
        expect(bob.data.accounts.map((a: any) => a.id).sort()).toEqual([shared.id, bobs.id].sort())

        const page = await store("get", "/store/accounts?order=-name&limit=1&offset=1", undefined, { as: "alice" })
        expect(page.data).toEqual(expect.objectContaining({ count: 2, limit: 1, offset: 1 }))
        expect(page.data.accounts.map((a: any) => a.name)).toEqual(["Alice wallet"])
        const eur = await store("get", "/store/accounts?currency_code=eur", undefined, { as: "alice" })
        expect(eur.data.accounts.map((a: any) => a.id)).toEqual([shared.id])
        // Fields outside the store's list are refused, never leaked.
        const fields = await store("get", "/store/accounts?fields=id,name&order=name", undefined, { as: "alice" })
        expect(fields.status).toBe(200)
        expect(fields.data.accounts[0]).toEqual({ id: wallet.id, name: "Alice wallet", is_owner: true })
        for (const field of ["metadata", "customer_id", "members.customer_id", "*type"]) {
          const refused = await store("get", `/store/accounts?fields=id,${field}`, undefined, { as: "alice" })
          expect([field, refused.status, refused.data.code]).toEqual([field, 400, "invalid_request"])
        }
        const bad = await store("get", "/store/accounts?status=sleeping", undefined, { as: "alice" })
        expect([bad.status, bad.data.code]).toEqual([400, "invalid_request"])
      })

      it("shows detail and statement of own and member accounts; anyone else's, code-only or core accounts read as missing", async () => {
        const { wallet, shared, bobs, card } = await seed()
        const detail = await store("get", `/store/accounts/${wallet.id}`, undefined, { as: "alice" })
        expect(detail.status).toBe(200)
        expect(detail.data.account).toEqual(expect.objectContaining({ id: wallet.id, balance: "17.50", available: "12.50", is_owner: true, type: { name: "Store credit" } }))
        expect(detail.data.account).not.toHaveProperty("customer_id")
        const member = await store("get", `/store/accounts/${shared.id}`, undefined, { as: "alice" })
        expect(member.data.account).toEqual(expect.objectContaining({ id: shared.id, is_owner: false }))

        const entries = await store("get", `/store/accounts/${wallet.id}/entries?order=asc`, undefined, { as: "alice" })
        expect(entries.status).toBe(200)
        expect(entries.data).toEqual(expect.objectContaining({ count: 2, limit: 50, offset: 0 }))
        expect(entries.data.entries).toEqual([
          expect.objectContaining({ kind: "load", amount: "30.00", balance_after: "30.00" }),
          expect.objectContaining({ kind: "redemption", amount: "-12.50", balance_after: "17.50", merchant_reference: "order_1" }),
        ])
        expect(entries.data.entries[0]).not.toHaveProperty("counterparty_id")
        expect((await store("get", `/store/accounts/${shared.id}/entries`, undefined, { as: "alice" })).status).toBe(200)

        const missing = await store("get", `/store/accounts/${UNKNOWN_ACCOUNT}`, undefined, { as: "alice" })
        expect(missing.status).toBe(404)
        expect(missing.data).toEqual({ type: "not_found", code: "not_found", message: `Account ${UNKNOWN_ACCOUNT} not found` })
        for (const id of [bobs.id, card.id, "acc_sys_usd_bank"]) {
          for (const url of [`/store/accounts/${id}`, `/store/accounts/${id}/entries`, `/store/accounts/${id}/lots`]) {
            const res = await store("get", url, undefined, { as: "alice" })
            expect([url, res.status, res.data]).toEqual([url, 404, { ...missing.data, message: `Account ${id} not found` }])
          }
        }
      })

      it("shows a wallet's credit lots: what expires when, the next to expire, what each payment took", async () => {
        const { wallet } = await seed()
        const before = (await ledger.getAccount(wallet.id)).balance
        const soon = new Date(Date.now() + 5 * 86_400_000).toISOString()
        const later = new Date(Date.now() + 90 * 86_400_000).toISOString()
        await ledger.topUp(wallet.id, 12, { expires_at: soon, description: "Points" })
        const grant = await ledger.topUp(wallet.id, 8, { expires_at: later })
        const paid = await ledger.redeem(wallet.id, 4)

        const detail = await store("get", `/store/accounts/${wallet.id}`, undefined, { as: "alice" })
        expect(detail.data.account.next_expiring).toEqual({ amount: "8.00", expires_at: soon })
        const list = await store("get", `/store/accounts`, undefined, { as: "alice" })
        expect(list.data.accounts.find((a: any) => a.id === wallet.id).next_expiring).toEqual({ amount: "8.00", expires_at: soon })
        expect(list.data.accounts.find((a: any) => a.id !== wallet.id).next_expiring).toBeNull()

        const lots = await store("get", `/store/accounts/${wallet.id}/lots`, undefined, { as: "alice" })
        expect(lots.status).toBe(200)
        expect(lots.data.lots.map((l: any) => [l.amount, l.remaining, l.expires_at, l.status])).toEqual([
          ["12.00", "8.00", soon, "active"],
          ["8.00", "8.00", later, "active"],
          [before, before, null, "active"], // what the wallet held before its first dated credit
        ])
        expect(lots.data.lots[1].transfer_reference).toBe(grant.reference)
        expect(lots.data.lots[0]).not.toHaveProperty("transfer_id")
        expect(lots.data.lots[0]).not.toHaveProperty("account_id")
        expect((await store("get", `/store/accounts/${wallet.id}/lots?status=used`, undefined, { as: "alice" })).data.lots).toEqual([])
        expect((await store("get", `/store/accounts/${wallet.id}/lots?status=soon`, undefined, { as: "alice" })).status).toBe(400)

        const entries = await store("get", `/store/accounts/${wallet.id}/entries`, undefined, { as: "alice" })
        const line = entries.data.entries.find((e: any) => e.reference === paid.reference)
        expect(line.lots).toEqual([{ kind: "spend", amount: "4.00", expires_at: soon }])
        expect((await store("get", `/store/accounts/${wallet.id}/lots`, undefined, { as: "bob" })).status).toBe(404)
      })

      it("refuses the customer routes without a login (401) and every store route without a publishable key", async () => {
        const { wallet, card } = await seed()
        for (const url of ["/store/accounts", `/store/accounts/${wallet.id}`, `/store/accounts/${wallet.id}/entries`]) {
          expect([url, (await store("get", url)).status]).toEqual([url, 401])
          const forged = await api.get(url, { headers: { "x-publishable-api-key": publishableKey, authorization: "Bearer nope" }, validateStatus: () => true })
          expect([url, forged.status]).toEqual([url, 401])
          expect((await store("get", url, undefined, { as: "alice", key: null })).status).toBe(400)
        }
        const noKey = await store("post", "/store/accounts/balance", { code: card.code }, { key: null })
        expect(noKey.status).toBe(400)
        expect(noKey.data).not.toHaveProperty("account")
      })
    })

    describe("balance by code", () => {
      it("returns a gift card's balance without a login, whatever the code's case, dashes or spaces", async () => {
        const { card } = await seed()
        await ledger.hold(card.id, 4)
        const grouped = card.code!.match(/.{4}/g)!.join("-")
        for (const code of [card.code, grouped, grouped.toLowerCase(), ` ${grouped.replace(/-/g, " ")} `]) {
          const res = await store("post", "/store/accounts/balance", { code }, { from: "127.0.0.11" })
          expect([code, res.status]).toEqual([code, 200])
          expect(res.data).toEqual({
            account: { code: grouped, balance: "25.00", available: "21.00", currency_code: "usd", status: "open", end_date: "2099-01-01T00:00:00.000Z" },
          })
        }
        const unknown = await store("post", "/store/accounts/balance", { code: UNKNOWN_CODE }, { from: "127.0.0.11" })
        expect(unknown.status).toBe(404)
        expect(unknown.data).toEqual({ type: "not_found", code: "not_found", message: "No account has that code" })
      })

      it("refuses bad bodies with 400 invalid_request and malformed codes with invalid_code, without counting them", async () => {
        const from = "127.0.0.12"
        for (const body of [{}, { code: 5 }, { code: "" }, { code: "ABCD-EFGH", extra: 1 }]) {
          const res = await store("post", "/store/accounts/balance", body, { from })
          expect([body, res.status, res.data.code]).toEqual([body, 400, "invalid_request"])
        }
        for (const _ of [1, 2, 3, 4]) {
          const res = await store("post", "/store/accounts/balance", { code: "!!" }, { from })
          expect([res.status, res.data.code]).toEqual([400, "invalid_code"])
        }
        const status = await getContainer().resolve<CodeGuardModuleService>("code_guard").getClientStatus(from)
        expect(status).toEqual(expect.objectContaining({ consecutive_failures: 0, total_failures: 0 }))
      })

      it("cools a client off after 3 unknown codes in a row, even for a valid code; a found code ends the run", async () => {
        const { card } = await seed()
        const check = (code: string, from = "127.0.0.13") => store("post", "/store/accounts/balance", { code }, { from })
        for (const _ of [1, 2]) expect((await check(UNKNOWN_CODE)).status).toBe(404)
        expect((await check(card.code!)).status).toBe(200) // ends the run
        for (const _ of [1, 2, 3]) expect((await check(UNKNOWN_CODE)).status).toBe(404)

        const blocked = await check(card.code!)
        expect(blocked.status).toBe(429)
        expect(blocked.data).toEqual({ type: "not_allowed", code: "code_blocked", message: expect.any(String) })
        expect(blocked.data.message).not.toMatch(/account|exist|valid/i)
        const blockedUnknown = await check(UNKNOWN_CODE)
        expect([blockedUnknown.status, blockedUnknown.data]).toEqual([429, blocked.data])
        // Another address is not affected.
        expect((await check(card.code!, "127.0.0.33")).status).toBe(200)

        await sleep(COOL_OFF_SECONDS * 1000 + 200)
        expect((await check(card.code!)).status).toBe(200)
      })

      it("keys by the socket's address: a fresh spoofed X-Forwarded-For on every guess still cools off after 3", async () => {
        const { card } = await seed()
        const from = "127.0.0.20"
        const spoofed: string[] = []
        const statuses: number[] = []
        for (let i = 0; i < 10; i++) {
          spoofed.push(randomAddress())
          const res = await store("post", "/store/accounts/balance", { code: i < 9 ? `${UNKNOWN_CODE}${i}` : card.code }, { from, xff: spoofed[i] })
          statuses.push(res.status)
        }
        expect(statuses).toEqual([404, 404, 404, 429, 429, 429, 429, 429, 429, 429])
        const guard = getContainer().resolve<CodeGuardModuleService>("code_guard")
        expect(await guard.getClientStatus(from)).toEqual(expect.objectContaining({ consecutive_failures: 3, total_failures: 3, cooling: true }))
        expect(await guard.listCodeGuardClients({ client: spoofed })).toEqual([])
      })

      it("blocks a client after 10 unknown codes in all, even for a valid code, until an admin clears it", async () => {
        const { card } = await seed()
        const from = "127.0.0.14"
        const check = (code: string) => store("post", "/store/accounts/balance", { code }, { from })
        for (let round = 0; round < 5; round++) {
          for (const _ of [1, 2]) expect((await check(UNKNOWN_CODE)).status).toBe(404)
          if (round < 4) expect((await check(card.code!)).status).toBe(200)
        }
        const blocked = await check(card.code!)
        expect([blocked.status, blocked.data.code]).toEqual([429, "code_blocked"])
        await sleep(COOL_OFF_SECONDS * 1000 + 200)
        expect((await check(card.code!)).status).toBe(429)

        const guard = getContainer().resolve<CodeGuardModuleService>("code_guard")
        expect(await guard.getClientStatus(from)).toEqual(expect.objectContaining({ total_failures: 10, blocked: true }))
        await guard.clearClient(from)
        expect((await check(card.code!)).status).toBe(200)
      })
    })

    describe("code guard per cart", () => {
      it("counts guesses on one cart from many addresses against the cart, through allocations and payment sessions alike", async () => {
        const shopStore = await seedStore(getContainer())
        const card = await ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: 25 })
        const shop = storefront(api, shopStore)
        const cart = await shop.cart([{ variant_id: shopStore.shirt.variant.id, quantity: 1 }])
        const client = (n: number) => storefront(apiFrom(api, `127.0.0.${40 + n}`), shopStore)
        for (const n of [1, 2, 3]) {
          const miss = await client(n).allocate(cart.id, { code: `NOPE-NOPE-000${n}` })
          expect([n, miss.status, miss.data.code]).toEqual([n, 404, "not_found"])
        }
        const blocked = await client(4).allocate(cart.id, { code: card.code })
        expect([blocked.status, blocked.data.code]).toEqual([429, "code_blocked"])
        // The payment collection's cart is the same cart, whichever route the guess takes.
        const viaProvider = await client(5).pay(cart.id, "pp_account_account", { code: card.code })
        expect([viaProvider.status, viaProvider.data.code]).toEqual([429, "code_blocked"])
        expect((await shop.getCart(cart.id)).credit_lines).toEqual([])

        const guard = getContainer().resolve<CodeGuardModuleService>("code_guard")
        expect(await guard.getClientStatus(`cart:${cart.id}`)).toEqual(expect.objectContaining({ consecutive_failures: 3, cooling: true }))
        // Each address failed once: on another cart it may go on.
        const other = await shop.cart([{ variant_id: shopStore.mug.variant.id, quantity: 1 }])
        const applied = await client(1).allocate(other.id, { code: card.code })
        expect([applied.status, applied.data.allocation?.amount]).toEqual([200, "25.00"])
      })
    })
  },
})
