/**
 * The SQL behind the admin pages' reads: the accounts list (search, filters, sorting), the
 * per-page extras (transfer counts, first loads), an account's orders and its balance
 * history. Each builder returns `{ sql, params }` so the service runs it and a benchmark or
 * a plan test can EXPLAIN exactly what runs. Every condition on a ledger table says
 * `deleted_at IS NULL`, the predicate of Medusa's partial indexes.
 */
import { crockfordDigits } from "./codes"
import { LIVE_BALANCE } from "./sql"

export type Sql = { sql: string; params: unknown[] }

export type DateRange = { $gt?: Date; $gte?: Date; $lt?: Date; $lte?: Date }

export type AccountSearch = {
  /** name or description contains it, or the code does (dashes, spaces and case ignored); an account or customer id is looked up exactly */
  q?: string
  /** customers found for `q` (by email, in the customer module): their accounts match too */
  q_customer_ids?: string[]
  id?: string[]
  /** exact, normalised */
  code?: string
  status?: string[]
  currency_code?: string[]
  /** these types and every type under them (resolved by the caller, see typeSubtreeSql) */
  type_ids?: string[]
  /** under Liabilities / Deferred income / Gift cards (resolved like type_ids) */
  gift_card_type_ids?: string[]
  is_gift_card?: boolean
  is_core?: boolean
  /** owner or member */
  customer_id?: string
  has_balance?: boolean
  /** end_date before this moment */
  ends_before?: Date
  created_at?: DateRange
  updated_at?: DateRange
}

export const ACCOUNT_SORTS = [
  "name",
  "code",
  "status",
  "currency_code",
  "balance",
  "created_at",
  "updated_at",
  "start_date",
  "end_date",
] as const
export type AccountSort = (typeof ACCOUNT_SORTS)[number]

const SORT_EXPRESSIONS: Record<AccountSort, string> = {
  name: "a.name",
  code: "a.code",
  status: "a.status",
  currency_code: "a.currency_code",
  balance: LIVE_BALANCE,
  created_at: "a.created_at",
  updated_at: "a.updated_at",
  start_date: "a.start_date",
  end_date: "a.end_date",
}

const list = (values: unknown[]) => values.map(() => "?").join(", ")

/** `%value%` for LIKE, with LIKE's own wildcards taken literally. */
export function containsPattern(value: string) {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function rangeConditions(column: string, range: DateRange | undefined, where: string[], params: unknown[]) {
  const ops: [keyof DateRange, string][] = [["$gt", ">"], ["$gte", ">="], ["$lt", "<"], ["$lte", "<="]]
  for (const [key, op] of ops) {
    if (range?.[key]) {
      where.push(`${column} ${op} ?::timestamptz`)
      params.push(range[key])
    }
  }
}

/** A Medusa id (`cus_01…`, `acc_01…`): looked up exactly, through indexes, not searched as text. */
export function isEntityId(value: string) {
  return /^[a-z]+_[0-9A-Za-z]{20,32}$/.test(value)
}

// The accounts a customer shares as a member; a set the planner can look up by index.
const memberAccounts = (ids: unknown[]) =>
  `SELECT m.account_id FROM ledger_account_member m WHERE m.customer_id IN (${list(ids)}) AND m.deleted_at IS NULL`

/** The WHERE clause of the accounts list. */
export function accountSearchWhere(f: AccountSearch): Sql {
  const where = ["a.deleted_at IS NULL"]
  const params: unknown[] = []
  if (f.q && f.q.trim()) {
    const q = f.q.trim()
    const or: string[] = []
    if (isEntityId(q)) {
      // An account's or a customer's id: exact, one set of ids looked up by index.
      or.push(
        `a.id IN (SELECT ?::text UNION SELECT o.id FROM ledger_account o WHERE o.customer_id = ? AND o.deleted_at IS NULL
                  UNION ${memberAccounts([q])})`
      )
      params.push(q, q, q)
    } else {
      or.push(`a.name ILIKE ?`, `a.description ILIKE ?`)
      params.push(containsPattern(q), containsPattern(q))
      // Codes are stored upper-case without dashes: match what was typed the same way.
      const code = q.replace(/[\s-]/g, "").toUpperCase()
      if (/^[A-Z0-9]{4,64}$/.test(code)) {
        for (const v of new Set([code, crockfordDigits(code)])) {
          or.push(`a.code LIKE ?`)
          params.push(containsPattern(v))
        }
      }
    }
    if (f.q_customer_ids?.length) {
      or.push(`a.customer_id IN (${list(f.q_customer_ids)})`, `a.id IN (${memberAccounts(f.q_customer_ids)})`)
      params.push(...f.q_customer_ids, ...f.q_customer_ids)
    }
    where.push(`(${or.join(" OR ")})`)
  }
  if (f.id?.length) {
    where.push(`a.id IN (${list(f.id)})`)
    params.push(...f.id)
  }
  if (f.code) {
    where.push(`a.code = ?`)
    params.push(f.code)
  }
  if (f.status?.length) {
    where.push(`a.status IN (${list(f.status)})`)
    params.push(...f.status)
  }
  if (f.currency_code?.length) {
    where.push(`a.currency_code IN (${list(f.currency_code)})`)
    params.push(...f.currency_code)
  }
  if (f.type_ids) {
    where.push(f.type_ids.length ? `a.type_id IN (${list(f.type_ids)})` : "FALSE")
    params.push(...f.type_ids)
  }
  if (f.is_gift_card !== undefined) {
    const ids = f.gift_card_type_ids ?? []
    if (ids.length) {
      where.push(`a.type_id ${f.is_gift_card ? "" : "NOT "}IN (${list(ids)})`)
      params.push(...ids)
    } else if (f.is_gift_card) {
      where.push("FALSE")
    }
  }
  if (f.is_core !== undefined) {
    where.push(f.is_core ? "a.role IS NOT NULL" : "a.role IS NULL")
  }
  if (f.customer_id) {
    // One set of ids (owned ∪ shared), so both lookups run on their customer_id indexes.
    where.push(
      `a.id IN (SELECT o.id FROM ledger_account o WHERE o.customer_id = ? AND o.deleted_at IS NULL
                UNION ${memberAccounts([f.customer_id])})`
    )
    params.push(f.customer_id, f.customer_id)
  }
  if (f.has_balance !== undefined) {
    where.push(`${LIVE_BALANCE} ${f.has_balance ? "<>" : "="} 0`)
  }
  if (f.ends_before) {
    where.push(`a.end_date < ?::timestamptz`)
    params.push(f.ends_before)
  }
  rangeConditions("a.created_at", f.created_at, where, params)
  rangeConditions("a.updated_at", f.updated_at, where, params)
  return { sql: where.join(" AND "), params }
}

/** One page of account ids, in order, and the count of all that match. */
export function accountSearchSql(
  f: AccountSearch,
  page: { order?: { field: AccountSort; desc: boolean }; limit: number; offset: number }
): { page: Sql; count: Sql } {
  const where = accountSearchWhere(f)
  // Newest first unless told otherwise; the id breaks ties so pages never overlap. NULLs
  // sort as the largest values (an account without end date ends last), PostgreSQL's
  // default, so the (column, id) indexes serve both directions.
  const order = page.order ?? { field: "created_at", desc: true }
  const dir = order.desc ? "DESC" : "ASC"
  return {
    page: {
      sql: `SELECT a.id FROM ledger_account a WHERE ${where.sql}
             ORDER BY ${SORT_EXPRESSIONS[order.field]} ${dir}, a.id ${dir} LIMIT ? OFFSET ?`,
      params: [...where.params, page.limit, page.offset],
    },
    count: { sql: `SELECT count(*)::int AS n FROM ledger_account a WHERE ${where.sql}`, params: where.params },
  }
}

/** These account types and every type below them (by parent_id, whatever the names). */
export function typeSubtreeSql(ids: string[]): Sql {
  return {
    sql: `WITH RECURSIVE sub(id) AS (
            SELECT t.id FROM ledger_account_type t WHERE t.id IN (${list(ids)}) AND t.deleted_at IS NULL
            UNION
            SELECT c.id FROM ledger_account_type c JOIN sub ON c.parent_id = sub.id WHERE c.deleted_at IS NULL)
          SELECT id FROM sub`,
    params: ids,
  }
}

/** What the admin's lists add to an account (see the service's accountSummaries). */
export type AccountSummary = {
  transfer_count?: number
  transfer_count_capped?: boolean
  initial_amount?: string | null
  issued_by_order_id?: string | null
}

/** transfer_count counts up to this many transfers per account; past it, it says so. */
export const TRANSFER_COUNT_CAP = 1000

const idValues = (ids: string[]) => `(VALUES ${ids.map(() => "(?::text)").join(", ")}) x(id)`

/**
 * How many transfers each account paid and received, each counted up to `cap` + 1 (a core
 * account has hundreds of thousands): one statement for the page, each side counted off
 * its (source_id, created_at) / (destination_id, created_at) index.
 */
export function transferCountsSql(ids: string[], cap = TRANSFER_COUNT_CAP): Sql {
  return {
    sql: `SELECT x.id,
                 (SELECT count(*) FROM (SELECT 1 FROM ledger_transfer t
                    WHERE t.source_id = x.id AND t.deleted_at IS NULL LIMIT ?) s)::int AS paid,
                 (SELECT count(*) FROM (SELECT 1 FROM ledger_transfer t
                    WHERE t.destination_id = x.id AND t.deleted_at IS NULL LIMIT ?) d)::int AS received
            FROM ${idValues(ids)}`,
    params: [cap + 1, cap + 1, ...ids],
  }
}

/**
 * The first load of each account and what the account was loaded with at creation: that
 * load plus the other loads with its merchant reference and description (a gift card paid
 * partly from store credit is loaded twice, from Redemptions and from Bank). One statement
 * for the page, each account read off its (destination_id, created_at) index. For customer
 * accounts: a core account has too many transfers to look for loads among.
 */
export function initialLoadsSql(ids: string[]): Sql {
  return {
    sql: `SELECT x.id, f.merchant_reference, f.created_at,
                 (CASE WHEN f.merchant_reference IS NULL THEN f.amount ELSE
                   (SELECT sum(l.amount) FROM ledger_transfer l
                     WHERE l.destination_id = x.id AND l.kind = 'load' AND l.deleted_at IS NULL
                       AND l.merchant_reference = f.merchant_reference
                       AND l.description IS NOT DISTINCT FROM f.description) END)::text AS amount
            FROM ${idValues(ids)}
            CROSS JOIN LATERAL (
              SELECT t.amount, t.merchant_reference, t.description, t.created_at FROM ledger_transfer t
               WHERE t.destination_id = x.id AND t.kind = 'load' AND t.deleted_at IS NULL
               ORDER BY t.created_at, t.id LIMIT 1) f`,
    params: ids,
  }
}

/**
 * The orders an account paid for: its redemptions and captures whose merchant reference is
 * an order id, grouped by order, with what was refunded or reversed of them; the orders
 * paid most recently first. `total` is the number of orders (on every row).
 */
export function accountOrdersSql(accountId: string, page: { limit: number; offset: number }): Sql {
  return {
    sql: `WITH paid AS (
            SELECT t.id, t.merchant_reference, t.amount, t.created_at,
                   coalesce((SELECT sum(r.amount) FROM ledger_transfer r
                              WHERE r.parent_id = t.id AND r.kind IN ('refund', 'reversal') AND r.deleted_at IS NULL), 0) AS refunded
              FROM ledger_transfer t
             WHERE t.source_id = ? AND t.kind IN ('redemption', 'capture') AND t.deleted_at IS NULL
               AND t.merchant_reference LIKE 'order\\_%')
          SELECT p.merchant_reference AS order_id, sum(p.amount)::text AS paid, sum(p.refunded)::text AS refunded,
                 count(*)::int AS transfer_count, min(p.created_at) AS first_paid_at, max(p.created_at) AS last_paid_at,
                 count(*) OVER ()::int AS total
            FROM paid p GROUP BY p.merchant_reference
           ORDER BY max(p.created_at) DESC, p.merchant_reference LIMIT ? OFFSET ?`,
    params: [accountId, page.limit, page.offset],
  }
}

/**
 * What a balance history needs, in one statement: the account's balance now and, for the
 * transfers after `from`, the sum moved per bucket, where a transfer's bucket is the
 * number of points strictly before it. The balance at point j is then the balance now less
 * what moved in buckets above j. Both sides are read off the transfers' (account,
 * created_at) indexes, so a busy account costs the transfers in the range, not its history.
 */
export function balanceHistorySql(accountId: string, from: Date, points: Date[]): Sql {
  // Thresholds 1 µs after each point: width_bucket counts those <= t, i.e. points < t.
  const array = `{${points.map((p) => `"${p.toISOString()}"`).join(",")}}`
  return {
    sql: `SELECT ledger_balance(?)::text AS balance,
                 (SELECT coalesce(json_agg(json_build_object('bucket', g.bucket, 'moved', g.moved::text)), '[]'::json) FROM (
                    SELECT width_bucket(m.created_at, ARRAY(SELECT x + interval '1 microsecond' FROM unnest(?::timestamptz[]) x)) AS bucket,
                           sum(m.amount) AS moved
                      FROM (SELECT t.created_at, -t.amount AS amount FROM ledger_transfer t
                             WHERE t.source_id = ? AND t.created_at > ?::timestamptz AND t.deleted_at IS NULL
                            UNION ALL
                            SELECT t.created_at, t.amount FROM ledger_transfer t
                             WHERE t.destination_id = ? AND t.created_at > ?::timestamptz AND t.deleted_at IS NULL) m
                     GROUP BY 1) g) AS buckets`,
    params: [accountId, array, accountId, from, accountId, from],
  }
}

/** Depth (0 for a root) and number of accounts of each account type. */
export const ACCOUNT_TYPE_STATS_SQL = `
  WITH RECURSIVE tree(id, depth) AS (
    SELECT t.id, 0 FROM ledger_account_type t WHERE t.parent_id IS NULL AND t.deleted_at IS NULL
    UNION ALL
    SELECT c.id, tree.depth + 1 FROM ledger_account_type c JOIN tree ON c.parent_id = tree.id WHERE c.deleted_at IS NULL)
  SELECT tree.id, tree.depth,
         (SELECT count(*) FROM ledger_account a WHERE a.type_id = tree.id AND a.deleted_at IS NULL)::int AS account_count
    FROM tree`
