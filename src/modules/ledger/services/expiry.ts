import { Context } from "@medusajs/framework/types"
import { InjectManager, MedusaContext } from "@medusajs/framework/utils"
import { coreAccountId } from "../core"
import { LedgerEvents } from "../events"
import { newId } from "../ids"
import { formatAmount } from "../money"
import { runSql } from "../sql"
import type { ExpiryResult } from "../types"
import { RELEASE, EXPIRED_HOLDS_SQL, EXPIRED_ACCOUNTS_SQL } from "./base"

const LAPSE_BATCH = 200
const LAPSE_LANES = 3

// Accounts with expired lots still holding money no hold reserves (the expiring-lots index).
export const EXPIRED_LOTS_SQL = `SELECT l.account_id, min(a.currency_code) AS currency_code
  FROM ledger_lot l JOIN ledger_account a ON a.id = l.account_id
 WHERE l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at <= now() AND l.remaining > l.reserved
   AND a.status = 'open'
 GROUP BY l.account_id ORDER BY l.account_id`

const LAPSE_LOTS_SQL = `SELECT account_id, transfer_id, amount::text AS amount FROM ledger_lapse_lots_many(?::jsonb)`

// The lots to announce: due within the notice days, not announced, money not reserved; the
// accounts told today already wait for tomorrow; lots a posting has locked wait for the next run.
export const EXPIRING_LOTS_SQL = `WITH due AS MATERIALIZED (
    SELECT l.id, l.account_id, l.remaining - l.reserved AS free, l.expires_at
      FROM ledger_lot l
     WHERE l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at > now()
       AND l.expires_at <= now() + make_interval(days => ?::int)
       AND l.notified_at IS NULL AND l.remaining > l.reserved
       FOR NO KEY UPDATE SKIP LOCKED),
  told AS (
    INSERT INTO ledger_lot_notice (account_id, day)
    SELECT DISTINCT account_id, current_date FROM due
    ON CONFLICT DO NOTHING RETURNING account_id),
  marked AS (
    UPDATE ledger_lot l SET notified_at = now()
      FROM due JOIN told ON told.account_id = due.account_id
     WHERE l.id = due.id
    RETURNING due.account_id, due.free, due.expires_at)
  SELECT m.account_id, sum(m.free)::text AS amount, min(m.expires_at) AS expires_at,
         min(a.currency_code) AS currency_code, min(a.customer_id) AS customer_id
    FROM marked m JOIN ledger_account a ON a.id = m.account_id
   GROUP BY m.account_id ORDER BY m.account_id`
import { LedgerPostings } from "./postings"

/** Expiry: the sweep that releases expired holds and lapses what expired accounts hold. */
export class LedgerExpiry extends LedgerPostings {
  /**
   * Releases expired holds, then moves what is not held of every account past its end
   * date to the lapsed account and closes it (an account with money still held for a
   * payment stays open until that hold is captured, released or expires). Safe to run
   * twice or on two servers at once.
   */
  @InjectManager()
  async closeExpiredAccounts(@MedusaContext() ctx: Context = {}): Promise<ExpiryResult> {
    const result: ExpiryResult = {
      closed: [],
      skipped_negative: [],
      released_holds: [],
      kept_for_holds: [],
      lapsed_credit: [],
      expiring_credit: [],
    }
    const holds = await runSql(ctx, EXPIRED_HOLDS_SQL)
    for (const { id } of holds) {
      const [row] = await this.call_(RELEASE, [id, id, "expired"], ctx)
      if (row?.status === "expired") {
        result.released_holds.push(id)
      }
    }
    result.lapsed_credit = await this.lapseExpiredLots_(ctx)
    const accounts = await runSql(ctx, EXPIRED_ACCOUNTS_SQL)
    for (const { id } of accounts) {
      const outcome = await this.expire_(id, ctx)
      if (outcome === "closed") result.closed.push(id)
      if (outcome === "held") result.kept_for_holds.push(id)
      if (outcome === "negative_balance") result.skipped_negative.push(id)
    }
    result.expiring_credit = await this.noticeExpiringLots_(ctx)
    return result
  }

  /**
   * Lapses the expired lots of every open account into its lapsed account: one expiry
   * transfer per account, LAPSE_BATCH accounts per statement (one transaction, accounts
   * locked in id order). A batch that fails is done again account by account, so one
   * refusal does not hold up the others. Run twice, the second run finds nothing.
   */
  protected async lapseExpiredLots_(ctx: Context): Promise<ExpiryResult["lapsed_credit"]> {
    const due: { account_id: string; currency_code: string }[] = await runSql(ctx, EXPIRED_LOTS_SQL)
    if (!due.length) return []
    await this.ensureCoreAccounts([...new Set(due.map((d) => d.currency_code))], ctx)
    const currency = new Map(due.map((d) => [d.account_id, d.currency_code]))
    const lapsed: ExpiryResult["lapsed_credit"] = []
    const run = async (ids: string[]) => {
      const items = ids.map((account_id) => ({
        account_id,
        transfer_id: newId("ltr"),
        reference: this.newReference_(),
        source_entry_id: newId("lent"),
        destination_entry_id: newId("lent"),
      }))
      const rows = await runSql(ctx, LAPSE_LOTS_SQL, [JSON.stringify(items)])
      for (const r of rows) {
        const cur = currency.get(r.account_id)!
        if (Number(r.amount) > 0) {
          lapsed.push({ account_id: r.account_id, amount: formatAmount(r.amount, cur), currency_code: cur, transfer_id: r.transfer_id })
        }
      }
    }
    const batches: string[][] = []
    for (let i = 0; i < due.length; i += LAPSE_BATCH) batches.push(due.slice(i, i + LAPSE_BATCH).map((d) => d.account_id))
    // Batches hold disjoint accounts and credit the lapsed account through a free shard, so
    // a few run at once (not inside a caller's transaction: that is one connection).
    let next = 0
    const lane = async () => {
      while (next < batches.length) {
        const ids = batches[next++]
        try {
          await run(ids)
        } catch {
          for (const id of ids) await run([id]).catch(() => {})
        }
      }
    }
    await Promise.all(Array.from({ length: ctx.transactionManager ? 1 : LAPSE_LANES }, lane))
    lapsed.sort((a, b) => (a.account_id < b.account_id ? -1 : 1))
    return lapsed
  }

  /**
   * ledger.credit.expiring: one notice per account and day at most, for the lots that expire
   * within expiringNoticeDays and were not announced yet (each lot is announced once). A lot
   * a posting is busy with is left for the next run.
   */
  protected async noticeExpiringLots_(ctx: Context): Promise<ExpiryResult["expiring_credit"]> {
    const days = this.options_.expiringNoticeDays
    if (!days) return []
    // only today's notices matter (one a day per account); older ones go
    await runSql(ctx, `DELETE FROM ledger_lot_notice WHERE day < current_date - 1`)
    const rows = await runSql(ctx, EXPIRING_LOTS_SQL, [days])
    return rows.map((r) => ({
      account_id: r.account_id,
      customer_id: r.customer_id ?? null,
      amount: formatAmount(r.amount, r.currency_code),
      currency_code: r.currency_code,
      expires_at: r.expires_at,
    }))
  }

  /** Runs the expiry of one account (see ledger_expire); a no-op unless it is past its end date. */
  protected async expire_(accountId: string, ctx: Context): Promise<"closed" | "held" | "negative_balance" | "skipped"> {
    const [account] = await runSql(ctx, `SELECT currency_code FROM ledger_account WHERE id = ?`, [accountId])
    if (!account) return "skipped"
    await this.ensureCoreAccounts([account.currency_code], ctx)
    const [row] = await runSql(ctx, `SELECT ledger_expire(?, ?, ?, ?, ?, ?) AS outcome`, [
      accountId,
      coreAccountId("lapsed", account.currency_code),
      newId("ltr"),
      this.newReference_(),
      newId("lent"),
      newId("lent"),
    ])
    return row.outcome
  }

  /** After a hold on an expired account is released: what it kept lapses (and the account closes). */
  @InjectManager()
  protected async lapseIfExpired_(accountId: string, @MedusaContext() ctx: Context = {}) {
    const [row] = await runSql(
      ctx,
      `SELECT 1 FROM ledger_account WHERE id = ? AND status = 'open' AND role IS NULL AND end_date <= clock_timestamp()`,
      [accountId]
    )
    if (row) {
      const outcome = await this.expire_(accountId, ctx)
      if (outcome === "closed" && !ctx.transactionManager) {
        await (this as any).eventBusModuleService_?.emit([{ name: LedgerEvents.ACCOUNT_CLOSED, data: { id: accountId, reason: "expired" } }])
      }
    }
  }
}
