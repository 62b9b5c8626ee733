import { Client } from "pg"
import { seedScaleLedger } from "../../bench/scale-seed"
import { EXPIRED_ACCOUNTS_SQL, EXPIRED_HOLDS_SQL } from "../../src/modules/ledger/service"
import { newId } from "../../src/modules/ledger/ids"
import { accountSearchSql } from "../../src/modules/ledger/admin-reads"
import { ledgerModuleSuite } from "../support/ledger-runner"
import { PlanNode, seqScans, watchPlans } from "../support/auto-explain"

jest.setTimeout(300000)

const SALES = "acc_sys_usd_redemptions"
/** The tables that grow with the shop: a sequential scan of one is a query that slows down month by month. */
const BIG = new Set(["ledger_transfer", "ledger_entry", "ledger_account", "ledger_hold"])


/** Every sequential scan of a big table in a plan (EXPLAIN's JSON form). */
const bigScans = (plan: PlanNode) => seqScans(plan, (table) => BIG.has(table))

/**
 * Issue 7, item 14: on a seeded ledger (20,000 accounts, 200,000 entries, planner
 * statistics fresh), every query on a hot or user-facing path is planned with an index.
 * The service's own SQL is captured as it runs (a recording manager) and explained with
 * its parameters; the posting functions' SQL is explained from inside them by
 * auto_explain, nested statements included. Medusa's indexes are partial (WHERE
 * deleted_at IS NULL): a query without the predicate would show up here as a Seq Scan.
 */
ledgerModuleSuite("query-plans", ({ service, db, dbUrl }) => {
  it("uses an index for every lookup on the posting, checkout and statement paths", async () => {
    const seeded = await seedScaleLedger(db, { accounts: 20_000, entries: 200_000, currencies: ["usd"] })
    const explained: { what: string; scans: string[] }[] = []

    // ---- the service's SQL, recorded while it runs, then explained with its parameters
    const em = (service as any).baseRepository_.getFreshManager()
    const recorded: { sql: string; params: unknown[] }[] = []
    const manager = {
      execute: async (sql: string, params: unknown[] = []) => {
        recorded.push({ sql, params })
        return em.execute(sql, params)
      },
    }
    const ctx = { manager, transactionManager: manager } as any
    const heavy = seeded.samples.heavy_wallet_id
    const one = async (sql: string, params: unknown[] = []) => (await db.raw(sql, params as any)).rows[0]
    const samples = {
      heavy_wallet_id: heavy,
      code: seeded.samples.codes[0],
      transfer_reference: seeded.samples.references[0],
      transfer_id: (await one(`SELECT id FROM ledger_transfer WHERE reference = ?`, [seeded.samples.references[0]])).id,
      transfer_key: (await one(`SELECT idempotency_key FROM ledger_transfer WHERE idempotency_key IS NOT NULL LIMIT 1`)).idempotency_key,
      customer_id: (await one(`SELECT customer_id FROM ledger_account WHERE id = ?`, [heavy])).customer_id,
      refundable_reference: (
        await one(
          `SELECT t.reference FROM ledger_transfer t WHERE t.kind = 'redemption' AND t.source_id = ?
              AND NOT EXISTS (SELECT 1 FROM ledger_transfer r WHERE r.parent_id = t.id) LIMIT 1`,
          [heavy]
        )
      ).reference,
    }
    expect(Object.values(samples).every(Boolean)).toBe(true)
    const calls: [string, () => Promise<unknown>][] = [
      ["code lookup", () => service.getAccountByCode(samples.code, ctx)],
      ["transfer by reference", () => service.getTransfer(samples.transfer_reference, ctx)],
      ["transfer by id", () => service.getTransfer(samples.transfer_id, ctx)],
      ["refundable amount", () => service.refundableAmount(samples.transfer_id, ctx)],
      ["customer statement", () => service.statement(samples.heavy_wallet_id, { limit: 50 }, ctx)],
      ["customer statement, dates", () => service.statement(samples.heavy_wallet_id, { from: new Date(Date.now() - 30 * 86_400_000) }, ctx)],
      ["core statement, first page", () => service.statement(SALES, { limit: 50 }, ctx)],
      ["core statement, deep page", () => service.statement(SALES, { limit: 50, offset: 2_000 }, ctx)],
      ["core statement, oldest first", () => service.statement(SALES, { limit: 50, order: "asc", offset: 100 }, ctx)],
      ["customer's wallet", () => service.ensureWallet(samples.customer_id, "usd", ctx)],
      // (each checks the core accounts first, a read that must use the partial role index)
      ["new account", () => service.createAccount({ name: "Plan", currency_code: "usd", initial_amount: "5" }, ctx)],
      ["new gift cards, a batch", () => service.createAccounts([{ name: "Plan card", currency_code: "usd", generate_code: true, initial_amount: "5", source_account_id: "@bank" }], {}, ctx)],
      ["members", () => service.getAccountCustomerIds(samples.heavy_wallet_id, ctx)],
      ["operation by key", () => service.getOperation("no-such-key", ctx)],
      // The admin pages (admin-reads.ts): selective lists, the per-page extras, an account's orders and chart.
      ["accounts list by customer", () => service.searchAccounts({ customer_id: samples.customer_id }, { limit: 20, offset: 0 }, ctx)],
      ["accounts list by customer id typed in q", () => service.searchAccounts({ q: samples.customer_id }, { limit: 20, offset: 0 }, ctx)],
      ["accounts list by code", () => service.searchAccounts({ code: samples.code }, { limit: 20, offset: 0 }, ctx)],
      ["accounts list ending soon", () => service.searchAccounts({ ends_before: new Date(Date.now() + 7 * 86_400_000), status: ["open"] }, { limit: 20, offset: 0 }, ctx)],
      ["accounts list, frozen", () => service.searchAccounts({ status: ["frozen"] }, { limit: 20, offset: 0 }, ctx)],
      ["transfer counts and first loads of a page", () => service.accountSummaries([samples.heavy_wallet_id, SALES, "acc_sys_usd_bank"], undefined, ctx)],
      ["orders an account paid", () => service.accountOrders(samples.heavy_wallet_id, { limit: 20 }, ctx)],
      ["customer balance history", () => service.balanceHistory(samples.heavy_wallet_id, { from: new Date(Date.now() - 365 * 86_400_000), points: 60 }, ctx)],
      ["core balance history, last week", () => service.balanceHistory(SALES, { from: new Date(Date.now() - 7 * 86_400_000), points: 60 }, ctx)],
    ]
    for (const [what, call] of calls) {
      const from = recorded.length
      await call()
      for (const { sql, params } of recorded.slice(from)) {
        const { rows } = await db.raw(`EXPLAIN (FORMAT JSON) ${sql}`, params as any)
        explained.push({ what: `${what}: ${sql.replace(/\s+/g, " ").slice(0, 80)}`, scans: bigScans(rows[0]["QUERY PLAN"][0].Plan) })
      }
    }
    // Pages of the accounts list in each indexed order (the count of an unfiltered list reads every row, as any count does).
    for (const order of [undefined, { field: "name", desc: false }, { field: "end_date", desc: true }, { field: "created_at", desc: false }] as const) {
      for (const offset of [0, 5_000]) {
        const { page } = accountSearchSql({ is_core: false }, { order, limit: 20, offset })
        const { rows } = await db.raw(`EXPLAIN (FORMAT JSON) ${page.sql}`, page.params as any)
        explained.push({ what: `accounts page, ${order?.field ?? "newest"} ${order?.desc ? "desc" : "asc"}, offset ${offset}`, scans: bigScans(rows[0]["QUERY PLAN"][0].Plan) })
      }
    }
    for (const [what, sql] of [["expired holds", EXPIRED_HOLDS_SQL], ["expired accounts", EXPIRED_ACCOUNTS_SQL]]) {
      const { rows } = await db.raw(`EXPLAIN (FORMAT JSON) ${sql}`)
      explained.push({ what, scans: bigScans(rows[0]["QUERY PLAN"][0].Plan) })
    }

    // ---- the posting functions, explained from inside by auto_explain (sent back as notices)
    const client = new Client({ connectionString: dbUrl })
    await client.connect()
    try {
      const plans = await watchPlans(client)
      await client.query("BEGIN")
      const post = (kind: string, source: string | null, destination: string | null, amount: string | null, parent: string | null, key: string | null) =>
        client.query(
          `SELECT * FROM ledger_post($1, $2, $3, $4, $5, $6::numeric, $7, NULL, NULL, NULL, 'system', NULL, $8, NULL, $9, $10, NULL)`,
          [newId("ltr"), `PLAN${Math.random().toString(36).slice(2, 14).toUpperCase()}`, kind, source, destination, amount, parent, key, newId("lent"), newId("lent")]
        )
      const functionCalls: [string, () => Promise<unknown>][] = [
        ["keyed redemption", () => post("redemption", samples.heavy_wallet_id, SALES, "0.01", null, `plan-key-${Date.now()}`)],
        ["keyed redemption, replayed", () => post("redemption", samples.heavy_wallet_id, SALES, "0.01", null, `plan-key-replay`).then(() => post("redemption", samples.heavy_wallet_id, SALES, "0.01", null, `plan-key-replay`))],
        ["refund by reference", () => post("refund", null, null, "0.01", samples.refundable_reference, `plan-refund-${Date.now()}`)],
        ["keyed hold", () => client.query(`SELECT * FROM ledger_hold($1, $2, 0.01, NULL, NULL, $3, NULL)`, [newId("lhold"), samples.heavy_wallet_id, `plan-hold-${Date.now()}`])],
        ["key check", () => client.query(`SELECT ledger_key_check($1, 'hold')`, [`plan-unused-${Date.now()}`])],
        ["key check, used key", () => client.query(`SELECT ledger_key_check($1, 'transfer')`, [samples.transfer_key])],
        ["balance", () => client.query(`SELECT ledger_balance($1)`, [SALES])],
      ]
      for (const [what, call] of functionCalls) {
        const from = plans.length
        await call()
        for (const { plan } of plans.slice(from)) explained.push({ what: `${what} (inside the function)`, scans: bigScans(plan) })
        expect([what, plans.length > from]).toEqual([what, true])
      }
      await client.query("ROLLBACK")
    } finally {
      await client.end()
    }

    expect(explained.length).toBeGreaterThan(30)
    expect(explained.filter((e) => e.scans.length)).toEqual([])
  })
})
