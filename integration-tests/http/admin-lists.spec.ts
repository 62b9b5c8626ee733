import { createApiKeysWorkflow } from "@medusajs/medusa/core-flows"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { createAdminAuth } from "../support/admin"
import { eventually, storefront } from "../support/checkout"
import { Call, caller } from "../support/http"
import { seedStore } from "../support/store"

jest.setTimeout(240000)

// Read by the root medusa-config.ts at boot: three unknown codes block a client (before any
// cool-off), and the client is the address one proxy back, so a test can choose an IPv6
// address, whose key ("2001:db8:1:2::/64") has the ':' and '/' a path would mangle.
process.env.LEDGER_CODE_MAX_FAILURES = "3"
process.env.LEDGER_CODE_MAX_CONSECUTIVE = "5"
process.env.LEDGER_CODE_TRUSTED_PROXIES = "1"

const UNKNOWN_ACCOUNT = "acc_01NOTHEREAAAAAAAAAAAAAAAAA"
const GIFT_CARDS = "lat_liabilities_deferred_income_gift_cards"
const STORE_CREDIT = "lat_liabilities_deferred_income_store_credit"
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A CSV body as rows of cells (quotes handled; enough for what the API writes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ",") {
      row.push(cell)
      cell = ""
    } else if (c === "\r") continue
    else if (c === "\n") {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ""
    } else cell += c
  }
  return rows
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer }) => {
    let auth: Awaited<ReturnType<typeof createAdminAuth>>
    let call: Call
    let ledger: LedgerModuleService

    beforeEach(async () => {
      auth = await createAdminAuth(getContainer(), api)
      call = caller(api, () => auth.headers)
      ledger = getContainer().resolve<LedgerModuleService>("ledger")
    })

    const ok = async (method: Parameters<Call>[0], url: string, body?: unknown) => {
      const res = await call(method, url, body)
      if (res.status !== 200) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.data)}`)
      return res.data
    }
    const createAccount = async (body: Record<string, unknown>) =>
      (await ok("post", "/admin/accounts", { currency_code: "usd", ...body })).account
    const createCustomer = async (email: string, first_name: string, last_name: string) =>
      (await ok("post", "/admin/customers", { email, first_name, last_name })).customer
    const names = (res: { data: any }) => res.data.accounts.map((a: any) => a.name)
    const sorted = (res: { data: any }) => [...names(res)].sort()
    const expect400 = async (url: string, code = "invalid_request") => {
      const res = await call("get", url)
      expect([url, res.status, res.data.code]).toEqual([url, 400, code])
    }

    describe("accounts list", () => {
      /** Five customer accounts covering every filter. */
      const seed = async () => {
        const alice = await createCustomer("alice.smith@example.com", "Alice", "Smith")
        const bob = await createCustomer("bob@example.com", "Bob", "Jones")
        const corporate = (await ok("post", "/admin/account-types", { name: "Corporate cards", parent_id: GIFT_CARDS })).account_type
        const wallet = await createAccount({ name: "Alice wallet", customer_id: alice.id, initial_amount: 50, credit_limit: 10 })
        await ok("post", `/admin/accounts/${wallet.id}/withdraw`, { amount: "7.50" })
        const pot = await createAccount({ name: "Shared pot", customer_id: bob.id, member_ids: [alice.id], end_date: "2030-01-01T00:00:00Z" })
        const card = await createAccount({
          name: "Gift card",
          generate_code: true,
          initial_amount: 25,
          source_account_id: "@bank",
          account_type_id: GIFT_CARDS,
          end_date: "2040-01-01T00:00:00Z",
        })
        const perk = await createAccount({ name: "Perk card", initial_amount: 5, account_type_id: corporate.id, end_date: "2031-01-01T00:00:00Z" })
        const frozen = await createAccount({ name: "Old wallet", currency_code: "eur" })
        await ok("post", `/admin/accounts/${frozen.id}/freeze`)
        return { alice, bob, corporate, wallet, pot, card, perk, frozen }
      }

      it("searches by name, by a code typed in lower case with dashes, and by the owner's or a member's email", async () => {
        const { card, wallet, pot } = await seed()
        expect(sorted(await call("get", "/admin/accounts?q=wallet"))).toEqual(["Alice wallet", "Old wallet"])
        // Part of the code, as printed on the card: lower case, dashes.
        const typed = card.code.slice(2, 10).toLowerCase().match(/.{4}/g).join("-")
        expect(names(await call("get", `/admin/accounts?q=${typed}`))).toEqual(["Gift card"])
        expect(names(await call("get", `/admin/accounts?q=${encodeURIComponent(card.code.toLowerCase().match(/.{4}/g).join(" "))}`))).toEqual(["Gift card"])
        // The owner's email (Alice wallet), a member's email (the pot Alice shares).
        const byEmail = await call("get", "/admin/accounts?q=ALICE.SMITH@example")
        expect(byEmail.data.accounts.map((a: any) => a.id).sort()).toEqual([wallet.id, pot.id].sort())
        expect(sorted(await call("get", "/admin/accounts?q=bob@"))).toEqual(["Shared pot"])
        expect((await call("get", "/admin/accounts?q=nobody-at-all")).data).toEqual(expect.objectContaining({ accounts: [], count: 0 }))
        // LIKE's wildcards are taken literally.
        expect((await call("get", "/admin/accounts?q=%25")).data.count).toBe(0)
        expect(names(await call("get", `/admin/accounts?q=${wallet.id}`))).toEqual(["Alice wallet"])
        // A customer's id finds what they own and share.
        const alice = (await call("get", `/admin/accounts/${wallet.id}`)).data.account.customer_id
        expect(sorted(await call("get", `/admin/accounts?q=${alice}`))).toEqual(["Alice wallet", "Shared pot"])
      })

      it("filters by customer, balance, end date, gift card, type subtree, status, currency and core", async () => {
        const { alice, corporate, card, wallet, perk } = await seed()
        expect(sorted(await call("get", `/admin/accounts?customer_id=${alice.id}`))).toEqual(["Alice wallet", "Shared pot"])
        expect(sorted(await call("get", "/admin/accounts?has_balance=true&is_core=false"))).toEqual(["Alice wallet", "Gift card", "Perk card"])
        expect(sorted(await call("get", "/admin/accounts?has_balance=false&is_core=false"))).toEqual(["Old wallet", "Shared pot"])
        // Core accounts by their live balance: Bank paid the card (row 0, shards -25).
        const coreWithBalance = await call("get", "/admin/accounts?has_balance=true&is_core=true&currency_code=usd")
        expect(coreWithBalance.data.accounts.map((a: any) => [a.role, a.balance]).sort()).toEqual([
          ["bank", "-25.00"],
          ["unpaid_source", "-47.50"],
        ])
        expect(sorted(await call("get", "/admin/accounts?ends_before=2035-01-01"))).toEqual(["Perk card", "Shared pot"])
        expect(sorted(await call("get", "/admin/accounts?ends_before=2030-01-01T00:00:00Z"))).toEqual([])
        expect(sorted(await call("get", "/admin/accounts?is_gift_card=true"))).toEqual(["Gift card", "Perk card"])
        expect(sorted(await call("get", "/admin/accounts?is_gift_card=false&is_core=false"))).toEqual(["Alice wallet", "Old wallet", "Shared pot"])
        // A type matches with every type below it.
        expect(sorted(await call("get", `/admin/accounts?account_type_id=${GIFT_CARDS}`))).toEqual(["Gift card", "Perk card"])
        expect(sorted(await call("get", `/admin/accounts?account_type_id=${corporate.id}`))).toEqual(["Perk card"])
        expect(sorted(await call("get", `/admin/accounts?account_type_id[]=${corporate.id}&account_type_id[]=${STORE_CREDIT}`))).toEqual(
          ["Alice wallet", "Old wallet", "Perk card", "Shared pot"]
        )
        expect(sorted(await call("get", "/admin/accounts?account_type_id=lat_liabilities&is_core=true"))).toEqual([])
        expect(names(await call("get", "/admin/accounts?status=frozen"))).toEqual(["Old wallet"])
        expect(names(await call("get", "/admin/accounts?currency_code=EUR&is_core=false"))).toEqual(["Old wallet"])
        expect((await call("get", "/admin/accounts?is_core=true&currency_code=usd")).data.count).toBe(5)
        expect(names(await call("get", `/admin/accounts?code=${card.code.toLowerCase().match(/.{4}/g).join("-")}`))).toEqual(["Gift card"])
        expect((await call("get", `/admin/accounts?id[]=${wallet.id}&id[]=${perk.id}&order=name`)).data.accounts.map((a: any) => a.id)).toEqual(
          [wallet.id, perk.id]
        )
        // Created today, not tomorrow.
        const today = new Date(Date.now() - 60_000).toISOString()
        const tomorrow = new Date(Date.now() + 86_400_000).toISOString()
        expect((await call("get", `/admin/accounts?is_core=false&created_at[$gte]=${today}`)).data.count).toBe(5)
        expect((await call("get", `/admin/accounts?is_core=false&created_at[$gte]=${tomorrow}`)).data.count).toBe(0)
        expect((await call("get", `/admin/accounts?is_core=false&created_at[lt]=${tomorrow}`)).data.count).toBe(5)
      })

      it("sorts by balance, name, creation and end date, and pages", async () => {
        await seed()
        const base = "/admin/accounts?is_core=false"
        expect(names(await call("get", `${base}&order=-balance`))).toEqual(["Alice wallet", "Gift card", "Perk card", "Old wallet", "Shared pot"])
        expect(names(await call("get", `${base}&order=balance`))).toEqual(["Shared pot", "Old wallet", "Perk card", "Gift card", "Alice wallet"])
        expect(names(await call("get", `${base}&order=name`))).toEqual(["Alice wallet", "Gift card", "Old wallet", "Perk card", "Shared pot"])
        expect(names(await call("get", `${base}&order=-name`))).toEqual(["Shared pot", "Perk card", "Old wallet", "Gift card", "Alice wallet"])
        expect(names(await call("get", `${base}&order=created_at`))).toEqual(["Alice wallet", "Shared pot", "Gift card", "Perk card", "Old wallet"])
        // Newest first by default.
        expect(names(await call("get", base))).toEqual(["Old wallet", "Perk card", "Gift card", "Shared pot", "Alice wallet"])
        // No end date sorts as the latest one (never ends); ties by id.
        expect(names(await call("get", `${base}&order=end_date`))).toEqual(["Shared pot", "Perk card", "Gift card", "Alice wallet", "Old wallet"])
        expect(names(await call("get", `${base}&order=-end_date`))).toEqual(["Old wallet", "Alice wallet", "Gift card", "Perk card", "Shared pot"])
        const page1 = await call("get", `${base}&order=name&limit=2`)
        const page3 = await call("get", `${base}&order=name&limit=2&offset=4`)
        expect([page1.data.count, page1.data.limit, page1.data.offset, names(page1)]).toEqual([5, 2, 0, ["Alice wallet", "Gift card"]])
        expect([page3.data.count, page3.data.offset, names(page3)]).toEqual([5, 4, ["Shared pot"]])
        const past = await call("get", `${base}&limit=2&offset=10`)
        expect([past.data.count, past.data.accounts]).toEqual([5, []])
      })

      it("carries transfer_count, available, the owner customer and the type, for the whole page in a few queries", async () => {
        const { alice, bob, wallet, pot, card } = await seed()
        const { data } = await call("get", "/admin/accounts?is_core=false&order=name")
        const byName = Object.fromEntries(data.accounts.map((a: any) => [a.name, a]))
        expect(byName["Alice wallet"]).toEqual(
          expect.objectContaining({
            id: wallet.id,
            balance: "42.50",
            held: "0.00",
            credit_limit: "10.00",
            available: "52.50",
            transfer_count: 2,
            initial_amount: "50.00",
            issued_by_order_id: null,
            customer: { id: alice.id, email: "alice.smith@example.com", first_name: "Alice", last_name: "Smith" },
            type: { id: STORE_CREDIT, name: "Store credit", code: "liabilities.deferred_income.store_credit" },
          })
        )
        expect(byName["Shared pot"]).toEqual(
          expect.objectContaining({ id: pot.id, transfer_count: 0, initial_amount: null, customer: expect.objectContaining({ id: bob.id, email: "bob@example.com" }) })
        )
        expect(byName["Gift card"]).toEqual(
          expect.objectContaining({ id: card.id, transfer_count: 1, customer: null, type: expect.objectContaining({ id: GIFT_CARDS, name: "Gift cards" }) })
        )
        // Core accounts count their transfers too; their balances are the live ones.
        const bank = (await call("get", "/admin/accounts?is_core=true&currency_code=usd&q=bank")).data.accounts[0]
        expect([bank.role, bank.balance, bank.available, bank.transfer_count, bank.transfer_count_capped]).toEqual(["bank", "-25.00", null, 1, false])
        // `fields` picks columns; computed fields only when named (or added with +).
        const slim = await call("get", `/admin/accounts?id=${wallet.id}&fields=id,name,transfer_count`)
        expect(slim.data.accounts).toEqual([{ id: wallet.id, name: "Alice wallet", transfer_count: 2, transfer_count_capped: false }])
        const plus = await call("get", `/admin/accounts?id=${wallet.id}&fields=-customer,-transfer_count`)
        expect(plus.data.accounts[0]).not.toHaveProperty("customer")
        expect(plus.data.accounts[0]).not.toHaveProperty("transfer_count")
        expect(plus.data.accounts[0].available).toBe("52.50")
        // The account page carries the same fields.
        const detail = (await call("get", `/admin/accounts/${wallet.id}`)).data.account
        expect(detail).toEqual(
          expect.objectContaining({
            transfer_count: 2,
            available: "52.50",
            initial_amount: "50.00",
            issued_by_order_id: null,
            customer: expect.objectContaining({ email: "alice.smith@example.com" }),
            type: expect.objectContaining({ code: "liabilities.deferred_income.store_credit", path: "Liabilities / Deferred income / Store credit" }),
          })
        )
        expect(detail.members.map((m: any) => m.customer_id)).toEqual([])
      })

      it("downloads the filtered list as CSV", async () => {
        const { alice, wallet } = await seed()
        const res = await api.get("/admin/accounts?format=csv&is_core=false&order=name&limit=1", { headers: auth.headers })
        expect(res.status).toBe(200)
        expect(res.headers["content-type"]).toMatch(/^text\/csv/)
        expect(res.headers["content-disposition"]).toMatch(/^attachment; filename="accounts-\d{4}-\d{2}-\d{2}\.csv"$/)
        expect([res.headers["x-total-count"], res.headers["x-truncated"]]).toEqual(["5", "false"])
        const [header, ...rows] = parseCsv(res.data)
        expect(header.slice(0, 8)).toEqual(["id", "name", "code", "type", "status", "currency_code", "balance", "held"])
        // limit and offset do not apply: the whole list, in the list's order.
        expect(rows.map((r) => r[1])).toEqual(["Alice wallet", "Gift card", "Old wallet", "Perk card", "Shared pot"])
        const row = Object.fromEntries(header.map((h, i) => [h, rows[0][i]]))
        expect(row).toEqual(
          expect.objectContaining({
            id: wallet.id,
            type: "Store credit",
            balance: "42.50",
            available: "52.50",
            transfer_count: "2",
            customer_id: alice.id,
            customer_email: "alice.smith@example.com",
            customer_name: "Alice Smith",
          })
        )
        const filtered = await api.get("/admin/accounts?format=csv&is_gift_card=true&order=name", { headers: auth.headers })
        expect(parseCsv(filtered.data).slice(1).map((r) => r[1])).toEqual(["Gift card", "Perk card"])
      })

      it("refuses bad filters with invalid_request and writes nothing", async () => {
        for (const query of [
          "order=bogus",
          "order=-transfer_count",
          "has_balance=maybe",
          "is_gift_card=1",
          "ends_before=soon",
          "ends_before=1",
          "created_at[$gte]=yesterday",
          "created_at[$foo]=2024-01-01",
          "created_at=2024-01-01",
          "limit=0",
          "limit=5000",
          "offset=-1",
          "status=sleeping",
          "format=xml",
          "is_giftcard=true",
        ]) {
          await expect400(`/admin/accounts?${query}`)
        }
        await expect400("/admin/accounts?code=a!", "invalid_code")
      })
    })

    describe("gift cards and the orders an account paid for", () => {
      it("shows a card's initial amount and issuing order, and the orders it paid with what was refunded", async () => {
        const container = getContainer()
        const store = await seedStore(container)
        const shop = storefront(api, store)
        const paymentOf = async (orderId: string) =>
          (await ok("get", `/admin/orders/${orderId}?fields=*payment_collections,*payment_collections.payments`)).order
            .payment_collections[0].payments[0]

        // A 25.00 card bought by card: issued when the payment is captured.
        const cart = await shop.cart([{ variant_id: store.giftCard.variant.id, quantity: 1 }])
        await shop.pay(cart.id, "pp_system_default", {})
        const bought = (await shop.complete(cart.id)).data.order
        await ok("post", `/admin/payments/${(await paymentOf(bought.id)).id}/capture`, {})
        const card = await eventually(async () => {
          const { data } = await call("get", "/admin/accounts?is_gift_card=true")
          expect(data.count).toBe(1)
          return data.accounts[0]
        })
        expect(card).toEqual(expect.objectContaining({ initial_amount: "25.00", issued_by_order_id: bought.id, balance: "25.00", transfer_count: 1 }))
        const detail = (await call("get", `/admin/accounts/${card.id}`)).data.account
        expect([detail.initial_amount, detail.issued_by_order_id]).toEqual(["25.00", bought.id])

        // It pays 25.00 of a 30.00 order (mug and shipping), the rest by card.
        const next = await shop.cart([{ variant_id: store.mug.variant.id, quantity: 1 }])
        expect((await shop.allocate(next.id, { code: card.code })).status).toBe(200)
        await shop.pay(next.id, "pp_system_default", {})
        const spent = (await shop.complete(next.id)).data.order
        await ok("post", `/admin/payments/${(await paymentOf(spent.id)).id}/capture`, {})
        await eventually(async () => expect(Number((await ledger.getAccount(card.id)).balance)).toBe(0))
        // 5.00 of it comes back; a redemption for a point of sale is no order.
        const capture = (await ok("get", `/admin/transfers?account_id=${card.id}&order_id=${spent.id}`)).transfers[0]
        await ok("post", `/admin/transfers/${capture.reference}/refunds`, { amount: 5 })
        await ok("post", `/admin/accounts/code/${card.code}/redemptions`, { amount: 1, merchant_reference: "pos-7" })

        const orders = await call("get", `/admin/accounts/${card.id}/orders`)
        expect(orders.status).toBe(200)
        expect(orders.data).toEqual({
          orders: [
            {
              order_id: spent.id,
              paid: "25.00",
              refunded: "5.00",
              net: "20.00",
              transfer_count: 1,
              first_paid_at: expect.any(String),
              last_paid_at: expect.any(String),
              order: { id: spent.id, display_id: spent.display_id, email: "shopper@example.com", status: expect.any(String), created_at: expect.any(String) },
            },
          ],
          count: 1,
          limit: 20,
          offset: 0,
        })
        expect((await call("get", `/admin/accounts/${card.id}/orders?offset=1`)).data).toEqual({ orders: [], count: 1, limit: 20, offset: 1 })
        const none = await call("get", `/admin/accounts/${UNKNOWN_ACCOUNT}/orders`)
        expect([none.status, none.data.code]).toEqual([404, "not_found"])
        await expect400(`/admin/accounts/${card.id}/orders?limit=0`)
      })

      it("counts a card funded in two loads (partly from store credit) at its whole amount", async () => {
        const split = await ledger.createAccount(
          {
            name: "Gift card",
            currency_code: "usd",
            type_id: GIFT_CARDS,
            generate_code: true,
            initial_loads: [
              { amount: "12.50", source_account_id: "@unpaid_source" },
              { amount: "12.50", source_account_id: "@bank" },
            ],
          },
          { merchant_reference: "order_01SPLIT", description: "Gift card bought in Order #1" }
        )
        await ledger.topUp(split.id, 10, { merchant_reference: "order_01SPLIT" })
        const { data } = await call("get", `/admin/accounts/${split.id}`)
        expect([data.account.balance, data.account.initial_amount, data.account.issued_by_order_id, data.account.transfer_count]).toEqual(
          ["35.00", "25.00", "order_01SPLIT", 3]
        )
      })
    })

    describe("transfers list", () => {
      const seedTransfers = async () => {
        const a = await createAccount({ name: "A", initial_amount: 100 })
        const b = await createAccount({ name: "B" })
        const t1 = (await ok("post", "/admin/transfers", { source_account_id: a.id, destination_account_id: b.id, amount: 10, description: "Birthday present", merchant_reference: "order_01AAA" })).transfer
        await sleep(30)
        // Made by the system (no actor): the ledger service called directly.
        const t2 = await ledger.transfer(a.id, b.id, 20, { description: "Nightly sweep", merchant_reference: "sweep-2" })
        await sleep(30)
        const t3 = (await call("post", `/admin/accounts/${a.id}/withdraw`, { amount: 30, merchant_reference: "order_01BBB" }, auth.apiKeyHeaders)).data.transfer
        return { a, b, t1, t2, t3 }
      }

      it("searches by reference, merchant reference or description; filters by order and date range", async () => {
        const { a, t1, t2, t3 } = await seedTransfers()
        const refs = (res: { data: any }) => res.data.transfers.map((t: any) => t.reference)
        const typed = t2.reference.toLowerCase().match(/.{4}/g)!.join("-")
        expect(refs(await call("get", `/admin/transfers?q=${typed}`))).toEqual([t2.reference])
        expect(refs(await call("get", `/admin/transfers?q=${t1.id}`))).toEqual([t1.reference])
        expect(refs(await call("get", "/admin/transfers?q=01bbb"))).toEqual([t3.reference])
        expect(refs(await call("get", "/admin/transfers?q=birthday"))).toEqual([t1.reference])
        expect(refs(await call("get", `/admin/transfers?q=order_01&account_id=${a.id}`))).toEqual([t3.reference, t1.reference])
        expect(refs(await call("get", "/admin/transfers?order_id=order_01AAA"))).toEqual([t1.reference])
        expect(refs(await call("get", "/admin/transfers?order_id=order_01AAA&merchant_reference=sweep-2"))).toEqual([])
        // Dates: created_at[$gte] / [$lte] (and without $), bounds inclusive.
        const at = (t: any) => new Date(t.created_at).getTime()
        const iso = (ms: number) => new Date(ms).toISOString()
        const fromT2 = await call("get", `/admin/transfers?account_id=${a.id}&created_at[$gte]=${iso(at(t2))}`)
        expect(refs(fromT2)).toEqual([t3.reference, t2.reference])
        const upToT2 = await call("get", `/admin/transfers?account_id=${a.id}&created_at[$lte]=${iso(at(t2) + 1)}`)
        expect(refs(upToT2)).toEqual([t2.reference, t1.reference, upToT2.data.transfers[2].reference])
        expect(upToT2.data.transfers[2].kind).toBe("load")
        const between = await call("get", `/admin/transfers?created_at[gt]=${iso(at(t1) + 1)}&created_at[lt]=${iso(at(t3))}`)
        expect(refs(between)).toEqual([t2.reference])
        // Sorted as asked, newest first by default.
        expect(refs(await call("get", `/admin/transfers?account_id=${a.id}&order=amount`)).slice(0, 3)).toEqual([t1.reference, t2.reference, t3.reference])
        expect(refs(await call("get", `/admin/transfers?account_id=${a.id}&limit=1&offset=1`))).toEqual([t2.reference])
        for (const query of ["created_at[$gte]=yesterday", "created_at[$between]=2024-01-01", "order=-bogus", "kind=gift", "limit=0", "format=pdf", "account=x"]) {
          await expect400(`/admin/transfers?${query}`)
        }
      })

      it("says who authorised each transfer and names its accounts, for the whole page", async () => {
        const { a, b, t1, t2, t3 } = await seedTransfers()
        const { data } = await call("get", `/admin/transfers?account_id=${a.id}`)
        const byRef = Object.fromEntries(data.transfers.map((t: any) => [t.reference, t]))
        expect(byRef[t1.reference].authorised_by).toEqual({ type: "user", id: auth.user.id, email: "admin@ledger.test" })
        expect(byRef[t2.reference].authorised_by).toEqual({ type: "system", id: null, email: null })
        expect(byRef[t3.reference].authorised_by).toEqual({ type: "api_key", id: expect.stringMatching(/^apk_/), email: "admin@ledger.test", title: "ledger test" })
        expect(byRef[t1.reference].source).toEqual({ id: a.id, name: "A", code: null, role: null })
        expect(byRef[t1.reference].destination).toEqual({ id: b.id, name: "B", code: null, role: null })
        expect(byRef[t3.reference].destination).toEqual(expect.objectContaining({ id: "acc_sys_usd_unpaid_source", role: "unpaid_source" }))

        const csv = await api.get(`/admin/transfers?format=csv&account_id=${a.id}`, { headers: auth.headers })
        expect(csv.headers["content-type"]).toMatch(/^text\/csv/)
        expect(csv.headers["content-disposition"]).toMatch(/^attachment; filename="transfers-/)
        const [header, ...rows] = parseCsv(csv.data)
        const records = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])))
        expect(records.map((r) => r.reference)).toEqual([t3.reference, t2.reference, t1.reference, records[3].reference])
        expect(records[2]).toEqual(
          expect.objectContaining({ kind: "transfer", amount: "10.00", source_name: "A", destination_name: "B", authorised_by_type: "user", authorised_by_email: "admin@ledger.test", merchant_reference: "order_01AAA" })
        )
        expect(records[1]).toEqual(expect.objectContaining({ authorised_by_type: "system", description: "Nightly sweep" }))

        // A transfer a customer made (as store routes record them).
        const shopper = await createCustomer("shopper@example.com", "Sam", "Shopper")
        const byCustomer = await ledger.transfer(b.id, a.id, 1, { actor: { type: "customer", id: shopper.id } })
        const found = (await call("get", `/admin/transfers?q=${byCustomer.reference}`)).data.transfers
        expect(found.map((t: any) => t.authorised_by)).toEqual([{ type: "customer", id: shopper.id, email: "shopper@example.com" }])
      })

      it("shows a transfer with its entries, parent, children, refundable amount and accounts", async () => {
        const { a, b, t1 } = await seedTransfers()
        const refund = (await ok("post", `/admin/transfers/${t1.reference}/refunds`, { amount: 4 })).transfer
        const reversal = (await ok("post", `/admin/transfers/${t1.reference}/reverse`, {})).transfer
        const { data } = await call("get", `/admin/transfers/${t1.reference}`)
        expect(data.transfer).toEqual(
          expect.objectContaining({
            reference: t1.reference,
            amount: "10.00",
            parent: null,
            refundable_amount: "0.00",
            source: { id: a.id, name: "A", code: null, role: null },
            destination: { id: b.id, name: "B", code: null, role: null },
            authorised_by: { type: "user", id: auth.user.id, email: "admin@ledger.test" },
          })
        )
        expect(data.transfer.children.map((c: any) => [c.reference, c.kind, c.amount])).toEqual([
          [refund.reference, "refund", "4.00"],
          [reversal.reference, "reversal", "6.00"],
        ])
        expect(data.transfer.entries.map((e: any) => [e.account_id, e.amount]).sort()).toEqual([[a.id, "-10.00"], [b.id, "10.00"]].sort())
        const child = (await call("get", `/admin/transfers/${refund.reference}`)).data.transfer
        expect(child.parent).toEqual(expect.objectContaining({ id: t1.id, reference: t1.reference, kind: "transfer", amount: "10.00" }))
        expect([child.children, child.refundable_amount, child.source.id]).toEqual([[], "0.00", b.id])
      })
    })

    describe("account page", () => {
      it("pages the statement between dates, with running balances and what to link to", async () => {
        const account = await createAccount({ name: "Wallet", initial_amount: 100 })
        await ok("post", `/admin/accounts/${account.id}/withdraw`, { amount: 10, merchant_reference: "order_01X", description: "Paid order" })
        await sleep(30)
        const middle = new Date().toISOString()
        await sleep(30)
        await ok("post", `/admin/accounts/${account.id}/withdraw`, { amount: 5 })
        const all = (await call("get", `/admin/accounts/${account.id}/entries?order=asc`)).data
        expect(all.entries.map((e: any) => [e.kind, e.amount, e.balance_after])).toEqual([
          ["load", "100.00", "100.00"],
          ["transfer", "-10.00", "90.00"],
          ["transfer", "-5.00", "85.00"],
        ])
        expect(all.entries[1]).toEqual(
          expect.objectContaining({ reference: expect.stringMatching(/^[0-9A-Z]{16}$/), merchant_reference: "order_01X", description: "Paid order", counterparty_id: "acc_sys_usd_unpaid_source" })
        )
        const before = (await call("get", `/admin/accounts/${account.id}/entries?to=${middle}`)).data
        expect([before.count, before.entries.map((e: any) => e.balance_after)]).toEqual([2, ["90.00", "100.00"]])
        const after = (await call("get", `/admin/accounts/${account.id}/entries?from=${middle}`)).data
        expect([after.count, after.entries.map((e: any) => e.balance_after)]).toEqual([1, ["85.00"]])
        const paged = (await call("get", `/admin/accounts/${account.id}/entries?limit=1&offset=1`)).data
        expect([paged.count, paged.limit, paged.offset, paged.entries[0].balance_after]).toEqual([3, 1, 1, "90.00"])
        await expect400(`/admin/accounts/${account.id}/entries?from=garbage`)
      })

      it("charts the balance at evenly spaced points (hand-computed), for customer and core accounts", async () => {
        const account = await createAccount({ name: "Wallet", initial_amount: 100 })
        const load = (await ok("get", `/admin/transfers?account_id=${account.id}`)).transfers[0]
        await sleep(100)
        const out = (await ok("post", `/admin/accounts/${account.id}/withdraw`, { amount: 30 })).transfer
        await sleep(2000)
        const back = (await ok("post", `/admin/accounts/${account.id}/top-up`, { amount: "5.00" })).transfer
        // Points chosen around what happened: p0 before the load, p1..p3 between the
        // withdrawal and the top-up, p4 after everything.
        const from = new Date(load.created_at).getTime() - 10
        const step = Math.ceil((new Date(back.created_at).getTime() - from) / 3.5)
        expect(from + step).toBeGreaterThan(new Date(out.created_at).getTime() + 1)
        const to = from + 4 * step
        const url = `/admin/accounts/${account.id}/balance-history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&points=5`
        const { data } = await call("get", url)
        expect(data).toEqual({
          account_id: account.id,
          currency_code: "usd",
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          points: [0, 1, 2, 3, 4].map((i) => ({ at: new Date(from + i * step).toISOString(), balance: ["0.00", "70.00", "70.00", "70.00", "75.00"][i] })),
        })
        // A point just after a transfer counts it, one just before does not.
        const outAt = new Date(out.created_at).getTime()
        for (const [at, balance] of [[outAt + 1, "70.00"], [outAt - 1, "100.00"]] as const) {
          const res = await call("get", `/admin/accounts/${account.id}/balance-history?from=${new Date(from).toISOString()}&to=${new Date(at).toISOString()}&points=2`)
          expect(res.data.points.map((p: any) => p.balance)).toEqual(["0.00", balance])
        }
        // Defaults: from the account's creation to now, 60 points, ending at the balance now.
        const whole = (await call("get", `/admin/accounts/${account.id}/balance-history`)).data
        expect(whole.points).toHaveLength(60)
        expect(whole.points[59].balance).toBe("75.00")
        // A core account: the sum of its entries (it keeps no running balance).
        await ok("post", "/admin/transfers", { source_account_id: account.id, destination_account_id: "@redemptions", amount: 12, kind: "redemption" })
        const sales = await call("get", `/admin/accounts/acc_sys_usd_redemptions/balance-history?from=${new Date(from).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}&points=2`)
        expect(sales.data.points.map((p: any) => p.balance)).toEqual(["0.00", "12.00"])
        const unpaid = await call("get", `/admin/accounts/acc_sys_usd_unpaid_source/balance-history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&points=5`)
        expect(unpaid.data.points.map((p: any) => p.balance)).toEqual(["0.00", "-70.00", "-70.00", "-70.00", "-75.00"])

        for (const query of ["points=1", "points=5000", "points=x", `from=${new Date(to).toISOString()}&to=${new Date(from).toISOString()}`, "from=yesterday", "step=1"]) {
          await expect400(`/admin/accounts/${account.id}/balance-history?${query}`)
        }
        expect((await call("get", `/admin/accounts/${UNKNOWN_ACCOUNT}/balance-history`)).status).toBe(404)
      })

      it("lists holds with their expiry, reference and status", async () => {
        const account = await createAccount({ name: "Wallet", initial_amount: 100 })
        const expires = new Date(Date.now() + 3_600_000)
        const open = await ledger.hold(account.id, 20, { reference: "cart_01ABC", expires_at: expires })
        const session = await ledger.hold(account.id, "7.50", { reference: "payses_01XYZ" })
        const released = await ledger.hold(account.id, 5, { reference: "cart_01OLD" })
        await ledger.release(released.id)
        const captured = await ledger.hold(account.id, 10, { reference: "order_01PAID" })
        const transfer = await ledger.capture(captured.id, { amount: 8 })

        const openOnes = (await call("get", `/admin/accounts/${account.id}/holds?status=open`)).data
        expect(openOnes.count).toBe(2)
        expect(openOnes.holds.map((h: any) => [h.id, h.amount, h.reference, h.reference_type, h.expired])).toEqual([
          [session.id, "7.50", "payses_01XYZ", "payment_session", false],
          [open.id, "20.00", "cart_01ABC", "cart", false],
        ])
        expect(openOnes.holds[1]).toEqual(expect.objectContaining({ status: "open", expires_at: expires.toISOString(), captured_amount: "0.00", currency_code: "usd", account_id: account.id }))
        const all = (await call("get", `/admin/accounts/${account.id}/holds`)).data
        expect(all.holds.map((h: any) => h.status)).toEqual(["captured", "released", "open", "open"])
        expect(all.holds[0]).toEqual(
          expect.objectContaining({ reference_type: "order", captured_amount: "8.00", transfer_id: transfer.id, transfer_reference: transfer.reference })
        )
        expect((await call("get", `/admin/accounts/${account.id}/holds?status[]=released&status[]=captured`)).data.count).toBe(2)
        expect((await call("get", `/admin/accounts/${account.id}`)).data.account).toEqual(expect.objectContaining({ held: "27.50", available: "64.50" }))
        await expect400(`/admin/accounts/${account.id}/holds?status=pending`)
        expect((await call("get", `/admin/accounts/${UNKNOWN_ACCOUNT}/holds`)).status).toBe(404)
      })
    })

    describe("account types", () => {
      it("lists the tree with depth and account counts, and renames a type and the paths below it", async () => {
        const parent = (await ok("post", "/admin/account-types", { name: "Employee perks", parent_id: "lat_liabilities_deferred_income" })).account_type
        const child = (await ok("post", "/admin/account-types", { name: "Meal vouchers", parent_id: parent.id })).account_type
        await createAccount({ name: "Perk", account_type_id: child.id })
        await createAccount({ name: "Perk 2", account_type_id: child.id })
        const { data } = await call("get", "/admin/account-types?limit=100")
        const byId = Object.fromEntries(data.account_types.map((t: any) => [t.id, t]))
        expect(byId[child.id]).toEqual(
          expect.objectContaining({ name: "Meal vouchers", code: "liabilities.deferred_income.employee_perks.meal_vouchers", parent_id: parent.id, depth: 3, account_count: 2 })
        )
        expect([byId.lat_liabilities.depth, byId.lat_liabilities.parent_id, byId[parent.id].depth, byId[parent.id].account_count]).toEqual([0, null, 2, 0])
        const sales = (await call("get", "/admin/accounts?account_type_id=lat_assets_sales")).data.count
        expect([sales, byId.lat_assets_sales.account_count]).toEqual([sales, sales])
        expect(sales).toBeGreaterThanOrEqual(3)

        const renamed = await call("post", `/admin/account-types/${parent.id}`, { name: "Staff perks", metadata: { note: "HR" } })
        expect(renamed.status).toBe(200)
        expect(renamed.data.account_type).toEqual(
          expect.objectContaining({ id: parent.id, name: "Staff perks", code: parent.code, path: "Liabilities / Deferred income / Staff perks", metadata: { note: "HR" } })
        )
        const below = (await call("get", `/admin/account-types?id=${child.id}`)).data.account_types[0]
        expect([below.name, below.code, below.path]).toEqual(["Meal vouchers", child.code, "Liabilities / Deferred income / Staff perks / Meal vouchers"])
        // The default types may be renamed: everything finds them by id and code.
        const cards = await call("post", `/admin/account-types/${GIFT_CARDS}`, { name: "Gift vouchers" })
        expect(cards.data.account_type).toEqual(expect.objectContaining({ code: "liabilities.deferred_income.gift_cards", path: "Liabilities / Deferred income / Gift vouchers" }))
        const root = await call("post", "/admin/account-types/lat_liabilities", { name: "Owed" })
        expect(root.data.account_type.path).toBe("Owed")
        expect((await call("get", `/admin/account-types?id=${child.id}`)).data.account_types[0].path).toBe("Owed / Deferred income / Staff perks / Meal vouchers")
        const card = await createAccount({ name: "Card", account_type_id: GIFT_CARDS })
        expect((await call("get", `/admin/accounts?is_gift_card=true`)).data.accounts.map((a: any) => a.id)).toEqual([card.id])

        const missing = await call("post", "/admin/account-types/lat_nope", { name: "X" })
        expect([missing.status, missing.data.code]).toEqual([404, "not_found"])
        for (const body of [{ code: "x" }, { name: "" }, { name: "A / B" }, { parent_id: null }]) {
          const res = await call("post", `/admin/account-types/${parent.id}`, body)
          expect([body, res.status, res.data.code]).toEqual([body, 400, "invalid_request"])
        }
      })
    })

    describe("code guard", () => {
      it("lists blocked clients and clears one (a key with ':' and '/'), after which its next lookup is allowed", async () => {
        const {
          result: [key],
        } = await createApiKeysWorkflow(getContainer()).run({ input: { api_keys: [{ title: "web", type: "publishable", created_by: "" }] } })
        const card = await ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: 10 })
        const lookup = async (code: string, address: string) =>
          (
            await api.post("/store/accounts/balance", { code }, {
              headers: { "x-publishable-api-key": key.token, "x-forwarded-for": address },
              validateStatus: () => true,
            })
          ).status as number
        const guesser = "2001:db8:1:2::7"
        const statuses = []
        for (let i = 0; i < 4; i++) statuses.push(await lookup("ZZZZ-ZZZZ-ZZZZ-ZZZZ", guesser))
        expect(statuses).toEqual([404, 404, 404, 429])
        expect(await lookup(card.code!, "2001:db8:1:2::8")).toBe(429) // the same /64
        expect(await lookup("YYYY-YYYY-YYYY-YYYY", "198.51.100.9")).toBe(404)

        const blocked = (await call("get", "/admin/ledger/code-guard/clients?blocked=true")).data
        expect(blocked).toEqual({
          clients: [
            {
              client: "2001:db8:1:2::/64",
              consecutive_failures: 3,
              total_failures: 3,
              cooling: false,
              cooling_until: null,
              blocked: true,
              blocked_at: expect.any(String),
              blocked_until: null,
              last_failure_at: expect.any(String),
            },
          ],
          count: 1,
          limit: 50,
          offset: 0,
          rules: { max_consecutive_failures: 5, cool_off_seconds: 900, max_failures: 3, block_seconds: null },
        })
        const others = (await call("get", "/admin/ledger/code-guard/clients?blocked=false")).data
        expect(others.clients.map((c: any) => [c.client, c.total_failures, c.blocked])).toEqual([["198.51.100.9", 1, false]])
        expect((await call("get", "/admin/ledger/code-guard/clients")).data.count).toBe(2)
        expect((await call("get", "/admin/ledger/code-guard/clients?q=2001:db8")).data.count).toBe(1)

        const cleared = await call("post", "/admin/ledger/code-guard/clear", { client: "2001:db8:1:2::/64" })
        expect(cleared.status).toBe(200)
        expect(cleared.data.client).toEqual(expect.objectContaining({ client: "2001:db8:1:2::/64", total_failures: 0, blocked: false, cooling: false }))
        expect((await call("get", "/admin/ledger/code-guard/clients?blocked=true")).data.count).toBe(0)
        expect(await lookup(card.code!, guesser)).toBe(200)

        const unknown = await call("post", "/admin/ledger/code-guard/clear", { client: "203.0.113.1" })
        expect([unknown.status, unknown.data.code]).toEqual([404, "not_found"])
        for (const body of [{}, { client: "" }, { client: "x", extra: 1 }]) {
          const res = await call("post", "/admin/ledger/code-guard/clear", body)
          expect([body, res.status, res.data.code]).toEqual([body, 400, "invalid_request"])
        }
        await expect400("/admin/ledger/code-guard/clients?blocked=perhaps")
        const anonymous = await call("get", "/admin/ledger/code-guard/clients", undefined, {})
        expect(anonymous.status).toBe(401)
        expect((await call("post", "/admin/ledger/code-guard/clear", { client: guesser }, {})).status).toBe(401)
      })
    })

    describe("store currencies for the create form", () => {
      it("come from Medusa's own /admin/stores", async () => {
        const { data } = await call("get", "/admin/stores?fields=id,supported_currencies.currency_code,supported_currencies.is_default")
        expect(data.stores).toEqual([expect.objectContaining({ supported_currencies: expect.any(Array) })])
      })
    })
  },
})
