import { Context } from "@medusajs/framework/types"
import { InjectManager, MedusaContext } from "@medusajs/framework/utils"
import { formatAmount } from "../money"
import { runSql } from "../sql"
import type { LedgerLotDTO, Money } from "../types"
import { LOT_SELECT, toLotDTO } from "./lot-reads"
import { LedgerBatches } from "./batches"

export type NextExpiring = { amount: Money; expires_at: Date }

/** Lots: the parts of a balance with their own expiry (see schema/v5.ts). */
export class LedgerLots extends LedgerBatches {
  /**
   * An account's lots in the order they are spent (soonest expiry first, no expiry last,
   * oldest first among equals); `status` active (the default: money left, not expired),
   * expired (money left, lapses at the next sweep), used, or all.
   */
  @InjectManager()
  async listLots(
    accountId: string,
    query: { status?: "active" | "expired" | "used" | "all"; limit?: number; offset?: number } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<{ lots: LedgerLotDTO[]; count: number; limit: number; offset: number }> {
    await this.getAccount(accountId, ctx)
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 1000)
    const offset = Math.max(query.offset ?? 0, 0)
    const status = query.status ?? "active"
    const where = [`l.account_id = ?`]
    if (status === "active") where.push(`l.remaining > 0 AND (l.expires_at IS NULL OR l.expires_at > clock_timestamp())`)
    if (status === "expired") where.push(`l.remaining > 0 AND l.expires_at <= clock_timestamp()`)
    if (status === "used") where.push(`l.remaining = 0`)
    const rows = await runSql(
      ctx,
      `${LOT_SELECT} WHERE ${where.join(" AND ")} ORDER BY l.expires_at ASC NULLS LAST, l.seq LIMIT ? OFFSET ?`,
      [accountId, limit, offset]
    )
    const [{ n }] = await runSql(ctx, `SELECT count(*)::int AS n FROM ledger_lot l WHERE ${where.join(" AND ")}`, [accountId])
    return { lots: rows.map(toLotDTO), count: n, limit, offset }
  }

  /**
   * The credit that expires next: the soonest expiry date among the account's lots with money
   * left, and how much (not reserved by a hold) expires then. Null when none expires.
   */
  @InjectManager()
  async nextExpiring(accountId: string, @MedusaContext() ctx: Context = {}): Promise<NextExpiring | null> {
    return (await this.nextExpiringOf([accountId], ctx)).get(accountId) ?? null
  }

  /** nextExpiring of several accounts in one read, by account id (accounts without any left out). */
  @InjectManager()
  async nextExpiringOf(accountIds: string[], @MedusaContext() ctx: Context = {}): Promise<Map<string, NextExpiring>> {
    if (!accountIds.length) return new Map()
    const rows = await runSql(
      ctx,
      `SELECT DISTINCT ON (l.account_id) l.account_id, l.expires_at, a.currency_code,
              (sum(l.remaining - l.reserved) OVER (PARTITION BY l.account_id, l.expires_at))::text AS amount
         FROM ledger_lot l JOIN ledger_account a ON a.id = l.account_id
        WHERE l.account_id IN (SELECT jsonb_array_elements_text(?::jsonb))
          AND l.remaining > 0 AND l.remaining > l.reserved AND l.expires_at > clock_timestamp()
        ORDER BY l.account_id, l.expires_at`,
      [JSON.stringify(accountIds)]
    )
    return new Map(rows.map((r) => [r.account_id, { amount: formatAmount(r.amount, r.currency_code), expires_at: r.expires_at }]))
  }
}
