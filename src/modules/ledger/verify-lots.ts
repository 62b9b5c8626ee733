/**
 * The invariants of credit lots (issue 12), as queries returning the rows that break them.
 * Only accounts that keep lots (lots_since set) have any; on a ledger without lots each
 * check reads an empty index or table.
 */

// How a move changes its lot's remaining money, its reservation and what is free to spend.
export const LOT_REMAINING = `CASE WHEN x.kind IN ('open', 'credit', 'return') THEN x.amount
                        WHEN x.kind IN ('spend', 'capture', 'take', 'lapse') THEN -x.amount ELSE 0 END`
const RESERVED = `CASE WHEN x.kind = 'reserve' THEN x.amount WHEN x.kind IN ('unreserve', 'capture') THEN -x.amount ELSE 0 END`
const FREE = `CASE WHEN x.kind IN ('open', 'credit', 'return', 'unreserve') THEN x.amount
                   WHEN x.kind IN ('spend', 'take', 'lapse', 'reserve') THEN -x.amount ELSE 0 END`
const TAKES = `('spend', 'capture', 'take', 'lapse')`
const GIVES = `('open', 'credit', 'return')`

/** What a posting should move in or out of an account's lots: the positive part of the balance. */
const LOT_PART = (after: string, delta: string) => `greatest(${after}, 0) - greatest(${after} - ${delta}, 0)`

export const LOT_CHECKS: { name: string; description: string; sql: string }[] = [
  {
    name: "lots_sum_to_balance",
    description:
      "An account that keeps lots has lots whose remaining money sums to its balance (the negative part of a credit line is not a lot); an account that does not keeps none.",
    sql: `SELECT a.id, a.balance::text, coalesce(l.sum, 0)::text AS lots
            FROM ledger_account a
            LEFT JOIN (SELECT account_id, sum(remaining) AS sum FROM ledger_lot GROUP BY account_id) l ON l.account_id = a.id
           WHERE (a.lots_since IS NOT NULL AND coalesce(l.sum, 0) <> greatest(a.balance, 0))
              OR (a.lots_since IS NULL AND l.account_id IS NOT NULL)`,
  },
  {
    name: "lots_within_bounds",
    description:
      "No lot's remaining money is below 0 or above what it was given; what holds reserve of it is between 0 and its remaining money; both equal the sums of its moves.",
    sql: `SELECT l.id, l.account_id, l.amount::text, l.remaining::text, l.reserved::text
            FROM ledger_lot l
            LEFT JOIN (SELECT x.lot_id, sum(${LOT_REMAINING}) AS remaining, sum(${RESERVED}) AS reserved
                         FROM ledger_lot_move x GROUP BY x.lot_id) m ON m.lot_id = l.id
           WHERE l.remaining < 0 OR l.remaining > l.amount OR l.reserved < 0 OR l.reserved > l.remaining
              OR l.remaining <> coalesce(m.remaining, 0) OR l.reserved <> coalesce(m.reserved, 0)`,
  },
  {
    name: "lot_postings_balance",
    description:
      "Every posting on an account that keeps lots moved exactly its amount in or out of the lots (what a debit consumed sums to the debit; a credit went into lots), the credit line's part aside.",
    sql: `SELECT e.transfer_id, e.account_id, e.amount::text, (${LOT_PART("e.balance_after", "e.amount")})::text AS expected,
                 coalesce(m.moved, 0)::text AS moved
            FROM ledger_account a
            JOIN ledger_entry e ON e.account_id = a.id AND e.created_at > a.lots_since AND e.deleted_at IS NULL
            LEFT JOIN LATERAL (
              SELECT sum(CASE WHEN x.kind IN ${GIVES} THEN x.amount ELSE -x.amount END) AS moved
                FROM ledger_lot_move x
               WHERE x.transfer_id = e.transfer_id AND x.account_id = e.account_id
                 AND x.kind IN ${GIVES.slice(0, -1)}, ${TAKES.slice(1)}) m ON true
           WHERE a.lots_since IS NOT NULL
             AND coalesce(m.moved, 0) <> ${LOT_PART("e.balance_after", "e.amount")}`,
  },
  {
    name: "lots_spent_in_order",
    description:
      "No spend or hold took money from a lot while a lot that expires sooner (or as soon, and is older) and had not expired held money no hold reserved.",
    sql: `SELECT m.id AS move_id, m.kind, m.account_id, m.lot_id, e.id AS sooner_lot
            FROM ledger_lot_move m
            JOIN ledger_lot l ON l.id = m.lot_id
            JOIN ledger_lot e ON e.account_id = l.account_id AND e.id <> l.id
                 AND (coalesce(e.expires_at, 'infinity'), e.seq) < (coalesce(l.expires_at, 'infinity'), l.seq)
                 AND (e.expires_at IS NULL OR e.expires_at > m.created_at)
           WHERE m.kind IN ('spend', 'reserve')
             AND (SELECT coalesce(sum(${FREE}), 0) FROM ledger_lot_move x WHERE x.lot_id = e.id AND x.id < m.id) > 0`,
  },
  {
    name: "lot_reservations_match_holds",
    description:
      "Only open holds reserve lot money, never more than their amount, and an account's reservations never exceed what it holds.",
    sql: `SELECT r.hold_id AS id, h.status, h.amount::text, r.reserved::text
            FROM (SELECT x.hold_id, sum(${RESERVED}) AS reserved FROM ledger_lot_move x
                   WHERE x.hold_id IS NOT NULL GROUP BY x.hold_id) r
            JOIN ledger_hold h ON h.id = r.hold_id
           WHERE r.reserved < 0 OR r.reserved > h.amount OR (h.status <> 'open' AND r.reserved <> 0)
          UNION ALL
          SELECT a.id, 'account', a.held::text, sum(l.reserved)::text
            FROM ledger_account a JOIN ledger_lot l ON l.account_id = a.id
           WHERE a.lots_since IS NOT NULL
           GROUP BY a.id, a.held HAVING sum(l.reserved) > a.held`,
  },
  {
    name: "lots_lapsed_once",
    description:
      "An expired lot is lapsed at most once (again only for money returned to it after it lapsed), never before it expired unless its whole account lapsed at its end date.",
    sql: `SELECT l.id, l.account_id, l.expires_at, count(*)::int AS lapses
            FROM ledger_lot l JOIN ledger_lot_move x ON x.lot_id = l.id AND x.kind = 'lapse'
            JOIN ledger_account a ON a.id = l.account_id
           GROUP BY l.id, l.account_id, l.expires_at, a.end_date
          HAVING count(*) > 1 + (SELECT count(*) FROM ledger_lot_move r
                                  WHERE r.lot_id = l.id AND r.kind = 'return' AND r.id > min(x.id))
              OR bool_or(x.created_at < coalesce(l.expires_at, 'infinity') AND x.created_at < coalesce(a.end_date, 'infinity'))`,
  },
]
