/**
 * Fills an already-migrated, empty ledger with a large, realistic history in set-based SQL
 * (INSERT … SELECT over generate_series, no per-row round trips), consistent with every
 * invariant `verify()` checks. Used by the bench's scale section (scripts/bench.js) and by
 * tests that need a ledger with history (integration-tests/modules/verify.spec.ts).
 *
 *   await seedScaleLedger(knexOrPgClientOrUrl, { accounts: 100_000, entries: 1_000_000 })
 *
 * What it writes, per currency (the first one gets ~80 % of the accounts):
 * - the default account types and the core accounts with their 16 balance shards
 *   (ensureCoreAccounts, as the service does); a core account's balance is split between
 *   its row and its shards, and its entries carry no balance_after;
 * - customer wallets (store credit, an owner, `wallet:<customer>:<currency>` keys) and gift
 *   cards (most with a code, an end date), a few frozen ones; ~9 % of the accounts are spent
 *   or expired gift cards, closed with a zero balance after their last entry; ~3 % never moved;
 * - transfers of kinds load (from Bank, Unpaid source or Refunds to credit), redemption,
 *   capture (of a captured hold), refund (part of the previous redemption, back from
 *   Redemptions) and expiry (to Lapsed), two entries each, one every ~minute over the past
 *   year; per-account running balance_after, never negative; Redemptions gets ~20 % of the
 *   entries; ~45 % of transfers have an idempotency key; orders as merchant references;
 * - holds: captured (one per capture), released, and open ones whose sum is the account's `held`.
 *
 * How transfers spread over accounts: slot s (1..T, in time order) belongs to account
 * floor(A·u²) for a uniform u, so a few accounts are heavy (the first has ~T/√A transfers)
 * and most have a handful. Everything derives from hashes of the slot and account numbers,
 * so a given size always seeds the same ledger. The whole seed is one transaction; then
 * VACUUM ANALYZE, as a live database would have been.
 */
import { Client } from "pg"
import { ensureCoreAccounts } from "../src/modules/ledger/core-accounts"
import { DEFAULT_CORE_NAMES, TYPE_CODES, typeId } from "../src/modules/ledger/core"

/** A pg client, a knex instance (the module's PG_CONNECTION) or a connection URL. */
export type SeedDb = string | { query: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }> } | Knexish

type Knexish = { client: { acquireConnection(): Promise<any>; releaseConnection(c: any): Promise<unknown> } }

export type ScaleSeedOptions = {
  /** customer accounts (wallets and gift cards), core accounts not counted */
  accounts: number
  /** entries to write (rounded up to an even number: two per transfer) */
  entries: number
  /** lower-case ISO codes; the first gets ~80 % of the accounts (default ["usd", "eur"]) */
  currencies?: string[]
  /** the history ends one hour before this (default: the database's now()) */
  now?: Date
  log?: (message: string) => void
}

export type ScaleSeedResult = {
  accounts: number
  transfers: number
  entries: number
  holds: number
  currencies: string[]
  seconds: number
  /** ids and codes worth timing look-ups on, in the first currency */
  samples: {
    /** the open wallet with the most entries */
    heavy_wallet_id: string
    heavy_wallet_entries: number
    /** an open wallet with a typical number of entries */
    typical_wallet_id: string
    typical_wallet_entries: number
    redemptions_id: string
    redemptions_entries: number
    /** codes of open gift cards with money on them */
    codes: string[]
    /** references of transfers from all over the history */
    references: string[]
  }
}

const SHARDS = 16

export async function seedScaleLedger(db: SeedDb, options: ScaleSeedOptions): Promise<ScaleSeedResult> {
  const A = Math.floor(options.accounts)
  const T = Math.ceil(Math.floor(options.entries) / 2)
  const currencies = options.currencies ?? ["usd", "eur"]
  const log = options.log ?? (() => {})
  if (!(A >= 10) || !(T >= 10)) {
    throw new Error("seedScaleLedger: at least 10 accounts and 20 entries")
  }
  if (!currencies.length || currencies.some((c) => !/^[a-z]{3}$/.test(c))) {
    throw new Error(`seedScaleLedger: currencies must be lower-case ISO codes, got ${JSON.stringify(currencies)}`)
  }
  const started = Date.now()
  const { query, release } = await connect(db)
  try {
    const [{ n }] = await query(`SELECT count(*)::int AS n FROM ledger_transfer`)
    if (n > 0) {
      throw new Error("seedScaleLedger: the ledger already has transfers; seed an empty one")
    }
    await query("BEGIN")
    await ensureCoreAccounts(
      (sql, params) => query(sql.replace(/\?/g, ((i) => () => `$${++i}`)(0)), params ?? []),
      currencies,
      DEFAULT_CORE_NAMES
    )
    const now = options.now ? `'${options.now.toISOString()}'::timestamptz` : "now()"
    const step = async (label: string, sql: string) => {
      const t0 = Date.now()
      await query(sql)
      log(`${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    }
    await query(helpers(now, T))

    // Accounts: kind and currency. `closing` needs the number of transfers, below.
    await step(
      "accounts planned",
      `CREATE TEMP TABLE seed_acct ON COMMIT DROP AS
       SELECT a,
              CASE WHEN pg_temp.u(a, 1) < 0.6 THEN 'wallet' ELSE 'gift' END AS kind,
              (${sqlArray(currencies)})[CASE WHEN ${currencies.length} = 1 OR pg_temp.u(a, 2) < 0.8 THEN 1
                                            ELSE 2 + a % greatest(${currencies.length} - 1, 1) END] AS cur
         FROM generate_series(0, ${A} - 1) a`
    )

    // Slots in time order, each given to an account; j = the account's n-th transfer.
    await step(
      "transfers spread over accounts",
      `CREATE TEMP TABLE seed_ev ON COMMIT DROP AS
       SELECT s, a, (row_number() OVER w - 1)::int AS j, (count(*) OVER (PARTITION BY a))::int AS k, lag(s) OVER w AS prev_s
         FROM (SELECT s, least(floor(${A} * pg_temp.u(s, 3) ^ 2), ${A} - 1)::int AS a
                 FROM generate_series(1, ${T}) s) x
       WINDOW w AS (PARTITION BY a ORDER BY s)`
    )

    // Kind and amount (in minor units) of each transfer. An account's first transfer is a
    // load covering all its later debits, so its balance never goes negative; a closing
    // gift card only spends after it, down to exactly zero, the last debit being a
    // redemption or the expiry of what is left. A refund gives back part of the
    // redemption or capture just before it (so no transfer is refunded twice).
    await step(
      "transfers planned",
      `CREATE TEMP TABLE seed_k ON COMMIT DROP AS
       SELECT e.*, c.kind AS acct_kind, c.cur, ledger_currency_decimals(c.cur) AS dec,
              (c.kind = 'gift' AND pg_temp.u(e.a, 4) < 0.25 AND e.k >= 2) AS closing,
              CASE
                WHEN e.j = 0 THEN 'load'
                WHEN c.kind = 'gift' AND pg_temp.u(e.a, 4) < 0.25 AND e.k >= 2 THEN
                  CASE WHEN e.j = e.k - 1 AND e.a % 2 = 0 THEN 'expiry'
                       WHEN e.j < e.k - 1 AND pg_temp.u(e.s, 5) >= 0.8 THEN 'capture'
                       ELSE 'redemption' END
                WHEN pg_temp.u(e.s, 5) < 0.50 THEN 'load'
                WHEN pg_temp.u(e.s, 5) < 0.83 THEN 'redemption'
                WHEN pg_temp.u(e.s, 5) < 0.93 THEN 'capture'
                WHEN e.j >= 2 AND pg_temp.u(e.prev_s, 5) >= 0.50 AND pg_temp.u(e.prev_s, 5) < 0.93 THEN 'refund'
                ELSE 'load' END AS kind
         FROM seed_ev e JOIN seed_acct c ON c.a = e.a`
    )
    await step(
      "amounts",
      `CREATE TEMP TABLE seed_tr ON COMMIT DROP AS
       SELECT x.*,
              round(CASE WHEN x.j = 0
                         THEN sum(CASE WHEN x.kind IN ('redemption', 'capture', 'expiry') THEN x.minor ELSE 0 END)
                                OVER (PARTITION BY x.a)
                              + CASE WHEN x.closing THEN 0 ELSE (500 + floor(9500 * pg_temp.u(x.a, 9)))::numeric END
                         ELSE x.minor END::numeric / (10::numeric ^ x.dec), x.dec) AS amount,
              pg_temp.at(x.s) AS ts
         FROM (SELECT k.*,
                      CASE WHEN k.kind IN ('redemption', 'capture', 'expiry') THEN pg_temp.debit(k.s)
                           WHEN k.kind = 'refund' THEN greatest(1, floor(pg_temp.debit(k.prev_s) * (0.2 + 0.8 * pg_temp.u(k.s, 7))::numeric))
                           ELSE (1000 + floor(9000 * pg_temp.u(k.s, 8)))::numeric END AS minor
                 FROM seed_k k) x`
    )
    await query(`CREATE INDEX ON seed_tr (s)`)

    // Per account: ids, final balance, dates, and the open holds that make up `held`.
    await step(
      "account rows planned",
      `CREATE TEMP TABLE seed_acc ON COMMIT DROP AS
       SELECT c.a, c.kind, c.cur, g.k, coalesce(g.closing, false) AS closing, g.last_kind,
              coalesce(g.balance, 0) AS balance, g.first_ts, g.last_ts,
              coalesce(g.first_ts - interval '1 minute', pg_temp.at(1) + pg_temp.span() * pg_temp.u(c.a, 10)) AS created_at,
              pg_temp.id('acc', coalesce(g.first_ts - interval '1 minute', pg_temp.at(1) + pg_temp.span() * pg_temp.u(c.a, 10)), 'a' || c.a) AS id,
              CASE WHEN c.kind = 'wallet' OR pg_temp.u(c.a, 19) < 0.3 THEN pg_temp.id('cus', pg_temp.at(1), 'c' || c.a) END AS customer_id
         FROM seed_acct c
         LEFT JOIN (SELECT a, max(k) AS k, bool_or(closing) AS closing, min(ts) AS first_ts, max(ts) AS last_ts,
                           (array_agg(kind ORDER BY s DESC))[1] AS last_kind,
                           sum(CASE WHEN kind IN ('load', 'refund') THEN amount ELSE -amount END) AS balance
                      FROM seed_tr GROUP BY a) g ON g.a = c.a`
    )
    await step(
      "holds planned",
      `CREATE TEMP TABLE seed_open_hold ON COMMIT DROP AS
       SELECT a.a, a.id AS account_id, h.n,
              round(floor(a.balance * (10::numeric ^ ledger_currency_decimals(a.cur)) * CASE h.n WHEN 1 THEN 0.3 ELSE 0.2 END)
                    / (10::numeric ^ ledger_currency_decimals(a.cur)), ledger_currency_decimals(a.cur)) AS amount
         FROM seed_acc a CROSS JOIN LATERAL (VALUES (1), (2)) h(n)
        WHERE NOT a.closing AND a.balance >= 2 AND pg_temp.u(a.a, 13) < 0.08 AND pg_temp.u(a.a, 11) >= 0.01
          AND (h.n = 1 OR pg_temp.u(a.a, 14) < 0.3)`
    )

    await step(
      "accounts inserted",
      `INSERT INTO ledger_account (id, name, description, code, status, currency_code, credit_limit, raw_credit_limit,
              balance, raw_balance, held, raw_held, start_date, end_date, closed_at, customer_id, can_pay_shipping,
              idempotency_key, metadata, type_id, created_at, updated_at)
       SELECT a.id,
              CASE WHEN a.kind = 'wallet' THEN 'Store credit' ELSE 'Gift card' END,
              CASE WHEN a.kind = 'gift' AND pg_temp.u(a.a, 20) < 0.5 THEN 'Happy birthday!' END,
              CASE WHEN a.kind = 'gift' AND pg_temp.u(a.a, 18) < 0.9 THEN upper(substr(md5('code' || a.a), 1, 16)) END,
              CASE WHEN a.closing THEN 'closed' WHEN pg_temp.u(a.a, 11) < 0.01 THEN 'frozen' ELSE 'open' END,
              a.cur, 0, ledger_raw(0),
              a.balance, ledger_raw(a.balance),
              coalesce(h.held, 0), ledger_raw(coalesce(h.held, 0)),
              NULL,
              CASE WHEN a.kind = 'wallet' THEN NULL
                   WHEN a.closing AND a.last_kind = 'expiry' THEN a.last_ts - interval '1 hour'
                   ELSE a.created_at + interval '2 years' END,
              CASE WHEN a.closing THEN a.last_ts + interval '1 second' END,
              a.customer_id, true,
              CASE WHEN a.kind = 'wallet' THEN 'wallet:' || a.customer_id || ':' || a.cur END,
              CASE WHEN a.kind = 'gift' AND pg_temp.u(a.a, 21) < 0.5 THEN jsonb_build_object('recipient_email', 'friend' || a.a || '@example.com') END,
              CASE WHEN a.kind = 'wallet' THEN '${typeId(TYPE_CODES.storeCredit)}' ELSE '${typeId(TYPE_CODES.giftCards)}' END,
              a.created_at,
              CASE WHEN a.closing THEN a.last_ts + interval '1 second' ELSE coalesce(a.last_ts, a.created_at) END
         FROM seed_acc a
         LEFT JOIN (SELECT a, sum(amount) AS held FROM seed_open_hold GROUP BY a) h ON h.a = a.a
        ORDER BY a.created_at`
    )

    // Transfers. Loads of gift cards come from Bank; of wallets from Unpaid source, some
    // from Refunds to credit (an order refunded to store credit). Debits go to Redemptions
    // (expiry to Lapsed); refunds come back from Redemptions.
    await step(
      "transfers inserted",
      `INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount, currency_code,
              parent_id, hold_id, merchant_reference, description, actor_type, actor_id, idempotency_key, created_at, updated_at)
       SELECT pg_temp.tid(t.s), pg_temp.ref(t.s), t.kind,
              CASE t.kind WHEN 'load' THEN 'acc_sys_' || t.cur || '_' || pg_temp.load_source(t.s, t.j, t.acct_kind)
                          WHEN 'refund' THEN 'acc_sys_' || t.cur || '_redemptions'
                          ELSE a.id END,
              CASE t.kind WHEN 'load' THEN a.id WHEN 'refund' THEN a.id
                          WHEN 'expiry' THEN 'acc_sys_' || t.cur || '_lapsed'
                          ELSE 'acc_sys_' || t.cur || '_redemptions' END,
              t.amount, ledger_raw(t.amount), t.cur,
              CASE WHEN t.kind = 'refund' THEN pg_temp.tid(t.prev_s) END,
              CASE WHEN t.kind = 'capture' THEN pg_temp.hid(t.s) END,
              CASE WHEN t.kind IN ('redemption', 'capture') THEN pg_temp.order_ref(t.s)
                   WHEN t.kind = 'refund' THEN pg_temp.order_ref(t.prev_s)
                   WHEN t.kind = 'load' AND pg_temp.load_source(t.s, t.j, t.acct_kind) = 'refunds_to_credit' THEN pg_temp.order_ref(t.s)
                   END,
              CASE t.kind WHEN 'load' THEN CASE WHEN t.j = 0 THEN 'Initial load'
                                                WHEN pg_temp.load_source(t.s, t.j, t.acct_kind) = 'refunds_to_credit' THEN 'Refund to store credit'
                                                ELSE 'Top-up' END
                          WHEN 'redemption' THEN 'Redemption' WHEN 'capture' THEN 'Order payment'
                          WHEN 'refund' THEN 'Order refund' ELSE 'Balance of expired account' END,
              CASE WHEN t.kind IN ('capture', 'expiry', 'refund') THEN 'system'
                   WHEN t.kind = 'redemption' THEN 'customer' ELSE 'user' END,
              CASE WHEN t.kind = 'redemption' THEN a.customer_id
                   WHEN t.kind = 'load' THEN pg_temp.id('user', pg_temp.at(1), 'u' || (t.s % 7)) END,
              CASE WHEN t.kind = 'capture' THEN 'capture:' || pg_temp.hid(t.s)
                   WHEN t.kind <> 'expiry' AND pg_temp.u(t.s, 17) < 0.4 THEN 'seed-' || substr(md5('k' || t.s), 1, 24) END,
              t.ts, t.ts
         FROM seed_tr t JOIN seed_acc a ON a.a = t.a
        ORDER BY t.s`
    )

    // Entries: the account's side first (generated ids sort before acc_sys_*, as
    // ledger_post locks and writes them), then the core side without balance_after.
    await step(
      "entries inserted",
      `INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after, raw_balance_after, seq, created_at, updated_at)
       SELECT x.id, x.transfer_id, x.account_id, x.amount, ledger_raw(x.amount), x.balance_after,
              CASE WHEN x.balance_after IS NOT NULL THEN ledger_raw(x.balance_after) END, x.seq, x.ts, x.ts
         FROM (SELECT pg_temp.id('lent', t.ts, 'e' || t.s) AS id, pg_temp.tid(t.s) AS transfer_id, a.id AS account_id,
                      t.signed AS amount, sum(t.signed) OVER (PARTITION BY t.a ORDER BY t.s) AS balance_after,
                      2 * t.s - 1 AS seq, t.ts
                 FROM (SELECT *, CASE WHEN kind IN ('load', 'refund') THEN amount ELSE -amount END AS signed FROM seed_tr) t
                 JOIN seed_acc a ON a.a = t.a
               UNION ALL
               SELECT pg_temp.id('lent', t.ts, 'f' || t.s), pg_temp.tid(t.s),
                      'acc_sys_' || t.cur || '_' || CASE t.kind WHEN 'load' THEN pg_temp.load_source(t.s, t.j, t.acct_kind)
                                                               WHEN 'expiry' THEN 'lapsed' ELSE 'redemptions' END,
                      CASE WHEN t.kind IN ('load', 'refund') THEN -t.amount ELSE t.amount END, NULL,
                      2 * t.s, t.ts + interval '200 microseconds'
                 FROM seed_tr t) x
        ORDER BY x.seq`
    )
    await query(`SELECT setval('ledger_entry_seq_seq', ${2 * T})`)

    await step(
      "holds inserted",
      `INSERT INTO ledger_hold (id, account_id, amount, raw_amount, captured_amount, raw_captured_amount, status,
              expires_at, reference, transfer_id, idempotency_key, created_at, updated_at)
       SELECT pg_temp.hid(t.s), a.id, t.amount + x.extra, ledger_raw(t.amount + x.extra), t.amount, ledger_raw(t.amount),
              'captured', t.ts + interval '1 hour', pg_temp.id('payses', t.ts, 'p' || t.s), pg_temp.tid(t.s),
              CASE WHEN pg_temp.u(t.s, 22) < 0.5 THEN 'hold-' || substr(md5('hk' || t.s), 1, 24) END,
              t.ts - interval '2 minutes', t.ts
         FROM seed_tr t JOIN seed_acc a ON a.a = t.a
        CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(t.s, 12) < 0.3
                                        THEN round(floor(1 + 9 * pg_temp.u(t.s, 23))::numeric * 100 / (10::numeric ^ t.dec), t.dec)
                                        ELSE 0 END AS extra) x
        WHERE t.kind = 'capture'
       UNION ALL
       SELECT pg_temp.id('lhold', pg_temp.now() - interval '1 hour', 'o' || h.a || '-' || h.n), h.account_id, h.amount, ledger_raw(h.amount),
              0, ledger_raw(0), 'open', pg_temp.now() + interval '1 day' * (1 + 6 * pg_temp.u(h.a, 15 + h.n)),
              pg_temp.id('payses', pg_temp.now(), 'q' || h.a || '-' || h.n), NULL, NULL,
              pg_temp.now() - interval '1 hour', pg_temp.now() - interval '1 hour'
         FROM seed_open_hold h
       UNION ALL
       SELECT pg_temp.id('lhold', a.last_ts, 'r' || a.a), a.id, 5, ledger_raw(5), 0, ledger_raw(0), 'released',
              a.last_ts + interval '15 minutes', pg_temp.id('payses', a.last_ts, 'r' || a.a), NULL, NULL, a.last_ts, a.last_ts + interval '5 minutes'
         FROM seed_acc a WHERE a.last_ts IS NOT NULL AND pg_temp.u(a.a, 24) < 0.05`
    )

    // Core accounts: the sum of their entries, split between the row and the shards as
    // credits spread it (a limited one keeps a non-negative row, as the constraint wants).
    await step(
      "core balances",
      `WITH sums AS (SELECT e.account_id, sum(e.amount) AS total FROM ledger_entry e
                      WHERE e.account_id IN (SELECT id FROM ledger_account WHERE role IS NOT NULL)
                      GROUP BY e.account_id),
            split AS (SELECT s.account_id, s.total, trunc(s.total / 40, ledger_currency_decimals(a.currency_code)) AS per_shard
                        FROM sums s JOIN ledger_account a ON a.id = s.account_id),
            shards AS (UPDATE ledger_balance_shard x SET balance = p.per_shard FROM split p WHERE x.account_id = p.account_id)
       UPDATE ledger_account a SET balance = p.total - ${SHARDS} * p.per_shard,
              raw_balance = ledger_raw(p.total - ${SHARDS} * p.per_shard), updated_at = pg_temp.now() - interval '1 hour'
         FROM split p WHERE a.id = p.account_id`
    )

    const counts = (
      await query(`SELECT (SELECT count(*) FROM seed_acc)::int AS accounts, (SELECT count(*) FROM seed_tr)::int AS transfers,
                          (SELECT count(*) FROM ledger_hold)::int AS holds`)
    )[0]
    const samples = await pickSamples(query, currencies[0])
    await query("COMMIT")
    for (const table of ["ledger_account", "ledger_transfer", "ledger_entry", "ledger_hold", "ledger_balance_shard"]) {
      await step(`VACUUM ANALYZE ${table}`, `VACUUM (ANALYZE) ${table}`)
    }
    return {
      accounts: counts.accounts,
      transfers: counts.transfers,
      entries: 2 * counts.transfers,
      holds: counts.holds,
      currencies,
      seconds: (Date.now() - started) / 1000,
      samples,
    }
  } catch (e) {
    await query("ROLLBACK").catch(() => {})
    throw e
  } finally {
    // The connection may go back to a pool: leave no helpers behind.
    await query(DROP_HELPERS).catch(() => {})
    await release()
  }
}

/**
 * Session-local helpers (pg_temp, gone with the connection): u(k, salt) is a uniform
 * number in [0, 1) from a hash, so every choice is reproducible and independent of the
 * order rows are computed in; ids look like the service's (prefix, time, randomness).
 */
function helpers(now: string, T: number) {
  return `
  CREATE OR REPLACE FUNCTION pg_temp.u(k bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
    $$ SELECT (hashint8extended(k, salt) & 9007199254740991)::float8 / 9007199254740992 $$;
  CREATE OR REPLACE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT ${now} $$;
  CREATE OR REPLACE FUNCTION pg_temp.span() RETURNS interval LANGUAGE sql STABLE AS $$ SELECT interval '365 days' - interval '1 hour' $$;
  -- Slot s happens at a fixed time; the history ends an hour before now.
  CREATE OR REPLACE FUNCTION pg_temp.at(s bigint) RETURNS timestamptz LANGUAGE sql STABLE AS
    $$ SELECT pg_temp.now() - interval '365 days' + pg_temp.span() * (s::float8 / ${T}) $$;
  CREATE OR REPLACE FUNCTION pg_temp.id(prefix text, at timestamptz, salt text) RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT prefix || '_' || upper(lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0')) || upper(substr(md5(salt), 1, 14)) $$;
  CREATE OR REPLACE FUNCTION pg_temp.tid(s bigint) RETURNS text LANGUAGE sql STABLE AS $$ SELECT pg_temp.id('ltr', pg_temp.at(s), 't' || s) $$;
  CREATE OR REPLACE FUNCTION pg_temp.hid(s bigint) RETURNS text LANGUAGE sql STABLE AS
    $$ SELECT pg_temp.id('lhold', pg_temp.at(s) - interval '2 minutes', 'h' || s) $$;
  CREATE OR REPLACE FUNCTION pg_temp.ref(s bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT upper(substr(md5('r' || s), 1, 16)) $$;
  CREATE OR REPLACE FUNCTION pg_temp.order_ref(s bigint) RETURNS text LANGUAGE sql STABLE AS
    $$ SELECT pg_temp.id('order', pg_temp.at(s) - interval '5 minutes', 'o' || s) $$;
  -- A debit of 1.00 to 50.00 (in minor units).
  CREATE OR REPLACE FUNCTION pg_temp.debit(s bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS
    $$ SELECT 100 + floor(4900 * pg_temp.u(s, 6))::numeric $$;
  CREATE OR REPLACE FUNCTION pg_temp.load_source(s bigint, j int, acct_kind text) RETURNS text LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN acct_kind = 'gift' THEN 'bank'
                   WHEN j > 0 AND pg_temp.u(s, 16) < 0.15 THEN 'refunds_to_credit'
                   ELSE 'unpaid_source' END $$;`
}

const DROP_HELPERS = `DROP FUNCTION IF EXISTS pg_temp.u(bigint, int), pg_temp.now(), pg_temp.span(), pg_temp.at(bigint),
  pg_temp.id(text, timestamptz, text), pg_temp.tid(bigint), pg_temp.hid(bigint), pg_temp.ref(bigint),
  pg_temp.order_ref(bigint), pg_temp.debit(bigint), pg_temp.load_source(bigint, int, text)`

async function pickSamples(query: (sql: string) => Promise<any[]>, cur: string): Promise<ScaleSeedResult["samples"]> {
  const wallets = await query(
    `SELECT a.id, coalesce(s.k, 0) AS k FROM seed_acc s JOIN ledger_account a ON a.id = s.id
      WHERE a.status = 'open' AND s.kind = 'wallet' AND a.currency_code = '${cur}' AND s.k IS NOT NULL
      ORDER BY s.k DESC, s.a`
  )
  const heavy = wallets[0]
  const typical = wallets[Math.floor(wallets.length / 2)] ?? heavy
  const codes = await query(
    `SELECT code FROM ledger_account WHERE code IS NOT NULL AND status = 'open' AND balance > 0 AND currency_code = '${cur}'
      ORDER BY md5(code) LIMIT 50`
  )
  const refs = await query(`SELECT pg_temp.ref(s) AS reference FROM generate_series(1, (SELECT max(s) FROM seed_tr), greatest((SELECT max(s) FROM seed_tr) / 50, 1)) s`)
  const [red] = await query(`SELECT count(*)::int AS n FROM seed_tr WHERE cur = '${cur}' AND kind IN ('redemption', 'capture', 'refund')`)
  return {
    heavy_wallet_id: heavy?.id,
    heavy_wallet_entries: Number(heavy?.k ?? 0),
    typical_wallet_id: typical?.id,
    typical_wallet_entries: Number(typical?.k ?? 0),
    redemptions_id: `acc_sys_${cur}_redemptions`,
    redemptions_entries: red.n,
    codes: codes.map((r) => r.code),
    references: refs.map((r) => r.reference),
  }
}

function sqlArray(values: string[]) {
  return `ARRAY[${values.map((v) => `'${v}'`).join(", ")}]::text[]`
}

/** One session for the whole seed: it uses temporary tables and functions. */
async function connect(db: SeedDb) {
  if (typeof db === "string") {
    const client = new Client({ connectionString: db })
    await client.connect()
    return {
      query: async (sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows,
      release: () => client.end(),
    }
  }
  if ("client" in db && typeof (db as Knexish).client?.acquireConnection === "function") {
    const knex = db as Knexish
    const conn = await knex.client.acquireConnection()
    return {
      query: async (sql: string, values: unknown[] = []) => (await conn.query(sql, values)).rows,
      release: () => knex.client.releaseConnection(conn),
    }
  }
  const client = db as { query: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }> }
  return { query: async (sql: string, values: unknown[] = []) => (await client.query(sql, values)).rows, release: async () => {} }
}
