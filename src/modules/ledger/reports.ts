/**
 * The ledger's reports: deferred income, profit and loss, trial balance. Each is read
 * from the entries (never from the cached balances), in one read-only REPEATABLE READ
 * snapshot, so its figures agree with each other whatever is posted meanwhile.
 *
 * WHEN AN ENTRY COUNTS. An entry belongs to the ledger "as of T" when its `created_at`
 * is at or before T; a period (from, to] holds the entries with from < created_at ≤ to,
 * so that the change over a period is exactly the position at `to` less the position at
 * `from`. A date without a time (YYYY-MM-DD, UTC) as `as_of` or `to` means the end of that
 * day (the closing position), as `from` its start.
 *
 * HOW A BALANCE AS OF T IS READ. A customer account's entries carry `balance_after`, the
 * running sum of its entries in posting order (invariant 3, which verify() checks), and
 * their `created_at` follows that order (both are taken under the account's lock). So its
 * balance as of T is the `balance_after` of its last entry at or before T: one probe of
 * the (account_id, created_at, seq) index, which carries amount and balance_after, whatever
 * the account's history. Core accounts record no balance_after (their balance is spread
 * over shard rows): theirs is the sum of their entries up to T, read from the same index.
 *
 * Deferred income = accounts whose type is Liabilities / Deferred income or any type under
 * it (followed through parent_id, so custom types count wherever their code points), by
 * their current type; core accounts never are.
 */
import { LOT_REMAINING } from "./verify-lots"
import { TYPE_CODES, typeId } from "./core"
import { LedgerError } from "./errors"
import { formatAmount, normalizeCurrency, toDecimal } from "./money"

/** Runs one statement (knex `?` placeholders) in the report's transaction. */
export type ReportExec = (sql: string, params?: unknown[]) => Promise<any[]>

export type ReportQuery = { as_of?: Date | string | null; currency_code?: string | null }
export type PeriodQuery = { from?: Date | string | null; to?: Date | string | null; currency_code?: string | null }

const DEFERRED_INCOME_TYPE_ID = typeId(TYPE_CODES.deferredIncome)

// ------------------------------------------------------------------ moments

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i

/**
 * A report moment as PostgreSQL should read it (a string keeps the microseconds a JS Date
 * would drop). Accepts a Date, an ISO 8601 date-time with a zone (`Z` or `±hh:mm`), or a
 * date (UTC): its start for `edge` "start", the start of the next day for "end".
 */
export function reportMoment(value: Date | string, edge: "start" | "end", field: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badDate(field, value)
    return value.toISOString()
  }
  const text = typeof value === "string" ? value.trim() : ""
  const day = DATE_ONLY.exec(text)
  if (day) {
    const start = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])))
    if (start.getUTCFullYear() !== Number(day[1]) || start.getUTCMonth() !== Number(day[2]) - 1 || start.getUTCDate() !== Number(day[3])) {
      throw badDate(field, value)
    }
    const at = new Date(start.getTime() + (edge === "end" ? 86_400_000 : 0))
    // by hand: toISOString writes the day after 9999-12-31 as +010000-01-01, which PostgreSQL refuses
    const two = (n: number) => String(n).padStart(2, "0")
    return `${String(at.getUTCFullYear()).padStart(4, "0")}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}T00:00:00Z`
  }
  if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text))) {
    throw badDate(field, value)
  }
  return text.toUpperCase()
}

function badDate(field: string, value: unknown) {
  return new LedgerError(
    "invalid_request",
    `${field} must be an ISO 8601 date (2026-01-31) or date-time with a time zone (2026-01-31T23:59:59Z), got ${JSON.stringify(value)}`
  )
}

/**
 * Checks a period's bounds without the database (for validators): it must start before it
 * ends (from=2026-02-01&to=2026-01-31 is refused although, as moments, both are Feb 1, 00:00).
 */
export function checkPeriod(from: string | undefined | null, to: string | undefined | null) {
  const f = from ? reportMoment(from, "start", "from") : null
  const t = to ? reportMoment(to, "end", "to") : null
  if (f && t && Date.parse(f) >= Date.parse(t)) {
    throw periodError(from!, to!)
  }
}

const periodError = (from: string, to: string) => new LedgerError("invalid_request", `from (${from}) must be before to (${to})`)

// Moments come back as UTC ISO strings with microseconds.
const ISO = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/**
 * Opens the report's snapshot when the transaction is the report's own: read-only, REPEATABLE
 * READ (every statement sees the same ledger), no JIT (the plans are index probes; compiling
 * them costs more than it saves) and room for the hash of the accounts. In a caller's
 * transaction it changes nothing there. Returns the database's now() of the transaction.
 */
export async function beginReport(exec: ReportExec, ownTransaction: boolean): Promise<string> {
  if (ownTransaction) {
    await exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`)
    await exec(`SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`)
  }
  const [row] = await exec(`SELECT ${ISO("now()")} AS now`)
  return row.now
}

async function currenciesOf(exec: ReportExec, currency: string | null | undefined): Promise<string[]> {
  if (currency) {
    return [normalizeCurrency(currency)]
  }
  // Every currency in use has its core accounts (they are created with its first account).
  const rows = await exec(
    `SELECT DISTINCT currency_code FROM ledger_account WHERE role IS NOT NULL AND deleted_at IS NULL ORDER BY currency_code`
  )
  return rows.map((r) => r.currency_code)
}

type TypeRow = { id: string; code: string; name: string; path: string; parent_id: string | null }

async function accountTypes(exec: ReportExec): Promise<TypeRow[]> {
  return exec(`SELECT id, code, name, path, parent_id FROM ledger_account_type WHERE deleted_at IS NULL ORDER BY path, id`)
}

/** The Deferred income type and every type under it (UNION: a cycle cannot loop). */
const DEFERRED_TYPES_CTE = `deferred_types AS (
  SELECT t.id FROM ledger_account_type t WHERE t.id = ? AND t.deleted_at IS NULL
  UNION
  SELECT c.id FROM ledger_account_type c JOIN deferred_types p ON c.parent_id = p.id WHERE c.deleted_at IS NULL)`

/** A customer account's balance as of a moment: the balance_after of its last entry then. */
const BALANCE_AS_OF = (account: string) => `SELECT e.balance_after AS balance FROM ledger_entry e
     WHERE e.account_id = ${account} AND e.deleted_at IS NULL AND e.created_at <= ?::timestamptz
     ORDER BY e.created_at DESC, e.seq DESC LIMIT 1`

const money = (value: unknown, currency: string) => formatAmount(value ?? 0, currency)

// ------------------------------------------------------------------ deferred income

/** The bucket of a moment (an end date, a lot's expiry) against m.t, the report's as_of. */
const bucketOf = (at: string) => `CASE WHEN ${at} IS NULL THEN 'no_end_date'
                 WHEN ${at} <= m.t THEN 'expired'
                 WHEN ${at} <= m.t + interval '720 hours' THEN 'd0_30'
                 WHEN ${at} <= m.t + interval '1440 hours' THEN 'd31_60'
                 WHEN ${at} <= m.t + interval '2160 hours' THEN 'd61_90'
                 ELSE 'd90_plus' END`

export const EXPIRY_BUCKETS = ["expired", "d0_30", "d31_60", "d61_90", "d90_plus", "no_end_date"] as const
export type ExpiryBucket = (typeof EXPIRY_BUCKETS)[number]

export type ReportCell = { balance: string; accounts: number }

export type DeferredIncomeRow = {
  /** null on the totals row */
  account_type_id: string | null
  account_type_code: string | null
  name: string
  path: string
  balance: string
  accounts: number
  buckets: Record<ExpiryBucket, ReportCell>
}

export type DeferredIncomeReport = {
  as_of: string
  buckets: readonly ExpiryBucket[]
  reports: { currency_code: string; rows: DeferredIncomeRow[]; totals: DeferredIncomeRow }[]
}

/**
 * Deferred income as of a moment: per account type under Deferred income, the balances of
 * its accounts then and how many have a non-zero balance, split by time from `as_of` to the
 * account's end_date, or, for an account that kept lots then, to each lot's own expiry: `expired` (end_date ≤ as_of), `d0_30` (≤ 30 days of 24 h), `d31_60`,
 * `d61_90`, `d90_plus`, `no_end_date`. One report per currency (every currency in use
 * unless one is asked for); every type of the branch has a row, zeros included.
 */
export async function deferredIncomeReport(exec: ReportExec, now: string, query: ReportQuery = {}): Promise<DeferredIncomeReport> {
  const asOf = query.as_of ? reportMoment(query.as_of, "end", "as_of") : now
  const currencies = await currenciesOf(exec, query.currency_code)
  const cur = query.currency_code ? "AND a.currency_code = ?" : ""
  const rows = await exec(
    `WITH RECURSIVE ${DEFERRED_TYPES_CTE},
     m AS (SELECT ?::timestamptz AS t),
     -- each account's balance then, or, for an account keeping lots then, each lot's money
     -- then by the lot's own expiry (its account's end date if sooner)
     pieces AS (
       SELECT a.id AS account_id, a.currency_code, a.type_id, ${bucketOf("a.end_date")} AS bucket, b.balance
         FROM ledger_account a CROSS JOIN m
         CROSS JOIN LATERAL (${BALANCE_AS_OF("a.id").replace("?::timestamptz", "m.t")}) b
        WHERE a.type_id IN (SELECT id FROM deferred_types) AND a.role IS NULL AND a.deleted_at IS NULL
          AND b.balance <> 0 AND (a.lots_since IS NULL OR a.lots_since > m.t OR b.balance < 0) ${cur}
       UNION ALL
       SELECT a.id, a.currency_code, a.type_id, ${bucketOf("least(l.expires_at, a.end_date)")}, r.remaining
         FROM ledger_account a CROSS JOIN m
         JOIN ledger_lot l ON l.account_id = a.id
         CROSS JOIN LATERAL (SELECT sum(${LOT_REMAINING}) AS remaining FROM ledger_lot_move x
                              WHERE x.lot_id = l.id AND x.created_at <= m.t) r
        WHERE a.type_id IN (SELECT id FROM deferred_types) AND a.role IS NULL AND a.deleted_at IS NULL
          AND a.lots_since <= m.t AND r.remaining > 0 ${cur})
     SELECT currency_code, type_id, bucket, sum(balance)::text AS balance, count(DISTINCT account_id)::int AS accounts
       FROM pieces GROUP BY GROUPING SETS ((currency_code, type_id, bucket), (currency_code, type_id))`,
    [DEFERRED_INCOME_TYPE_ID, asOf, ...(query.currency_code ? [currencies[0], currencies[0]] : [])]
  )
  const types = await accountTypes(exec)
  const branch = subtree(types, DEFERRED_INCOME_TYPE_ID)
  const all = [...new Set([...currencies, ...rows.map((r) => r.currency_code as string)])].sort()
  return {
    as_of: asOf === now ? now : await canonical(exec, asOf),
    buckets: EXPIRY_BUCKETS,
    reports: all.map((currency) => {
      const mine = rows.filter((r) => r.currency_code === currency)
      const row = (type: TypeRow | null): DeferredIncomeRow => {
        const all = mine.filter((r) => !type || r.type_id === type.id)
        // an account keeping lots may sit in several buckets: its type's count is of accounts
        const cells = all.filter((r) => r.bucket !== null)
        const typeTotals = all.filter((r) => r.bucket === null)
        const buckets = {} as Record<ExpiryBucket, ReportCell>
        for (const bucket of EXPIRY_BUCKETS) {
          const inBucket = cells.filter((r) => r.bucket === bucket)
          buckets[bucket] = {
            balance: money(sum(inBucket.map((r) => r.balance)), currency),
            accounts: inBucket.reduce((n, r) => n + r.accounts, 0),
          }
        }
        return {
          account_type_id: type?.id ?? null,
          account_type_code: type?.code ?? null,
          name: type?.name ?? "Total",
          path: type?.path ?? "Total",
          balance: money(sum(cells.map((r) => r.balance)), currency),
          accounts: typeTotals.reduce((n, r) => n + r.accounts, 0),
          buckets,
        }
      }
      return { currency_code: currency, rows: branch.map(row), totals: row(null) }
    }),
  }
}

// ------------------------------------------------------------------ trial balance

export type TrialBalanceRow = {
  account_type_id: string
  account_type_code: string
  name: string
  path: string
  parent_id: string | null
  depth: number
  /** the sum of the entries of the accounts of this type (not of its subtypes) */
  balance: string
  /** accounts of this type with a non-zero balance */
  accounts: number
  /** this type and every type under it */
  subtree_balance: string
}

export type TrialBalanceReport = {
  as_of: string
  reports: { currency_code: string; rows: TrialBalanceRow[]; total: string; balanced: boolean }[]
}

/**
 * Every account type's balance as of a moment, core accounts included, per currency: the
 * sum of the entries of its accounts up to then (sign as posted: money owed to customers
 * positive, Bank negative). The rows sum to zero (`total`, `balanced`), as every transfer
 * does; a transfer counts once both of its entries are posted, so an `as_of` falling in the
 * microseconds between them would show it half-posted.
 */
export async function trialBalanceReport(exec: ReportExec, now: string, query: ReportQuery = {}): Promise<TrialBalanceReport> {
  const asOf = query.as_of ? reportMoment(query.as_of, "end", "as_of") : now
  const currencies = await currenciesOf(exec, query.currency_code)
  const cur = query.currency_code ? "AND a.currency_code = ?" : ""
  const curParam = query.currency_code ? [currencies[0]] : []
  const rows = await exec(
    `SELECT x.currency_code, x.type_id, sum(x.balance)::text AS balance,
            (count(*) FILTER (WHERE x.balance <> 0))::int AS accounts
       FROM (SELECT a.currency_code, a.type_id, b.balance
               FROM ledger_account a CROSS JOIN LATERAL (${BALANCE_AS_OF("a.id")}) b
              WHERE a.role IS NULL AND a.deleted_at IS NULL ${cur}
             UNION ALL
             SELECT a.currency_code, a.type_id, s.balance
               FROM ledger_account a
               CROSS JOIN LATERAL (SELECT sum(e.amount) AS balance FROM ledger_entry e
                                    WHERE e.account_id = a.id AND e.deleted_at IS NULL AND e.created_at <= ?::timestamptz) s
              WHERE a.role IS NOT NULL AND a.deleted_at IS NULL AND s.balance IS NOT NULL ${cur}) x
      GROUP BY 1, 2`,
    [asOf, ...curParam, asOf, ...curParam]
  )
  const types = await accountTypes(exec)
  const depthOf = depths(types)
  const all = [...new Set([...currencies, ...rows.map((r) => r.currency_code as string)])].sort()
  return {
    as_of: asOf === now ? now : await canonical(exec, asOf),
    reports: all.map((currency) => {
      const mine = new Map(rows.filter((r) => r.currency_code === currency).map((r) => [r.type_id as string, r]))
      const own = (id: string) => toDecimal(mine.get(id)?.balance ?? 0)
      const total = sum([...mine.values()].map((r) => r.balance))
      return {
        currency_code: currency,
        rows: types.map((t) => ({
          account_type_id: t.id,
          account_type_code: t.code,
          name: t.name,
          path: t.path,
          parent_id: t.parent_id,
          depth: depthOf.get(t.id) ?? 0,
          balance: money(own(t.id), currency),
          accounts: mine.get(t.id)?.accounts ?? 0,
          subtree_balance: money(sum(subtree(types, t.id).map((s) => own(s.id))), currency),
        })),
        total: money(total, currency),
        balanced: toDecimal(total).isZero(),
      }
    }),
  }
}

// ------------------------------------------------------------------ profit and loss

/**
 * The lines of the profit and loss report. Every entry posted in the period on a
 * deferred-income account falls in exactly one of them, chosen by its transfer's kind and
 * the role of the account on the other side, in this order:
 *
 *   reversals           kind = reversal (of anything: a load, a redemption, ...)
 *   lapsed              kind = expiry, or the other side is Lapsed
 *   loads_paid          from Bank (money received: gift cards bought with a card)
 *   loads_unpaid        from Unpaid source (credit granted without payment)
 *   withdrawals         to Bank or Unpaid source (withdrawals, refunds of loads)
 *   refunds_to_credit   with Refunds to credit (card-paid orders refunded to store credit)
 *   redemptions         to Redemptions (orders paid from accounts: redemptions, captures)
 *   redemption_refunds  from Redemptions (orders refunded back to accounts; cards funded
 *                       from what was paid with store credit)
 *   internal            with another deferred-income account (both sides are in the branch)
 *   other               with any other account (one outside Deferred income, not core)
 *
 * Amounts are signed as posted on the deferred-income side: what increases deferred income
 * is positive, what reduces it (redemptions, lapsed, withdrawals) negative. So the lines sum
 * to the sum of those entries, which is the change of the position between `from` and `to`
 * by construction. `change` is computed apart, from positions: the sum over the accounts that
 * moved in the period of their balance as of `to` (the balance_after of their last entry of
 * the period) less their balance as of `from` (the balance before their first: its
 * balance_after less its amount); an account that did not move has the same balance at both
 * ends. These are the running balances the ledger recorded as it posted, so `balanced` checks
 * the lines against them: a missed entry or a broken running balance shows as false.
 */
export const PROFIT_LOSS_LINES = [
  { key: "loads_paid", label: "Loads paid for (from Bank)" },
  { key: "loads_unpaid", label: "Credit granted without payment (from Unpaid source)" },
  { key: "refunds_to_credit", label: "Refunds to store credit (from Refunds to credit)" },
  { key: "redemptions", label: "Redemptions (to Redemptions)" },
  { key: "redemption_refunds", label: "Refunds of redemptions back to accounts (from Redemptions)" },
  { key: "lapsed", label: "Lapsed balances of expired accounts (to Lapsed)" },
  { key: "withdrawals", label: "Withdrawals (to Bank or Unpaid source)" },
  { key: "reversals", label: "Reversals" },
  { key: "internal", label: "Between deferred-income accounts" },
  { key: "other", label: "With other accounts" },
] as const
export type ProfitLossLineKey = (typeof PROFIT_LOSS_LINES)[number]["key"]

export type ProfitLossReport = {
  from: string
  to: string
  reports: {
    currency_code: string
    lines: { key: ProfitLossLineKey; label: string; amount: string; entries: number }[]
    sum: string
    change: string
    balanced: boolean
  }[]
}

export async function profitLossReport(exec: ReportExec, now: string, query: PeriodQuery = {}): Promise<ProfitLossReport> {
  const to = query.to ? reportMoment(query.to, "end", "to") : now
  const [bounds] = await exec(
    `SELECT ${ISO("?::timestamptz")} AS "to", ${ISO("coalesce(?::timestamptz, ?::timestamptz - interval '720 hours')")} AS "from"`,
    [to, query.from ? reportMoment(query.from, "start", "from") : null, to]
  )
  if (Date.parse(bounds.from) >= Date.parse(bounds.to)) {
    throw periodError(bounds.from, bounds.to)
  }
  const currencies = await currenciesOf(exec, query.currency_code)
  const curParam = query.currency_code ? [currencies[0]] : []
  const rows = await exec(
    `WITH RECURSIVE ${DEFERRED_TYPES_CTE},
     -- the period's transfers, read by their created_at index: a transfer's time is that of
     -- its first entry, never after its entries; one that began before the period (a posting
     -- cut by \`from\`) is looked up by id below
     period_transfers AS MATERIALIZED (
       SELECT t.id, t.kind, t.source_id, t.destination_id FROM ledger_transfer t
        WHERE t.created_at > ?::timestamptz AND t.created_at <= ?::timestamptz AND t.deleted_at IS NULL),
     core AS MATERIALIZED (
       SELECT id, role FROM ledger_account WHERE role IS NOT NULL AND deleted_at IS NULL),
     -- the period's entries on deferred-income accounts, in each account's posting order (ids
     -- in byte order: no collation to apply), its first and last entries of the period marked
     moves AS (
       SELECT a.currency_code, e.account_id, e.transfer_id, e.amount, e.balance_after,
              lag(e.account_id) OVER w IS DISTINCT FROM e.account_id AS first_move,
              lead(e.account_id) OVER w IS DISTINCT FROM e.account_id AS last_move
         FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
        WHERE e.created_at > ?::timestamptz AND e.created_at <= ?::timestamptz AND e.deleted_at IS NULL
          AND a.type_id IN (SELECT id FROM deferred_types) AND a.role IS NULL AND a.deleted_at IS NULL
          ${query.currency_code ? "AND a.currency_code = ?" : ""}
       WINDOW w AS (ORDER BY e.account_id COLLATE "C", e.created_at, e.seq)),
     sided AS (
       SELECT m.*,
              CASE WHEN p.id IS NOT NULL THEN p.kind
                   ELSE (SELECT x.kind FROM ledger_transfer x WHERE x.id = m.transfer_id) END AS kind,
              CASE WHEN p.id IS NOT NULL
                   THEN CASE WHEN p.destination_id = m.account_id THEN p.source_id ELSE p.destination_id END
                   ELSE (SELECT CASE WHEN x.destination_id = m.account_id THEN x.source_id ELSE x.destination_id END
                           FROM ledger_transfer x WHERE x.id = m.transfer_id) END AS other_id
         FROM moves m LEFT JOIN period_transfers p ON p.id = m.transfer_id)
     SELECT s.currency_code,
            CASE WHEN s.kind = 'reversal' THEN 'reversals'
                 WHEN s.kind = 'expiry' OR c.role = 'lapsed' THEN 'lapsed'
                 WHEN c.role = 'bank' AND s.amount > 0 THEN 'loads_paid'
                 WHEN c.role = 'unpaid_source' AND s.amount > 0 THEN 'loads_unpaid'
                 WHEN c.role IN ('bank', 'unpaid_source') THEN 'withdrawals'
                 WHEN c.role = 'refunds_to_credit' THEN 'refunds_to_credit'
                 WHEN c.role = 'redemptions' AND s.amount < 0 THEN 'redemptions'
                 WHEN c.role = 'redemptions' THEN 'redemption_refunds'
                 WHEN c.role IS NULL AND EXISTS (
                        SELECT 1 FROM ledger_account o
                         WHERE o.id = s.other_id AND o.role IS NULL AND o.type_id IN (SELECT id FROM deferred_types))
                   THEN 'internal'
                 ELSE 'other' END AS line,
            sum(s.amount)::text AS amount, count(*)::int AS entries,
            -- the positions of the accounts that moved, from the balances the ledger recorded:
            -- as of \`to\` the balance after the last entry of the period, as of \`from\` the
            -- balance before the first
            sum(CASE WHEN s.last_move THEN s.balance_after ELSE 0 END)::text AS closing,
            sum(CASE WHEN s.first_move THEN s.balance_after - s.amount ELSE 0 END)::text AS opening
       FROM sided s LEFT JOIN core c ON c.id = s.other_id
      GROUP BY 1, 2`,
    [DEFERRED_INCOME_TYPE_ID, bounds.from, bounds.to, bounds.from, bounds.to, ...curParam]
  )
  const all = [...new Set([...currencies, ...rows.map((r) => r.currency_code as string)])].sort()
  return {
    from: bounds.from,
    to: bounds.to,
    reports: all.map((currency) => {
      const mine = rows.filter((r) => r.currency_code === currency)
      const lines = PROFIT_LOSS_LINES.map(({ key, label }) => {
        const r = mine.find((x) => x.line === key)
        return { key, label, amount: money(r?.amount, currency), entries: r?.entries ?? 0 }
      })
      const total = sum(mine.map((r) => r.amount))
      const change = sum(mine.map((r) => r.closing)).minus(sum(mine.map((r) => r.opening)))
      return {
        currency_code: currency,
        lines,
        sum: money(total, currency),
        change: money(change, currency),
        balanced: total.eq(change),
      }
    }),
  }
}

// ------------------------------------------------------------------ helpers

function sum(values: unknown[]) {
  return values.reduce<ReturnType<typeof toDecimal>>((acc, v) => acc.plus(toDecimal(v)), toDecimal(0))
}

/** The type and every type under it, in path order. */
function subtree(types: TypeRow[], rootId: string): TypeRow[] {
  const ids = new Set([rootId])
  let grew = true
  while (grew) {
    grew = false
    for (const t of types) {
      if (t.parent_id && ids.has(t.parent_id) && !ids.has(t.id)) {
        ids.add(t.id)
        grew = true
      }
    }
  }
  return types.filter((t) => ids.has(t.id))
}

function depths(types: TypeRow[]) {
  const byId = new Map(types.map((t) => [t.id, t]))
  const out = new Map<string, number>()
  for (const t of types) {
    let d = 0
    let p = t.parent_id ? byId.get(t.parent_id) : undefined
    while (p && d < types.length) {
      d++
      p = p.parent_id ? byId.get(p.parent_id) : undefined
    }
    out.set(t.id, d)
  }
  return out
}

/** A moment as the reports return it (UTC, microseconds). */
async function canonical(exec: ReportExec, moment: string): Promise<string> {
  const [row] = await exec(`SELECT ${ISO("?::timestamptz")} AS at`, [moment])
  return row.at
}
