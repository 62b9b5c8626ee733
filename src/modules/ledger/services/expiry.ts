import { Context } from "@medusajs/framework/types"
import { InjectManager, MedusaContext } from "@medusajs/framework/utils"
import { coreAccountId } from "../core"
import { LedgerEvents } from "../events"
import { newId } from "../ids"
import { runSql } from "../sql"
import type { ExpiryResult } from "../types"
import { RELEASE, EXPIRED_HOLDS_SQL, EXPIRED_ACCOUNTS_SQL } from "./base"
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
    const result: ExpiryResult = { closed: [], skipped_negative: [], released_holds: [], kept_for_holds: [] }
    const holds = await runSql(ctx, EXPIRED_HOLDS_SQL)
    for (const { id } of holds) {
      const [row] = await this.call_(RELEASE, [id, id, "expired"], ctx)
      if (row?.status === "expired") {
        result.released_holds.push(id)
      }
    }
    const accounts = await runSql(ctx, EXPIRED_ACCOUNTS_SQL)
    for (const { id } of accounts) {
      const outcome = await this.expire_(id, ctx)
      if (outcome === "closed") result.closed.push(id)
      if (outcome === "held") result.kept_for_holds.push(id)
      if (outcome === "negative_balance") result.skipped_negative.push(id)
    }
    return result
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
