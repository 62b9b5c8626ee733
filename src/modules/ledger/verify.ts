import { LOT_CHECKS } from "./verify-lots"

/**
 * The invariants of DESIGN §2 as queries over a live database. Each returns the rows
 * that break it (at most LIMIT of them; `count` says how many there are).
 *
 * Scale: a ledger with a million entries must verify in seconds, on a database whose
 * work_mem is a few MB. Grouping a million entries by transfer or by account spills to
 * disk and takes a second or more per check, so the checks over entries are written as
 * a *screen* gating the *exact* query:
 *
 * - the screen makes one streaming pass (no grouping, no sort) and computes a random
 *   fingerprint that is zero when the invariant holds: e.g. Σ amount · w(transfer_id) over
 *   all entries, with w a 64-bit hash salted afresh at every run. If every transfer's
 *   entries sum to zero the total is exactly zero (numeric arithmetic is exact); if some
 *   do not, the total is a non-zero linear form in the random weights and vanishes with
 *   probability about 2⁻⁶⁰, and no one can aim at it since the salt is drawn per run;
 * - only when the screen sees something does the exact query run (a one-time filter:
 *   otherwise it is never executed), and that query is the plain statement of the
 *   invariant, so the offending rows are exactly the ones it has always listed.
 *
 * The other checks are exact on their own: closed accounts are joined once against the
 * entries instead of scanning them per account, and core balances are row + one grouped
 * shard sum instead of a ledger_balance() call per account.
 */
export const VERIFY_LIMIT = 100

/** The hash salt, random per run. */
const RANDOM = `k AS MATERIALIZED (SELECT (random() * 4503599627370496)::int8 AS salt)`
const SALT = `(SELECT salt FROM k)`
/** A salted 64-bit weight of a text key. */
const w = (key: string) => `hashtextextended(${key}, ${SALT})`
/**
 * A salted 64-bit hash of an entry as the cell (transfer, account, amount): a hash of each
 * part with its own seed (the amount by value, so 1.5 and 1.50 alike; hash_numeric ignores
 * the sign, so the sign picks the seed), combined and hashed once more.
 */
const cell = (transfer: string, account: string, amount: string) =>
  `hashint8extended(hashtextextended(${transfer}, ${SALT}) # hashtextextended(${account}, ${SALT} + 1)
     # hash_numeric_extended(${amount}, ${SALT} + 2 + (${amount} < 0)::int), ${SALT})`

/** `exact` runs only if `screen` (a query returning one boolean `dirty`) says so. */
function screened(screen: string, exact: string) {
  return `WITH ${RANDOM}, screen AS MATERIALIZED (${screen})
          SELECT x.* FROM (${exact}) x WHERE (SELECT dirty FROM screen)`
}

// Σ amount · w(transfer) over the entries: zero iff every transfer id's entries sum to zero.
const ENTRIES_BY_TRANSFER_SCREEN = `
  SELECT coalesce(sum(e.amount * ${w("e.transfer_id")}), 0) <> 0 AS dirty FROM ledger_entry e`

// Core account balances are their row plus their shard rows (ledger_balance() computes
// the same expression for one account).
const SHARD_SUMS = `(SELECT account_id, sum(balance) AS sum FROM ledger_balance_shard GROUP BY account_id)`

export const VERIFY_CHECKS: { name: string; description: string; sql: string }[] = [
  {
    name: "transfers_sum_to_zero",
    description: "The entries of every transfer sum to zero (invariant 1).",
    sql: screened(
      ENTRIES_BY_TRANSFER_SCREEN,
      `SELECT t.id, t.reference, coalesce(sum(e.amount), 0)::text AS sum
         FROM ledger_transfer t LEFT JOIN ledger_entry e ON e.transfer_id = t.id
        GROUP BY t.id HAVING coalesce(sum(e.amount), 0) <> 0`
    ),
  },
  {
    name: "ledger_sums_to_zero_per_currency",
    description: "All entries of the ledger sum to zero in each currency (invariant 1).",
    // A currency's sum is the sum of its transfers' sums: zero when each of those is.
    sql: screened(
      ENTRIES_BY_TRANSFER_SCREEN,
      `SELECT t.currency_code, sum(e.amount)::text AS sum
         FROM ledger_entry e JOIN ledger_transfer t ON t.id = e.transfer_id
        GROUP BY t.currency_code HAVING sum(e.amount) <> 0`
    ),
  },
  {
    name: "two_entries_per_transfer",
    description:
      "Every transfer has exactly two entries: −amount on its source and +amount on its destination, two different accounts in the transfer's currency (invariant 2).",
    // Compares the entries with the two each transfer should have, as multisets of
    // (transfer, account, amount): Σ cell hash over the entries against the same over the
    // expected ones; equal only if every transfer has exactly those two entries. The
    // accounts' currencies and source ≠ destination are checked in the pass over transfers.
    sql: screened(
      `SELECT (SELECT coalesce(sum(${cell("e.transfer_id", "e.account_id", "e.amount")}), 0) FROM ledger_entry e)
              <> x.expected OR x.wrong_accounts AS dirty
         FROM (SELECT coalesce(sum(${cell("side.id", "side.account_id", "side.amount")}), 0) AS expected,
                      coalesce(bool_or(side.same OR a.currency_code IS DISTINCT FROM side.currency_code), false) AS wrong_accounts
                 FROM (SELECT t.id, t.source_id AS account_id, -t.amount AS amount, t.currency_code,
                              t.source_id = t.destination_id AS same
                         FROM ledger_transfer t
                       UNION ALL
                       SELECT t.id, t.destination_id, t.amount, t.currency_code, false FROM ledger_transfer t) side
                 LEFT JOIN ledger_account a ON a.id = side.account_id) x`,
      `SELECT t.id, t.reference, count(e.id) AS entries
         FROM ledger_transfer t
         LEFT JOIN ledger_entry e ON e.transfer_id = t.id
         LEFT JOIN ledger_account a ON a.id = e.account_id
        GROUP BY t.id
       HAVING count(e.id) <> 2
           OR t.source_id = t.destination_id
           OR count(*) FILTER (WHERE e.account_id = t.source_id AND e.amount = -t.amount
                                AND a.currency_code = t.currency_code) <> 1
           OR count(*) FILTER (WHERE e.account_id = t.destination_id AND e.amount = t.amount
                                AND a.currency_code = t.currency_code) <> 1`
    ),
  },
  {
    name: "entries_reference_accounts",
    description: "Every entry is on an existing account (invariant 2).",
    sql: `SELECT e.id, e.account_id FROM ledger_entry e
            LEFT JOIN ledger_account a ON a.id = e.account_id WHERE a.id IS NULL`,
  },
  {
    name: "cached_balance_matches_entries",
    description:
      "Each account's cached balance (its row, plus its shard rows for a core account) equals the sum of its entries (invariant 3).",
    // Σ amount · w(account) over the entries equals Σ balance · w(account) over the account
    // and shard rows when every account's balance matches its entries.
    sql: screened(
      `SELECT (SELECT coalesce(sum(e.amount * ${w("e.account_id")}), 0) FROM ledger_entry e)
              <> (SELECT coalesce(sum(a.balance * ${w("a.id")}), 0) FROM ledger_account a)
               + (SELECT coalesce(sum(x.balance * ${w("x.account_id")}), 0) FROM ledger_balance_shard x)
           OR EXISTS (SELECT 1 FROM ledger_account a WHERE (a.raw_balance->>'value')::numeric <> a.balance)
           OR EXISTS (SELECT 1 FROM ledger_balance_shard x JOIN ledger_account a ON a.id = x.account_id
                       WHERE a.role IS NULL) AS dirty`,
      `SELECT a.id, trim_scale(a.balance + coalesce(sh.sum, 0))::text AS balance,
              trim_scale(coalesce(s.sum, 0))::text AS entries_sum, a.raw_balance->>'value' AS raw_balance
         FROM ledger_account a
         LEFT JOIN (SELECT account_id, sum(amount) AS sum FROM ledger_entry GROUP BY account_id) s
           ON s.account_id = a.id
         LEFT JOIN ${SHARD_SUMS} sh ON sh.account_id = a.id
        WHERE a.balance + coalesce(sh.sum, 0) <> coalesce(s.sum, 0)
           OR (a.raw_balance->>'value')::numeric <> a.balance
           OR (sh.sum IS NOT NULL AND a.role IS NULL)`
    ),
  },
  {
    name: "balance_shards_mirror_accounts",
    description:
      "Balance shards belong to core accounts and carry their account's status and currency, which credits check (invariant 8).",
    sql: `SELECT x.account_id, x.shard, x.status, x.currency_code, a.status AS account_status, a.role
            FROM ledger_balance_shard x JOIN ledger_account a ON a.id = x.account_id
           WHERE a.role IS NULL OR x.status <> a.status OR x.currency_code <> a.currency_code`,
  },
  {
    name: "cached_held_matches_holds",
    description: "Each account's cached held amount equals the sum of its open holds (invariant 4).",
    sql: `SELECT a.id, a.held::text AS held, coalesce(s.sum, 0)::text AS open_holds
            FROM ledger_account a
            LEFT JOIN (SELECT account_id, sum(amount) AS sum FROM ledger_hold
                        WHERE status = 'open' GROUP BY account_id) s ON s.account_id = a.id
           WHERE a.held <> coalesce(s.sum, 0)`,
  },
  {
    name: "statement_running_balances",
    description:
      "Each entry's balance_after is the running sum of its account's entries in posting order (invariant 3); core accounts record none.",
    // Customer accounts' entries are checked in one sort (partitioning by a hash of the
    // account first is the same partition, sorted on an integer). Core accounts' entries
    // carry no balance: only if one does are they summed, for those accounts alone.
    sql: `SELECT id, account_id, balance_after::text, running::text FROM (
             SELECT e.id, e.account_id, e.balance_after,
                    sum(e.amount) OVER (PARTITION BY hashtext(e.account_id), e.account_id ORDER BY e.seq) AS running
               FROM ledger_entry e WHERE left(e.account_id, 8) <> 'acc_sys_') x
           WHERE running <> balance_after OR balance_after IS NULL
          UNION ALL
          SELECT id, account_id, balance_after::text, running::text FROM (
             SELECT e.id, e.account_id, e.balance_after,
                    sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.seq) AS running
               FROM ledger_entry e
              WHERE e.account_id IN (SELECT c.account_id FROM ledger_entry c
                                      WHERE left(c.account_id, 8) = 'acc_sys_' AND c.balance_after IS NOT NULL)) x
           WHERE balance_after IS NOT NULL AND left(account_id, 8) = 'acc_sys_'`,
  },
  {
    name: "credit_limits_respected",
    description: "No account with a credit limit L has balance − held < −L (invariant 4).",
    sql: `SELECT a.id, (a.balance + coalesce(sh.sum, 0))::text AS balance, a.held::text, a.credit_limit::text
            FROM ledger_account a LEFT JOIN ${SHARD_SUMS} sh ON sh.account_id = a.id
           WHERE a.credit_limit IS NOT NULL AND a.balance + coalesce(sh.sum, 0) - a.held < -a.credit_limit`,
  },
  {
    name: "transfers_append_only",
    description:
      "Transfers, entries and the lot move log cannot be updated, deleted or truncated: the guarding triggers are installed and enabled (invariant 5).",
    sql: `SELECT r.name AS trigger, coalesce(t.tgenabled::text, 'missing') AS state
            FROM (VALUES ('ledger_transfer_immutable'), ('ledger_transfer_no_truncate'),
                         ('ledger_entry_immutable'), ('ledger_entry_no_truncate'),
                         ('ledger_lot_move_immutable')) r(name)
            LEFT JOIN pg_trigger t ON t.tgname = r.name
           WHERE t.tgname IS NULL OR t.tgenabled = 'D'`,
  },
  {
    name: "reversed_at_most_once",
    description:
      "A transfer is reversed at most once, its refunds never exceed its amount, and each refund goes back the way the money came (invariant 6).",
    sql: `SELECT p.id, p.reference, p.amount::text,
                 count(*) FILTER (WHERE c.kind = 'reversal') AS reversals,
                 sum(c.amount)::text AS refunded
            FROM ledger_transfer p JOIN ledger_transfer c ON c.parent_id = p.id
           WHERE c.kind IN ('refund', 'reversal')
           GROUP BY p.id
          HAVING count(*) FILTER (WHERE c.kind = 'reversal') > 1
              OR sum(c.amount) > p.amount
              OR bool_or(c.source_id <> p.destination_id OR c.destination_id <> p.source_id)`,
  },
  {
    name: "idempotency_keys_unique",
    description: "An idempotency key names at most one transfer (invariant 7).",
    sql: `SELECT idempotency_key, count(*) AS transfers FROM ledger_transfer
           WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key HAVING count(*) > 1`,
  },
  {
    name: "closed_accounts_empty",
    description:
      "A closed account has a zero balance, nothing on hold and no posting after it was closed (invariant 8).",
    // One pass over the entries against the (few) closed accounts, not one per account.
    sql: `SELECT a.id, a.balance::text, a.held::text, a.closed_at FROM ledger_account a
           WHERE a.status = 'closed'
             AND (a.balance <> 0 OR a.held <> 0 OR a.closed_at IS NULL
                  OR a.id IN (SELECT e.account_id FROM ledger_entry e
                                JOIN ledger_account c ON c.id = e.account_id
                               WHERE c.status = 'closed' AND e.created_at > c.closed_at))`,
  },
  {
    name: "holds_consistent",
    description:
      "A captured hold points at a capture transfer of at most its amount from its account; other holds captured nothing.",
    sql: `SELECT h.id, h.status, h.amount::text, h.captured_amount::text, h.transfer_id
            FROM ledger_hold h LEFT JOIN ledger_transfer t ON t.id = h.transfer_id
           WHERE (h.status = 'captured' AND (t.id IS NULL OR t.amount <> h.captured_amount
                    OR t.source_id <> h.account_id OR t.amount > h.amount))
              OR (h.status <> 'captured' AND (h.captured_amount <> 0 OR h.transfer_id IS NOT NULL))`,
  },
  ...LOT_CHECKS,
]

export const TRIAL_BALANCE_SQL = `
  SELECT currency_code, count(*)::int AS accounts,
         trim_scale(coalesce(sum(balance) FILTER (WHERE balance < 0), 0))::text AS debit,
         trim_scale(coalesce(sum(balance) FILTER (WHERE balance > 0), 0))::text AS credit,
         trim_scale(sum(balance))::text AS net
    FROM (SELECT a.currency_code, a.balance + coalesce(sh.sum, 0) AS balance
            FROM ledger_account a LEFT JOIN ${SHARD_SUMS} sh ON sh.account_id = a.id) a
   GROUP BY currency_code ORDER BY currency_code`
