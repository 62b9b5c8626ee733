import http from "http"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type LedgerModuleService from "../../src/modules/ledger/service"
import { INPUT_LIMITS } from "../../src/api/utils/validators"
import { createAdminAuth } from "../support/admin"
import { storefront } from "../support/checkout"
import { registerShopper, seedStore } from "../support/store"

jest.setTimeout(300000)

/**
 * Hostile input on every admin and store route of the plugin, as a table: each row is one
 * request and the 4xx `{ type, code, message }` it must get. Around the table, the ledger's
 * tables (and the code guard's and the carts' credit lines) are hashed and must not change;
 * no answer may be a 5xx. The last test sends the valid neighbours of some rows, which must
 * work, so the rules are not refusing everything.
 */

type Method = "GET" | "POST" | "DELETE"
type Who = "admin" | "api_key" | "shopper"
type Row = {
  group: string
  method: Method
  path: string
  /** sent as JSON unless `raw` is given */
  body?: unknown
  /** the exact bytes of the body */
  raw?: string | Buffer
  /** Content-Type; null for none (default application/json) */
  type?: string | null
  headers?: Record<string, string>
  as?: Who
  status: number
  code: string
}

type Answer = { status: number; data: any; text: string }

const UNKNOWN_ORDER = "order_01HOSTILEAAAAAAAAAAAAAAAA"
const NUL = "\u0000"

/** `?a=b&…` with every value percent-encoded (NUL as %00). */
const q = (params: Record<string, string | string[]>) => {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    for (const v of [value].flat()) search.append(key, v)
  }
  return `?${search.toString()}`
}

/** Metadata nested `depth` objects deep (the metadata object itself is level 1). */
const nested = (depth: number): Record<string, unknown> => {
  let node: Record<string, unknown> = { leaf: "x" }
  for (let i = 1; i < depth; i++) node = { n: node }
  return node
}

/** A JSON body with a leading field and filler to `bytes`. */
const bodyOfSize = (bytes: number, field = "name") => {
  const head = `{"${field}":"`
  return Buffer.from(head + "x".repeat(bytes - head.length - 2) + '"}')
}

medusaIntegrationTestRunner({
  testSuite: ({ api, getContainer, dbConnection }) => {
    const fx = {} as {
      admin: Record<string, string>
      apiKey: Record<string, string>
      shopper: Record<string, string>
      publishableKey: string
      customerId: string
      wallet: string
      other: string
      card: string
      code: string
      reference: string
      typeId: string
      cartId: string
      paymentCollectionId: string
    }

    beforeAll(async () => {
      // Seeded once: the runner snapshots the database after this and restores it before each test.
      const container = getContainer()
      const ledger = container.resolve<LedgerModuleService>("ledger")
      const admin = await createAdminAuth(container, api, "hostile@ledger.test")
      const store = await seedStore(container)
      const shopper = await registerShopper(api, store.publishableKey, "alice@hostile.test")
      const wallet = await ledger.createAccount({ name: "Alice wallet", currency_code: "usd", customer_id: shopper.customer.id, initial_amount: 50 })
      const other = await ledger.createAccount({ name: "Other", currency_code: "usd", initial_amount: 20 })
      const card = await ledger.createAccount({ name: "Gift card", currency_code: "usd", generate_code: true, initial_amount: 25, source_account_id: "@bank" })
      const redemption = await ledger.redeem(card.id, "5", { merchant_reference: UNKNOWN_ORDER })
      const type = await ledger.createAccountType({ name: "Hostile type" })
      const cart = await storefront(api, store).cart([{ variant_id: store.mug.variant.id, quantity: 1 }], shopper.headers)
      const collection = await api.post("/store/payment-collections", { cart_id: cart.id }, { headers: shopper.headers })
      Object.assign(fx, {
        admin: admin.headers,
        apiKey: admin.apiKeyHeaders,
        shopper: shopper.headers,
        publishableKey: store.publishableKey,
        customerId: shopper.customer.id,
        wallet: wallet.id,
        other: other.id,
        card: card.id,
        code: card.code!,
        reference: redemption.reference,
        typeId: type.id,
        cartId: cart.id,
        paymentCollectionId: collection.data.payment_collection.id,
      })
    })

    /** One request exactly as given (path not re-encoded, body bytes as they are). */
    const send = (row: Pick<Row, "method" | "path" | "body" | "raw" | "type" | "headers" | "as">): Promise<Answer> => {
      const who = row.as ?? (row.path.startsWith("/store") ? "shopper" : "admin")
      const auth = who === "admin" ? fx.admin : who === "api_key" ? fx.apiKey : fx.shopper
      const payload =
        row.raw !== undefined ? Buffer.from(row.raw) : row.body !== undefined ? Buffer.from(JSON.stringify(row.body)) : row.method === "POST" ? Buffer.from("{}") : null
      const headers: Record<string, string | number> = { ...auth, ...(row.headers ?? {}) }
      const type = row.type === undefined ? (payload ? "application/json" : null) : row.type
      if (type) headers["content-type"] = type
      if (payload) headers["content-length"] = payload.length
      const base = new URL(String(api.defaults.baseURL))
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: base.hostname, port: base.port, method: row.method, path: row.path, headers, agent: false },
          (res) => {
            const chunks: Buffer[] = []
            res.on("data", (c) => chunks.push(c))
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8")
              let data: any = null
              try {
                data = JSON.parse(text)
              } catch {
                data = null
              }
              resolve({ status: res.statusCode ?? 0, data, text })
            })
          }
        )
        req.on("error", reject)
        if (payload) req.write(payload)
        req.end()
      })
    }

    /** Counts and a hash of every row of the tables a refused request must not touch. */
    const snapshot = async () => {
      const tables = [
        "ledger_account",
        "ledger_account_type",
        "ledger_account_member",
        "ledger_transfer",
        "ledger_entry",
        "ledger_hold",
        "ledger_operation",
        "ledger_balance_shard",
        "code_guard_client",
        "cart_credit_line",
      ]
      const out: Record<string, { rows: number; hash: string }> = {}
      for (const table of tables) {
        const { rows: exists } = await dbConnection.raw(`SELECT to_regclass(?) IS NOT NULL AS ok`, [table])
        if (!exists[0].ok) continue
        const { rows } = await dbConnection.raw(
          `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS hash FROM ${table} t`
        )
        out[table] = rows[0]
      }
      return out
    }

    /** Every admin and store route of the plugin, with the ids of the seeded fixtures. */
    const routes = () => {
      const a = `/admin/accounts/${fx.wallet}`
      return {
        adminLists: [
          "/admin/accounts",
          "/admin/transfers",
          "/admin/account-types",
          `${a}/entries`,
          `${a}/orders`,
          `${a}/holds`,
          "/admin/ledger/code-guard/clients",
        ],
        storeLists: ["/store/accounts", `/store/accounts/${fx.wallet}/entries`],
        /** [path, a valid body but for the amount] of every route that moves money */
        money: [
          [`${a}/top-up`, {}],
          [`${a}/withdraw`, {}],
          ["/admin/transfers", { source_account_id: fx.other, destination_account_id: fx.wallet }],
          [`/admin/transfers/${fx.reference}/refunds`, {}],
          [`/admin/accounts/code/${fx.code}/redemptions`, {}],
          [`/admin/accounts/code/${fx.code}/refunds`, {}],
          [`/admin/customers/${fx.customerId}/store-credit`, { currency_code: "usd" }],
          [`/admin/orders/${UNKNOWN_ORDER}/refund-to-account`, {}],
          [`/admin/orders/${UNKNOWN_ORDER}/pay-from-account`, { account_id: fx.wallet }],
          [`/store/carts/${fx.cartId}/account-allocations`, { account_id: fx.wallet }],
        ] as [string, Record<string, unknown>][],
        /** [path, a valid body] of every route that writes */
        writes: [
          ["/admin/accounts", { name: "x", currency_code: "usd" }],
          [a, { name: "x" }],
          [`${a}/freeze`, {}],
          [`${a}/thaw`, {}],
          [`${a}/close`, {}],
          [`${a}/top-up`, { amount: "1" }],
          [`${a}/withdraw`, { amount: "1" }],
          ["/admin/transfers", { source_account_id: fx.other, destination_account_id: fx.wallet, amount: "1" }],
          [`/admin/transfers/${fx.reference}/reverse`, {}],
          [`/admin/transfers/${fx.reference}/refunds`, { amount: "1" }],
          ["/admin/account-types", { name: "x" }],
          [`/admin/account-types/${fx.typeId}`, { name: "x" }],
          ["/admin/ledger/code-guard/clear", { client: "127.0.0.1" }],
          ["/admin/ledger/reconciliation", { days: 1 }],
          [`/admin/accounts/code/${fx.code}/redemptions`, { amount: "1" }],
          [`/admin/accounts/code/${fx.code}/refunds`, { amount: "1" }],
          [`/admin/orders/${UNKNOWN_ORDER}/refund-to-account`, { amount: "1" }],
          [`/admin/orders/${UNKNOWN_ORDER}/pay-from-account`, { account_id: fx.wallet }],
          [`/admin/customers/${fx.customerId}/store-credit`, { amount: "1", currency_code: "usd" }],
          ["/store/accounts/balance", { code: fx.code }],
          [`/store/carts/${fx.cartId}/account-allocations`, { account_id: fx.wallet, amount: "1" }],
          ["/admin/transfers/batch", { transfers: "x" }],
          ["/admin/accounts/batch", { accounts: "x" }],
          ["/admin/accounts/bulk-credit", { currency_code: "usd", rows: "x" }],
          ["/admin/ledger/imports/csv", { csv: "x" }],
          ["/admin/ledger/imports/loyalty", { dry_run: true }],
        ] as [string, Record<string, unknown>][],
      }
    }

    const table = (): Row[] => {
      const r = routes()
      const a = `/admin/accounts/${fx.wallet}`
      const rows: Row[] = []
      const bad = (group: string, method: Method, path: string, code: string, extra: Partial<Row> = {}, status = 400) =>
        rows.push({ group, method, path, code, status, ...extra })

      // Paging: negative, huge, fractional, non-numeric, padded, repeated.
      const paging: [string, string | string[]][] = [
        ["limit", "-1"],
        ["limit", "0"],
        ["limit", String(INPUT_LIMITS.maxLimit + 1)],
        ["limit", "1e309"],
        ["limit", "1.5"],
        ["limit", "0x10"],
        ["limit", " 5"],
        ["limit", "ten"],
        ["limit", ["1", "2"]],
        ["offset", "-1"],
        ["offset", "1e20"],
        ["offset", "1.5"],
        ["offset", "99999999999999999999"],
      ]
      for (const path of [...r.adminLists, ...r.storeLists]) {
        for (const [key, value] of paging) bad("paging", "GET", path + q({ [key]: value }), "invalid_request")
      }
      for (const points of ["1", "1001", "1e3", "-5"]) {
        bad("paging", "GET", `${a}/balance-history${q({ points })}`, "invalid_request")
      }

      // Sorting and field selection outside what the route has.
      for (const path of ["/admin/accounts", "/admin/transfers", "/admin/account-types", "/store/accounts"]) {
        bad("order/fields", "GET", path + q({ order: "password" }), "invalid_request")
        bad("order/fields", "GET", path + q({ order: `name${NUL}` }), "invalid_request")
        bad("order/fields", "GET", path + q({ fields: "id,nope" }), "invalid_request")
      }
      bad("order/fields", "GET", `${a}/entries${q({ order: "amount" })}`, "invalid_request")
      bad("order/fields", "GET", `${a}${q({ fields: "raw_balance" })}`, "invalid_request")
      bad("order/fields", "GET", `${a}${q({ fields: "type.secret" })}`, "invalid_request")
      bad("order/fields", "GET", `${a}${q({ fields: "type.parent.children.*" })}`, "invalid_request")
      bad("order/fields", "GET", `/admin/transfers/${fx.reference}${q({ fields: "*source_account" })}`, "invalid_request")
      bad("order/fields", "GET", `/admin/accounts${q({ fields: Array.from({ length: 51 }, () => "id").join(",") })}`, "invalid_request")
      bad("order/fields", "GET", `/store/accounts/${fx.wallet}${q({ fields: "id,metadata" })}`, "invalid_request")
      bad("order/fields", "GET", `/store/accounts${q({ fields: "customer_id" })}`, "invalid_request")
      bad("order/fields", "GET", `/store/accounts${q({ fields: "*type" })}`, "invalid_request")
      bad("order/fields", "GET", `/store/accounts${q({ fields: "members.customer_id" })}`, "invalid_request")

      // Filters: dates that are not dates, unknown operators and parameters, control characters.
      for (const path of ["/admin/accounts", "/admin/transfers"]) {
        bad("filters", "GET", path + q({ "created_at[$gte]": "not-a-date" }), "invalid_request")
        bad("filters", "GET", path + q({ "created_at[$gte]": "2025-02-30" }), "invalid_request")
        bad("filters", "GET", path + q({ "created_at[$regex]": "2025-01-01" }), "invalid_request")
        bad("filters", "GET", path + q({ q: `gift${NUL}` }), "invalid_request")
        bad("filters", "GET", path + q({ id: `acc_${NUL}` }), "invalid_request")
        bad("filters", "GET", path + q({ currency_code: NUL }), "invalid_currency")
        bad("filters", "GET", path + q({ with_deleted: "true" }), "invalid_request")
      }
      bad("filters", "GET", `/admin/accounts${q({ ends_before: "tomorrow" })}`, "invalid_request")
      bad("filters", "GET", `/admin/accounts${q({ code: `ABCD${NUL}EFGH` })}`, "invalid_code")
      bad("filters", "GET", `/admin/accounts${q({ customer_id: "cus_1' OR '1'='1" })}`, "invalid_request")
      bad("filters", "GET", `/admin/accounts${q({ status: "sleeping" })}`, "invalid_request")
      bad("filters", "GET", `/admin/accounts${q({ "a.b.c": "1" })}`, "invalid_request")
      bad("filters", "GET", `/admin/transfers${q({ merchant_reference: `order${NUL}` })}`, "invalid_request")
      bad("filters", "GET", `/admin/account-types${q({ q: `x${NUL}` })}`, "invalid_request")
      bad("filters", "GET", `/admin/account-types${q({ "created_at[$gte]": "not-a-date" })}`, "invalid_request")
      bad("filters", "GET", `/admin/ledger/code-guard/clients${q({ q: `1.2${NUL}` })}`, "invalid_request")
      bad("filters", "GET", `${a}/entries${q({ from: "not-a-date" })}`, "invalid_request")
      bad("filters", "GET", `${a}/entries${q({ to: "1" })}`, "invalid_request")
      bad("filters", "GET", `${a}/holds${q({ status: "stolen" })}`, "invalid_request")
      bad("filters", "GET", `${a}/balance-history${q({ from: `2025-01-01${NUL}` })}`, "invalid_request")
      bad("filters", "GET", `/admin/ledger/reports/deferred-income${q({ as_of: `2026-01-31${NUL}` })}`, "invalid_request")
      bad("filters", "GET", `/admin/ledger/reports/trial-balance${q({ currency_code: NUL })}`, "invalid_currency")
      bad("filters", "GET", `/admin/ledger/reports/profit-loss${q({ from: "x".repeat(10000) })}`, "invalid_request")
      bad("filters", "GET", `/store/accounts${q({ "created_at[$gte]": "not-a-date" })}`, "invalid_request")
      bad("filters", "GET", `/store/accounts${q({ currency_code: "usd'" })}`, "invalid_currency")
      bad("filters", "GET", `/store/accounts/${fx.wallet}/entries${q({ from: "2025-13-01" })}`, "invalid_request")

      // Path parameters: NUL, quotes, spaces, over-long; codes of the wrong shape.
      const idRoutes: [Method, (id: string) => string][] = [
        ["GET", (id) => `/admin/accounts/${id}`],
        ["POST", (id) => `/admin/accounts/${id}`],
        ["POST", (id) => `/admin/accounts/${id}/freeze`],
        ["POST", (id) => `/admin/accounts/${id}/top-up`],
        ["GET", (id) => `/admin/accounts/${id}/entries`],
        ["GET", (id) => `/admin/accounts/${id}/holds`],
        ["GET", (id) => `/admin/accounts/${id}/orders`],
        ["GET", (id) => `/admin/accounts/${id}/balance-history`],
        ["GET", (id) => `/admin/transfers/${id}`],
        ["POST", (id) => `/admin/transfers/${id}/reverse`],
        ["POST", (id) => `/admin/account-types/${id}`],
        ["GET", (id) => `/admin/orders/${id}/account-money`],
        ["POST", (id) => `/admin/orders/${id}/refund-to-account`],
        ["POST", (id) => `/admin/customers/${id}/store-credit`],
        ["GET", (id) => `/store/accounts/${id}`],
        ["GET", (id) => `/store/accounts/${id}/entries`],
        ["POST", (id) => `/store/carts/${id}/account-allocations`],
        ["DELETE", (id) => `/store/carts/${fx.cartId}/account-allocations/${id}`],
      ]
      for (const [method, path] of idRoutes) {
        bad("path ids", method, path("acc_%00"), "invalid_request")
      }
      for (const id of ["acc_1'%20OR%20'1'%3D'1", "a".repeat(INPUT_LIMITS.idLength + 1), "acc%0A1", "%E2%80%AEacc"]) {
        bad("path ids", "GET", `/admin/accounts/${id}`, "invalid_request")
      }
      for (const path of ["/admin/accounts/%E0%A4%A", `/admin/transfers/%C0%AF/reverse`, `/store/accounts/%FF`, `/store/carts/${fx.cartId}/account-allocations/%E0%A4%A`]) {
        bad("path ids", path.startsWith("/admin/transfers") ? "POST" : path.includes("/carts/") ? "DELETE" : "GET", path, "invalid_request")
      }
      bad("path ids", "POST", `/admin/transfers/ref%1B/refunds`, "invalid_request", { body: { amount: "1" } })
      for (const [method, suffix] of [["GET", ""], ["POST", "/redemptions"], ["POST", "/refunds"]] as [Method, string][]) {
        bad("codes", method, `/admin/accounts/code/ABCD%00EFGH${suffix}`, "invalid_code", method === "POST" ? { body: { amount: "1" } } : {})
        bad("codes", method, `/admin/accounts/code/ABCD_EFGH${suffix}`, "invalid_code", method === "POST" ? { body: { amount: "1" } } : {})
      }
      for (const code of [`ABCD${NUL}EFGH`, "<script>", "x".repeat(INPUT_LIMITS.codeLength + 1), "", 12345678] as unknown[]) {
        bad("codes", "POST", "/store/accounts/balance", typeof code === "string" && code ? "invalid_code" : "invalid_request", { body: { code } })
      }
      bad("codes", "POST", `/store/carts/${fx.cartId}/account-allocations`, "invalid_code", { body: { code: "GIFT'--" } })
      bad("codes", "POST", `/admin/orders/${UNKNOWN_ORDER}/pay-from-account`, "invalid_code", { body: { code: `A${NUL}` } })

      // Medusa's payment-session route, whose account-provider data the plugin checks first.
      const sessions = `/store/payment-collections/${fx.paymentCollectionId}/payment-sessions`
      for (const [data, code] of [
        [{ account_id: `acc_${NUL}` }, "invalid_request"],
        [{ account_id: "a".repeat(INPUT_LIMITS.idLength + 1) }, "invalid_request"],
        [{ account_id: { $ne: null } }, "invalid_request"],
        [{ code: `ABCD${NUL}EFGH` }, "invalid_code"],
        [{ code: "<script>" }, "invalid_code"],
      ] as [unknown, string][]) {
        bad("payment sessions", "POST", sessions, code, { body: { provider_id: "pp_account_account", data } })
      }

      // Ids of the wrong kind: looked up, not found, nothing written.
      bad("wrong kind", "GET", `/admin/accounts/${fx.customerId}`, "not_found", {}, 404)
      bad("wrong kind", "GET", `/admin/transfers/${fx.wallet}`, "not_found", {}, 404)
      bad("wrong kind", "POST", `/admin/accounts/${fx.typeId}/top-up`, "not_found", { body: { amount: "1" } }, 404)
      bad("wrong kind", "POST", "/admin/transfers", "not_found", { body: { source_account_id: fx.customerId, destination_account_id: fx.wallet, amount: "1" } }, 404)
      bad("wrong kind", "GET", `/store/accounts/${fx.cartId}`, "not_found", {}, 404)

      // Amounts: exactly a plain decimal, nothing trimmed; numbers finite and not negative.
      const amounts: unknown[] = [" 5", "5\n", "5 ", "\t5", "\u00a05", "\ufeff5", "+5", "-5", "1e3", "0x10", "5,00", "five", "", "Infinity", "NaN", ".5", "5.", "1.2.3", "٥", "5".repeat(41), -5]
      for (const amount of amounts) {
        bad("amounts", "POST", "/admin/transfers", "invalid_amount", { body: { source_account_id: fx.other, destination_account_id: fx.wallet, amount } })
      }
      for (const [path, body] of r.money.filter(([p]) => p !== "/admin/transfers")) {
        for (const amount of [" 5", "5\n", "\u00a05", "\ufeff5", -1]) bad("amounts", "POST", path, "invalid_amount", { body: { ...body, amount } })
      }
      bad("amounts", "POST", "/admin/accounts", "invalid_amount", { body: { name: "x", currency_code: "usd", initial_amount: " 5" } })
      bad("amounts", "POST", "/admin/accounts", "invalid_amount", { body: { name: "x", currency_code: "usd", credit_limit: "-5" } })
      bad("amounts", "POST", a, "invalid_amount", { body: { credit_limit: "10\r\n" } })
      bad("amounts", "POST", `${a}/top-up`, "invalid_request", { body: { amount: ["5"] } })
      bad("amounts", "POST", `${a}/top-up`, "invalid_request", { body: { amount: { $gt: 0 } } })
      bad("amounts", "POST", `${a}/top-up`, "invalid_request", { body: {} })
      bad("amounts", "POST", `${a}/top-up`, "invalid_amount", { raw: '{"amount":1e400}' })

      // Text: control characters, line breaks in names, broken Unicode, lengths.
      const names = [`a${NUL}b`, "a\u001b[31mb", "a\u0007b", "a\r\nb", "a\nb", "a\u2028b", "a\ud800b", "a\u0085b", "   ", "", "n".repeat(INPUT_LIMITS.nameLength + 1)]
      for (const name of names) {
        bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name, currency_code: "usd" } })
      }
      for (const name of [`a${NUL}`, "a\u001bb", "a\nb"]) {
        bad("text", "POST", a, "invalid_request", { body: { name } })
        bad("text", "POST", "/admin/account-types", "invalid_request", { body: { name } })
        bad("text", "POST", `/admin/account-types/${fx.typeId}`, "invalid_request", { body: { name } })
      }
      for (const description of [`a${NUL}`, "a\u001bb", "a\u0008b", "d".repeat(INPUT_LIMITS.descriptionLength + 1)]) {
        bad("text", "POST", `${a}/top-up`, "invalid_request", { body: { amount: "1", description } })
        bad("text", "POST", a, "invalid_request", { body: { description } })
      }
      bad("text", "POST", `/admin/transfers/${fx.reference}/reverse`, "invalid_request", { body: { description: `x${NUL}` } })
      bad("text", "POST", "/admin/transfers", "invalid_request", { body: { source_account_id: fx.other, destination_account_id: fx.wallet, amount: "1", merchant_reference: "order\n1" } })
      for (const key of [`k${NUL}`, "", "k".repeat(INPUT_LIMITS.idempotencyKeyLength + 1), "k\u001b"]) {
        bad("text", "POST", `${a}/top-up`, "invalid_request", { body: { amount: "1", idempotency_key: key } })
      }
      bad("text", "POST", `${a}/top-up`, "invalid_request", { body: { amount: "1" }, headers: { "idempotency-key": "k".repeat(INPUT_LIMITS.idempotencyKeyLength + 1) } })
      bad("text", "POST", `/admin/orders/${UNKNOWN_ORDER}/refund-to-account`, "invalid_request", { body: { amount: "1", note: `n${NUL}` } })
      bad("text", "POST", "/admin/ledger/code-guard/clear", "invalid_request", { body: { client: `127.0.0.1${NUL}` } })
      // The reconciliation sweep: a whole number of days within the limit, nothing else.
      for (const days of [0, -1, "7", 1.5, 100000, null, 1e309]) {
        bad("filters", "POST", "/admin/ledger/reconciliation", "invalid_request", { body: { days } })
      }
      bad("filters", "GET", "/admin/ledger/reconciliation" + q({ days: "7" }), "invalid_request")
      bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", member_ids: [`cus_${NUL}`] } })
      bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", product_ids: Array.from({ length: INPUT_LIMITS.productIds + 1 }, (_, i) => `prod_${i}`) } })
      bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", end_date: "2025-02-30" } })
      bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", start_date: `2025-01-01${NUL}` } })
      bad("text", "POST", "/admin/accounts", "invalid_currency", { body: { name: "x", currency_code: `us${NUL}` } })
      bad("text", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", source_account_id: "@bank;drop" } })
      bad("text", "POST", "/admin/account-types", "invalid_request", { body: { name: "x", code: "Liabilities/Other" } })
      bad("text", "POST", `/admin/customers/${fx.customerId}/store-credit`, "invalid_currency", { body: { amount: "1", currency_code: "dollars" } })
      bad("text", "POST", `/admin/customers/${fx.customerId}/store-credit`, "invalid_request", { body: { amount: "1", currency_code: "usd", expires_at: "soon" } })

      // Metadata: depth, reserved and broken keys, sizes, shapes.
      const metadata: unknown[] = [
        nested(INPUT_LIMITS.metadata.depth + 1),
        nested(1000),
        JSON.parse('{"__proto__":{"admin":true}}'),
        { constructor: { prototype: { admin: true } } },
        { prototype: 1 },
        { nested: JSON.parse('{"__proto__":1}') },
        { [`k${NUL}`]: 1 },
        { "k\u001b": 1 },
        { ["k".repeat(INPUT_LIMITS.metadata.keyLength + 1)]: 1 },
        { "": 1 },
        Object.fromEntries(Array.from({ length: INPUT_LIMITS.metadata.keysPerObject + 1 }, (_, i) => [`k${i}`, i])),
        { v: `x${NUL}` },
        { v: "x\u001b[2J" },
        { v: "x".repeat(INPUT_LIMITS.metadata.stringLength + 1) },
        { list: Array.from({ length: INPUT_LIMITS.metadata.arrayItems + 1 }, () => 1) },
        { big: Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: "y".repeat(1900) })) },
        ["not", "an", "object"],
        "a string",
        42,
      ]
      for (const value of metadata) {
        bad("metadata", "POST", "/admin/accounts", "invalid_request", { body: { name: "x", currency_code: "usd", metadata: value } })
      }
      for (const [path, body] of [
        ["/admin/transfers", { source_account_id: fx.other, destination_account_id: fx.wallet, amount: "1" }],
        [`${a}/top-up`, { amount: "1" }],
        [a, {}],
        ["/admin/account-types", { name: "x" }],
        [`/admin/account-types/${fx.typeId}`, {}],
        [`/admin/transfers/${fx.reference}/reverse`, {}],
      ] as [string, Record<string, unknown>][]) {
        bad("metadata", "POST", path, "invalid_request", { body: { ...body, metadata: nested(50) } })
        bad("metadata", "POST", path, "invalid_request", { raw: JSON.stringify({ ...body, metadata: {} }).replace('"metadata":{}', '"metadata":{"__proto__":{"x":1}}') })
      }
      // Prototype keys at the top of a body are unknown fields like any other.
      bad("metadata", "POST", `${a}/top-up`, "invalid_request", { raw: '{"amount":"1","__proto__":{"amount":"1000"}}' })
      bad("metadata", "POST", `${a}/top-up`, "invalid_request", { raw: '{"amount":"1","constructor":{"prototype":{}}}' })

      // Content types: JSON only on every route that writes, so no cross-site form can.
      for (const [path, body] of r.writes) {
        const form = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString()
        bad("content type", "POST", path, "unsupported_media_type", { raw: form, type: "application/x-www-form-urlencoded" }, 415)
      }
      const transfer = JSON.stringify({ source_account_id: fx.other, destination_account_id: fx.wallet, amount: "1" })
      for (const type of ["text/plain", "multipart/form-data; boundary=x", "application/json-patch+json", "application/json; charset=latin1", "text/json", null]) {
        bad("content type", "POST", "/admin/transfers", "unsupported_media_type", { raw: transfer, type }, 415)
      }
      bad("content type", "POST", `${a}/freeze`, "unsupported_media_type", { raw: "", type: null }, 415)
      bad("content type", "POST", "/store/accounts/balance", "unsupported_media_type", { raw: `code=${fx.code}`, type: "application/x-www-form-urlencoded" }, 415)
      bad("content type", "POST", "/admin/transfers", "unsupported_media_type", { raw: transfer, headers: { "content-encoding": "gzip" } }, 415)

      // Bodies that are not a JSON object, or too large.
      for (const raw of ['{"amount":', "{'amount':'1'}", "[]", '"1"', "null", "1", '{"amount":"1"}{"amount":"2"}', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]) {
        bad("body", "POST", `${a}/top-up`, "invalid_request", { raw })
      }
      bad("body", "POST", `${a}/top-up`, "invalid_request", { raw: "[".repeat(50000) + "]".repeat(50000) })
      bad("body", "POST", "/admin/accounts", "invalid_request", { raw: bodyOfSize(INPUT_LIMITS.bodyBytes - 1000, "bogus") })
      for (const [path, field] of [["/admin/accounts", "name"], ["/admin/transfers", "description"], ["/store/accounts/balance", "code"], [`/store/carts/${fx.cartId}/account-allocations`, "code"]]) {
        bad("body", "POST", path, "payload_too_large", { raw: bodyOfSize(2 * 1024 * 1024, field) }, 413)
      }
      bad("body", "POST", `${a}/top-up`, "payload_too_large", { raw: bodyOfSize(INPUT_LIMITS.bodyBytes + 1, "description") }, 413)
      // The batch routes take up to 4 MB; past that, 413 too.
      for (const path of ["/admin/transfers/batch", "/admin/accounts/batch", "/admin/accounts/bulk-credit"]) {
        bad("body", "POST", path, "payload_too_large", { raw: bodyOfSize(INPUT_LIMITS.batchBodyBytes + 1, "bogus") }, 413)
        bad("body", "POST", path, "invalid_request", { raw: bodyOfSize(INPUT_LIMITS.bodyBytes + 1000, "bogus") })
      }
      bad("amounts", "POST", "/admin/transfers/batch", "invalid_amount", { body: { transfers: [{ source_account_id: fx.other, destination_account_id: fx.wallet, amount: "-1" }] } })
      bad("body", "POST", `${a}/top-up`, "invalid_request", { body: { amount: "1", bogus: true } })
      bad("body", "POST", `${a}/top-up`, "invalid_request", { body: { amount: "1" }, as: "api_key", headers: { "idempotency-key": "" } })
      return rows
    }

    it("answers every hostile request with a 4xx { type, code, message } and writes nothing", async () => {
      const rows = table()
      expect(rows.length).toBeGreaterThanOrEqual(150)
      const before = await snapshot()
      const wrong: string[] = []
      const groups: Record<string, number> = {}
      for (const row of rows) {
        groups[row.group] = (groups[row.group] ?? 0) + 1
        const res = await send(row)
        const body = res.data ?? {}
        const ok =
          res.status === row.status &&
          body.code === row.code &&
          typeof body.type === "string" &&
          typeof body.message === "string" &&
          body.message.length > 0
        if (!ok || res.status >= 500) {
          const shown = row.raw !== undefined ? `raw ${String(row.raw).slice(0, 60)}` : JSON.stringify(row.body ?? null)?.slice(0, 80)
          wrong.push(`[${row.group}] ${row.method} ${row.path.slice(0, 120)} ${shown ?? ""} → ${res.status} ${res.text.slice(0, 200)} (wanted ${row.status} ${row.code})`)
        }
      }
      // eslint-disable-next-line no-console
      console.log(`hostile requests: ${rows.length}`, groups)
      expect(wrong).toEqual([])
      expect(await snapshot()).toEqual(before)
      const ledger = getContainer().resolve<LedgerModuleService>("ledger")
      expect((await ledger.verify()).ok).toBe(true)
    })

    it("still takes the valid neighbours of those requests", async () => {
      const a = `/admin/accounts/${fx.wallet}`
      const before = await snapshot()
      const ok = async (row: Omit<Row, "group" | "status" | "code">) => {
        const res = await send(row)
        if (res.status !== 200) throw new Error(`${row.method} ${row.path} → ${res.status} ${res.text.slice(0, 300)}`)
        return res.data
      }
      // Lists at their limits, with real orders, fields and dates.
      await ok({ method: "GET", path: `/admin/accounts${q({ limit: String(INPUT_LIMITS.maxLimit), offset: "0", order: "-name", fields: "id,name,+type.name,transfer_count" })}` })
      await ok({ method: "GET", path: `/admin/accounts${q({ offset: String(INPUT_LIMITS.maxOffset), "created_at[$gte]": "2020-02-29", code: fx.code.toLowerCase() })}` })
      const transfers = await ok({ method: "GET", path: `/admin/transfers${q({ limit: "5", order: "amount", "created_at[gte]": "2020-01-01T00:00:00Z", fields: "id,reference,entries.*", currency_code: "USD" })}` })
      expect(transfers.transfers.length).toBeGreaterThan(0)
      await ok({ method: "GET", path: `/admin/account-types${q({ order: "-name", limit: "1000", fields: "id,name" })}` })
      await ok({ method: "GET", path: `${a}/entries${q({ limit: "1", order: "asc", from: "2020-01-01" })}` })
      await ok({ method: "GET", path: `${a}/balance-history${q({ points: "2" })}` })
      await ok({ method: "GET", path: `/admin/transfers/${fx.reference}${q({ fields: "id,reference,*entries" })}` })
      const mine = await ok({ method: "GET", path: `/store/accounts${q({ limit: "1", order: "-balance", fields: "id,name,balance,type.name" })}` })
      expect(mine.accounts.map((x: any) => x.id)).toEqual([fx.wallet])
      await ok({ method: "GET", path: `/store/accounts/${fx.wallet}/entries${q({ limit: "1000" })}` })

      // Money with plain decimals and numbers, a charset, an idempotency key header.
      await ok({ method: "POST", path: "/admin/transfers", type: "application/json; charset=UTF-8", body: { source_account_id: fx.other, destination_account_id: fx.wallet, amount: "1.50", merchant_reference: "order 1 / ünïcode", description: "two\nlines\twith a tab" } })
      await ok({ method: "POST", path: `${a}/top-up`, body: { amount: 2, idempotency_key: "hostile-top-up-1" }, headers: { "idempotency-key": "hostile-header-key-1" } })
      await ok({ method: "POST", path: `${a}/withdraw`, body: { amount: "0.5" }, as: "api_key" })
      // Names and metadata at their limits.
      const wide = Object.fromEntries(Array.from({ length: INPUT_LIMITS.metadata.keysPerObject }, (_, i) => [`k${i}`, "v"]))
      const created = await ok({
        method: "POST",
        path: "/admin/accounts",
        body: {
          name: `Café – “Ünïcode” 🎁 ${"n".repeat(150)}`,
          currency_code: "USD",
          description: "line one\r\nline two\ttabbed",
          metadata: { deep: nested(INPUT_LIMITS.metadata.depth - 1), wide, note: "multi\nline", list: [1, "two", null, true] },
          initial_amount: "10",
          credit_limit: "0",
          end_date: "2099-12-31T23:59:59.999Z",
        },
      })
      expect(created.account.metadata.deep).toEqual(nested(INPUT_LIMITS.metadata.depth - 1))
      await ok({ method: "POST", path: `/admin/accounts/${created.account.id}`, body: { metadata: null, name: "Renamed" } })
      // An empty JSON body is fine where nothing more is needed.
      await ok({ method: "POST", path: `${a}/freeze`, raw: "" })
      await ok({ method: "POST", path: `${a}/thaw`, raw: " " })
      // Store: a code typed any way, an allocation and its removal.
      const grouped = fx.code.toLowerCase().replace(/(.{4})(?=.)/g, "$1 ")
      await ok({ method: "POST", path: "/store/accounts/balance", body: { code: grouped } })
      const allocated = await ok({ method: "POST", path: `/store/carts/${fx.cartId}/account-allocations`, body: { account_id: fx.wallet, amount: "1.00" } })
      await ok({ method: "DELETE", path: `/store/carts/${fx.cartId}/account-allocations/${allocated.allocation.id}` })

      const after = await snapshot()
      expect(after.ledger_transfer.rows).toBe(before.ledger_transfer.rows + 4)
      expect(after.ledger_account.rows).toBe(before.ledger_account.rows + 1)
      const ledger = getContainer().resolve<LedgerModuleService>("ledger")
      expect((await ledger.verify()).ok).toBe(true)
    })
  },
})
