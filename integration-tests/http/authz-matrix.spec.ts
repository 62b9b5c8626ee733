import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type CodeGuardModuleService from "../../src/modules/code-guard/service"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { createAdminAuth } from "../support/admin"
import { storefront } from "../support/checkout"
import { snapshot } from "../support/ledger-helpers"
import { TestStore, registerShopper, seedStore } from "../support/store"

jest.setTimeout(600000)

/**
 * Issue 10 §4, the authorization matrix: every store route of the plugin × who calls, and
 * every admin route × which credentials, each cell one real request against a booted Medusa.
 *
 * A cell passes when the status is the expected one and:
 * - a refused request (≥ 400) changed nothing: ledger rows, balances, holds, statuses, account
 *   types, code-guard rows, cart credit lines and payment sessions are as before, and its body
 *   is a bare error (`type`, `code`, `message`);
 * - a read (GET, the balance check) changed nothing either; a write that succeeded did change
 *   something (so its 2xx means the request really did what it says);
 * - no body ever shows anything of an account the caller may not see (another customer's ids
 *   and names), except what the caller sent itself (an id in the URL echoed by `not_found`).
 */

type Method = "get" | "post" | "delete"
type Req = { method: Method; url: string; body?: unknown }
type Res = { status: number; data: any }

// Store columns: who calls.
//   none   no publishable key, no login
//   other  another customer (Bob), logged in: owns nothing of Alice's and is no member
//   guest  publishable key only, acting on a guest cart (no customer)
//   owner  Alice, logged in, owns the accounts under test
//   member Carol, logged in, listed as a member of Alice's shared account (not of her private one)
const STORE_COLUMNS = ["none", "other", "guest", "owner", "member"] as const
type StoreWho = (typeof STORE_COLUMNS)[number]

// Admin columns: which credentials.
//   none     nothing
//   customer a customer's bearer token (with the publishable key)
//   pk       the publishable key only
//   admin    an admin user's bearer token
//   secret   a secret API key (Authorization: Basic base64(key:))
const ADMIN_COLUMNS = ["none", "customer", "pk", "admin", "secret"] as const
type AdminWho = (typeof ADMIN_COLUMNS)[number]

type Row<W extends string> = {
  route: string
  /** expected status per column, in the column order above */
  expect: [number, number, number, number, number]
  /** the request is meant to change something when it succeeds */
  writes: boolean
  /** per cell: creates what the request needs (fresh for each cell) and returns the request */
  prepare: (who: W) => Promise<Req>
  /** extra checks on a cell's answer */
  check?: (who: W, res: Res) => void | Promise<void>
}

const BARE_ERROR_KEYS = ["code", "message", "type"]

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    const totals: Record<string, number> = {}
    afterAll(() => {
      const all = Object.values(totals).reduce((a, b) => a + b, 0)
      console.log(`authorization matrix: ${all} cells (${Object.entries(totals).map(([t, n]) => `${t.split(" ")[0]} ${n}`).join(", ")})`)
    })
    const db = () => getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
    const ledger = () => getContainer().resolve<LedgerModuleService>("ledger")

    const send = async (req: Req, headers: Record<string, string>): Promise<Res> => {
      const config = { headers, validateStatus: () => true }
      const res =
        req.method === "post" ? await api.post(req.url, req.body ?? {}, config) : await api[req.method](req.url, config)
      return { status: res.status, data: res.data }
    }

    /** Everything a request of the matrix could write. */
    const fingerprint = async () => {
      const knex = db()
      const rows = async (sql: string) => (await knex.raw(sql)).rows
      return {
        ledger: await snapshot(knex),
        operations: await rows(`SELECT id, status, updated_at FROM ledger_operation ORDER BY id`),
        types: await rows(`SELECT id, name, updated_at FROM ledger_account_type ORDER BY id`),
        // reconciliation sweeps and scheduled verifies on record
        runs: await rows(`SELECT id FROM ledger_check_run ORDER BY id`),
        // failed code attempts on record (a found code may leave a row with none, which is no change)
        guard: await rows(
          `SELECT client, consecutive_failures, total_failures, blocked_at FROM code_guard_client
            WHERE deleted_at IS NULL AND (consecutive_failures > 0 OR total_failures > 0) ORDER BY client`
        ),
        credit_lines: await rows(`SELECT id, cart_id, reference_id, amount::text FROM credit_line WHERE deleted_at IS NULL ORDER BY id`),
        sessions: await rows(`SELECT id, provider_id, status FROM payment_session WHERE deleted_at IS NULL ORDER BY id`),
        payments: await rows(`SELECT id FROM payment WHERE deleted_at IS NULL ORDER BY id`),
      }
    }

    /**
     * Runs every cell of `rows` × `columns`, collecting mismatches (reported together at the
     * end) and the statuses seen (printed as the table).
     */
    async function runMatrix<W extends string>(
      title: string,
      columns: readonly W[],
      headersOf: (who: W) => Record<string, string>,
      rows: Row<W>[],
      forbidden: (who: W) => string[]
    ) {
      const failures: string[] = []
      const seen: string[][] = []
      let cells = 0
      for (const row of rows) {
        const line: string[] = []
        for (const [i, who] of columns.entries()) {
          cells++
          const expected = row.expect[i]
          const where = `${row.route} × ${who}`
          let req: Req
          try {
            req = await row.prepare(who)
          } catch (e: any) {
            failures.push(`${where}: preparing failed: ${e?.message ?? e}`)
            line.push("ERR")
            continue
          }
          const before = await fingerprint()
          const res = await send(req, headersOf(who))
          const after = await fingerprint()
          line.push(String(res.status))
          const body = JSON.stringify(res.data ?? null)
          if (res.status !== expected) {
            failures.push(`${where}: expected ${expected}, got ${res.status} ${body.slice(0, 300)}`)
            continue
          }
          const refused = res.status >= 400
          const changed = (Object.keys(before) as (keyof typeof before)[]).filter(
            (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])
          )
          if (refused || !row.writes) {
            if (changed.length) {
              const detail = changed.map((k) => `${k}: ${JSON.stringify(before[k]).slice(0, 400)} → ${JSON.stringify(after[k]).slice(0, 400)}`)
              failures.push(`${where}: ${refused ? "refused" : "read"} with ${res.status} but ${detail.join("; ")}`)
            }
          } else if (!changed.length) {
            failures.push(`${where}: answered ${res.status} but changed nothing`)
          }
          if (refused) {
            const keys = Object.keys(res.data ?? {}).sort()
            if (!keys.every((k) => BARE_ERROR_KEYS.includes(k))) {
              failures.push(`${where}: refusal carries more than an error: ${body.slice(0, 300)}`)
            }
          }
          // Nothing of accounts the caller may not see, unless the caller itself sent it.
          const sent = `${req.url} ${JSON.stringify(req.body ?? null)}`
          const leaked = forbidden(who).filter((m) => body.includes(m) && !sent.includes(m))
          if (leaked.length) {
            failures.push(`${where}: the answer shows ${leaked.join(", ")}`)
          }
          if (row.check && !refused) {
            try {
              await row.check(who, res)
            } catch (e: any) {
              failures.push(`${where}: ${String(e?.message ?? e).split("\n").slice(0, 12).join("\n")}`)
            }
          }
        }
        seen.push([row.route, ...line])
      }
      const width = Math.max(...seen.map((r) => r[0].length))
      const table = [
        `${title}: ${rows.length} routes × ${columns.length} = ${cells} cells`,
        `${"".padEnd(width)}  ${columns.map((c) => c.padStart(10)).join("")}`,
        ...seen.map(([route, ...s]) => `${route.padEnd(width)}  ${s.map((x) => x.padStart(10)).join("")}`),
      ].join("\n")
      console.log(table)
      totals[title] = cells
      return { cells, failures }
    }

    // ---------------------------------------------------------------- store

    it("store routes: nothing of another customer's is readable or spendable", async () => {
      const container = getContainer()
      const store: TestStore = await seedStore(container)
      const shop = storefront(api, store)
      const alice = await registerShopper(api, store.publishableKey, "alice@matrix.test")
      const bob = await registerShopper(api, store.publishableKey, "bob@matrix.test")
      const carol = await registerShopper(api, store.publishableKey, "carol@matrix.test")
      const l = ledger()
      const shared = await l.createAccount({ name: "Alice shared wallet", currency_code: "usd", customer_id: alice.customer.id, member_ids: [carol.customer.id], initial_amount: 100 })
      await l.redeem(shared.id, "5", { merchant_reference: "order_alice_secret" })
      const own = await l.createAccount({ name: "Alice private pot", currency_code: "usd", customer_id: alice.customer.id, initial_amount: 80 })
      const bobs = await l.createAccount({ name: "Bob wallet", currency_code: "usd", customer_id: bob.customer.id, initial_amount: 30 })
      const card = await l.createAccount({ name: "Matrix gift card", currency_code: "usd", generate_code: true, initial_amount: 100 })

      const headers: Record<StoreWho, Record<string, string>> = {
        none: {},
        other: bob.headers,
        guest: shop.guest,
        owner: alice.headers,
        member: carol.headers,
      }
      const forbidden: Record<StoreWho, string[]> = {
        none: [shared.id, shared.name, own.id, own.name, bobs.id, bobs.name, "order_alice_secret"],
        guest: [shared.id, shared.name, own.id, own.name, bobs.id, bobs.name, "order_alice_secret"],
        other: [shared.id, shared.name, own.id, own.name, "order_alice_secret"],
        owner: [bobs.id, bobs.name],
        member: [own.id, own.name, bobs.id, bobs.name],
      }
      // A cart with a 50.00 shirt and 10.00 shipping: the caller's own (a guest cart when not logged in).
      const items = [{ variant_id: store.shirt.variant.id, quantity: 1 }]
      const cartOf = async (who: StoreWho) => (await shop.cart(items, who === "none" ? shop.guest : headers[who])).id
      const ownerCart = async () => (await shop.cart(items, alice.headers)).id
      const collectionOf = async (cartId: string, who: StoreWho) => {
        const res = await shop.send("post", "/store/payment-collections", { cart_id: cartId }, who === "none" ? shop.guest : headers[who])
        if (res.status !== 200) throw new Error(`payment collection: ${res.status} ${JSON.stringify(res.data)}`)
        return res.data.payment_collection.id as string
      }
      const allocate = async (cartId: string, body: Record<string, unknown>, h: Record<string, string>) => {
        const res = await shop.allocate(cartId, body, h)
        if (res.status !== 200) throw new Error(`allocation: ${res.status} ${JSON.stringify(res.data)}`)
        return res.data.allocation.id as string
      }
      const listed = (res: Res) => res.data.accounts.map((a: any) => `${a.id}:${a.is_owner}`).sort()
      const sessionData = (res: Res) =>
        res.data.payment_collection.payment_sessions.filter((s: any) => s.provider_id === "pp_account_account").map((s: any) => s.data.account_id)

      const A = "/store/accounts"
      const rows: Row<StoreWho>[] = [
        {
          route: "GET /store/accounts",
          expect: [400, 200, 401, 200, 200],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}?limit=100` }),
          check: (who, res) => {
            const want: Record<string, string[]> = {
              other: [`${bobs.id}:true`],
              owner: [`${shared.id}:true`, `${own.id}:true`].sort(),
              member: [`${shared.id}:false`],
            }
            expect(listed(res)).toEqual(want[who])
          },
        },
        {
          // Filters other than the store's own (status, currency_code) are refused, never applied.
          route: "GET /store/accounts?id=…&customer_id=owner",
          expect: [400, 400, 401, 400, 400],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}?id=${own.id}&customer_id=${alice.customer.id}` }),
        },
        {
          route: "GET /store/accounts/:id (shared)",
          expect: [400, 404, 401, 200, 200],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${shared.id}` }),
          check: (who, res) => {
            expect(res.data.account).toEqual(expect.objectContaining({ id: shared.id, balance: "95.00", is_owner: who === "owner" }))
          },
        },
        {
          route: "GET /store/accounts/:id/entries (shared)",
          expect: [400, 404, 401, 200, 200],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${shared.id}/entries` }),
          check: (_, res) => {
            expect(res.data.entries.map((e: any) => e.amount).sort()).toEqual(["-5.00", "100.00"])
          },
        },
        {
          route: "GET /store/accounts/:id/lots (shared)",
          expect: [400, 404, 401, 200, 200],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${shared.id}/lots?status=all` }),
          check: (_, res) => expect(res.data).toEqual(expect.objectContaining({ lots: [], count: 0, next_expiring: null })),
        },
        {
          route: "GET /store/accounts/:id (private)",
          expect: [400, 404, 401, 200, 404],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${own.id}` }),
          check: (_, res) => expect(res.data.account).toEqual(expect.objectContaining({ id: own.id, is_owner: true })),
        },
        {
          route: "GET /store/accounts/:id/entries (private)",
          expect: [400, 404, 401, 200, 404],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${own.id}/entries` }),
          check: (_, res) => expect(res.data.entries.map((e: any) => e.amount)).toEqual(["80.00"]),
        },
        {
          route: "GET /store/accounts/:id/lots (private)",
          expect: [400, 404, 401, 200, 404],
          writes: false,
          prepare: async () => ({ method: "get", url: `${A}/${own.id}/lots` }),
          check: (_, res) => expect(res.data.lots).toEqual([]),
        },
        {
          route: "POST /store/accounts/balance {code}",
          expect: [400, 200, 200, 200, 200],
          writes: false,
          prepare: async () => ({ method: "post", url: `${A}/balance`, body: { code: card.code } }),
          check: (_, res) => expect(res.data.account).toEqual(expect.objectContaining({ balance: "100.00", currency_code: "usd" })),
        },
        {
          route: "POST …/account-allocations {account_id: shared} (own cart)",
          expect: [400, 404, 404, 200, 200],
          writes: true,
          prepare: async (who) => ({ method: "post", url: `/store/carts/${await cartOf(who)}/account-allocations`, body: { account_id: shared.id, amount: "10" } }),
          check: (_, res) => expect(res.data.allocation).toEqual(expect.objectContaining({ account_id: shared.id, amount: "10.00" })),
        },
        {
          route: "POST …/account-allocations {account_id: shared} (owner's cart)",
          expect: [400, 404, 404, 200, 200],
          writes: true,
          prepare: async () => ({ method: "post", url: `/store/carts/${await ownerCart()}/account-allocations`, body: { account_id: shared.id, amount: "10" } }),
          check: (_, res) => expect(res.data.allocation).toEqual(expect.objectContaining({ account_id: shared.id, amount: "10.00" })),
        },
        {
          route: "POST …/account-allocations {account_id: private} (own cart)",
          expect: [400, 404, 404, 200, 404],
          writes: true,
          prepare: async (who) => ({ method: "post", url: `/store/carts/${await cartOf(who)}/account-allocations`, body: { account_id: own.id, amount: "10" } }),
          check: (_, res) => expect(res.data.allocation).toEqual(expect.objectContaining({ account_id: own.id, amount: "10.00" })),
        },
        {
          route: "POST …/account-allocations {code} (own cart)",
          expect: [400, 200, 200, 200, 200],
          writes: true,
          prepare: async (who) => ({ method: "post", url: `/store/carts/${await cartOf(who)}/account-allocations`, body: { code: card.code, amount: "10" } }),
          check: (_, res) => expect(res.data.allocation).toEqual(expect.objectContaining({ account_id: card.id, amount: "10.00" })),
        },
        {
          // Medusa's cart model: whoever holds a cart's id may change the cart (items, address,
          // completion), and an allocation is part of the cart. Removing one moves no money and
          // shows nothing GET /store/carts/:id does not.
          route: "DELETE …/account-allocations/:id (owner's cart)",
          expect: [400, 200, 200, 200, 200],
          writes: true,
          prepare: async () => {
            const cartId = await ownerCart()
            const allocationId = await allocate(cartId, { account_id: shared.id, amount: "10" }, alice.headers)
            return { method: "delete", url: `/store/carts/${cartId}/account-allocations/${allocationId}` }
          },
          check: (_, res) => expect([res.data.deleted, res.data.cart.account_allocations]).toEqual([true, []]),
        },
        {
          route: "DELETE …/account-allocations/:id {code} (own cart)",
          expect: [400, 200, 200, 200, 200],
          writes: true,
          prepare: async (who) => {
            const cartId = await cartOf(who)
            const allocationId = await allocate(cartId, { code: card.code, amount: "10" }, who === "none" ? shop.guest : headers[who])
            return { method: "delete", url: `/store/carts/${cartId}/account-allocations/${allocationId}` }
          },
          check: (_, res) => expect(res.data.deleted).toBe(true),
        },
        {
          route: "POST …/payment-sessions {account_id: shared}",
          expect: [400, 404, 404, 200, 200],
          writes: true,
          prepare: async (who) => ({
            method: "post",
            url: `/store/payment-collections/${await collectionOf(await cartOf(who), who)}/payment-sessions`,
            body: { provider_id: "pp_account_account", data: { account_id: shared.id } },
          }),
          check: (_, res) => expect(sessionData(res)).toEqual([shared.id]),
        },
        {
          route: "POST …/payment-sessions {account_id: private}",
          expect: [400, 404, 404, 200, 404],
          writes: true,
          prepare: async (who) => ({
            method: "post",
            url: `/store/payment-collections/${await collectionOf(await cartOf(who), who)}/payment-sessions`,
            body: { provider_id: "pp_account_account", data: { account_id: own.id } },
          }),
          check: (_, res) => expect(sessionData(res)).toEqual([own.id]),
        },
        {
          route: "POST …/payment-sessions {code}",
          expect: [400, 200, 200, 200, 200],
          writes: true,
          prepare: async (who) => ({
            method: "post",
            url: `/store/payment-collections/${await collectionOf(await cartOf(who), who)}/payment-sessions`,
            body: { provider_id: "pp_account_account", data: { code: card.code } },
          }),
          check: (_, res) => expect(sessionData(res)).toEqual([card.id]),
        },
      ]

      const before = { shared: (await l.getAccount(shared.id)).balance, own: (await l.getAccount(own.id)).balance }
      const { cells, failures } = await runMatrix("store authorization matrix", STORE_COLUMNS, (who) => headers[who], rows, (who) => forbidden[who])
      expect(cells).toBe(rows.length * STORE_COLUMNS.length)
      expect(failures).toEqual([])
      // Allocations and sessions reserve nothing before completion: Alice's money is where it was.
      expect({ shared: (await l.getAccount(shared.id)).balance, own: (await l.getAccount(own.id)).balance }).toEqual(before)
      const verified = await l.verify()
      expect(verified.checks.filter((c) => !c.ok)).toEqual([])
    })

    // ---------------------------------------------------------------- admin

    it("admin routes: only an admin or a secret API key", async () => {
      const container = getContainer()
      const store: TestStore = await seedStore(container)
      const shop = storefront(api, store)
      const auth = await createAdminAuth(container, api)
      const alice = await registerShopper(api, store.publishableKey, "alice@matrix.test")
      const l = ledger()
      const guard = container.resolve<CodeGuardModuleService>("code_guard")

      const headers: Record<AdminWho, Record<string, string>> = {
        none: {},
        customer: alice.headers,
        pk: shop.guest,
        admin: auth.headers,
        secret: auth.apiKeyHeaders,
      }
      const adminOk = async (method: Method, url: string, body?: unknown) => {
        const res = await send({ method, url, body }, auth.headers)
        if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
        return res.data
      }

      const wallet = await l.createAccount({ name: "Alice wallet", currency_code: "usd", customer_id: alice.customer.id, initial_amount: 100 })
      const pot = await l.createAccount({ name: "Matrix pot", currency_code: "usd", initial_amount: 1000 })
      const other = await l.createAccount({ name: "Matrix other", currency_code: "usd" })
      const card = await l.createAccount({ name: "Matrix gift card", currency_code: "usd", generate_code: true, initial_amount: 100 })
      const seenTransfer = await l.transfer(pot.id, other.id, "3")
      const type = await l.createAccountType({ name: "Matrix renamable" })

      // A 60.00 order of Alice's paid by card and captured (refund-to-account, account-money) and
      // one with 20.00 due after an order edit (pay-from-account).
      const paidOrder = async () => {
        const cart = await shop.cart([{ variant_id: store.shirt.variant.id, quantity: 1 }], alice.headers)
        const session = await shop.pay(cart.id, "pp_system_default", {}, alice.headers)
        expect(session.status).toBe(200)
        const { data } = await shop.complete(cart.id, alice.headers)
        expect(data.type).toBe("order")
        const { order } = await adminOk("get", `/admin/orders/${data.order.id}?fields=*payment_collections,*payment_collections.payments`)
        await adminOk("post", `/admin/payments/${order.payment_collections[0].payments[0].id}/capture`, {})
        return data.order.id as string
      }
      const paid = await paidOrder()
      const due = await paidOrder()
      await adminOk("post", "/admin/order-edits", { order_id: due })
      await adminOk("post", `/admin/order-edits/${due}/items`, { items: [{ variant_id: store.mug.variant.id, quantity: 1 }] })
      await adminOk("post", `/admin/order-edits/${due}/request`, {})
      await adminOk("post", `/admin/order-edits/${due}/confirm`, {})

      let n = 0
      const fresh = async (extra: Record<string, unknown> = {}) =>
        l.createAccount({ name: `Matrix fresh ${++n}`, currency_code: "usd", ...extra })
      const get = (url: string) => async (): Promise<Req> => ({ method: "get", url })
      const post = (url: string, body: unknown = {}) => async (): Promise<Req> => ({ method: "post", url, body })
      const ADMIN: Row<AdminWho>["expect"] = [401, 401, 401, 200, 200]
      const AC = "/admin/accounts"
      const rows: Row<AdminWho>[] = [
        { route: "GET /admin/accounts", expect: ADMIN, writes: false, prepare: get(`${AC}?limit=5`) },
        { route: "POST /admin/accounts", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: AC, body: { name: `Matrix new ${++n}`, currency_code: "usd", initial_amount: "5" } }) },
        { route: "GET /admin/accounts/:id", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}`) },
        { route: "POST /admin/accounts/:id", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: `${AC}/${pot.id}`, body: { name: `Matrix pot ${++n}` } }) },
        { route: "POST /admin/accounts/:id/freeze", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: `${AC}/${(await fresh()).id}/freeze`, body: {} }) },
        {
          route: "POST /admin/accounts/:id/thaw",
          expect: ADMIN,
          writes: true,
          prepare: async () => {
            const account = await fresh()
            await l.freezeAccount(account.id)
            return { method: "post", url: `${AC}/${account.id}/thaw`, body: {} }
          },
        },
        { route: "POST /admin/accounts/:id/close", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: `${AC}/${(await fresh()).id}/close`, body: {} }) },
        { route: "POST /admin/accounts/:id/top-up", expect: ADMIN, writes: true, prepare: post(`${AC}/${wallet.id}/top-up`, { amount: "1" }) },
        { route: "POST /admin/accounts/:id/withdraw", expect: ADMIN, writes: true, prepare: post(`${AC}/${pot.id}/withdraw`, { amount: "1" }) },
        { route: "GET /admin/accounts/:id/entries", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}/entries`) },
        { route: "GET /admin/accounts/:id/lots", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}/lots`) },
        { route: "GET /admin/accounts/:id/balance-history", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}/balance-history`) },
        { route: "GET /admin/accounts/:id/holds", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}/holds`) },
        { route: "GET /admin/accounts/:id/orders", expect: ADMIN, writes: false, prepare: get(`${AC}/${wallet.id}/orders`) },
        { route: "GET /admin/accounts/code/:code", expect: ADMIN, writes: false, prepare: get(`${AC}/code/${card.code}`) },
        { route: "POST /admin/accounts/code/:code/redemptions", expect: ADMIN, writes: true, prepare: post(`${AC}/code/${card.code}/redemptions`, { amount: "1" }) },
        {
          route: "POST /admin/accounts/code/:code/refunds",
          expect: ADMIN,
          writes: true,
          prepare: async () => {
            const redemption = await l.redeem(card.id, "1")
            return { method: "post", url: `${AC}/code/${card.code}/refunds`, body: { amount: "1", transfer_reference: redemption.reference } }
          },
        },
        { route: "GET /admin/transfers", expect: ADMIN, writes: false, prepare: get("/admin/transfers?limit=5") },
        {
          route: "POST /admin/transfers",
          expect: ADMIN,
          writes: true,
          prepare: post("/admin/transfers", { source_account_id: pot.id, destination_account_id: other.id, amount: "1" }),
        },
        {
          route: "POST /admin/transfers/batch",
          expect: ADMIN,
          writes: true,
          prepare: post("/admin/transfers/batch", { transfers: [{ source_account_id: pot.id, destination_account_id: other.id, amount: "1" }] }),
        },
        {
          route: "POST /admin/accounts/batch",
          expect: ADMIN,
          writes: true,
          prepare: async () => ({ method: "post", url: `${AC}/batch`, body: { accounts: [{ name: `Matrix batch ${++n}`, currency_code: "usd", initial_amount: "5" }] } }),
        },
        {
          route: "POST /admin/accounts/bulk-credit",
          expect: ADMIN,
          writes: true,
          prepare: post("/admin/accounts/bulk-credit", { currency_code: "usd", rows: [{ account_id: other.id, amount: "1", note: "Matrix" }] }),
        },
        {
          route: "POST /admin/ledger/imports/csv",
          expect: ADMIN,
          writes: false,
          prepare: post("/admin/ledger/imports/csv", { csv: "code,currency,balance,expiry,customer_email,type\nMATRIX-IMPORT-1,usd,5,,,gift_card\n", dry_run: true }),
        },
        { route: "GET /admin/transfers/:reference", expect: ADMIN, writes: false, prepare: get(`/admin/transfers/${seenTransfer.reference}`) },
        {
          route: "POST /admin/transfers/:reference/reverse",
          expect: ADMIN,
          writes: true,
          prepare: async () => ({ method: "post", url: `/admin/transfers/${(await l.transfer(pot.id, other.id, "1")).reference}/reverse`, body: {} }),
        },
        {
          route: "POST /admin/transfers/:reference/refunds",
          expect: ADMIN,
          writes: true,
          prepare: async () => ({ method: "post", url: `/admin/transfers/${(await l.redeem(pot.id, "2")).reference}/refunds`, body: { amount: "1" } }),
        },
        { route: "GET /admin/account-types", expect: ADMIN, writes: false, prepare: get("/admin/account-types") },
        { route: "POST /admin/account-types", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: "/admin/account-types", body: { name: `Matrix type ${++n}` } }) },
        { route: "POST /admin/account-types/:id", expect: ADMIN, writes: true, prepare: async () => ({ method: "post", url: `/admin/account-types/${type.id}`, body: { name: `Matrix renamed ${++n}` } }) },
        { route: "GET /admin/ledger/verify", expect: ADMIN, writes: false, prepare: get("/admin/ledger/verify") },
        { route: "GET /admin/ledger/reports/deferred-income", expect: ADMIN, writes: false, prepare: get("/admin/ledger/reports/deferred-income") },
        { route: "GET /admin/ledger/reports/profit-loss", expect: ADMIN, writes: false, prepare: get("/admin/ledger/reports/profit-loss") },
        { route: "GET /admin/ledger/reports/trial-balance", expect: ADMIN, writes: false, prepare: get("/admin/ledger/reports/trial-balance") },
        { route: "GET /admin/ledger/code-guard/clients", expect: ADMIN, writes: false, prepare: get("/admin/ledger/code-guard/clients") },
        {
          route: "POST /admin/ledger/code-guard/clear",
          expect: ADMIN,
          writes: true,
          prepare: async () => {
            const client = `198.51.100.${++n}`
            await guard.recordFailure(client)
            return { method: "post", url: "/admin/ledger/code-guard/clear", body: { client } }
          },
        },
        {
          route: "POST /admin/customers/:id/store-credit",
          expect: ADMIN,
          writes: true,
          prepare: post(`/admin/customers/${alice.customer.id}/store-credit`, { amount: "1", currency_code: "usd" }),
        },
        { route: "POST /admin/orders/:id/refund-to-account", expect: ADMIN, writes: true, prepare: post(`/admin/orders/${paid}/refund-to-account`, { amount: "1" }) },
        {
          route: "POST /admin/orders/:id/pay-from-account",
          expect: ADMIN,
          writes: true,
          prepare: post(`/admin/orders/${due}/pay-from-account`, { account_id: wallet.id, amount: "1" }),
        },
        { route: "GET /admin/orders/:id/account-money", expect: ADMIN, writes: false, prepare: get(`/admin/orders/${paid}/account-money`) },
        { route: "GET /admin/ledger/reconciliation", expect: ADMIN, writes: false, prepare: get("/admin/ledger/reconciliation") },
        { route: "POST /admin/ledger/reconciliation", expect: ADMIN, writes: true, prepare: post("/admin/ledger/reconciliation", { days: 1 }) },
      ]

      // A refusal must not show any of these (an admin's answers may).
      const secrets = [wallet.id, wallet.name, pot.id, card.id, seenTransfer.reference, "Matrix renamable"]
      const { cells, failures } = await runMatrix("admin authorization matrix", ADMIN_COLUMNS, (who) => headers[who], rows, (who) =>
        who === "admin" || who === "secret" ? [] : secrets
      )
      expect(cells).toBe(rows.length * ADMIN_COLUMNS.length)
      expect(failures).toEqual([])
      const verified = await l.verify()
      expect(verified.checks.filter((c) => !c.ok)).toEqual([])
    })
  },
})
