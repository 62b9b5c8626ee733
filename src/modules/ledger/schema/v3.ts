/**
 * The SQL of the ledger's third schema version (migration Migration20261126060000): many
 * postings or account creations in one call, each keeping every rule of a single one.
 * Kept apart so a later migration's down() can restore these exact definitions.
 */
import * as v2 from "./v2"

const SHARDS = 16

const SHARD_UPDATE = `  v_shard := floor(random() * ${SHARDS})::int;
  UPDATE ledger_balance_shard x SET balance = x.balance + p_delta`
if (!v2.APPLY.includes(SHARD_UPDATE)) {
  throw new Error("ledger schema v3: ledger_apply v2 does not credit its shard as expected")
}

/**
 * As in v2, but inside a batch (which set \`ledger.shard\` for the length of its call) a
 * core account's shard is the batch's one, and what the batch adds to it is summed
 * (ledger_defer_delta) and added once at the end (ledger_flush_deferred), after the same
 * checks the update would make. Updating one row again and again in one transaction
 * leaves a version of it per update, each read by the next: a batch would be quadratic.
 */
export const APPLY = v2.APPLY.replace(
  SHARD_UPDATE,
  `  v_shard := coalesce(nullif(current_setting('ledger.shard', true), '')::int, floor(random() * ${SHARDS})::int);
  IF coalesce(current_setting('ledger.shard', true), '') <> '' THEN
    PERFORM 1 FROM ledger_balance_shard x
     WHERE x.account_id = p_account AND x.shard = v_shard
       AND x.status = 'open' AND x.currency_code = p_currency
       AND scale(trim_scale(p_amount)) <= ledger_currency_decimals(p_currency);
    IF FOUND THEN
      PERFORM ledger_defer_delta(p_account, p_delta);
      RETURN NULL;
    END IF;
  END IF;
  UPDATE ledger_balance_shard x SET balance = x.balance + p_delta`
)

/**
 * What a batch owes its core accounts' shards, kept in a setting of the transaction (a
 * subtransaction rolled back takes its part back with it), and adding it.
 */
export const DEFERRED = `
CREATE OR REPLACE FUNCTION ledger_defer_delta(p_account text, p_delta numeric) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v jsonb := coalesce(nullif(current_setting('ledger.pending', true), ''), '{}')::jsonb;
BEGIN
  PERFORM set_config('ledger.pending',
    jsonb_set(v, ARRAY[p_account], to_jsonb(coalesce((v->>p_account)::numeric, 0) + p_delta))::text, true);
END
$$;

-- Adds what the batch owes to its shards and ends the batch's settings, so a posting made
-- later in the same transaction updates its shard itself.
CREATE OR REPLACE FUNCTION ledger_flush_deferred() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_balance_shard x SET balance = x.balance + d.value::numeric
    FROM jsonb_each_text(coalesce(nullif(current_setting('ledger.pending', true), ''), '{}')::jsonb) d
   WHERE x.account_id = d.key AND x.shard = current_setting('ledger.shard')::int AND d.value::numeric <> 0;
  PERFORM set_config('ledger.pending', '', true);
  PERFORM set_config('ledger.shard', '', true);
END
$$;
`

/**
 * Takes every lock a batch of postings needs, in the ledger's one order (as ledger_post
 * takes them for one posting): the idempotency keys, the parent transfers, the accounts by
 * id ("C" collation), and for each core account (their ids sort last) one balance shard
 * (the batch's, set in `ledger.shard`) or, for a core account with a credit limit, every
 * shard and then its row. The postings then find their locks held, so a batch never waits
 * out of order: it cannot deadlock with another batch or with single postings.
 *
 * Items: { idempotency_key, source, destination, parent, currency } — `currency` resolves
 * a role ('@bank') when the other side does not exist yet (a batch of new accounts).
 */
export const LOCK_MANY = `
CREATE OR REPLACE FUNCTION ledger_lock_many(p_items jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_shard int := floor(random() * ${SHARDS})::int;
  v_key text;
  v_core text;
  v_accounts text[];
  v_parents text[];
BEGIN
  PERFORM set_config('ledger.shard', v_shard::text, true);
  FOR v_key IN
    SELECT k FROM (SELECT DISTINCT e->>'idempotency_key' AS k FROM jsonb_array_elements(p_items) e) keys
     WHERE k IS NOT NULL ORDER BY k COLLATE "C"
  LOOP
    PERFORM ledger_lock_key(v_key);
  END LOOP;

  -- (Each look-up by id or by reference separately: an OR of the two, or an IN over the
  -- items, can make PostgreSQL read the whole transfer table.)
  v_parents := ARRAY(SELECT DISTINCT e->>'parent' FROM jsonb_array_elements(p_items) e WHERE e->>'parent' IS NOT NULL);
  IF cardinality(v_parents) > 0 THEN
    PERFORM 1 FROM ledger_transfer x
     WHERE x.id IN (SELECT t.id FROM ledger_transfer t WHERE t.id = ANY (v_parents)
                    UNION SELECT t.id FROM ledger_transfer t WHERE t.reference = ANY (v_parents) AND t.deleted_at IS NULL)
     ORDER BY x.id COLLATE "C" FOR NO KEY UPDATE;
  END IF;

  WITH items AS (
    SELECT e->>'source' AS s, e->>'destination' AS d, e->>'parent' AS p, e->>'currency' AS c
      FROM jsonb_array_elements(p_items) e
  ), sides AS (
    SELECT coalesce(t.destination_id, i.s) AS s, coalesce(t.source_id, i.d) AS d, i.c
      FROM items i
      LEFT JOIN LATERAL (
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.id = i.p AND x.deleted_at IS NULL
        UNION ALL
        SELECT x.source_id, x.destination_id FROM ledger_transfer x WHERE x.reference = i.p AND x.deleted_at IS NULL
        LIMIT 1
      ) t ON i.p IS NOT NULL
  ), named AS (
    SELECT s AS ref, d AS other, c FROM sides UNION SELECT d, s, c FROM sides
  )
  SELECT array_agg(DISTINCT CASE WHEN left(n.ref, 1) = '@'
           THEN ledger_core_id(n.ref, coalesce(n.c, (SELECT a.currency_code FROM ledger_account a WHERE a.id = n.other)))
           ELSE n.ref END)
    INTO v_accounts FROM named n WHERE n.ref IS NOT NULL;

  PERFORM 1 FROM ledger_account x
   WHERE x.id = ANY (v_accounts) AND left(x.id, 8) <> 'acc_sys_'
   ORDER BY x.id COLLATE "C" FOR NO KEY UPDATE;
  FOR v_core IN
    SELECT u FROM unnest(v_accounts) u WHERE left(u, 8) = 'acc_sys_' ORDER BY u COLLATE "C"
  LOOP
    IF EXISTS (SELECT 1 FROM ledger_account x WHERE x.id = v_core AND x.credit_limit IS NOT NULL) THEN
      PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = v_core ORDER BY x.shard FOR NO KEY UPDATE;
      PERFORM 1 FROM ledger_account x WHERE x.id = v_core FOR NO KEY UPDATE;
    ELSE
      PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = v_core AND x.shard = v_shard FOR NO KEY UPDATE;
    END IF;
  END LOOP;
END
$$;
`

// An error a batch reports per item rather than failing with: everything but the
// failures of the transaction itself (deadlock, serialization, cancel, connection, server).
const ITEM_ERROR = `
CREATE OR REPLACE FUNCTION ledger_item_error(p_state text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT p_state NOT IN ('40P01', '40001') AND left(p_state, 2) NOT IN ('08', '25', '53', '54', '55', '57', '58', 'XX')
$$;
`

/**
 * The body of a batch function: first `setPath` (SQL returning every item's row at once, see
 * ledger_post_set), and when it gives up, `item` (SQL returning the item's row, the item in
 * `e`) for each element of p_items in order, its index in v_idx. Independent: each item in a
 * subtransaction of its own; a refused item comes back as an error row and writes
 * nothing, the others post. Atomic: one subtransaction around them all and none per item;
 * the first refusal undoes every item and comes back as an error row (the rows before it
 * are returned but were undone). Failures of the transaction itself (deadlock, ...) are
 * raised, never reported per item. `failed` is the error row's SELECT list after v_idx.
 */
function batchBody(setPath: string, item: string, failed: string) {
  const handler = `
      GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT,
        v_message = PG_EXCEPTION_DETAIL, v_constraint = CONSTRAINT_NAME;
      IF NOT ledger_item_error(v_state) THEN
        RAISE;
      END IF;
      IF coalesce(v_message, '') = '' THEN
        GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
      END IF;
      RETURN QUERY SELECT v_idx, ${failed}, v_state, v_hint, v_message, v_constraint;`
  const items = `SELECT x.e FROM jsonb_array_elements(p_items) WITH ORDINALITY x(e, n) ORDER BY x.n`
  return `
  -- The set path when every item is plain and passes; else item by item.
  BEGIN
    RETURN QUERY ${setPath};
    PERFORM ledger_flush_deferred();
    RETURN;
  EXCEPTION WHEN OTHERS THEN
    IF NOT ledger_item_error(SQLSTATE) THEN
      RAISE;
    END IF;
  END;
  IF p_atomic THEN
    BEGIN
      FOR e IN ${items} LOOP
        v_idx := v_idx + 1;
        RETURN QUERY SELECT v_idx, r.* FROM (${item}) r;
      END LOOP;
    EXCEPTION WHEN OTHERS THEN ${handler}
    END;
  ELSE
    FOR e IN ${items} LOOP
      v_idx := v_idx + 1;
      BEGIN
        RETURN QUERY SELECT v_idx, r.* FROM (${item}) r;
      EXCEPTION WHEN OTHERS THEN ${handler}
      END;
    END LOOP;
  END IF;`
}

const BATCH_DECLARE = `
  e jsonb;
  v_idx int := -1;
  v_state text;
  v_hint text;
  v_message text;
  v_constraint text;`

const ERROR_COLUMNS = `error_state text, error_hint text, error_message text, error_constraint text`

// A batch's row per posting: its index, ledger_post's columns, and its refusal if any.
export const POSTED_COLUMNS = `
  idx int, id text, reference text, kind text, source_id text, destination_id text,
  amount numeric, currency_code text, parent_id text, hold_id text,
  merchant_reference text, description text, actor_type text, actor_id text,
  idempotency_key text, metadata jsonb, created_at timestamptz,
  source_balance numeric, destination_balance numeric, replayed boolean, ${ERROR_COLUMNS}`

/**
 * The set path of a batch: every posting of `p_items` (plain transfers, loads and
 * redemptions) written with a handful of statements instead of one ledger_post call each:
 * the checks of ledger_check_account run on each account's running balance, in item
 * order, then the transfers, the entries (each with its balance after) and one update per
 * account are written. It gives up (raising LG002, or the refusal a check raised) as soon
 * as the batch is anything but plain: a refund, a key already used or used twice, a
 * missing account, a core account with a credit limit paying, a refusal. The caller then
 * posts item by item, which decides each item exactly; the set path only ever writes what
 * that would have written when every item passes. The locks are held (ledger_lock_many).
 */
// (ledger_raw written out: PostgreSQL does not inline it, and the set path calls it per row)
export const POST_SET = `
-- Whether any of these keys (NULLs aside) already names an operation of any kind.
CREATE OR REPLACE FUNCTION ledger_keys_used(p_keys text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM unnest(p_keys) k
     WHERE k IS NOT NULL AND (
       EXISTS (SELECT 1 FROM ledger_transfer t WHERE t.idempotency_key = k AND t.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_account a WHERE a.idempotency_key = k AND a.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_hold h WHERE h.idempotency_key = k AND h.deleted_at IS NULL)
       OR EXISTS (SELECT 1 FROM ledger_operation o WHERE o.idempotency_key = k AND o.deleted_at IS NULL)))
$$;

DO $$ BEGIN
  CREATE TYPE ledger_batch_side AS (
    idx int, account text, is_core boolean, payer boolean, delta numeric, amount numeric,
    currency text, kind text, max_balance numeric, entry_id text, transfer_id text, lo boolean);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE OR REPLACE FUNCTION ledger_post_set(p_items jsonb)
RETURNS TABLE (${POSTED_COLUMNS})
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := clock_timestamp();
  v_shard int := nullif(current_setting('ledger.shard', true), '')::int;
  v_items jsonb;
  v_sides ledger_batch_side[];
  v_fallback text;
BEGIN
  -- The items with their accounts resolved as ledger_post resolves them.
  SELECT jsonb_agg(jsonb_build_object('idx', r.idx, 'src', r.src, 'dst', r.dst, 'cur', r.cur, 'e', r.e) ORDER BY r.idx),
         CASE
           WHEN bool_or(r.e->>'kind' NOT IN ('transfer', 'load', 'redemption') OR r.e->>'parent' IS NOT NULL) THEN 'a refund or reversal'
           WHEN bool_or(r.cur IS NULL OR r.src IS NULL OR r.dst IS NULL OR r.src = r.dst) THEN 'an unknown account'
           WHEN bool_or((r.e->>'amount') IS NULL OR (r.e->>'amount')::numeric <= 0) THEN 'an amount'
           WHEN count(r.e->>'idempotency_key') <> count(DISTINCT r.e->>'idempotency_key') THEN 'a key used twice'
         END
    INTO v_items, v_fallback
    FROM (
      SELECT (x.n - 1)::int AS idx, x.e,
             CASE WHEN left(x.e->>'source', 1) = '@' THEN ledger_core_id(x.e->>'source', d.currency_code) ELSE s.id END AS src,
             CASE WHEN left(x.e->>'destination', 1) = '@' THEN ledger_core_id(x.e->>'destination', s.currency_code) ELSE d.id END AS dst,
             CASE WHEN left(x.e->>'source', 1) = '@' THEN d.currency_code ELSE s.currency_code END AS cur
        FROM jsonb_array_elements(p_items) WITH ORDINALITY x(e, n)
        LEFT JOIN ledger_account s ON s.id = x.e->>'source'
        LEFT JOIN ledger_account d ON d.id = x.e->>'destination'
    ) r;
  IF v_fallback IS NULL AND v_shard IS NULL THEN
    v_fallback := 'no batch shard';
  END IF;
  -- (tests compare the two paths on the same batches)
  IF v_fallback IS NULL AND current_setting('ledger.set_path', true) = 'off' THEN
    v_fallback := 'turned off';
  END IF;
  IF v_fallback IS NULL AND ledger_keys_used(ARRAY(SELECT i->'e'->>'idempotency_key' FROM jsonb_array_elements(v_items) i)) THEN
    v_fallback := 'a key already used';
  END IF;
  IF v_fallback IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: ' || v_fallback;
  END IF;

  -- Both sides of every item, in the order ledger_post applies them (lower id first).
  SELECT array_agg(ROW(t.idx, t.account, left(t.account, 8) = 'acc_sys_', t.payer, t.delta, t.amount, t.cur, t.kind,
                       t.max_balance, t.entry_id, t.transfer_id, t.lo)::ledger_batch_side ORDER BY t.idx, NOT t.lo)
    INTO v_sides
    FROM (
      SELECT (i->>'idx')::int AS idx, side.account, side.payer,
             CASE WHEN side.payer THEN -(i->'e'->>'amount')::numeric ELSE (i->'e'->>'amount')::numeric END AS delta,
             (i->'e'->>'amount')::numeric AS amount, i->>'cur' AS cur, i->'e'->>'kind' AS kind,
             (i->'e'->>'max_destination_balance')::numeric AS max_balance,
             CASE WHEN side.payer THEN i->'e'->>'source_entry_id' ELSE i->'e'->>'destination_entry_id' END AS entry_id,
             i->'e'->>'id' AS transfer_id,
             side.account COLLATE "C" < (CASE WHEN side.payer THEN i->>'dst' ELSE i->>'src' END) COLLATE "C" AS lo
        FROM jsonb_array_elements(v_items) i,
             LATERAL (VALUES (i->>'src', true), (i->>'dst', false)) side(account, payer)
    ) t;

  IF EXISTS (SELECT 1 FROM unnest(v_sides) s JOIN ledger_account a ON a.id = s.account
              WHERE s.is_core AND s.payer AND a.credit_limit IS NOT NULL) THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: a limited core account pays';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(v_sides) s
              WHERE s.is_core AND NOT EXISTS (
                SELECT 1 FROM ledger_balance_shard b WHERE b.account_id = s.account AND b.shard = v_shard
                   AND b.status = 'open' AND b.currency_code = s.currency
                   AND scale(trim_scale(s.amount)) <= ledger_currency_decimals(s.currency))) THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: a core account refuses';
  END IF;

  -- Every check of ledger_check_account, on each account's balance before the item.
  PERFORM ledger_check_account(c.account, a.currency_code, a.status, a.start_date, a.end_date, a.credit_limit,
            a.balance + c.before, a.held, c.payer, c.amount, c.currency, c.kind, false, c.max_balance, v_now)
     FROM (SELECT s.*, coalesce(sum(s.delta) OVER (PARTITION BY s.account ORDER BY s.idx
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
             FROM unnest(v_sides) s WHERE NOT s.is_core) c
     JOIN ledger_account a ON a.id = c.account
    ORDER BY c.idx;

  INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount,
    currency_code, parent_id, hold_id, merchant_reference, description, actor_type, actor_id,
    idempotency_key, metadata, created_at, updated_at)
  SELECT i->'e'->>'id', i->'e'->>'reference', i->'e'->>'kind', i->>'src', i->>'dst', (i->'e'->>'amount')::numeric,
         jsonb_build_object('value', ((i->'e'->>'amount')::numeric)::text, 'precision', 20), i->>'cur', NULL, NULL, i->'e'->>'merchant_reference',
         i->'e'->>'description', coalesce(i->'e'->>'actor_type', 'system'), i->'e'->>'actor_id',
         i->'e'->>'idempotency_key', nullif(i->'e'->'metadata', 'null'::jsonb), v_now, v_now
    FROM jsonb_array_elements(v_items) i ORDER BY (i->>'idx')::int;

  INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after,
    raw_balance_after, created_at, updated_at)
  SELECT c.entry_id, c.transfer_id, c.account, c.delta, jsonb_build_object('value', (c.delta)::text, 'precision', 20), c.after,
         CASE WHEN c.after IS NULL THEN NULL ELSE jsonb_build_object('value', (c.after)::text, 'precision', 20) END, v_now, v_now
    FROM (SELECT s.*, CASE WHEN s.is_core THEN NULL
                      ELSE a.balance + sum(s.delta) OVER (PARTITION BY s.account ORDER BY s.idx) END AS after
            FROM unnest(v_sides) s LEFT JOIN ledger_account a ON a.id = s.account AND NOT s.is_core) c
   ORDER BY c.idx, NOT c.lo;

  RETURN QUERY
  SELECT (i->>'idx')::int, i->'e'->>'id', i->'e'->>'reference', i->'e'->>'kind', i->>'src', i->>'dst',
         (i->'e'->>'amount')::numeric, i->>'cur', NULL::text, NULL::text, i->'e'->>'merchant_reference',
         i->'e'->>'description', coalesce(i->'e'->>'actor_type', 'system'), i->'e'->>'actor_id',
         i->'e'->>'idempotency_key', nullif(i->'e'->'metadata', 'null'::jsonb), v_now,
         src.balance_after, dst.balance_after, false, NULL::text, NULL::text, NULL::text, NULL::text
    FROM jsonb_array_elements(v_items) i
    LEFT JOIN ledger_entry src ON src.id = i->'e'->>'source_entry_id'
    LEFT JOIN ledger_entry dst ON dst.id = i->'e'->>'destination_entry_id'
   ORDER BY (i->>'idx')::int;

  UPDATE ledger_account a SET balance = a.balance + d.total, raw_balance = jsonb_build_object('value', (a.balance + d.total)::text, 'precision', 20),
         updated_at = clock_timestamp()
    FROM (SELECT s.account, sum(s.delta) AS total FROM unnest(v_sides) s WHERE NOT s.is_core GROUP BY s.account) d
   WHERE a.id = d.account;
  UPDATE ledger_balance_shard b SET balance = b.balance + d.total
    FROM (SELECT s.account, sum(s.delta) AS total FROM unnest(v_sides) s WHERE s.is_core GROUP BY s.account) d
   WHERE b.account_id = d.account AND b.shard = v_shard;
END
$$;
`

/**
 * Posts many transfers in one call and one transaction, locks first (ledger_lock_many).
 * Each item is one ledger_post call: { id, reference, kind, source, destination, amount,
 * parent, description, merchant_reference, actor_type, actor_id, idempotency_key,
 * metadata, source_entry_id, destination_entry_id, max_destination_balance }; see
 * batchBody for the two modes.
 */
export const POST_MANY = `
${ITEM_ERROR}
CREATE OR REPLACE FUNCTION ledger_post_many(p_items jsonb, p_atomic boolean)
RETURNS TABLE (${POSTED_COLUMNS})
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE ${BATCH_DECLARE}
BEGIN
  PERFORM ledger_lock_many(p_items);
  ${batchBody(
    `SELECT * FROM ledger_post_set(p_items)`,
    `SELECT p.*, NULL::text, NULL::text, NULL::text, NULL::text
       FROM ledger_post(e->>'id', e->>'reference', e->>'kind', e->>'source', e->>'destination',
         (e->>'amount')::numeric, e->>'parent', NULL, e->>'description', e->>'merchant_reference',
         e->>'actor_type', e->>'actor_id', e->>'idempotency_key', nullif(e->'metadata', 'null'::jsonb),
         e->>'source_entry_id', e->>'destination_entry_id', (e->>'max_destination_balance')::numeric) p`,
    `NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::numeric, NULL::text, NULL::text,
       NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::jsonb,
       NULL::timestamptz, NULL::numeric, NULL::numeric, NULL::boolean`
  )}
  PERFORM ledger_flush_deferred();
END
$$;
`

/**
 * Creates one account of a batch with its initial loads (ledger_post, kind load), the
 * locks already held. An item with an idempotency key that already made an account
 * replays it when the name, currency, code (unless generated: a retry draws another) and
 * loads match, and is refused
 * (idempotency_conflict) when they do not. Item: { id, name, description, code, currency,
 * credit_limit, start_date, end_date, customer_id, product_ids, can_pay_shipping,
 * metadata, type_id, idempotency_key, member_ids: [{id, customer_id}], max_balance,
 * actor_type, actor_id, loads: [{ id, reference, source, amount, description,
 * source_entry_id, destination_entry_id }] }.
 */
const CREATE_ITEM = `
CREATE OR REPLACE FUNCTION ledger_create_item(e jsonb)
RETURNS TABLE (account_id text, replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  l jsonb;
  v_key text := e->>'idempotency_key';
  v_cur text := e->>'currency';
  v_loads jsonb := coalesce(e->'loads', '[]'::jsonb);
  v_earlier ledger_account%ROWTYPE;
BEGIN
  IF v_key IS NOT NULL THEN
    PERFORM ledger_key_check(v_key, 'account');
    SELECT * INTO v_earlier FROM ledger_account a WHERE a.idempotency_key = v_key AND a.deleted_at IS NULL;
    IF FOUND THEN
      IF v_earlier.name <> e->>'name' OR v_earlier.currency_code <> v_cur
         OR (e->>'code' IS NOT NULL AND NOT coalesce((e->>'code_generated')::boolean, false)
             AND v_earlier.code IS DISTINCT FROM e->>'code')
         OR (SELECT ROW(array_agg(t.source_id ORDER BY t.created_at, t.id), array_agg(t.amount ORDER BY t.created_at, t.id))
               FROM (SELECT t.source_id, t.amount, t.created_at, t.id FROM ledger_transfer t
                      WHERE t.destination_id = v_earlier.id AND t.kind = 'load' AND t.deleted_at IS NULL
                      ORDER BY t.created_at, t.id LIMIT jsonb_array_length(v_loads)) t)
            IS DISTINCT FROM
            (SELECT ROW(array_agg(CASE WHEN left(x.ld->>'source', 1) = '@' THEN ledger_core_id(x.ld->>'source', v_cur)
                                       ELSE x.ld->>'source' END ORDER BY x.n),
                        array_agg((x.ld->>'amount')::numeric ORDER BY x.n))
               FROM jsonb_array_elements(v_loads) WITH ORDINALITY x(ld, n))
      THEN
        PERFORM ledger_fail('idempotency_conflict', format(
          'Idempotency key %s was used to create account %s with other arguments', v_key, v_earlier.id));
      END IF;
      RETURN QUERY SELECT v_earlier.id, true;
      RETURN;
    END IF;
  END IF;
  INSERT INTO ledger_account (id, name, description, code, status, currency_code, credit_limit,
    raw_credit_limit, balance, raw_balance, held, raw_held, start_date, end_date, customer_id,
    product_ids, can_pay_shipping, metadata, type_id, idempotency_key)
  VALUES (e->>'id', e->>'name', e->>'description', e->>'code', 'open', v_cur, (e->>'credit_limit')::numeric,
    CASE WHEN e->>'credit_limit' IS NULL THEN NULL ELSE ledger_raw((e->>'credit_limit')::numeric) END,
    0, ledger_raw(0), 0, ledger_raw(0), (e->>'start_date')::timestamptz, (e->>'end_date')::timestamptz,
    e->>'customer_id',
    CASE WHEN jsonb_typeof(e->'product_ids') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e->'product_ids')) END,
    coalesce((e->>'can_pay_shipping')::boolean, true), nullif(e->'metadata', 'null'::jsonb), e->>'type_id', v_key);
  INSERT INTO ledger_account_member (id, account_id, customer_id)
  SELECT m->>'id', e->>'id', m->>'customer_id' FROM jsonb_array_elements(coalesce(e->'member_ids', '[]'::jsonb)) m;
  FOR l IN SELECT x.ld FROM jsonb_array_elements(v_loads) WITH ORDINALITY x(ld, n) ORDER BY x.n LOOP
    PERFORM ledger_post(l->>'id', l->>'reference', 'load', l->>'source', e->>'id', (l->>'amount')::numeric,
      NULL, NULL, l->>'description', NULL, e->>'actor_type', e->>'actor_id', NULL, NULL,
      l->>'source_entry_id', l->>'destination_entry_id', (e->>'max_balance')::numeric);
  END LOOP;
  RETURN QUERY SELECT e->>'id', false;
END
$$;
`

/**
 * The set path of ledger_create_many: every account in one insert and every initial load
 * through ledger_post_set. Gives up (as ledger_post_set does) on a key already used or
 * used twice, a code already taken, a refused load: the caller then creates item by item.
 */
const CREATE_SET = `
CREATE OR REPLACE FUNCTION ledger_create_set(p_items jsonb)
RETURNS TABLE (idx int, account_id text, replayed boolean, ${ERROR_COLUMNS})
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  IF current_setting('ledger.set_path', true) = 'off'
     OR (SELECT count(e->>'idempotency_key') <> count(DISTINCT e->>'idempotency_key') FROM jsonb_array_elements(p_items) e)
     OR ledger_keys_used(ARRAY(SELECT e->>'idempotency_key' FROM jsonb_array_elements(p_items) e))
  THEN
    RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'ledger: batch set path: keys';
  END IF;
  INSERT INTO ledger_account (id, name, description, code, status, currency_code, credit_limit,
    raw_credit_limit, balance, raw_balance, held, raw_held, start_date, end_date, customer_id,
    product_ids, can_pay_shipping, metadata, type_id, idempotency_key)
  SELECT e->>'id', e->>'name', e->>'description', e->>'code', 'open', e->>'currency', (e->>'credit_limit')::numeric,
    CASE WHEN e->>'credit_limit' IS NULL THEN NULL ELSE ledger_raw((e->>'credit_limit')::numeric) END,
    0, ledger_raw(0), 0, ledger_raw(0), (e->>'start_date')::timestamptz, (e->>'end_date')::timestamptz,
    e->>'customer_id',
    CASE WHEN jsonb_typeof(e->'product_ids') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(e->'product_ids')) END,
    coalesce((e->>'can_pay_shipping')::boolean, true), nullif(e->'metadata', 'null'::jsonb), e->>'type_id',
    e->>'idempotency_key'
    FROM jsonb_array_elements(p_items) WITH ORDINALITY x(e, n) ORDER BY x.n;
  INSERT INTO ledger_account_member (id, account_id, customer_id)
  SELECT m->>'id', e->>'id', m->>'customer_id'
    FROM jsonb_array_elements(p_items) e, jsonb_array_elements(coalesce(e->'member_ids', '[]'::jsonb)) m;
  PERFORM 1 FROM ledger_post_set(coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', l->>'id', 'reference', l->>'reference', 'kind', 'load',
             'source', l->>'source', 'destination', x.e->>'id', 'amount', l->>'amount', 'description', l->>'description',
             'actor_type', x.e->>'actor_type', 'actor_id', x.e->>'actor_id', 'source_entry_id', l->>'source_entry_id',
             'destination_entry_id', l->>'destination_entry_id', 'max_destination_balance', x.e->>'max_balance')
             ORDER BY x.n, y.m)
      FROM jsonb_array_elements(p_items) WITH ORDINALITY x(e, n),
           jsonb_array_elements(coalesce(x.e->'loads', '[]'::jsonb)) WITH ORDINALITY y(l, m)), '[]'::jsonb));
  RETURN QUERY SELECT (x.n - 1)::int, x.e->>'id', false, NULL::text, NULL::text, NULL::text, NULL::text
    FROM jsonb_array_elements(p_items) WITH ORDINALITY x(e, n) ORDER BY x.n;
END
$$;
`

/** Creates many accounts in one call and one transaction; see ledger_create_item and batchBody. */
export const CREATE_MANY = `
${CREATE_ITEM}
${CREATE_SET}
CREATE OR REPLACE FUNCTION ledger_create_many(p_items jsonb, p_atomic boolean)
RETURNS TABLE (idx int, account_id text, replayed boolean, ${ERROR_COLUMNS})
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE ${BATCH_DECLARE}
BEGIN
  -- The locks: each item's key and the sources of its loads (a new account has no row
  -- yet: its currency names the core accounts).
  PERFORM ledger_lock_many(coalesce((
    SELECT jsonb_agg(jsonb_build_object('idempotency_key', x.e->>'idempotency_key', 'source', ld->>'source',
             'destination', x.e->>'id', 'currency', x.e->>'currency'))
      FROM jsonb_array_elements(p_items) x(e)
      LEFT JOIN LATERAL jsonb_array_elements(coalesce(x.e->'loads', '[]'::jsonb)) ld ON true
  ), '[]'::jsonb));
  ${batchBody(
    `SELECT * FROM ledger_create_set(p_items)`,
    `SELECT c.*, NULL::text, NULL::text, NULL::text, NULL::text FROM ledger_create_item(e) c`,
    `NULL::text, NULL::boolean`
  )}
  PERFORM ledger_flush_deferred();
END
$$;
`

export const DROP = `
DROP FUNCTION IF EXISTS ledger_create_many(jsonb, boolean);
DROP FUNCTION IF EXISTS ledger_create_item(jsonb);
DROP FUNCTION IF EXISTS ledger_create_set(jsonb);
DROP FUNCTION IF EXISTS ledger_post_many(jsonb, boolean);
DROP FUNCTION IF EXISTS ledger_post_set(jsonb);
DROP TYPE IF EXISTS ledger_batch_side;
DROP FUNCTION IF EXISTS ledger_keys_used(text[]);
DROP FUNCTION IF EXISTS ledger_item_error(text);
DROP FUNCTION IF EXISTS ledger_lock_many(jsonb);
DROP FUNCTION IF EXISTS ledger_flush_deferred();
DROP FUNCTION IF EXISTS ledger_defer_delta(text, numeric);
`
