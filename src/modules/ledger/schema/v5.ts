/**
 * The ledger's fifth schema version (migration Migration20261126120000): credit lots
 * (issue 12). A credit with `expires_at` starts an account keeping lots; from then on every
 * credit of that account adds to a lot and every debit takes from lots, soonest-expiring
 * first. Accounts that never see `expires_at` keep no lots and take the old path: one
 * look-up in an index that holds only accounts with lots.
 */
import * as v1 from "./v1"
import * as v2 from "./v2"
import * as v3 from "./v3"
import * as v4 from "./v4"
import { replaceEvery, replaceOnce } from "./edit"

/**
 * A lot is the part of an account's balance one credit added, with that credit's expiry.
 * `remaining` and `reserved` (by holds) are caches of the lot's moves, an append-only log:
 * open/credit/return add money, spend/capture/take/lapse take it, reserve/unreserve
 * (and capture) move the reservation. Only the functions below write either table, under
 * the account's row lock.
 */
export const TABLES = `
CREATE TABLE IF NOT EXISTS ledger_lot (
  id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES ledger_account (id),
  transfer_id text REFERENCES ledger_transfer (id),
  amount numeric NOT NULL,
  remaining numeric NOT NULL,
  reserved numeric NOT NULL DEFAULT 0,
  expires_at timestamptz,
  notified_at timestamptz,
  seq bigserial NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT ledger_lot_amounts CHECK (amount > 0 AND remaining >= 0 AND remaining <= amount
    AND reserved >= 0 AND reserved <= remaining)
);
-- spending order: soonest expiry first, no expiry last, oldest first among equals
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_spend" ON ledger_lot (account_id, expires_at, seq) WHERE remaining > 0;
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_account" ON ledger_lot (account_id, seq);
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_expiring" ON ledger_lot (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_transfer" ON ledger_lot (transfer_id) WHERE transfer_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS ledger_lot_move (
  id bigserial PRIMARY KEY,
  lot_id text NOT NULL REFERENCES ledger_lot (id),
  account_id text NOT NULL,
  kind text NOT NULL,
  amount numeric NOT NULL,
  transfer_id text REFERENCES ledger_transfer (id),
  hold_id text REFERENCES ledger_hold (id),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT ledger_lot_move_amount CHECK (amount > 0),
  CONSTRAINT ledger_lot_move_kind CHECK (kind IN ('open', 'credit', 'return', 'spend', 'capture', 'take', 'lapse', 'reserve', 'unreserve'))
);
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_move_lot" ON ledger_lot_move (lot_id, id);
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_move_account" ON ledger_lot_move (account_id, id);
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_move_transfer" ON ledger_lot_move (transfer_id) WHERE transfer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS "IDX_ledger_lot_move_hold" ON ledger_lot_move (hold_id) WHERE hold_id IS NOT NULL;
DROP TRIGGER IF EXISTS ledger_lot_move_immutable ON ledger_lot_move;
CREATE TRIGGER ledger_lot_move_immutable BEFORE UPDATE OR DELETE ON ledger_lot_move
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();

-- "your credit expires soon" goes out at most once a day per account
CREATE TABLE IF NOT EXISTS ledger_lot_notice (
  account_id text NOT NULL,
  day date NOT NULL,
  PRIMARY KEY (account_id, day)
);

-- The only accounts a posting looks for lots on: empty while no credit carries an expiry.
CREATE INDEX IF NOT EXISTS "IDX_ledger_account_lots" ON ledger_account (id) WHERE lots_since IS NOT NULL;
`

export const LOTS = `
-- One move of a lot: the log row and the lot's caches.
CREATE OR REPLACE FUNCTION ledger_lot_move(
  p_lot text, p_account text, p_kind text, p_amount numeric, p_transfer text, p_hold text
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_lot l SET
    remaining = l.remaining + CASE WHEN p_kind IN ('open', 'credit', 'return') THEN p_amount
                                   WHEN p_kind IN ('spend', 'capture', 'take', 'lapse') THEN -p_amount ELSE 0 END,
    reserved = l.reserved + CASE WHEN p_kind = 'reserve' THEN p_amount
                                 WHEN p_kind IN ('unreserve', 'capture') THEN -p_amount ELSE 0 END,
    updated_at = clock_timestamp()
   WHERE l.id = p_lot;
  INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, transfer_id, hold_id)
  VALUES (p_lot, p_account, p_kind, p_amount, p_transfer, p_hold);
END
$$;

-- A new lot holding p_amount.
CREATE OR REPLACE FUNCTION ledger_lot_new(
  p_account text, p_kind text, p_amount numeric, p_transfer text, p_expires_at timestamptz
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_id text := 'llot_' || replace(gen_random_uuid()::text, '-', '');
BEGIN
  INSERT INTO ledger_lot (id, account_id, transfer_id, amount, remaining, expires_at)
  VALUES (v_id, p_account, p_transfer, p_amount, 0, p_expires_at);
  PERFORM ledger_lot_move(v_id, p_account, p_kind, p_amount, p_transfer, NULL);
  RETURN v_id;
END
$$;

-- The account (locked by the caller) starts keeping lots: what it held before becomes one
-- lot without expiry, and its open holds reserve from it.
CREATE OR REPLACE FUNCTION ledger_lots_start(p_account text, p_before numeric) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_lot text;
  v_free numeric;
  h record;
BEGIN
  UPDATE ledger_account a SET lots_since = clock_timestamp() WHERE a.id = p_account;
  IF p_before <= 0 THEN
    RETURN;
  END IF;
  v_lot := ledger_lot_new(p_account, 'open', p_before, NULL, NULL);
  v_free := p_before;
  FOR h IN SELECT x.id, x.amount FROM ledger_hold x
            WHERE x.account_id = p_account AND x.status = 'open' AND x.deleted_at IS NULL ORDER BY x.created_at, x.id LOOP
    EXIT WHEN v_free <= 0;
    PERFORM ledger_lot_move(v_lot, p_account, 'reserve', least(h.amount, v_free), NULL, h.id);
    v_free := v_free - least(h.amount, v_free);
  END LOOP;
END
$$;

-- Reserves p_amount for hold p_hold from the lots a spend would take, in the same order; on
-- a credit line, only what the lots hold free (the line carries the rest).
CREATE OR REPLACE FUNCTION ledger_lots_reserve(p_account text, p_hold text, p_amount numeric, p_now timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_need numeric;
  l record;
BEGIN
  SELECT least(p_amount, coalesce(sum(x.remaining - x.reserved), 0)) INTO v_need FROM ledger_lot x
   WHERE x.account_id = p_account AND x.remaining > 0;
  IF v_need <= 0 THEN
    RETURN;
  END IF;
  FOR l IN SELECT x.id, x.remaining - x.reserved AS free FROM ledger_lot x
            WHERE x.account_id = p_account AND x.remaining > 0 AND x.remaining > x.reserved
              AND (x.expires_at IS NULL OR x.expires_at > p_now)
            ORDER BY x.expires_at, x.seq LOOP
    PERFORM ledger_lot_move(l.id, p_account, 'reserve', least(l.free, v_need), NULL, p_hold);
    v_need := v_need - least(l.free, v_need);
    EXIT WHEN v_need = 0;
  END LOOP;
  IF v_need > 0 THEN
    PERFORM ledger_lots_short(p_account, p_amount, v_need, p_now);
  END IF;
END
$$;

-- On a credit line, a debit the free lots cannot cover takes money holds reserve (the line
-- carries those holds instead): from the lots in spending order, each hold's share given
-- back first. Returns what is still missing.
CREATE OR REPLACE FUNCTION ledger_lots_take_reserved(
  p_account text, p_transfer text, p_need numeric, p_now timestamptz
) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
  v_need numeric := p_need;
  v_take numeric;
  r record;
BEGIN
  FOR r IN SELECT m.lot_id, m.hold_id,
                  sum(CASE WHEN m.kind = 'reserve' THEN m.amount ELSE -m.amount END) AS amount
             FROM ledger_lot_move m JOIN ledger_lot x ON x.id = m.lot_id
            WHERE x.account_id = p_account AND x.reserved > 0 AND (x.expires_at IS NULL OR x.expires_at > p_now)
              AND m.kind IN ('reserve', 'unreserve', 'capture')
            GROUP BY m.lot_id, m.hold_id, x.expires_at, x.seq
           HAVING sum(CASE WHEN m.kind = 'reserve' THEN m.amount ELSE -m.amount END) > 0
            ORDER BY x.expires_at, x.seq, min(m.id) LOOP
    v_take := least(r.amount, v_need);
    PERFORM ledger_lot_move(r.lot_id, p_account, 'unreserve', v_take, NULL, r.hold_id);
    PERFORM ledger_lot_move(r.lot_id, p_account, 'spend', v_take, p_transfer, NULL);
    v_need := v_need - v_take;
    EXIT WHEN v_need = 0;
  END LOOP;
  RETURN v_need;
END
$$;

-- The refusal when the lots that may still be spent do not cover a debit.
CREATE OR REPLACE FUNCTION ledger_lots_short(p_account text, p_amount numeric, p_short numeric, p_now timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_expired numeric;
BEGIN
  SELECT coalesce(sum(x.remaining - x.reserved), 0) INTO v_expired FROM ledger_lot x
   WHERE x.account_id = p_account AND x.remaining > 0 AND x.expires_at <= p_now;
  PERFORM ledger_fail('insufficient_funds', format(
    'Account %s has %s less than the %s needed that may still be spent (%s of its credit has expired)',
    p_account, p_short, p_amount, v_expired));
END
$$;

-- What hold p_hold still reserves, lot by lot, in the order it reserved them.
CREATE OR REPLACE FUNCTION ledger_hold_reservations(p_hold text)
RETURNS TABLE (lot_id text, amount numeric, first_move bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.lot_id, sum(CASE WHEN m.kind = 'reserve' THEN m.amount ELSE -m.amount END), min(m.id)
    FROM ledger_lot_move m WHERE m.hold_id = p_hold AND m.kind IN ('reserve', 'unreserve', 'capture')
   GROUP BY m.lot_id
  HAVING sum(CASE WHEN m.kind = 'reserve' THEN m.amount ELSE -m.amount END) > 0
$$;

-- Gives back what hold p_hold still reserves.
CREATE OR REPLACE FUNCTION ledger_lots_unreserve(p_account text, p_hold text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT x.lot_id, x.amount FROM ledger_hold_reservations(p_hold) x ORDER BY x.first_move LOOP
    PERFORM ledger_lot_move(r.lot_id, p_account, 'unreserve', r.amount, NULL, p_hold);
  END LOOP;
END
$$;

-- A credit of p_amount to a lot-keeping account, whose balance is now p_after. An undone
-- debit (a refund or reversal of it) goes back to the lots it took from, the last taken
-- first, with their own expiry (an expired one lapses at the next sweep); the rest, or any
-- other credit, is a new lot. The negative part of a credit line is not a lot.
CREATE OR REPLACE FUNCTION ledger_lots_credit(
  p_account text, p_transfer text, p_amount numeric, p_after numeric, p_parent text,
  p_expires_at timestamptz, p_now timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_since timestamptz;
  v_left numeric;
  m record;
BEGIN
  SELECT a.lots_since INTO v_since FROM ledger_account a WHERE a.id = p_account;
  IF v_since IS NULL THEN
    IF p_expires_at IS NULL THEN
      RETURN;
    END IF;
    PERFORM ledger_lots_start(p_account, p_after - p_amount);
  END IF;
  v_left := greatest(p_after, 0) - greatest(p_after - p_amount, 0);
  IF v_left <= 0 THEN
    RETURN;
  END IF;
  IF p_parent IS NOT NULL THEN
    FOR m IN SELECT x.lot_id, sum(CASE WHEN x.kind = 'return' THEN -x.amount ELSE x.amount END) AS back,
                    max(x.id) FILTER (WHERE x.kind <> 'return') AS last_taken
               FROM ledger_lot_move x
              WHERE x.account_id = p_account
                AND ((x.transfer_id = p_parent AND x.kind IN ('spend', 'capture', 'take', 'lapse'))
                  OR (x.kind = 'return' AND x.transfer_id IN (
                        SELECT t.id FROM ledger_transfer t WHERE t.parent_id = p_parent AND t.deleted_at IS NULL)))
              GROUP BY x.lot_id
             HAVING sum(CASE WHEN x.kind = 'return' THEN -x.amount ELSE x.amount END) > 0
              ORDER BY last_taken DESC LOOP
      PERFORM ledger_lot_move(m.lot_id, p_account, 'return', least(m.back, v_left), p_transfer, NULL);
      v_left := v_left - least(m.back, v_left);
      EXIT WHEN v_left = 0;
    END LOOP;
  END IF;
  IF v_left > 0 THEN
    IF p_expires_at IS NOT NULL AND p_expires_at <= p_now THEN
      PERFORM ledger_fail('invalid_request', 'expires_at must be in the future');
    END IF;
    PERFORM ledger_lot_new(p_account, 'credit', v_left, p_transfer, p_expires_at);
  END IF;
END
$$;

-- A debit of p_amount from a lot-keeping account, whose balance is now p_after. Taken, in
-- this order: what the captured hold reserved; for a refund or reversal of a credit, the
-- lot that credit made; then the lots nobody reserved, soonest expiry first, no expiry
-- last, oldest first among equals. Expired lots are not spent, only lapsed (kind expiry).
CREATE OR REPLACE FUNCTION ledger_lots_debit(
  p_account text, p_transfer text, p_kind text, p_amount numeric, p_after numeric,
  p_parent text, p_hold text, p_now timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_since timestamptz;
  v_need numeric;
  v_take numeric;
  r record;
BEGIN
  SELECT a.lots_since INTO v_since FROM ledger_account a WHERE a.id = p_account;
  IF v_since IS NULL THEN
    RETURN;
  END IF;
  v_need := greatest(p_after + p_amount, 0) - greatest(p_after, 0);
  IF p_hold IS NOT NULL THEN
    FOR r IN SELECT x.lot_id, x.amount FROM ledger_hold_reservations(p_hold) x ORDER BY x.first_move LOOP
      v_take := least(r.amount, v_need);
      IF v_take > 0 THEN
        PERFORM ledger_lot_move(r.lot_id, p_account, 'capture', v_take, p_transfer, p_hold);
        v_need := v_need - v_take;
      END IF;
      IF r.amount > v_take THEN
        PERFORM ledger_lot_move(r.lot_id, p_account, 'unreserve', r.amount - v_take, NULL, p_hold);
      END IF;
    END LOOP;
  END IF;
  IF p_parent IS NOT NULL AND v_need > 0 THEN
    FOR r IN SELECT x.id, x.remaining - x.reserved AS free FROM ledger_lot x
              WHERE x.transfer_id = p_parent AND x.account_id = p_account AND x.remaining > x.reserved LOOP
      v_take := least(r.free, v_need);
      PERFORM ledger_lot_move(r.id, p_account, 'take', v_take, p_transfer, NULL);
      v_need := v_need - v_take;
    END LOOP;
  END IF;
  IF v_need > 0 THEN
    FOR r IN SELECT x.id, x.remaining - x.reserved AS free FROM ledger_lot x
              WHERE x.account_id = p_account AND x.remaining > 0 AND x.remaining > x.reserved
                AND (p_kind = 'expiry' OR x.expires_at IS NULL OR x.expires_at > p_now)
              ORDER BY x.expires_at, x.seq LOOP
      v_take := least(r.free, v_need);
      PERFORM ledger_lot_move(r.id, p_account, CASE WHEN p_kind = 'expiry' THEN 'lapse' ELSE 'spend' END,
        v_take, p_transfer, NULL);
      v_need := v_need - v_take;
      EXIT WHEN v_need = 0;
    END LOOP;
  END IF;
  IF v_need > 0 AND p_kind <> 'expiry'
     AND EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = p_account AND (a.credit_limit IS NULL OR a.credit_limit > 0)) THEN
    v_need := ledger_lots_take_reserved(p_account, p_transfer, v_need, p_now);
  END IF;
  IF v_need > 0 THEN
    PERFORM ledger_lots_short(p_account, p_amount, v_need, p_now);
  END IF;
END
$$;

-- The sweep: lapses what the expired lots of many accounts still hold (not what holds
-- reserve) into each currency's lapsed account, one expiry transfer per account, set-based
-- (a million lots in seconds, where a posting per account would take minutes). Items:
-- [{ account_id, transfer_id, reference, source_entry_id, destination_entry_id }]. Locks the
-- accounts in id order, then the lapsed accounts as any credit does (a free shard). Skips an
-- account that is not open or has nothing to lapse. Returns what each lapsed account got.
CREATE OR REPLACE FUNCTION ledger_lapse_lots_many(p_items jsonb)
RETURNS TABLE (account_id text, transfer_id text, amount numeric)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := clock_timestamp();
  c record;
BEGIN
  PERFORM 1 FROM ledger_account a
   WHERE a.id IN (SELECT x.account_id FROM jsonb_to_recordset(p_items) AS x(account_id text))
   ORDER BY a.id COLLATE "C" FOR NO KEY UPDATE;
  CREATE TEMP TABLE IF NOT EXISTS ledger_lapse_due (
    account_id text, transfer_id text, reference text, source_entry_id text, destination_entry_id text,
    currency_code text, lapsed_id text, amount numeric, balance_after numeric) ON COMMIT DROP;
  TRUNCATE ledger_lapse_due;
  INSERT INTO ledger_lapse_due
  SELECT x.account_id, x.transfer_id, x.reference, x.source_entry_id, x.destination_entry_id, a.currency_code,
         ledger_core_id('@lapsed', a.currency_code), d.amount, a.balance - d.amount
    FROM jsonb_to_recordset(p_items) AS x(account_id text, transfer_id text, reference text,
           source_entry_id text, destination_entry_id text)
    JOIN ledger_account a ON a.id = x.account_id AND a.status = 'open' AND a.lots_since IS NOT NULL
    CROSS JOIN LATERAL (SELECT sum(l.remaining - l.reserved) AS amount FROM ledger_lot l
                         WHERE l.account_id = a.id AND l.remaining > 0 AND l.expires_at <= v_now
                           AND l.remaining > l.reserved) d
   WHERE d.amount > 0;

  INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount, currency_code,
    description, actor_type, created_at, updated_at)
  SELECT d.transfer_id, d.reference, 'expiry', d.account_id, d.lapsed_id, d.amount, ledger_raw(d.amount), d.currency_code,
         'Expired credit', 'system', v_now, v_now
    FROM ledger_lapse_due d ORDER BY d.account_id;
  INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after, raw_balance_after, created_at, updated_at)
  SELECT e.id, e.transfer_id, e.account_id, e.amount, ledger_raw(e.amount), e.after,
         CASE WHEN e.after IS NULL THEN NULL ELSE ledger_raw(e.after) END, v_now, v_now
    FROM (SELECT d.account_id AS k, 0 AS side, d.source_entry_id AS id, d.transfer_id, d.account_id, -d.amount AS amount,
                 d.balance_after AS after FROM ledger_lapse_due d
          UNION ALL
          SELECT d.account_id, 1, d.destination_entry_id, d.transfer_id, d.lapsed_id, d.amount, NULL FROM ledger_lapse_due d) e
   ORDER BY e.k, e.side;
  UPDATE ledger_account a SET balance = d.balance_after, raw_balance = ledger_raw(d.balance_after), updated_at = v_now
    FROM ledger_lapse_due d WHERE a.id = d.account_id;

  -- the lots: each expired lot gives what no hold reserves, in the order they are spent
  INSERT INTO ledger_lot_move (lot_id, account_id, kind, amount, transfer_id)
  SELECT l.id, l.account_id, 'lapse', l.remaining - l.reserved, d.transfer_id
    FROM ledger_lapse_due d JOIN ledger_lot l ON l.account_id = d.account_id
   WHERE l.remaining > 0 AND l.expires_at <= v_now AND l.remaining > l.reserved
   ORDER BY d.account_id, l.expires_at, l.seq;
  UPDATE ledger_lot l SET remaining = l.reserved, updated_at = v_now
    FROM ledger_lapse_due d
   WHERE l.account_id = d.account_id AND l.remaining > 0 AND l.expires_at <= v_now AND l.remaining > l.reserved;

  -- the lapsed accounts receive, as any credit: a free shard each
  FOR c IN SELECT d.lapsed_id, d.currency_code, sum(d.amount) AS total FROM ledger_lapse_due d
            GROUP BY d.lapsed_id, d.currency_code ORDER BY d.lapsed_id COLLATE "C" LOOP
    PERFORM ledger_apply(c.lapsed_id, c.total, c.total, c.currency_code, 'expiry', false, NULL, 0, v_now);
  END LOOP;

  RETURN QUERY SELECT d.account_id, d.transfer_id, d.amount FROM ledger_lapse_due d ORDER BY d.account_id;
END
$$;
`

const POST_ARGS_V2 = `text, text, text, text, text, numeric, text, text, text, text, text, text, text, jsonb, text, text, numeric`

/**
 * ledger_post with `p_expires_at` (the lot a credit makes) and the lots of both sides; a key
 * used again with another expiry than the lot its credit made is a conflict, not a replay.
 */
export const POST = replaceOnce(
  replaceOnce(
    replaceOnce(
      v2.POST,
      `         OR t.hold_id IS DISTINCT FROM p_hold THEN`,
      `         OR t.hold_id IS DISTINCT FROM p_hold
         OR EXISTS (SELECT 1 FROM ledger_lot l WHERE l.transfer_id = t.id AND l.account_id = t.destination_id
                       AND l.expires_at IS DISTINCT FROM p_expires_at) THEN`
    ),
    `  p_max_destination_balance numeric\n) RETURNS TABLE (`,
    `  p_max_destination_balance numeric,\n  p_expires_at timestamptz DEFAULT NULL\n) RETURNS TABLE (`
  ),
  `  RETURN QUERY SELECT p_id, p_reference, p_kind, v_src, v_dst, v_amount,`,
  `  -- Lots: only on an account that keeps them, or a credit that starts them.
  IF p_expires_at IS NOT NULL
     OR EXISTS (SELECT 1 FROM ledger_account a WHERE a.id IN (v_src, v_dst) AND a.lots_since IS NOT NULL) THEN
    IF left(v_dst, 8) <> 'acc_sys_' THEN
      PERFORM ledger_lots_credit(v_dst, p_id, v_amount, CASE WHEN v_lo_is_src THEN v_hi_balance ELSE v_lo_balance END,
        v_parent.id, p_expires_at, v_now);
    END IF;
    IF left(v_src, 8) <> 'acc_sys_' THEN
      PERFORM ledger_lots_debit(v_src, p_id, p_kind, v_amount, CASE WHEN v_lo_is_src THEN v_lo_balance ELSE v_hi_balance END,
        v_parent.id, p_hold, v_now);
    END IF;
  END IF;

  RETURN QUERY SELECT p_id, p_reference, p_kind, v_src, v_dst, v_amount,`
)

/** A hold on a lot-keeping account reserves from its lots. */
export const HOLD = replaceOnce(
  v2.HOLD,
  `  RETURNING * INTO h;\n  RETURN NEXT h;`,
  `  RETURNING * INTO h;
  IF a.lots_since IS NOT NULL THEN
    PERFORM ledger_lots_reserve(p_account, p_id, p_amount, v_now);
  END IF;
  RETURN NEXT h;`
)

/** A released hold gives its reservation back to the lots. */
export const RELEASE = replaceOnce(
  replaceOnce(
    v1.RELEASE,
    `  PERFORM 1 FROM ledger_account a WHERE a.id = h.account_id FOR NO KEY UPDATE;`,
    `  SELECT a.lots_since INTO v_lots FROM ledger_account a WHERE a.id = h.account_id FOR NO KEY UPDATE;
  IF v_lots IS NOT NULL THEN
    PERFORM ledger_lots_unreserve(h.account_id, p_hold);
  END IF;`
  ),
  `  v_now timestamptz := clock_timestamp();\nBEGIN`,
  `  v_now timestamptz := clock_timestamp();\n  v_lots timestamptz;\nBEGIN`
)

/** As in v2, and expired holds give their reservations back to the lots. */
export const RELEASE_EXPIRED = [
  [`  v_freed numeric;\nBEGIN`, `  v_freed numeric;\n  v_ids text[];\n  v_id text;\nBEGIN`],
  [`    RETURNING h.amount)\n  SELECT coalesce(sum(amount), 0) INTO v_freed FROM expired;`,
   `    RETURNING h.id, h.amount)\n  SELECT coalesce(sum(amount), 0), array_agg(id) INTO v_freed, v_ids FROM expired;`],
  [`     WHERE x.id = p_account;\n  END IF;`,
   `     WHERE x.id = p_account;
    IF EXISTS (SELECT 1 FROM ledger_account a WHERE a.id = p_account AND a.lots_since IS NOT NULL) THEN
      FOREACH v_id IN ARRAY v_ids LOOP
        PERFORM ledger_lots_unreserve(p_account, v_id);
      END LOOP;
    END IF;
  END IF;`],
].reduce((sql, [from, to]) => replaceOnce(sql, from, to), v2.RELEASE_EXPIRED)

/** The set path leaves anything with lots to ledger_post, item by item. */
export const POST_SET = [
  [
    `               max_destination_balance numeric)) WITH ORDINALITY AS x`,
    `               max_destination_balance numeric, expires_at timestamptz)) WITH ORDINALITY AS x`,
  ],
  [
    `             x.destination_entry_id, x.max_destination_balance AS max_balance,\n`,
    `             x.destination_entry_id, x.max_destination_balance AS max_balance,
             x.expires_at IS NOT NULL OR s.lots_since IS NOT NULL OR d.lots_since IS NOT NULL AS lots,\n`,
  ],
  [
    `           WHEN bool_or(r.kind NOT IN ('transfer', 'load', 'redemption') OR r.parent IS NOT NULL) THEN 'a refund or reversal'`,
    `           WHEN bool_or(r.kind NOT IN ('transfer', 'load', 'redemption') OR r.parent IS NOT NULL) THEN 'a refund or reversal'
           WHEN bool_or(r.lots) THEN 'lots'`,
  ],
].reduce((sql, [from, to]) => replaceOnce(sql, from, to), v4.POST_SET)

/** Batches pass each item's expires_at on to ledger_post. */
export const POST_MANY = replaceEvery(
  v3.POST_MANY,
  `(e->>'max_destination_balance')::numeric) p`,
  `(e->>'max_destination_balance')::numeric, (e->>'expires_at')::timestamptz) p`
)

/** Initial loads of new accounts may carry expires_at. */
export const CREATE_MANY = replaceEvery(
  replaceEvery(
    v3.CREATE_MANY,
    `(e->>'max_balance')::numeric);`,
    `(e->>'max_balance')::numeric, (l->>'expires_at')::timestamptz);`
  ),
  `'max_destination_balance', x.e->>'max_balance')`,
  `'max_destination_balance', x.e->>'max_balance', 'expires_at', l->>'expires_at')`
)

export const UP = `
${TABLES}
${LOTS}
DROP FUNCTION IF EXISTS ledger_post(${POST_ARGS_V2});
${POST}
${HOLD}
${RELEASE}
${RELEASE_EXPIRED}
${POST_SET}
${POST_MANY}
${CREATE_MANY}
${v4.GENERIC_PLANS}
`

export const DOWN = `
DROP FUNCTION IF EXISTS ledger_post(${POST_ARGS_V2}, timestamptz);
${v2.POST}
${v2.HOLD}
${v1.RELEASE}
${v2.RELEASE_EXPIRED}
${v4.POST_SET}
${v3.POST_MANY}
${v3.CREATE_MANY}
${v4.GENERIC_PLANS}
DROP FUNCTION IF EXISTS ledger_lapse_lots_many(jsonb);
DROP FUNCTION IF EXISTS ledger_lots_debit(text, text, text, numeric, numeric, text, text, timestamptz);
DROP FUNCTION IF EXISTS ledger_lots_credit(text, text, numeric, numeric, text, timestamptz, timestamptz);
DROP FUNCTION IF EXISTS ledger_lots_unreserve(text, text);
DROP FUNCTION IF EXISTS ledger_hold_reservations(text);
DROP FUNCTION IF EXISTS ledger_lots_short(text, numeric, numeric, timestamptz);
DROP FUNCTION IF EXISTS ledger_lots_take_reserved(text, text, numeric, timestamptz);
DROP FUNCTION IF EXISTS ledger_lots_reserve(text, text, numeric, timestamptz);
DROP FUNCTION IF EXISTS ledger_lots_start(text, numeric);
DROP FUNCTION IF EXISTS ledger_lot_new(text, text, numeric, text, timestamptz);
DROP FUNCTION IF EXISTS ledger_lot_move(text, text, text, numeric, text, text);
DROP INDEX IF EXISTS "IDX_ledger_account_lots";
DROP TABLE IF EXISTS ledger_lot_notice;
DROP TABLE IF EXISTS ledger_lot_move;
DROP TABLE IF EXISTS ledger_lot;
`
