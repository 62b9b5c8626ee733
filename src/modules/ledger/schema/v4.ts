/**
 * The SQL of the ledger's fourth schema version (migration Migration20261126100000): cheaper
 * postings, batches and groups, and core shards that a posting never waits for while one is
 * free. Kept apart so a later migration's down() can restore these definitions. (ledger_post_set
 * is written out whole: it reads its items differently throughout.)
 */
import * as v3 from "./v3"

const SHARDS = 16

/**
 * ledger_lock_many as in v3 (the same locks in the same order), with three changes to a
 * batch's core shards:
 * - a core account with a credit limit (the sales account: it may not go below zero) is
 *   locked whole (every shard, then its row) only when it pays in the batch (a refund out of
 *   it); receiving, it is one shard like any other (v3 locked it whole either way, so
 *   batches and groups of orders into the sales account queued behind each other);
 * - the batch's shard is one that no other transaction holds (SKIP LOCKED, from a random
 *   one), so batches and grouped postings do not wait for each other's commits while a shard
 *   is free (all held: the random one, waited for);
 * - a transaction keeps the shard it picked (`ledger.tx_shard`): several batches in one
 *   transaction (createAccountsAtomically) hold one shard per core account, not many.
 */
const LOCK_MANY_CHANGES: [string, string][] = [
  [
    `  v_shard int := floor(random() * ${SHARDS})::int;
`,
    `  v_kept int := nullif(current_setting('ledger.tx_shard', true), '')::int;
  v_shard int := coalesce(v_kept, floor(random() * ${SHARDS})::int);
  v_paying text[];
  v_whole text[];
  v_first text;
  v_free int;
  v_try int;
`,
  ],
  // (the shard is set once picked, below)
  [
    `BEGIN
  PERFORM set_config('ledger.shard', v_shard::text, true);
`,
    `BEGIN
`,
  ],
  // the accounts that pay too (a refund pays from its parent's destination)
  [
    `  ), named AS (
    SELECT s AS ref, d AS other, c FROM sides UNION SELECT d, s, c FROM sides
  )
  SELECT array_agg(DISTINCT CASE WHEN left(n.ref, 1) = '@'
           THEN ledger_core_id(n.ref, coalesce(n.c, (SELECT a.currency_code FROM ledger_account a WHERE a.id = n.other)))
           ELSE n.ref END)
    INTO v_accounts FROM named n WHERE n.ref IS NOT NULL;
`,
    `  ), named AS (
    SELECT s AS ref, d AS other, c, true AS pays FROM sides UNION SELECT d, s, c, false FROM sides
  ), resolved AS (
    SELECT CASE WHEN left(n.ref, 1) = '@'
             THEN ledger_core_id(n.ref, coalesce(n.c, (SELECT a.currency_code FROM ledger_account a WHERE a.id = n.other)))
             ELSE n.ref END AS id, n.pays
      FROM named n WHERE n.ref IS NOT NULL
  )
  SELECT array_agg(DISTINCT r.id), array_agg(DISTINCT r.id) FILTER (WHERE r.pays)
    INTO v_accounts, v_paying FROM resolved r;
`,
  ],
  [
    `  FOR v_core IN
    SELECT u FROM unnest(v_accounts) u WHERE left(u, 8) = 'acc_sys_' ORDER BY u COLLATE "C"
  LOOP
    IF EXISTS (SELECT 1 FROM ledger_account x WHERE x.id = v_core AND x.credit_limit IS NOT NULL) THEN
`,
    `  -- The core accounts locked whole: those with a credit limit that pay.
  v_whole := ARRAY(SELECT x.id FROM ledger_account x
                    WHERE x.id = ANY (v_paying) AND left(x.id, 8) = 'acc_sys_' AND x.credit_limit IS NOT NULL);
  IF v_kept IS NULL THEN
    v_first := (SELECT min(u COLLATE "C") FROM unnest(v_accounts) u
                 WHERE left(u, 8) = 'acc_sys_' AND NOT u = ANY (v_whole));
    -- (one shard at a time, by its key: the table is small and much updated, and a scan
    -- of it reads every dead version)
    IF v_first IS NOT NULL THEN
      FOR v_try IN 0..${SHARDS - 1} LOOP
        SELECT x.shard INTO v_free FROM ledger_balance_shard x
         WHERE x.account_id = v_first AND x.shard = (v_shard + v_try) % ${SHARDS}
         FOR NO KEY UPDATE SKIP LOCKED;
        EXIT WHEN FOUND;
      END LOOP;
      v_shard := coalesce(v_free, v_shard);
    END IF;
  END IF;
  PERFORM set_config('ledger.shard', v_shard::text, true);
  PERFORM set_config('ledger.tx_shard', v_shard::text, true);

  FOR v_core IN
    SELECT u FROM unnest(v_accounts) u WHERE left(u, 8) = 'acc_sys_' ORDER BY u COLLATE "C"
  LOOP
    IF v_core = ANY (v_whole) THEN
`,
  ],
]
export const LOCK_MANY = LOCK_MANY_CHANGES.reduce((sql, [from, to]) => {
  if (!sql.includes(from)) {
    throw new Error(`ledger schema v4: ledger_lock_many v3 is not as expected: ${from.trim().split("\n")[0]}`)
  }
  return sql.replace(from, to)
}, v3.LOCK_MANY)

/**
 * ledger_apply as in v3, but a single posting to a core account credits a shard no other
 * transaction holds (SKIP LOCKED, starting from a random one), not any random one: at the
 * hot sales account, concurrent orders no longer queue behind each other's commits while
 * a shard is free. (All held, or the row missing: the random one, as before.)
 */
const SHARD_PICK = `  v_shard := coalesce(nullif(current_setting('ledger.shard', true), '')::int, floor(random() * ${SHARDS})::int);
  IF coalesce(current_setting('ledger.shard', true), '') <> '' THEN`
if (!v3.APPLY.includes(SHARD_PICK) || !v3.APPLY.includes("  v_folded numeric;\n")) {
  throw new Error("ledger schema v4: ledger_apply v3 is not as expected")
}
export const APPLY = v3.APPLY.replace("  v_folded numeric;\n", "  v_folded numeric;\n  v_try int;\n").replace(
  SHARD_PICK,
  `  v_shard := coalesce(nullif(current_setting('ledger.shard', true), '')::int, floor(random() * ${SHARDS})::int);
  IF coalesce(current_setting('ledger.shard', true), '') = '' THEN
    FOR v_try IN 0..${SHARDS - 1} LOOP
      PERFORM 1 FROM ledger_balance_shard x
       WHERE x.account_id = p_account AND x.shard = (v_shard + v_try) % ${SHARDS}
       FOR NO KEY UPDATE SKIP LOCKED;
      IF FOUND THEN
        v_shard := (v_shard + v_try) % ${SHARDS};
        EXIT;
      END IF;
    END LOOP;
  END IF;
  IF coalesce(current_setting('ledger.shard', true), '') <> '' THEN`
)

/**
 * ledger_post_set as in v3 (same checks, same rows written, same answer), cheaper: the
 * items are read from the JSON once, into typed rows, and the balances it answers with
 * are the ones it computed, not read back from the entries it wrote (on a young table
 * PostgreSQL may plan that read as a scan and keep the plan while the table grows).
 */
export const POST_SET = `
-- As in v3, in PL/pgSQL: a SQL function with subqueries is parsed and planned on every
-- call, a PL/pgSQL one keeps its plan; and no look-up at all when no item has a key.
CREATE OR REPLACE FUNCTION ledger_keys_used(p_keys text[]) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF coalesce(cardinality(array_remove(p_keys, NULL)), 0) = 0 THEN
    RETURN false;
  END IF;
  RETURN EXISTS (
    SELECT 1 FROM unnest(p_keys) k
     WHERE k IS NOT NULL AND (
       EXISTS (SELECT 1 FROM ledger_transfer t WHERE t.idempotency_key = k AND t.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_account a WHERE a.idempotency_key = k AND a.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_hold h WHERE h.idempotency_key = k AND h.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_operation o WHERE o.idempotency_key = k AND o.deleted_at IS NULL)));
END
$$;
DO $$ BEGIN
  CREATE TYPE ledger_batch_item AS (
    idx int, id text, reference text, kind text, src text, dst text, cur text, amount numeric,
    description text, merchant_reference text, actor_type text, actor_id text,
    idempotency_key text, metadata jsonb, source_entry_id text, destination_entry_id text,
    max_balance numeric);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$ BEGIN
  CREATE TYPE ledger_batch_leg AS (
    idx int, account text, is_core boolean, payer boolean, delta numeric, amount numeric,
    currency text, kind text, max_balance numeric, entry_id text, transfer_id text, lo boolean,
    after numeric);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE OR REPLACE FUNCTION ledger_post_set(p_items jsonb)
RETURNS TABLE (${v3.POSTED_COLUMNS})
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := clock_timestamp();
  v_shard int := nullif(current_setting('ledger.shard', true), '')::int;
  v_items ledger_batch_item[];
  v_legs ledger_batch_leg[];
  v_fallback text;
BEGIN
  -- The items, typed, with their accounts resolved as ledger_post resolves them.
  SELECT array_agg(ROW(r.idx, r.id, r.reference, r.kind, r.src, r.dst, r.cur, r.amount, r.description,
           r.merchant_reference, r.actor_type, r.actor_id, r.idempotency_key, r.metadata,
           r.source_entry_id, r.destination_entry_id, r.max_balance)::ledger_batch_item ORDER BY r.idx),
         CASE
           WHEN bool_or(r.kind NOT IN ('transfer', 'load', 'redemption') OR r.parent IS NOT NULL) THEN 'a refund or reversal'
           WHEN bool_or(r.cur IS NULL OR r.src IS NULL OR r.dst IS NULL OR r.src = r.dst) THEN 'an unknown account'
           WHEN bool_or(r.amount IS NULL OR r.amount <= 0) THEN 'an amount'
           WHEN count(r.idempotency_key) <> count(DISTINCT r.idempotency_key) THEN 'a key used twice'
         END
    INTO v_items, v_fallback
    FROM (
      SELECT (x.ordinality - 1)::int AS idx, x.id, x.reference, x.kind, x.parent, x.amount, x.description,
             x.merchant_reference, coalesce(x.actor_type, 'system') AS actor_type, x.actor_id,
             x.idempotency_key, nullif(x.metadata, 'null'::jsonb) AS metadata, x.source_entry_id,
             x.destination_entry_id, x.max_destination_balance AS max_balance,
             CASE WHEN left(x.source, 1) = '@' THEN ledger_core_id(x.source, d.currency_code) ELSE s.id END AS src,
             CASE WHEN left(x.destination, 1) = '@' THEN ledger_core_id(x.destination, s.currency_code) ELSE d.id END AS dst,
             CASE WHEN left(x.source, 1) = '@' THEN d.currency_code ELSE s.currency_code END AS cur
        FROM ROWS FROM (jsonb_to_recordset(p_items) AS (
               id text, reference text, kind text, source text, destination text, amount numeric,
               parent text, description text, merchant_reference text, actor_type text, actor_id text,
               idempotency_key text, metadata jsonb, source_entry_id text, destination_entry_id text,
               max_destination_balance numeric)) WITH ORDINALITY AS x
        LEFT JOIN ledger_account s ON s.id = x.source
        LEFT JOIN ledger_account d ON d.id = x.destination
    ) r;
  IF v_fallback IS NULL AND v_shard IS NULL THEN
    v_fallback := 'no batch shard';
  END IF;
  -- (tests compare the two paths on the same batches)
  IF v_fallback IS NULL AND current_setting('ledger.set_path', true) = 'off' THEN
    v_fallback := 'turned off';
  END IF;
  IF v_fallback IS NULL AND ledger_keys_used(ARRAY(SELECT i.idempotency_key FROM unnest(v_items) i)) THEN
    v_fallback := 'a key already used';
  END IF;
  IF v_fallback IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: ' || v_fallback;
  END IF;

  -- Both sides of every item, in the order ledger_post applies them (lower id first), each
  -- with the account's balance after it (none for a core account).
  SELECT array_agg(ROW(t.idx, t.account, t.is_core, t.payer, t.delta, t.amount, t.cur, t.kind, t.max_balance,
                       t.entry_id, t.transfer_id, t.lo, t.after)::ledger_batch_leg ORDER BY t.idx, NOT t.lo)
    INTO v_legs
    FROM (
      SELECT l.*, CASE WHEN l.is_core THEN NULL
                       ELSE a.balance + sum(l.delta) OVER (PARTITION BY l.account ORDER BY l.idx) END AS after
        FROM (
          SELECT i.idx, side.account, left(side.account, 8) = 'acc_sys_' AS is_core, side.payer,
                 CASE WHEN side.payer THEN -i.amount ELSE i.amount END AS delta,
                 i.amount, i.cur, i.kind, i.max_balance,
                 CASE WHEN side.payer THEN i.source_entry_id ELSE i.destination_entry_id END AS entry_id,
                 i.id AS transfer_id,
                 side.account COLLATE "C" < (CASE WHEN side.payer THEN i.dst ELSE i.src END) COLLATE "C" AS lo
            FROM unnest(v_items) i,
                 LATERAL (VALUES (i.src, true), (i.dst, false)) side(account, payer)
        ) l
        LEFT JOIN ledger_account a ON a.id = l.account AND NOT l.is_core
    ) t;

  IF EXISTS (SELECT 1 FROM unnest(v_legs) s JOIN ledger_account a ON a.id = s.account
              WHERE s.is_core AND s.payer AND a.credit_limit IS NOT NULL) THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: a limited core account pays';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(v_legs) s
              WHERE s.is_core AND NOT EXISTS (
                SELECT 1 FROM ledger_balance_shard b WHERE b.account_id = s.account AND b.shard = v_shard
                   AND b.status = 'open' AND b.currency_code = s.currency
                   AND scale(trim_scale(s.amount)) <= ledger_currency_decimals(s.currency))) THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: a core account refuses';
  END IF;

  -- Every check of ledger_check_account, on each account's balance before the item.
  PERFORM ledger_check_account(c.account, a.currency_code, a.status, a.start_date, a.end_date, a.credit_limit,
            c.after - c.delta, a.held, c.payer, c.amount, c.currency, c.kind, false, c.max_balance, v_now)
     FROM unnest(v_legs) c
     JOIN ledger_account a ON a.id = c.account
    WHERE NOT c.is_core
    ORDER BY c.idx;

  INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount,
    currency_code, parent_id, hold_id, merchant_reference, description, actor_type, actor_id,
    idempotency_key, metadata, created_at, updated_at)
  SELECT i.id, i.reference, i.kind, i.src, i.dst, i.amount,
         jsonb_build_object('value', i.amount::text, 'precision', 20), i.cur, NULL, NULL, i.merchant_reference,
         i.description, i.actor_type, i.actor_id, i.idempotency_key, i.metadata, v_now, v_now
    FROM unnest(v_items) i ORDER BY i.idx;

  INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after,
    raw_balance_after, created_at, updated_at)
  SELECT c.entry_id, c.transfer_id, c.account, c.delta, jsonb_build_object('value', c.delta::text, 'precision', 20), c.after,
         CASE WHEN c.after IS NULL THEN NULL ELSE jsonb_build_object('value', c.after::text, 'precision', 20) END, v_now, v_now
    FROM unnest(v_legs) WITH ORDINALITY c
   ORDER BY c.ordinality;

  RETURN QUERY
  SELECT i.idx, i.id, i.reference, i.kind, i.src, i.dst, i.amount, i.cur, NULL::text, NULL::text,
         i.merchant_reference, i.description, i.actor_type, i.actor_id, i.idempotency_key, i.metadata, v_now,
         src.after, dst.after, false, NULL::text, NULL::text, NULL::text, NULL::text
    FROM unnest(v_items) i
    JOIN unnest(v_legs) src ON src.idx = i.idx AND src.payer
    JOIN unnest(v_legs) dst ON dst.idx = i.idx AND NOT dst.payer
   ORDER BY i.idx;

  UPDATE ledger_account a SET balance = a.balance + d.total, raw_balance = jsonb_build_object('value', (a.balance + d.total)::text, 'precision', 20),
         updated_at = clock_timestamp()
    FROM (SELECT s.account, sum(s.delta) AS total FROM unnest(v_legs) s WHERE NOT s.is_core GROUP BY s.account) d
   WHERE a.id = d.account;
  UPDATE ledger_balance_shard b SET balance = b.balance + d.total
    FROM (SELECT s.account, sum(s.delta) AS total FROM unnest(v_legs) s WHERE s.is_core GROUP BY s.account) d
   WHERE b.account_id = d.account AND b.shard = v_shard;
END
$$;
`

/**
 * Every posting updates its accounts' rows. With room left on the page the new version
 * goes there (a HOT update: none of the table's twelve indexes is touched); a full page
 * sends it to another page and into every index. Only pages filled from now on keep room.
 */
export const FILLFACTOR = `ALTER TABLE ledger_account SET (fillfactor = 50);`

/**
 * ledger_raw was declared IMMUTABLE around a STABLE call (jsonb_build_object), so PostgreSQL
 * never inlined it: every call site parsed and planned its body again in each transaction,
 * five times per posting. Declared STABLE, it is inlined: about a quarter of a posting's
 * time in PostgreSQL.
 */
export const RAW_INLINED = `ALTER FUNCTION ledger_raw(numeric) STABLE;`

/**
 * A batch's statements take arrays and JSON of any length: PostgreSQL would plan each one
 * again on every call (a custom plan), which costs more than a small batch's posting.
 * Their plans do not depend on the values, so the batch functions keep generic ones.
 */
export const GENERIC_PLANS = `
ALTER FUNCTION ledger_post_many(jsonb, boolean) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ledger_create_many(jsonb, boolean) SET plan_cache_mode = force_generic_plan;
`

export const DOWN = `
ALTER FUNCTION ledger_raw(numeric) IMMUTABLE;
${v3.APPLY}
ALTER FUNCTION ledger_post_many(jsonb, boolean) RESET plan_cache_mode;
ALTER FUNCTION ledger_create_many(jsonb, boolean) RESET plan_cache_mode;
ALTER TABLE ledger_account RESET (fillfactor);
${v3.LOCK_MANY}
DROP FUNCTION IF EXISTS ledger_keys_used(text[]);
${v3.POST_SET}
DROP TYPE IF EXISTS ledger_batch_item;
DROP TYPE IF EXISTS ledger_batch_leg;
`
