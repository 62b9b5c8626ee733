import { ModulesSdkUtils } from "@medusajs/framework/utils"
import { TestDatabaseUtils } from "@medusajs/test-utils"
import { Client } from "pg"
import { expectCode } from "../support/ledger-runner"
import { expectVerified, snapshot } from "../support/ledger-helpers"
import { runMedusaCli } from "../support/medusa-process"
import { loadLedger } from "../support/standalone-ledger"
const { createDatabase } = require("../../scripts/lib/db")

jest.setTimeout(600000)

/**
 * Issue 9: `npx medusa db:rollback ledger`, repeated, then `npx medusa db:migrate`, through
 * Medusa's own CLI and the root medusa-config.ts, must lose no money and no exactly-once
 * guarantee; the first migration refuses to drop a ledger that holds anything.
 */
const BANK = "acc_sys_usd_bank"
const SALES = "acc_sys_usd_redemptions"
const UNPAID = "acc_sys_usd_unpaid_source"
const RTC = "acc_sys_usd_refunds_to_credit"
// Newest first: the order `db:rollback ledger` reverts them in, one per call.
const MIGRATIONS = [
  "Migration20261126140000",
  "Migration20261126120000",
  "Migration20261126110447",
  "Migration20261126100000",
  "Migration20261126060000",
  "Migration20261125222854",
  "Migration20261125191822",
  "Migration20261125191703",
  "Migration20261125180000",
  "Migration20261125171758",
  "Migration20261122235900",
  "Migration20261122234038",
]

const FIRST = MIGRATIONS[MIGRATIONS.length - 1]

const worker = process.env.JEST_WORKER_ID ?? "1"
const dbName = (what: string) => `${process.env.LEDGER_TEST_DB_PREFIX ?? ""}ledger-rollback-${what}-${worker}`
const created: string[] = []

async function freshDatabase(what: string) {
  const name = dbName(what)
  const url = TestDatabaseUtils.getDatabaseURL(name)
  await createDatabase(url, name, { drop: true })
  created.push(name)
  return url
}

afterAll(async () => {
  const client = new Client({ connectionString: TestDatabaseUtils.getDatabaseURL("postgres") })
  await client.connect()
  try {
    for (const name of created) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    }
  } finally {
    await client.end()
  }
})

type Knex = ReturnType<typeof ModulesSdkUtils.createPgConnection>

async function cli(args: string[], url: string) {
  const started = Date.now()
  const run = await runMedusaCli(args, url)
  if (process.env.LEDGER_DEBUG) console.log(`medusa ${args.join(" ")}: ${run.code} in ${Date.now() - started} ms`)
  return run
}

async function migrate(url: string) {
  const run = await cli(["db:migrate"], url)
  expect({ code: run.code, tail: run.code ? run.output.slice(-3000) : "" }).toEqual({ code: 0, tail: "" })
}

/** One `db:rollback ledger`: which migration it reverted (null: nothing left), or its failure. */
async function rollbackOnce(url: string) {
  const run = await cli(["db:rollback", "ledger"], url)
  const reverted = run.output.match(/Reverted (Migration\d+)/)?.[1] ?? null
  return { ...run, reverted, nothingLeft: /Nothing to revert/.test(run.output) }
}

const ledgerMigrationsRun = async (db: Knex) =>
  (await db.raw(`SELECT name FROM mikro_orm_migrations WHERE name IN (${MIGRATIONS.map(() => "?").join(", ")}) ORDER BY name`, MIGRATIONS)).rows.map(
    (r: any) => r.name
  )

/** Every account's whole balance (row plus shards while that table exists), without the ledger's functions. */
async function liveBalances(db: Knex) {
  const { rows: [{ shards }] } = await db.raw(`SELECT to_regclass('ledger_balance_shard') IS NOT NULL AS shards`)
  const { rows } = await db.raw(
    `SELECT a.id, trim_scale(a.balance + ${shards ? "coalesce((SELECT sum(x.balance) FROM ledger_balance_shard x WHERE x.account_id = a.id), 0)" : "0"})::text AS balance,
            trim_scale(a.held)::text AS held, (a.raw_balance->>'value')::numeric = a.balance AS raw_in_step
       FROM ledger_account a ORDER BY a.id`
  )
  return rows as { id: string; balance: string; held: string; raw_in_step: boolean }[]
}

/** What must survive a rollback and re-migrate untouched. */
async function ledgerState(db: Knex) {
  const operations = (
    await db.raw(`SELECT id, idempotency_key, kind, request, status, progress, result, updated_at FROM ledger_operation ORDER BY id`)
  ).rows
  const keyed = (
    await db.raw(`SELECT idempotency_key, id FROM ledger_transfer WHERE idempotency_key IS NOT NULL ORDER BY idempotency_key`)
  ).rows
  return { ...(await snapshot(db)), balances: await liveBalances(db), operations, keyed }
}

/** The ledger's schema: columns, constraints, indexes, triggers and functions (by body). */
async function ledgerSchema(db: Knex) {
  const q = async (sql: string) => (await db.raw(sql)).rows
  return {
    columns: await q(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
                       WHERE table_schema = 'public' AND table_name LIKE 'ledger\\_%' ORDER BY 1, 2`),
    constraints: await q(`SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                           WHERE conrelid::regclass::text LIKE 'ledger\\_%' ORDER BY 1, 2`),
    indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'ledger\\_%' ORDER BY 1, 2`),
    triggers: await q(`SELECT tgrelid::regclass::text AS tbl, tgname, tgenabled FROM pg_trigger
                        WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'ledger\\_%' ORDER BY 1, 2`),
    functions: await q(`SELECT proname, pg_get_function_identity_arguments(oid) AS args, md5(prosrc) AS body FROM pg_proc
                         WHERE proname LIKE 'ledger\\_%' ORDER BY 1, 2`),
  }
}

const nonZeroShards = async (db: Knex, id: string) =>
  (await db.raw(`SELECT count(*)::int AS n FROM ledger_balance_shard WHERE account_id = ? AND balance <> 0`, [id])).rows[0].n as number

const cents = (v: string | number) => Math.round(Number(v) * 100)

describe("db:rollback ledger and db:migrate through Medusa's CLI", () => {
  it("roll back to the first migration (which refuses), migrate again: no money, hold or idempotency record lost", async () => {
    const url = await freshDatabase("money")
    await migrate(url)
    const db = ModulesSdkUtils.createPgConnection({ clientUrl: url, schema: "public", pool: { min: 0, max: 2 } })
    // The ledger module as a server loads it; shut down before the CLI runs, as for a deploy.
    let ledger: Awaited<ReturnType<typeof loadLedger>> | null = null
    const start = async () => (ledger = await loadLedger(url, { options: { currencies: ["usd"] }, poolMax: 16 })).service
    const stop = async () => {
      await ledger?.shutdown()
      ledger = null
    }
    try {
      let service = await start()

      // Gift cards bought by card (Bank pays: an unlimited core account, so debits land on its
      // shards), loaded and topped up concurrently so several shards take part.
      const cards = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          service.createAccount({ name: `Gift card ${i}`, currency_code: "usd", initial_amount: 100, source_account_id: "@bank" })
        )
      )
      await Promise.all(cards.flatMap((c) => Array.from({ length: 4 }, () => service.topUp(c.id, "2.50", { source_id: "@bank" }))))
      // Spent concurrently: credits to the sales account's shards.
      const spends = await Promise.all(cards.flatMap((c) => Array.from({ length: 6 }, () => service.redeem(c.id, "1.10"))))
      // A refund out of the sales account (limited: it folds its shards into its row and pays from there)...
      await service.refund(spends[0].id, "0.60")
      // ...and more orders after it, so the sales account has money in its row and in its shards.
      await Promise.all(cards.map((c) => service.redeem(c.id, "0.35")))
      // Store credit granted without payment, and a refund to credit of a card-paid order.
      const wallet = await service.createAccount({ name: "Wallet", currency_code: "usd", initial_amount: 20 })
      const credited = await service.creditFromRefunds(
        { merchant_reference: "order_card_1", currency_code: "usd", amount: 5, ceiling: 30, account_id: wallet.id },
        { idempotency_key: "rb-credit-1" }
      )
      // Holds: two open (one keyed), one captured, one released.
      const keyedHold = await service.hold(cards[1].id, 7, { idempotency_key: "rb-hold-1" })
      const openHold = await service.hold(cards[2].id, "4.25")
      await service.capture((await service.hold(cards[3].id, 9)).id, { amount: 6 })
      await service.release((await service.hold(cards[4].id, 3)).id)
      // Keyed postings and a keyed account creation.
      const keyedRedeem = await service.redeem(cards[5].id, 3, { idempotency_key: "rb-order-1" })
      const keyedAccount = await service.createAccount(
        { name: "Keyed card", currency_code: "usd", initial_amount: 15, source_account_id: "@bank" },
        { idempotency_key: "rb-account-1" }
      )
      // Keyed operations (ledger_operation): one done with its result, one interrupted halfway.
      const done = await service.beginOperation("rb-op-done", "refund_to_account", { order_id: "order_1", amount: "12.00" })
      await service.updateOperation(done.operation.id, { progress: { refunded: ["pay_1"] } })
      await service.updateOperation(done.operation.id, { result: { transfer_ids: [keyedRedeem.id], credited: "12.00" } })
      const pending = await service.beginOperation("rb-op-pending", "refund_to_account", { order_id: "order_2", amount: "3.00" })
      await service.updateOperation(pending.operation.id, { progress: { refunded: ["pay_2"] } })

      expect(await nonZeroShards(db, BANK)).toBeGreaterThan(1)
      expect(await nonZeroShards(db, SALES)).toBeGreaterThan(1)
      const salesRow = (await db.raw(`SELECT balance::text FROM ledger_account WHERE id = ?`, [SALES])).rows[0].balance
      expect(Number(salesRow)).toBeGreaterThan(0)
      await expectVerified(service)
      const before = await ledgerState(db)
      const schemaBefore = await ledgerSchema(db)
      const balanceOf = (id: string) => before.balances.find((b) => b.id === id)!.balance
      // What went in (8 cards of 100 + 4 × 2.50, and 15, all from the bank): the money to keep.
      expect(cents(balanceOf(BANK))).toBe(-(8 * 110 + 15) * 100)
      expect(cents(balanceOf(SALES))).toBe(8 * 6 * 110 - 60 + 8 * 35 + 600 + 300)
      expect(cents(balanceOf(RTC))).toBe(-500)
      expect(cents(balanceOf(UNPAID))).toBe(-2000)
      expect(before.holds.filter((h: any) => h.status === "open")).toHaveLength(2)
      await stop()

      // Roll back one migration at a time; after each, every balance is still whole.
      const reverted: string[] = []
      let refusal: Awaited<ReturnType<typeof rollbackOnce>> | null = null
      for (let i = 0; i < MIGRATIONS.length + 1 && !refusal; i++) {
        const step = await rollbackOnce(url)
        if (step.code !== 0) {
          refusal = step
          break
        }
        expect(step.nothingLeft).toBe(false)
        if (step.reverted === FIRST) {
          throw new Error(`${FIRST} was reverted: the ledger's tables were dropped with money in them`)
        }
        reverted.push(step.reverted!)
        const balances = await liveBalances(db)
        expect({ after: step.reverted, balances }).toEqual({ after: step.reverted, balances: before.balances })
      }
      expect(reverted).toEqual(MIGRATIONS.slice(0, -1))
      // The first migration refuses, says why and what to do, and drops nothing.
      expect(refusal).not.toBeNull()
      if (process.env.LEDGER_DEBUG) console.log(refusal!.output)
      expect(refusal!.output).toContain("Refusing to revert Migration20261122234038")
      expect(refusal!.output).toMatch(/hold \d+ transfer\(s\), 4 hold\(s\), 2 idempotency record\(s\)/)
      expect(refusal!.output).toContain("Nothing was dropped: rolling the ledger back stops here")
      expect(await ledgerMigrationsRun(db)).toEqual(["Migration20261122234038"])
      const tables = (await db.raw(`SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'ledger\\_%' ORDER BY relname`)).rows.map(
        (r: any) => r.relname
      )
      expect(tables).toEqual(["ledger_account", "ledger_account_member", "ledger_account_type", "ledger_entry", "ledger_hold", "ledger_operation", "ledger_transfer"])
      expect(await liveBalances(db)).toEqual(before.balances)

      await migrate(url)
      expect(await ledgerMigrationsRun(db)).toEqual([...MIGRATIONS].sort())
      expect(await ledgerSchema(db)).toEqual(schemaBefore)
      service = await start()
      await expectVerified(service)
      expect(await ledgerState(db)).toEqual(before)

      // Retries with the earlier keys replay: the same transfer, hold, account and operation, no new money.
      const again = await service.redeem(cards[5].id, 3, { idempotency_key: "rb-order-1" })
      expect([again.id, again.replayed]).toEqual([keyedRedeem.id, true])
      expect((await service.hold(cards[1].id, 7, { idempotency_key: "rb-hold-1" })).id).toBe(keyedHold.id)
      expect((await service.createAccount(
        { name: "Keyed card", currency_code: "usd", initial_amount: 15, source_account_id: "@bank" },
        { idempotency_key: "rb-account-1" }
      )).id).toBe(keyedAccount.id)
      const creditAgain = await service.creditFromRefunds(
        { merchant_reference: "order_card_1", currency_code: "usd", amount: 5, ceiling: 30, account_id: wallet.id },
        { idempotency_key: "rb-credit-1" }
      )
      expect([creditAgain.transfer.id, creditAgain.replayed]).toEqual([credited.transfer.id, true])
      const doneAgain = await service.beginOperation("rb-op-done", "refund_to_account", { order_id: "order_1", amount: "12.00" })
      expect(doneAgain).toMatchObject({ claimed: false, operation: { id: done.operation.id, status: "done", result: { transfer_ids: [keyedRedeem.id], credited: "12.00" } } })
      const pendingAgain = await service.beginOperation("rb-op-pending", "refund_to_account", { order_id: "order_2", amount: "3.00" })
      expect(pendingAgain).toMatchObject({ claimed: false, operation: { id: pending.operation.id, status: "pending", progress: { refunded: ["pay_2"] } } })
      // ...other arguments, or the key of an operation for a transfer, are refused.
      await expectCode(service.redeem(cards[5].id, 4, { idempotency_key: "rb-order-1" }), "idempotency_conflict")
      await expectCode(service.redeem(cards[5].id, 1, { idempotency_key: "rb-op-done" }), "idempotency_conflict")
      expect(await ledgerState(db)).toEqual(before)

      // New money still moves through the core accounts' (recreated) shards, and verify stays clean.
      // (A refund out of the sales account folds its shards: first, so the credits after it spread.)
      await service.refund(spends[1].id, "0.10")
      await Promise.all(cards.flatMap((c) => Array.from({ length: 3 }, () => service.redeem(c.id, "0.20"))))
      await Promise.all(cards.slice(0, 4).map((c) => service.topUp(c.id, 1, { source_id: "@bank" })))
      await service.capture(openHold.id)
      expect(await nonZeroShards(db, SALES)).toBeGreaterThan(1)
      await expectVerified(service)
      const after = Object.fromEntries((await liveBalances(db)).map((b) => [b.id, b.balance]))
      expect(cents(after[SALES]) - cents(balanceOf(SALES))).toBe(8 * 3 * 20 - 10 + 425)
      expect(cents(after[BANK]) - cents(balanceOf(BANK))).toBe(-400)
      expect(cents(after[cards[2].id]) - cents(balanceOf(cards[2].id))).toBe(-60 - 425 + 100)
    } finally {
      await stop()
      await db.destroy()
    }
  })

  it("an empty ledger rolls back to nothing, and db:migrate creates it again", async () => {
    const url = await freshDatabase("empty")
    await migrate(url)
    const db = ModulesSdkUtils.createPgConnection({ clientUrl: url, schema: "public", pool: { min: 0, max: 2 } })
    try {
      const ledgerObjects = async () =>
        (
          await db.raw(`SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'ledger\\_%')::int AS relations,
                               (SELECT count(*) FROM pg_proc WHERE proname LIKE 'ledger\\_%')::int AS functions`)
        ).rows[0]
      const schemaBefore = await ledgerSchema(db)
      // Core accounts only (the app's boot made them): nothing with money.
      expect(Number((await db.raw(`SELECT count(*) FROM ledger_account WHERE role IS NOT NULL`)).rows[0].count)).toBeGreaterThan(0)

      const reverted: string[] = []
      for (let i = 0; i < MIGRATIONS.length - 1; i++) {
        const step = await rollbackOnce(url)
        expect({ code: step.code, tail: step.code ? step.output.slice(-2000) : "" }).toEqual({ code: 0, tail: "" })
        reverted.push(step.reverted!)
      }
      expect(reverted).toEqual(MIGRATIONS.slice(0, -1))
      // An idempotency record alone is enough to refuse: it may stand for money moved outside the ledger.
      await db.raw(`INSERT INTO ledger_operation (id, idempotency_key, kind, request, status) VALUES ('lop_rb', 'rb-key', 'refund_to_account', '{}', 'done')`)
      const refused = await rollbackOnce(url)
      expect(refused.code).not.toBe(0)
      expect(refused.output).toContain("0 transfer(s), 0 hold(s), 1 idempotency record(s)")
      await db.raw(`DELETE FROM ledger_operation`)

      const last = await rollbackOnce(url)
      expect({ code: last.code, reverted: last.reverted }).toEqual({ code: 0, reverted: FIRST })
      expect(await ledgerMigrationsRun(db)).toEqual([])
      expect(await ledgerObjects()).toEqual({ relations: 0, functions: 0 })
      expect((await rollbackOnce(url)).nothingLeft).toBe(true)

      await migrate(url)
      expect(await ledgerMigrationsRun(db)).toEqual([...MIGRATIONS].sort())
      expect(await ledgerSchema(db)).toEqual(schemaBefore)
      const ledger = await loadLedger(url, { options: { currencies: ["usd"] } })
      try {
        const card = await ledger.service.createAccount({ name: "Card", currency_code: "usd", initial_amount: 50, source_account_id: "@bank" })
        await ledger.service.redeem(card.id, 20)
        expect((await ledger.service.getAccount(card.id)).balance).toBe("30.00")
        expect((await ledger.service.getAccount(SALES)).balance).toBe("20.00")
        await expectVerified(ledger.service)
      } finally {
        await ledger.shutdown()
      }
    } finally {
      await db.destroy()
    }
  })
})
