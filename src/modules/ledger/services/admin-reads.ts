import { Context } from "@medusajs/framework/types"
import { InjectManager, InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { ACCOUNT_TYPE_STATS_SQL, AccountSearch, AccountSort, AccountSummary, TRANSFER_COUNT_CAP, accountOrdersSql, accountSearchSql, balanceHistorySql, initialLoadsSql, transferCountsSql, typeSubtreeSql } from "../admin-reads"
import { TYPE_CODES, typeId } from "../core"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { formatAmount, toDecimal } from "../money"
import { runSql } from "../sql"
import type { StatementLineDTO } from "../types"
import { requireText, toDate, jsonParam, slug } from "./helpers"
import { lotUses } from "./lot-reads"
import { LedgerChecks } from "./checks"

/** What the admin reads: statements, account types, the accounts list, an account's orders and balance history. */
export class LedgerAdminReads extends LedgerChecks {
  /** Entries of an account with the running balance after each, newest first by default. */
  @InjectManager()
  async statement(
    accountId: string,
    query: { limit?: number; offset?: number; order?: "asc" | "desc"; from?: Date | string; to?: Date | string } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<{ lines: StatementLineDTO[]; count: number; limit: number; offset: number }> {
    const account = await this.getAccount(accountId, ctx)
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 1000)
    const offset = Math.max(query.offset ?? 0, 0)
    const desc = query.order !== "asc"
    // The (account_id, seq) index is partial: the predicate lets PostgreSQL use it.
    const where = [`e.account_id = ?`, `e.deleted_at IS NULL`]
    const params: unknown[] = [accountId]
    if (query.from) {
      where.push(`e.created_at >= ?::timestamptz`)
      params.push(toDate(query.from, "from"))
    }
    if (query.to) {
      where.push(`e.created_at < ?::timestamptz`)
      params.push(toDate(query.to, "to"))
    }
    const core = !!account.role
    // Core accounts post no balance_after (see ledger_apply). Their running balance is the
    // live balance less what was posted after the page (newest first), or what was posted
    // before it (oldest first), read in the same statement: work bounded by the offset.
    const edge = !core
      ? `NULL::numeric`
      : desc
        ? `ledger_balance(?) - coalesce((SELECT sum(x.amount) FROM ledger_entry x
             WHERE x.account_id = ? AND x.deleted_at IS NULL AND x.seq > (SELECT max(p.seq) FROM page p)), 0)`
        : `coalesce((SELECT sum(x.amount) FROM ledger_entry x
             WHERE x.account_id = ? AND x.deleted_at IS NULL AND x.seq < (SELECT min(p.seq) FROM page p)), 0)`
    const rows = await runSql(
      ctx,
      `WITH page AS (
         SELECT e.id, e.seq, e.transfer_id, e.amount, e.balance_after, e.created_at
           FROM ledger_entry e WHERE ${where.join(" AND ")}
          ORDER BY e.seq ${desc ? "DESC" : "ASC"} LIMIT ? OFFSET ?)
       SELECT p.id, p.transfer_id, t.reference, t.kind, t.description, t.merchant_reference,
              CASE WHEN p.amount < 0 THEN t.destination_id ELSE t.source_id END AS counterparty_id,
              p.amount::text AS amount, p.balance_after::text AS balance_after, p.created_at,
              (${edge})::text AS edge
         FROM page p JOIN ledger_transfer t ON t.id = p.transfer_id
        ORDER BY p.seq ${desc ? "DESC" : "ASC"}`,
      [...params, limit, offset, ...(core ? (desc ? [accountId, accountId] : [accountId]) : [])]
    )
    const [{ n: count }] = await runSql(ctx, `SELECT count(*)::int AS n FROM ledger_entry e WHERE ${where.join(" AND ")}`, params)
    let running = rows.length && core ? toDecimal(rows[0].edge) : null
    const lines = rows.map((r) => {
      let after: Decimal
      if (!core) {
        after = toDecimal(r.balance_after)
      } else if (desc) {
        after = running!
        running = running!.minus(toDecimal(r.amount))
      } else {
        running = running!.plus(toDecimal(r.amount))
        after = running
      }
      return {
        id: r.id,
        transfer_id: r.transfer_id,
        reference: r.reference,
        kind: r.kind,
        description: r.description,
        merchant_reference: r.merchant_reference,
        counterparty_id: r.counterparty_id,
        amount: formatAmount(r.amount, account.currency_code),
        balance_after: formatAmount(after, account.currency_code),
        created_at: r.created_at,
      } as StatementLineDTO
    })
    if (account.lots_since && lines.length) {
      const uses = await lotUses(ctx, accountId, account.currency_code, lines.map((l) => l.transfer_id))
      for (const line of lines) line.lots = uses.get(line.transfer_id) ?? []
    }
    return { lines, count, limit, offset }
  }

  @InjectManager()
  async createAccountType(
    input: { name: string; code?: string; parent_id?: string | null; metadata?: Record<string, unknown> | null },
    @MedusaContext() ctx: Context = {}
  ) {
    const name = requireText(input.name, "name")
    let parentPath = ""
    let parentCode = ""
    if (input.parent_id) {
      const [parent] = await runSql(ctx, `SELECT code, path FROM ledger_account_type WHERE id = ?`, [input.parent_id])
      if (!parent) {
        throw new LedgerError("not_found", `Account type ${input.parent_id} not found`)
      }
      parentPath = `${parent.path} / `
      parentCode = `${parent.code}.`
    }
    const code = input.code ?? `${parentCode}${slug(name)}`
    if (!/^[a-z0-9_.]{1,200}$/.test(code)) {
      throw new LedgerError("invalid_request", "code may contain only a-z, 0-9, _ and .")
    }
    const [row] = await runSql(
      ctx,
      `INSERT INTO ledger_account_type (id, code, name, path, parent_id, metadata)
       VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING *`,
      [newId("lat"), code, name, `${parentPath}${name}`, input.parent_id ?? null, jsonParam(input.metadata)]
    )
    return row
  }

  /**
   * Renames an account type; its code never changes (reports and the core accounts find
   * types by id and code). The path of the type and of every type below it follows.
   */
  @InjectTransactionManager()
  async updateAccountType(
    id: string,
    input: { name?: string; metadata?: Record<string, unknown> | null },
    @MedusaContext() ctx: Context = {}
  ) {
    const [current] = await runSql(
      ctx,
      `SELECT t.id, t.path, p.path AS parent_path FROM ledger_account_type t
         LEFT JOIN ledger_account_type p ON p.id = t.parent_id
        WHERE t.id = ? AND t.deleted_at IS NULL FOR NO KEY UPDATE OF t`,
      [id]
    )
    if (!current) {
      throw new LedgerError("not_found", `Account type ${id} not found`)
    }
    if (input.name !== undefined) {
      const name = requireText(input.name, "name")
      if (name.includes(" / ")) {
        throw new LedgerError("invalid_request", `name may not contain " / ", which separates the levels of a path`)
      }
      const path = current.parent_path ? `${current.parent_path} / ${name}` : name
      // Every path below starts with this type's path (each was built from its parent's).
      await runSql(
        ctx,
        `WITH RECURSIVE sub(id) AS (
           SELECT ?::text UNION SELECT c.id FROM ledger_account_type c JOIN sub ON c.parent_id = sub.id)
         UPDATE ledger_account_type t
            SET path = ? || substr(t.path, ?), name = CASE WHEN t.id = ? THEN ? ELSE t.name END,
                updated_at = clock_timestamp()
          WHERE t.id IN (SELECT id FROM sub)`,
        [id, path, current.path.length + 1, id, name]
      )
    }
    if (input.metadata !== undefined) {
      await runSql(ctx, `UPDATE ledger_account_type SET metadata = ?::jsonb, updated_at = clock_timestamp() WHERE id = ?`, [
        jsonParam(input.metadata),
        id,
      ])
    }
    const [row] = await runSql(ctx, `SELECT * FROM ledger_account_type WHERE id = ?`, [id])
    return row
  }

  /** Depth in the tree (0 for a root) and number of accounts of every account type. */
  @InjectManager()
  async accountTypeStats(@MedusaContext() ctx: Context = {}): Promise<Record<string, { depth: number; account_count: number }>> {
    const rows = await runSql(ctx, ACCOUNT_TYPE_STATS_SQL)
    return Object.fromEntries(rows.map((r) => [r.id, { depth: r.depth, account_count: r.account_count }]))
  }

  /**
   * One page of the admin's accounts list: the ids in order and how many match. Types are
   * matched with everything below them; `is_gift_card` means a type under Gift cards.
   */
  @InjectManager()
  async searchAccounts(
    filters: AccountSearch,
    page: { order?: { field: AccountSort; desc: boolean }; limit: number; offset: number },
    @MedusaContext() ctx: Context = {}
  ): Promise<{ ids: string[]; count: number }> {
    const f: AccountSearch = { ...filters }
    if (f.type_ids) {
      f.type_ids = f.type_ids.length ? await this.typeSubtree_(f.type_ids, ctx) : []
    }
    if (f.is_gift_card !== undefined) {
      f.gift_card_type_ids = await this.typeSubtree_([typeId(TYPE_CODES.giftCards)], ctx)
    }
    const sql = accountSearchSql(f, page)
    const ids = (await runSql(ctx, sql.page.sql, sql.page.params)).map((r) => r.id as string)
    // A first page that is not full is the whole list.
    const count =
      page.offset === 0 && ids.length < page.limit ? ids.length : (await runSql(ctx, sql.count.sql, sql.count.params))[0].n
    return { ids, count }
  }

  /**
   * What the admin's lists show besides an account's own columns, for a page of accounts:
   * how many transfers touch it (`transfer_count`; past TRANSFER_COUNT_CAP on either side it
   * stops counting and says `transfer_count_capped`), and for customer accounts the amount
   * it was first loaded with (see initialLoadsSql) and the order that load came from, if any.
   */
  @InjectManager()
  async accountSummaries(
    ids: string[],
    want: { transfer_count?: boolean; initial_load?: boolean } = { transfer_count: true, initial_load: true },
    @MedusaContext() ctx: Context = {}
  ): Promise<Record<string, AccountSummary>> {
    const unique = [...new Set(ids)]
    if (!unique.length) {
      return {}
    }
    const accounts = await runSql(
      ctx,
      `SELECT id, role, currency_code FROM ledger_account WHERE id IN (${unique.map(() => "?").join(", ")})`,
      unique
    )
    const out: Record<string, AccountSummary> = {}
    for (const a of accounts) {
      out[a.id] = {}
    }
    if (want.transfer_count) {
      const counts = transferCountsSql(unique)
      const rows = await runSql(ctx, counts.sql, counts.params)
      const byId = new Map(rows.map((r) => [r.id, r]))
      for (const a of accounts) {
        const { paid = 0, received = 0 } = byId.get(a.id) ?? {}
        const capped = paid > TRANSFER_COUNT_CAP || received > TRANSFER_COUNT_CAP
        out[a.id].transfer_count = capped ? TRANSFER_COUNT_CAP : paid + received
        out[a.id].transfer_count_capped = capped
      }
    }
    if (want.initial_load) {
      const customer = accounts.filter((a) => !a.role)
      const loads = customer.length ? initialLoadsSql(customer.map((a) => a.id)) : null
      const rows = loads ? await runSql(ctx, loads.sql, loads.params) : []
      const byId = new Map(rows.map((r) => [r.id, r]))
      for (const a of accounts) {
        const load = byId.get(a.id)
        out[a.id].initial_amount = load ? formatAmount(load.amount, a.currency_code) : null
        out[a.id].issued_by_order_id = load && /^order_/.test(load.merchant_reference ?? "") ? load.merchant_reference : null
      }
    }
    return out
  }

  /**
   * The orders an account paid for (redemptions and captures whose merchant reference is
   * an order id), most recent first, with what was paid and what was refunded or reversed.
   */
  @InjectManager()
  async accountOrders(
    accountId: string,
    page: { limit?: number; offset?: number } = {},
    @MedusaContext() ctx: Context = {}
  ) {
    const account = await this.getAccount(accountId, ctx)
    const limit = Math.min(Math.max(page.limit ?? 20, 1), 1000)
    const offset = Math.max(page.offset ?? 0, 0)
    const { sql, params } = accountOrdersSql(accountId, { limit, offset })
    const rows = await runSql(ctx, sql, params)
    let count = rows[0]?.total
    if (count === undefined) {
      const { sql: all, params: allParams } = accountOrdersSql(accountId, { limit: 1, offset: 0 })
      count = offset === 0 ? 0 : (await runSql(ctx, all, allParams))[0]?.total ?? 0
    }
    return {
      orders: rows.map((r) => ({
        order_id: r.order_id as string,
        paid: formatAmount(r.paid, account.currency_code),
        refunded: formatAmount(r.refunded, account.currency_code),
        net: formatAmount(toDecimal(r.paid).minus(toDecimal(r.refunded)), account.currency_code),
        transfer_count: r.transfer_count as number,
        first_paid_at: r.first_paid_at as Date,
        last_paid_at: r.last_paid_at as Date,
      })),
      count: count as number,
      limit,
      offset,
    }
  }

  /**
   * The account's balance at `points` evenly spaced moments from `from` (default: when it
   * was created) to `to` (default: now), both included: the balance after every transfer
   * posted at or before each moment. One statement (see balanceHistorySql).
   */
  @InjectManager()
  async balanceHistory(
    accountId: string,
    query: { from?: Date | string; to?: Date | string; points?: number } = {},
    @MedusaContext() ctx: Context = {}
  ) {
    const account = await this.getAccount(accountId, ctx)
    const n = query.points ?? 60
    if (!Number.isInteger(n) || n < 2 || n > 1000) {
      throw new LedgerError("invalid_request", "points must be an integer from 2 to 1000")
    }
    const to = query.to ? toDate(query.to, "to") : new Date()
    const from = query.from ? toDate(query.from, "from") : new Date(account.created_at)
    if (!(from < to)) {
      throw new LedgerError("invalid_request", "from must be before to")
    }
    const span = to.getTime() - from.getTime()
    const points = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? to : new Date(from.getTime() + Math.round((span * i) / (n - 1)))
    )
    const { sql, params } = balanceHistorySql(accountId, from, points)
    const [row] = await runSql(ctx, sql, params)
    const moved = new Map<number, Decimal>()
    for (const b of row.buckets as { bucket: number; moved: string }[]) {
      moved.set(b.bucket, toDecimal(b.moved))
    }
    // Walk back from now: the balance at point j is the balance now less what moved after it.
    const balances: Decimal[] = new Array(n)
    let balance = toDecimal(row.balance).minus(moved.get(n) ?? 0)
    for (let j = n - 1; j >= 0; j--) {
      balances[j] = balance
      balance = balance.minus(moved.get(j) ?? 0)
    }
    return {
      account_id: accountId,
      currency_code: account.currency_code,
      from,
      to,
      points: points.map((at, j) => ({ at, balance: formatAmount(balances[j], account.currency_code) })),
    }
  }

  protected async typeSubtree_(ids: string[], ctx: Context): Promise<string[]> {
    const { sql, params } = typeSubtreeSql(ids)
    return (await runSql(ctx, sql, params)).map((r) => r.id)
  }
}
