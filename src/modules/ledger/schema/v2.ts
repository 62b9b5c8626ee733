/**
 * The SQL of the ledger's second schema version (migration Migration20261125180000); see
 * that migration for what changed. Kept apart so a later migration's down() can restore it.
 */
export const KEYS = `
-- Serialises everything done under one idempotency key, whatever its kind.
CREATE OR REPLACE FUNCTION ledger_lock_key(p_key text) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('ledger_key:' || p_key, 0))
$$;

-- Refuses a key that already names an operation of another kind ('account', 'hold',
-- 'transfer', 'operation'). Call it under ledger_lock_key. An account created with an
-- initial load before keys were one namespace carries the key on the load too: that
-- load belongs to the account's creation.
CREATE OR REPLACE FUNCTION ledger_key_check(p_key text, p_kind text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_other text;
BEGIN
  SELECT u.what INTO v_other FROM (
    SELECT 'an account creation' AS what FROM ledger_account a
     WHERE p_kind <> 'account' AND a.idempotency_key = p_key AND a.deleted_at IS NULL
    UNION ALL
    SELECT 'a hold' FROM ledger_hold h
     WHERE p_kind <> 'hold' AND h.idempotency_key = p_key AND h.deleted_at IS NULL
    UNION ALL
    SELECT 'a transfer' FROM ledger_transfer t
     WHERE p_kind <> 'transfer' AND t.idempotency_key = p_key AND t.deleted_at IS NULL
       AND NOT (p_kind = 'account' AND EXISTS (
         SELECT 1 FROM ledger_account a WHERE a.id = t.destination_id AND a.idempotency_key = p_key AND a.deleted_at IS NULL))
    UNION ALL
    SELECT 'another request' FROM ledger_operation o
     WHERE p_kind <> 'operation' AND o.idempotency_key = p_key AND o.deleted_at IS NULL
  ) u LIMIT 1;
  IF v_other IS NOT NULL THEN
    PERFORM ledger_fail('idempotency_conflict', format('Idempotency key %s was already used for %s', p_key, v_other));
  END IF;
END
$$;
`

export const RELEASE_EXPIRED = `
CREATE OR REPLACE FUNCTION ledger_release_expired_holds(p_account text, p_now timestamptz)
RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
  v_freed numeric;
BEGIN
  WITH expired AS (
    UPDATE ledger_hold h SET status = 'expired', updated_at = clock_timestamp()
     WHERE h.id IN (SELECT x.id FROM ledger_hold x
                     WHERE x.account_id = p_account AND x.status = 'open' AND x.expires_at <= p_now
                       AND x.deleted_at IS NULL
                       FOR NO KEY UPDATE SKIP LOCKED)
    RETURNING h.amount)
  SELECT coalesce(sum(amount), 0) INTO v_freed FROM expired;
  IF v_freed > 0 THEN
    UPDATE ledger_account x SET held = x.held - v_freed, raw_held = ledger_raw(x.held - v_freed),
      updated_at = clock_timestamp()
     WHERE x.id = p_account;
  END IF;
  RETURN v_freed;
END
$$;
`

const SHARDS = 16

/**
 * As in v1, with the lock order fixed for a limited core account that pays: its shards
 * first (in shard order), then its row, the order status changes and credits follow.
 */
export const APPLY = `
CREATE OR REPLACE FUNCTION ledger_apply(
  p_account text, p_delta numeric, p_amount numeric, p_currency text, p_kind text,
  p_reserved boolean, p_max_balance numeric, p_release numeric, p_now timestamptz
) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
  v_payer boolean := p_delta < 0;
  v_cur text;
  v_status text;
  v_start timestamptz;
  v_end timestamptz;
  v_limit numeric;
  v_balance numeric;
  v_held numeric;
  v_shard int;
  v_folded numeric;
BEGIN
  IF left(p_account, 8) <> 'acc_sys_' THEN
    SELECT x.currency_code, x.status, x.start_date, x.end_date, x.credit_limit, x.balance, x.held
      INTO v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held
      FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Account %s not found', p_account));
    END IF;
    -- Short of money with holds on it: expired holds give their room back first.
    IF v_payer AND NOT p_reserved AND p_kind <> 'expiry' AND v_held > 0 AND v_limit IS NOT NULL
       AND v_balance - v_held - p_amount < -v_limit THEN
      v_held := v_held - ledger_release_expired_holds(p_account, p_now);
    END IF;
    PERFORM ledger_check_account(p_account, v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held,
      v_payer, p_amount, p_currency, p_kind, p_reserved, p_max_balance, p_now);
    UPDATE ledger_account x SET balance = x.balance + p_delta, raw_balance = ledger_raw(x.balance + p_delta),
      held = x.held - p_release,
      raw_held = CASE WHEN p_release = 0 THEN x.raw_held ELSE ledger_raw(x.held - p_release) END,
      updated_at = clock_timestamp()
     WHERE x.id = p_account
    RETURNING x.balance INTO v_balance;
    RETURN v_balance;
  END IF;

  IF v_payer AND EXISTS (SELECT 1 FROM ledger_account x WHERE x.id = p_account AND x.credit_limit IS NOT NULL) THEN
    -- A limited core account pays: the exact total, under every shard lock and then the row lock.
    PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = p_account ORDER BY x.shard FOR NO KEY UPDATE;
    SELECT x.currency_code, x.status, x.start_date, x.end_date, x.credit_limit, x.balance, x.held
      INTO v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held
      FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
    SELECT coalesce(sum(x.balance), 0) INTO v_folded FROM ledger_balance_shard x WHERE x.account_id = p_account;
    IF v_folded <> 0 THEN
      UPDATE ledger_balance_shard x SET balance = 0 WHERE x.account_id = p_account AND x.balance <> 0;
      v_balance := v_balance + v_folded;
    END IF;
    PERFORM ledger_check_account(p_account, v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held,
      true, p_amount, p_currency, p_kind, p_reserved, p_max_balance, p_now);
    UPDATE ledger_account x SET balance = v_balance + p_delta, raw_balance = ledger_raw(v_balance + p_delta),
      updated_at = clock_timestamp()
     WHERE x.id = p_account;
    RETURN NULL;
  END IF;

  v_shard := floor(random() * ${SHARDS})::int;
  UPDATE ledger_balance_shard x SET balance = x.balance + p_delta
   WHERE x.account_id = p_account AND x.shard = v_shard
     AND x.status = 'open' AND x.currency_code = p_currency
     AND scale(trim_scale(p_amount)) <= ledger_currency_decimals(p_currency);
  IF NOT FOUND THEN
    -- Refused, or the shard row is missing: decide under the account row's lock. The
    -- shard's lock first, whatever its status (shard, then row: the order every path
    -- takes); the refusal may be stale, a thaw may have committed since.
    PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = p_account AND x.shard = v_shard FOR NO KEY UPDATE;
    SELECT x.currency_code, x.status INTO v_cur, v_status FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Account %s not found', p_account));
    END IF;
    PERFORM ledger_check_account(p_account, v_cur, v_status, NULL, NULL, NULL, 0, 0,
      v_payer, p_amount, p_currency, p_kind, p_reserved, NULL, p_now);
    PERFORM ledger_ensure_shards(p_account);
    UPDATE ledger_balance_shard x SET balance = x.balance + p_delta
     WHERE x.account_id = p_account AND x.shard = v_shard;
  END IF;
  RETURN NULL;
END
$$;
`

/**
 * As in v1 (see its comment for the kinds and the result), with the key namespace and
 * index-friendly lookups. Locks, always in this order: the idempotency key (advisory),
 * the parent transfer, the hold, then the accounts by id ("C" collation; core accounts,
 * whose ids sort last, shards before row).
 */
export const POST = `
CREATE OR REPLACE FUNCTION ledger_post(
  p_id text, p_reference text, p_kind text,
  p_source text, p_destination text, p_amount numeric,
  p_parent text, p_hold text,
  p_description text, p_merchant_reference text,
  p_actor_type text, p_actor_id text,
  p_idempotency_key text, p_metadata jsonb,
  p_source_entry_id text, p_destination_entry_id text,
  p_max_destination_balance numeric
) RETURNS TABLE (
  id text, reference text, kind text, source_id text, destination_id text,
  amount numeric, currency_code text, parent_id text, hold_id text,
  merchant_reference text, description text, actor_type text, actor_id text,
  idempotency_key text, metadata jsonb, created_at timestamptz,
  source_balance numeric, destination_balance numeric, replayed boolean
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  t ledger_transfer%ROWTYPE;
  v_parent ledger_transfer%ROWTYPE;
  v_hold ledger_hold%ROWTYPE;
  v_src text := p_source;
  v_dst text := p_destination;
  v_amount numeric := p_amount;
  v_release numeric := 0;
  v_reserved boolean := p_hold IS NOT NULL;
  v_lo_is_src boolean;
  v_lo text;
  v_hi text;
  v_lo_balance numeric;
  v_hi_balance numeric;
  v_done numeric;
  v_cur text;
  v_hold_amount numeric;
  v_now timestamptz := clock_timestamp();
  v_at timestamptz;
  v_created timestamptz;
BEGIN
  IF v_amount IS NOT NULL AND v_amount <= 0 THEN
    PERFORM ledger_fail('invalid_amount', 'amount must be positive');
  END IF;

  -- Resolve the arguments with plain reads (ids and currencies never change) ...
  IF p_parent IS NOT NULL THEN
    SELECT * INTO v_parent FROM ledger_transfer x
     WHERE (x.id = p_parent OR x.reference = p_parent) AND x.deleted_at IS NULL;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Transfer %s not found', p_parent));
    END IF;
    IF v_parent.kind::text IN ('refund', 'reversal', 'expiry') THEN
      PERFORM ledger_fail('not_reversible', format('Transfer %s is a %s and cannot be refunded or reversed', v_parent.reference, v_parent.kind));
    END IF;
    v_src := v_parent.destination_id;
    v_dst := v_parent.source_id;
  END IF;
  IF p_hold IS NOT NULL THEN
    SELECT h.account_id, h.amount INTO v_src, v_hold_amount FROM ledger_hold h WHERE h.id = p_hold;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Hold %s not found', p_hold));
    END IF;
    IF p_source IS NOT NULL AND p_source <> v_src THEN
      PERFORM ledger_fail('invalid_request', format('Hold %s is on account %s', p_hold, v_src));
    END IF;
  END IF;
  IF v_src IS NULL OR v_dst IS NULL THEN
    PERFORM ledger_fail('invalid_request', 'source and destination are required');
  END IF;
  IF left(v_src, 1) = '@' OR left(v_dst, 1) = '@' THEN
    IF left(v_src, 1) = '@' AND left(v_dst, 1) = '@' THEN
      PERFORM ledger_fail('invalid_request', 'only one side may name a core account by role');
    END IF;
    SELECT a.currency_code INTO v_cur FROM ledger_account a
     WHERE a.id = CASE WHEN left(v_src, 1) = '@' THEN v_dst ELSE v_src END;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Account %s not found', CASE WHEN left(v_src, 1) = '@' THEN v_dst ELSE v_src END));
    END IF;
    IF left(v_src, 1) = '@' THEN v_src := ledger_core_id(v_src, v_cur); ELSE v_dst := ledger_core_id(v_dst, v_cur); END IF;
  END IF;
  IF v_src = v_dst THEN
    PERFORM ledger_fail('same_account', 'source and destination must be different accounts');
  END IF;

  -- ... then: same key, same transfer. Serialise on the key and look for an earlier use.
  IF p_idempotency_key IS NOT NULL THEN
    PERFORM ledger_lock_key(p_idempotency_key);
    PERFORM ledger_key_check(p_idempotency_key, 'transfer');
    SELECT * INTO t FROM ledger_transfer x WHERE x.idempotency_key = p_idempotency_key AND x.deleted_at IS NULL;
    IF FOUND THEN
      IF t.kind::text <> p_kind OR t.source_id <> v_src OR t.destination_id <> v_dst
         OR t.amount <> coalesce(p_amount, v_hold_amount, t.amount)
         OR t.parent_id IS DISTINCT FROM v_parent.id
         OR t.hold_id IS DISTINCT FROM p_hold THEN
        PERFORM ledger_fail('idempotency_conflict', format(
          'Idempotency key %s was used for transfer %s with different arguments', p_idempotency_key, t.reference));
      END IF;
      RETURN QUERY SELECT t.id, t.reference, t.kind::text, t.source_id, t.destination_id, t.amount,
        t.currency_code, t.parent_id, t.hold_id, t.merchant_reference, t.description, t.actor_type,
        t.actor_id, t.idempotency_key, t.metadata, t.created_at,
        ledger_balance(t.source_id), ledger_balance(t.destination_id), true;
      RETURN;
    END IF;
  END IF;

  -- Refunds of one transfer queue on its row, so this sum sees every committed one.
  IF p_parent IS NOT NULL THEN
    PERFORM 1 FROM ledger_transfer x WHERE x.id = v_parent.id FOR NO KEY UPDATE;
    SELECT coalesce(sum(x.amount), 0) INTO v_done FROM ledger_transfer x
     WHERE x.parent_id = v_parent.id AND x.kind IN ('refund', 'reversal') AND x.deleted_at IS NULL;
    IF p_kind = 'reversal' THEN
      IF EXISTS (SELECT 1 FROM ledger_transfer x
                  WHERE x.parent_id = v_parent.id AND x.kind = 'reversal' AND x.deleted_at IS NULL) THEN
        PERFORM ledger_fail('already_reversed', format('Transfer %s is already reversed', v_parent.reference));
      END IF;
      IF p_amount IS NOT NULL AND p_amount <> v_parent.amount - v_done THEN
        PERFORM ledger_fail('invalid_request', 'a reversal moves the whole unrefunded amount');
      END IF;
      v_amount := v_parent.amount - v_done;
      IF v_amount <= 0 THEN
        PERFORM ledger_fail('refund_exceeds_transfer', format('Transfer %s is already refunded in full', v_parent.reference));
      END IF;
    ELSIF v_done + v_amount > v_parent.amount THEN
      PERFORM ledger_fail('refund_exceeds_transfer', format('Transfer %s of %s has %s refunded; %s more is too much',
        v_parent.reference, v_parent.amount, v_done, v_amount));
    END IF;
  END IF;

  IF p_hold IS NOT NULL THEN
    SELECT * INTO v_hold FROM ledger_hold h WHERE h.id = p_hold FOR NO KEY UPDATE;
    IF v_hold.status <> 'open' THEN
      PERFORM ledger_fail('hold_not_open', format('Hold %s is %s', p_hold, v_hold.status));
    END IF;
    IF v_hold.expires_at IS NOT NULL AND v_hold.expires_at <= v_now THEN
      PERFORM ledger_fail('hold_expired', format('Hold %s expired at %s', p_hold, v_hold.expires_at));
    END IF;
    v_amount := coalesce(v_amount, v_hold.amount);
    IF v_amount > v_hold.amount THEN
      PERFORM ledger_fail('hold_exceeded', format('Hold %s is for %s, %s asked', p_hold, v_hold.amount, v_amount));
    END IF;
    v_release := v_hold.amount;
  END IF;

  IF v_amount IS NULL THEN
    PERFORM ledger_fail('invalid_amount', 'amount is required');
  END IF;
  IF v_cur IS NULL THEN
    SELECT a.currency_code INTO v_cur FROM ledger_account a WHERE a.id = v_src;
    IF NOT FOUND THEN
      PERFORM ledger_fail('not_found', format('Account %s not found', v_src));
    END IF;
  END IF;

  v_lo_is_src := v_src COLLATE "C" < v_dst COLLATE "C";
  v_lo := CASE WHEN v_lo_is_src THEN v_src ELSE v_dst END;
  v_hi := CASE WHEN v_lo_is_src THEN v_dst ELSE v_src END;

  v_lo_balance := ledger_apply(v_lo, CASE WHEN v_lo_is_src THEN -v_amount ELSE v_amount END, v_amount, v_cur,
    p_kind, v_reserved, p_max_destination_balance, CASE WHEN v_lo_is_src THEN v_release ELSE 0 END, v_now);
  -- Posting times are taken once the account is locked, so they follow the lock order.
  v_at := clock_timestamp();
  v_created := v_at;
  INSERT INTO ledger_transfer (id, reference, kind, source_id, destination_id, amount, raw_amount,
    currency_code, parent_id, hold_id, merchant_reference, description, actor_type, actor_id,
    idempotency_key, metadata, created_at, updated_at)
  VALUES (p_id, p_reference, p_kind, v_src, v_dst, v_amount, ledger_raw(v_amount),
    v_cur, v_parent.id, p_hold, p_merchant_reference, p_description,
    coalesce(p_actor_type, 'system'), p_actor_id, p_idempotency_key, p_metadata, v_at, v_at);
  INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after,
    raw_balance_after, created_at, updated_at)
  VALUES (CASE WHEN v_lo_is_src THEN p_source_entry_id ELSE p_destination_entry_id END, p_id, v_lo,
    CASE WHEN v_lo_is_src THEN -v_amount ELSE v_amount END,
    ledger_raw(CASE WHEN v_lo_is_src THEN -v_amount ELSE v_amount END),
    v_lo_balance, CASE WHEN v_lo_balance IS NULL THEN NULL ELSE ledger_raw(v_lo_balance) END, v_at, v_at);

  -- The hot side: locked, checked, moved and posted, and nothing else after it.
  v_hi_balance := ledger_apply(v_hi, CASE WHEN v_lo_is_src THEN v_amount ELSE -v_amount END, v_amount, v_cur,
    p_kind, v_reserved, p_max_destination_balance, CASE WHEN v_lo_is_src THEN 0 ELSE v_release END, v_now);
  v_at := clock_timestamp();
  INSERT INTO ledger_entry (id, transfer_id, account_id, amount, raw_amount, balance_after,
    raw_balance_after, created_at, updated_at)
  VALUES (CASE WHEN v_lo_is_src THEN p_destination_entry_id ELSE p_source_entry_id END, p_id, v_hi,
    CASE WHEN v_lo_is_src THEN v_amount ELSE -v_amount END,
    ledger_raw(CASE WHEN v_lo_is_src THEN v_amount ELSE -v_amount END),
    v_hi_balance, CASE WHEN v_hi_balance IS NULL THEN NULL ELSE ledger_raw(v_hi_balance) END, v_at, v_at);

  IF p_hold IS NOT NULL THEN
    UPDATE ledger_hold h SET status = 'captured', captured_amount = v_amount,
      raw_captured_amount = ledger_raw(v_amount), transfer_id = p_id, updated_at = v_at
    WHERE h.id = p_hold;
  END IF;

  RETURN QUERY SELECT p_id, p_reference, p_kind, v_src, v_dst, v_amount,
    v_cur, v_parent.id, p_hold, p_merchant_reference, p_description, coalesce(p_actor_type, 'system'),
    p_actor_id, p_idempotency_key, p_metadata, v_created,
    CASE WHEN v_lo_is_src THEN v_lo_balance ELSE v_hi_balance END,
    CASE WHEN v_lo_is_src THEN v_hi_balance ELSE v_lo_balance END,
    false;
END
$$;
`

/** As in v1, with the key namespace. */
export const HOLD = `
CREATE OR REPLACE FUNCTION ledger_hold(
  p_id text, p_account text, p_amount numeric, p_expires_at timestamptz,
  p_reference text, p_idempotency_key text, p_metadata jsonb
) RETURNS SETOF ledger_hold
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  a ledger_account%ROWTYPE;
  h ledger_hold%ROWTYPE;
  v_now timestamptz := clock_timestamp();
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    PERFORM ledger_fail('invalid_amount', 'amount must be positive');
  END IF;
  IF p_idempotency_key IS NOT NULL THEN
    PERFORM ledger_lock_key(p_idempotency_key);
    PERFORM ledger_key_check(p_idempotency_key, 'hold');
    SELECT * INTO h FROM ledger_hold x WHERE x.idempotency_key = p_idempotency_key AND x.deleted_at IS NULL;
    IF FOUND THEN
      IF h.account_id <> p_account OR h.amount <> p_amount OR h.reference IS DISTINCT FROM p_reference THEN
        PERFORM ledger_fail('idempotency_conflict', format(
          'Idempotency key %s was used for hold %s with different arguments', p_idempotency_key, h.id));
      END IF;
      RETURN NEXT h;
      RETURN;
    END IF;
  END IF;
  IF p_expires_at IS NOT NULL AND p_expires_at <= v_now THEN
    PERFORM ledger_fail('invalid_request', 'expires_at must be in the future');
  END IF;

  IF left(p_account, 8) = 'acc_sys_' THEN
    PERFORM ledger_fail('not_authorized', 'Core accounts cannot hold funds');
  END IF;
  SELECT * INTO a FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM ledger_fail('not_found', format('Account %s not found', p_account));
  END IF;
  IF a.held > 0 AND a.credit_limit IS NOT NULL AND a.balance - a.held - p_amount < -a.credit_limit THEN
    a.held := a.held - ledger_release_expired_holds(p_account, v_now);
  END IF;
  PERFORM ledger_check_account(a.id, a.currency_code, a.status, a.start_date, a.end_date, a.credit_limit,
    a.balance, a.held, true, p_amount, a.currency_code, 'hold', false, NULL, v_now);

  UPDATE ledger_account x SET held = x.held + p_amount, raw_held = ledger_raw(x.held + p_amount),
    updated_at = v_now WHERE x.id = p_account;
  INSERT INTO ledger_hold (id, account_id, amount, raw_amount, status, expires_at, reference,
    idempotency_key, metadata, created_at, updated_at)
  VALUES (p_id, p_account, p_amount, ledger_raw(p_amount), 'open', p_expires_at, p_reference,
    p_idempotency_key, p_metadata, v_now, v_now)
  RETURNING * INTO h;
  RETURN NEXT h;
END
$$;
`

/** open <-> frozen, and closing for good (only when empty): shards first, then the row. */
export const SET_STATUS = `
CREATE OR REPLACE FUNCTION ledger_set_status(p_account text, p_status text) RETURNS SETOF ledger_account
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  a ledger_account%ROWTYPE;
BEGIN
  -- A core account is credited through its shards. Locking them all first (in shard order,
  -- as a paying core account does) waits for the credits in flight; the shards' copy of
  -- the status then stops the next ones.
  PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = p_account ORDER BY x.shard FOR NO KEY UPDATE;
  SELECT * INTO a FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM ledger_fail('not_found', format('Account %s not found', p_account));
  END IF;
  IF a.status = 'closed' THEN
    PERFORM ledger_fail('account_closed', format('Account %s is closed', p_account));
  END IF;
  IF p_status = 'closed' AND a.role IS NOT NULL THEN
    PERFORM ledger_fail('not_authorized', format('Account %s is a core account and cannot be closed', p_account));
  END IF;
  IF p_status = 'closed' AND (a.balance <> 0 OR a.held <> 0) THEN
    PERFORM ledger_fail('account_not_empty', format('Account %s has a balance of %s and %s on hold; only an empty account can be closed',
      p_account, a.balance, a.held));
  END IF;
  UPDATE ledger_balance_shard x SET status = p_status WHERE x.account_id = p_account AND x.status <> p_status;
  IF a.status <> p_status THEN
    UPDATE ledger_account x SET status = p_status, updated_at = clock_timestamp(),
      closed_at = CASE WHEN p_status = 'closed' THEN clock_timestamp() ELSE NULL END
    WHERE x.id = p_account RETURNING * INTO a;
  END IF;
  RETURN NEXT a;
END
$$;
`

/**
 * Expires one account whose end date has passed: moves what is not held to the lapsed
 * account and closes it when nothing is held. Money held for a payment placed before the
 * end date stays (its hold can still be captured); it lapses once the hold is released
 * or expires. Takes only the account's lock, so it cannot deadlock with a capture (which
 * locks the hold first). Safe to run concurrently: the second caller waits for the lock.
 * Returns 'closed', 'held' (lapsed, kept open for its holds), 'negative_balance' or 'skipped'.
 */
export const EXPIRE = `
CREATE OR REPLACE FUNCTION ledger_expire(
  p_account text, p_lapsed text, p_transfer_id text, p_reference text,
  p_source_entry_id text, p_destination_entry_id text
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  a ledger_account%ROWTYPE;
  v_now timestamptz := clock_timestamp();
BEGIN
  SELECT * INTO a FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND OR a.role IS NOT NULL OR a.status <> 'open' OR a.end_date IS NULL OR a.end_date > v_now THEN
    RETURN 'skipped';
  END IF;
  IF a.balance < 0 THEN
    RETURN 'negative_balance';
  END IF;
  IF a.balance - a.held > 0 THEN
    PERFORM 1 FROM ledger_post(p_transfer_id, p_reference, 'expiry', p_account, p_lapsed, a.balance - a.held,
      NULL, NULL, 'Balance of expired account', NULL, 'system', NULL, NULL, NULL,
      p_source_entry_id, p_destination_entry_id, NULL);
  END IF;
  IF a.held > 0 THEN
    RETURN 'held';
  END IF;
  UPDATE ledger_account x SET status = 'closed', closed_at = clock_timestamp(), updated_at = clock_timestamp()
   WHERE x.id = p_account;
  RETURN 'closed';
END
$$;
`
