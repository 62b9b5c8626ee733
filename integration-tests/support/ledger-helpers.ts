import { expectCode } from "./ledger-runner"
import type LedgerModuleService from "../../src/modules/ledger/service"

type Db = { raw: (sql: string, bindings?: any) => Promise<{ rows: any[] }> }

/**
 * Every row the ledger writes, in a comparable form: counts, accounts (with their live
 * balance: a core account's row plus its shard rows), holds, members.
 */
export async function snapshot(db: Db) {
  const [counts] = (
    await db.raw(`SELECT (SELECT count(*) FROM ledger_transfer)::int AS transfers,
                         (SELECT count(*) FROM ledger_entry)::int AS entries,
                         (SELECT count(*) FROM ledger_hold)::int AS holds,
                         (SELECT count(*) FROM ledger_account)::int AS accounts,
                         (SELECT count(*) FROM ledger_account_member)::int AS members,
                         (SELECT count(*) FROM ledger_account_type)::int AS account_types,
                         (SELECT count(*) FROM ledger_lot_move)::int AS lot_moves`)
  ).rows
  const accounts = (
    await db.raw(`SELECT id, status, ledger_balance(id)::text AS balance, held::text, credit_limit::text, code, name,
                         start_date, end_date, closed_at, product_ids, updated_at, lots_since
                    FROM ledger_account ORDER BY id`)
  ).rows
  const holds = (
    await db.raw(`SELECT id, status, amount::text, captured_amount::text, transfer_id, updated_at
                    FROM ledger_hold ORDER BY id`)
  ).rows
  const lots = (await db.raw(`SELECT id, remaining::text, reserved::text, notified_at FROM ledger_lot ORDER BY id`)).rows
  return { counts, accounts, holds, lots }
}

/**
 * Asserts that the call fails with `code` and that the database is exactly as before:
 * no transfer, entry, hold, account or member written, no balance, hold or status changed.
 */
export async function expectRejectedCleanly(db: Db, call: () => Promise<unknown>, code: string) {
  const before = await snapshot(db)
  const error = await expectCode(call(), code)
  const after = await snapshot(db)
  expect(after).toEqual(before)
  return error
}

/** Asserts every check of verify() passes, showing the offending rows if not. */
export async function expectVerified(service: LedgerModuleService) {
  const result = await service.verify()
  const failing = result.checks.filter((c) => !c.ok).map((c) => ({ name: c.name, count: c.count, offending: c.offending.slice(0, 5) }))
  expect(failing).toEqual([])
  expect(result.ok).toBe(true)
  return result
}

export async function countRows(db: Db, table: string, where = "true", bindings: unknown[] = []) {
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, bindings as any)
  return rows[0].n as number
}

/** Balance, held and the sum of the account's entries, as strings from the database. */
export async function dbBalance(db: Db, id: string) {
  const { rows } = await db.raw(
    `SELECT ledger_balance(a.id)::text AS balance, a.held::text AS held,
            (SELECT coalesce(sum(e.amount), 0)::text FROM ledger_entry e WHERE e.account_id = a.id) AS entries
       FROM ledger_account a WHERE a.id = ?`,
    [id]
  )
  return rows[0] as { balance: string; held: string; entries: string }
}

export const PAST = () => new Date(Date.now() - 60_000)
export const FUTURE = () => new Date(Date.now() + 3_600_000)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Settles all promises and splits them into results and ledger error codes (throws on anything else). */
export async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises)
  const ok: T[] = []
  const codes: string[] = []
  for (const r of results) {
    if (r.status === "fulfilled") {
      ok.push(r.value)
    } else {
      const e: any = r.reason
      if (!e || typeof e.code !== "string" || e.name !== "LedgerError") {
        throw e
      }
      codes.push(e.code)
    }
  }
  return { ok, codes }
}
