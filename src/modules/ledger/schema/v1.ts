/**
 * The SQL of the ledger's first schema version (migration Migration20261122235900): the
 * rules, triggers and posting functions. Kept apart from the migration so a later
 * migration's down() can restore these exact definitions.
 */
export const CONSTRAINTS = `
ALTER TABLE ledger_transfer
  ADD CONSTRAINT ledger_transfer_amount_positive CHECK (amount > 0),
  ADD CONSTRAINT ledger_transfer_two_accounts CHECK (source_id <> destination_id),
  ADD CONSTRAINT ledger_transfer_parent_fk FOREIGN KEY (parent_id) REFERENCES ledger_transfer (id);
ALTER TABLE ledger_entry
  ADD CONSTRAINT ledger_entry_amount_nonzero CHECK (amount <> 0),
  ALTER COLUMN seq TYPE bigint,
  ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE ledger_entry_seq_seq AS bigint;
ALTER TABLE ledger_hold
  ADD CONSTRAINT ledger_hold_amounts CHECK (amount > 0 AND captured_amount >= 0 AND captured_amount <= amount);
ALTER TABLE ledger_account
  ADD CONSTRAINT ledger_account_credit_limit CHECK (credit_limit IS NULL OR (credit_limit >= 0 AND balance - held >= -credit_limit)),
  ADD CONSTRAINT ledger_account_closed_empty CHECK (status <> 'closed' OR (balance = 0 AND held = 0)),
  ADD CONSTRAINT ledger_account_held_nonnegative CHECK (held >= 0);
CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_transfer_one_reversal" ON ledger_transfer (parent_id) WHERE kind = 'reversal';
-- Transfers and entries are never soft-deleted (the triggers refuse UPDATE), so the
-- deleted_at indexes Medusa adds to every model would only cost every posting.
DROP INDEX IF EXISTS "IDX_ledger_transfer_deleted_at";
DROP INDEX IF EXISTS "IDX_ledger_entry_deleted_at";
`

export const HELPERS = `
CREATE OR REPLACE FUNCTION ledger_raw(v numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('value', v::text, 'precision', 20)
$$;

-- ISO 4217 minor units where they are not 2 (kept equal to money.ts by a test).
CREATE OR REPLACE FUNCTION ledger_currency_decimals(p_currency text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_currency IN ('bif','clp','djf','gnf','isk','jpy','kmf','krw','pyg','rwf','ugx','uyi','vnd','vuv','xaf','xof','xpf') THEN 0
    WHEN p_currency IN ('bhd','iqd','jod','kwd','lyd','omr','tnd') THEN 3
    WHEN p_currency IN ('clf','uyw') THEN 4
    ELSE 2 END
$$;

-- A role reference such as '@redemptions' names that core account in a currency.
CREATE OR REPLACE FUNCTION ledger_core_id(p_ref text, p_currency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'acc_sys_' || p_currency || '_' || substr(p_ref, 2)
$$;

CREATE OR REPLACE FUNCTION ledger_fail(p_code text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = p_message, DETAIL = p_message, HINT = p_code;
END
$$;
`

export const IMMUTABILITY = `
CREATE OR REPLACE FUNCTION ledger_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'LG001', HINT = 'immutable',
    MESSAGE = format('%s is append-only: correct a mistake with a new transfer (%s refused)', TG_TABLE_NAME, TG_OP),
    DETAIL = format('%s is append-only: correct a mistake with a new transfer (%s refused)', TG_TABLE_NAME, TG_OP);
END
$$;
CREATE TRIGGER ledger_transfer_immutable BEFORE UPDATE OR DELETE ON ledger_transfer
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER ledger_transfer_no_truncate BEFORE TRUNCATE ON ledger_transfer
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry
  FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_change();
`

/**
 * Raises the right error if account \`a\` (locked by the caller) may not take part in a
 * posting of \`p_amount\` in \`p_currency\`, as payer or as receiver.
 */
export const CHECK_ACCOUNT = `
CREATE OR REPLACE FUNCTION ledger_check_account(
  p_id text, p_account_currency text, p_status text, p_start timestamptz, p_end timestamptz,
  p_credit_limit numeric, p_balance numeric, p_held numeric,
  p_is_payer boolean, p_amount numeric, p_currency text,
  p_kind text, p_reserved boolean, p_max_balance numeric, p_now timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF scale(trim_scale(p_amount)) > ledger_currency_decimals(p_account_currency) THEN
    PERFORM ledger_fail('invalid_amount', format('%s has more decimals than %s allows (%s)',
      p_amount, upper(p_account_currency), ledger_currency_decimals(p_account_currency)));
  END IF;
  IF p_account_currency <> p_currency THEN
    PERFORM ledger_fail('currency_mismatch', format('Account %s is in %s, the transfer in %s', p_id, upper(p_account_currency), upper(p_currency)));
  END IF;
  IF p_status = 'closed' THEN
    PERFORM ledger_fail('account_closed', format('Account %s is closed', p_id));
  END IF;
  IF p_status = 'frozen' THEN
    PERFORM ledger_fail('account_frozen', format('Account %s is frozen', p_id));
  END IF;
  IF p_is_payer THEN
    -- Expiry moves what is left of an expired account; a captured hold was checked when placed.
    IF p_kind <> 'expiry' AND NOT p_reserved AND
       ((p_start IS NOT NULL AND p_start > p_now) OR (p_end IS NOT NULL AND p_end <= p_now)) THEN
      PERFORM ledger_fail('account_inactive', format('Account %s is outside its active dates', p_id));
    END IF;
    IF NOT p_reserved AND p_credit_limit IS NOT NULL AND p_balance - p_held - p_amount < -p_credit_limit THEN
      PERFORM ledger_fail('insufficient_funds', format('Account %s has %s available, %s needed',
        p_id, p_balance - p_held + p_credit_limit, p_amount));
    END IF;
  ELSIF p_max_balance IS NOT NULL AND p_balance + p_amount > p_max_balance THEN
    PERFORM ledger_fail('amount_too_high', format('Account %s may hold at most %s; this would make it %s',
      p_id, p_max_balance, p_balance + p_amount));
  END IF;
END
$$;
`

/**
 * Releases an account's expired holds, when a payment or a new hold finds the account
 * short (the caller holds the account's lock). SKIP LOCKED: a hold another transaction
 * is busy with is left alone, so this never waits against the lock order (holds before
 * accounts). Returns the amount released.
 */
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

/** Core accounts' balances are spread over this many rows each (see ledger_apply). */
const LEDGER_SHARDS = 16

/**
 * Applies one side of a posting: locks what the account needs locked, checks that it may
 * pay (\`p_delta\` < 0) or receive, and moves its balance. Returns the balance after, or
 * NULL for a core account.
 *
 * Core accounts (ids \`acc_sys_*\`) are credited by every order, so their balance is spread
 * over LEDGER_SHARDS rows of ledger_balance_shard: a credit, or any posting on an
 * unlimited core account, locks one shard picked at random, so concurrent orders do not
 * queue on one row whose lock lasts until each commit is flushed to disk. The account
 * row is read after the shard lock, and status changes lock every shard, so a freeze
 * cannot slip past. A limited core account that pays (a refund out of Redemptions)
 * locks its row and every shard, folds the shards into the row and checks the exact total.
 */
export const APPLY = `
-- status and currency_code copy the account's, so a credit needs no other row; status
-- changes rewrite them (and so wait for every credit in flight).
CREATE TABLE IF NOT EXISTS ledger_balance_shard (
  account_id text NOT NULL REFERENCES ledger_account (id),
  shard smallint NOT NULL,
  balance numeric NOT NULL DEFAULT 0,
  currency_code text NOT NULL,
  status text NOT NULL,
  PRIMARY KEY (account_id, shard)
);

-- Creates a core account's shard rows (idempotent), copying its status and currency.
CREATE OR REPLACE FUNCTION ledger_ensure_shards(p_account text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO ledger_balance_shard (account_id, shard, balance, currency_code, status)
  SELECT a.id, s, 0, a.currency_code, a.status FROM ledger_account a, generate_series(0, ${LEDGER_SHARDS} - 1) s
   WHERE a.id = p_account
  ON CONFLICT (account_id, shard) DO NOTHING
$$;

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
    -- A limited core account pays: the exact total, under the row lock and every shard lock.
    PERFORM 1 FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
    PERFORM 1 FROM ledger_balance_shard x WHERE x.account_id = p_account ORDER BY x.shard FOR NO KEY UPDATE;
    SELECT coalesce(sum(x.balance), 0) INTO v_folded FROM ledger_balance_shard x WHERE x.account_id = p_account;
    IF v_folded <> 0 THEN
      UPDATE ledger_balance_shard x SET balance = 0 WHERE x.account_id = p_account AND x.balance <> 0;
      UPDATE ledger_account x SET balance = x.balance + v_folded, raw_balance = ledger_raw(x.balance + v_folded)
       WHERE x.id = p_account;
    END IF;
    SELECT x.currency_code, x.status, x.start_date, x.end_date, x.credit_limit, x.balance, x.held
      INTO v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held
      FROM ledger_account x WHERE x.id = p_account;
    PERFORM ledger_check_account(p_account, v_cur, v_status, v_start, v_end, v_limit, v_balance, v_held,
      true, p_amount, p_currency, p_kind, p_reserved, p_max_balance, p_now);
    UPDATE ledger_account x SET balance = x.balance + p_delta, raw_balance = ledger_raw(x.balance + p_delta),
      updated_at = clock_timestamp()
     WHERE x.id = p_account;
    RETURN NULL;
  END IF;

  v_shard := floor(random() * ${LEDGER_SHARDS})::int;
  UPDATE ledger_balance_shard x SET balance = x.balance + p_delta
   WHERE x.account_id = p_account AND x.shard = v_shard
     AND x.status = 'open' AND x.currency_code = p_currency
     AND scale(trim_scale(p_amount)) <= ledger_currency_decimals(p_currency);
  IF NOT FOUND THEN
    -- Refused, or the shard row is missing: decide under the account row's lock, which
    -- status changes take first.
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

-- An account's balance: its row plus, for core accounts, its shards.
CREATE OR REPLACE FUNCTION ledger_balance(p_account text) RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT a.balance + coalesce((SELECT sum(x.balance) FROM ledger_balance_shard x WHERE x.account_id = a.id), 0)
    FROM ledger_account a WHERE a.id = p_account
$$;
`

/**
 * Posts one transfer. Kinds: plain (transfer, load, redemption), refund/reversal of
 * \`p_parent\` (accounts and, for a reversal, the amount come from the parent), capture of
 * \`p_hold\` (source and default amount come from the hold), expiry. Returns the transfer,
 * the balances after it (NULL for core accounts), and \`replayed\` when the idempotency
 * key matched an earlier posting.
 *
 * Locks, always in this order: the idempotency key (advisory), the parent transfer
 * (refunds of one transfer queue there), the hold, then the accounts by id ("C"
 * collation). Core accounts sort last, so the hot sales account is touched last.
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
    SELECT * INTO v_parent FROM ledger_transfer x WHERE x.id = p_parent OR x.reference = p_parent;
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
    -- (either way v_cur is now the currency of both sides if they match, which ledger_apply checks)
  END IF;
  IF v_src = v_dst THEN
    PERFORM ledger_fail('same_account', 'source and destination must be different accounts');
  END IF;

  -- ... then: same key, same transfer. Serialise on the key and look for an earlier posting.
  IF p_idempotency_key IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger_post:' || p_idempotency_key, 0));
    SELECT * INTO t FROM ledger_transfer x WHERE x.idempotency_key = p_idempotency_key;
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
     WHERE x.parent_id = v_parent.id AND x.kind IN ('refund', 'reversal');
    IF p_kind = 'reversal' THEN
      IF EXISTS (SELECT 1 FROM ledger_transfer x WHERE x.parent_id = v_parent.id AND x.kind = 'reversal') THEN
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


/** Reserves funds: they stay in the balance but no longer count as available. */
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
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger_hold:' || p_idempotency_key, 0));
    SELECT * INTO h FROM ledger_hold x WHERE x.idempotency_key = p_idempotency_key;
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

/** Releases an open hold (status released or expired). Releasing twice is a no-op. */
export const RELEASE = `
CREATE OR REPLACE FUNCTION ledger_release(p_hold text, p_status text) RETURNS SETOF ledger_hold
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  h ledger_hold%ROWTYPE;
  v_now timestamptz := clock_timestamp();
BEGIN
  SELECT * INTO h FROM ledger_hold x WHERE x.id = p_hold FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM ledger_fail('not_found', format('Hold %s not found', p_hold));
  END IF;
  IF h.status IN ('released', 'expired') THEN
    RETURN NEXT h;
    RETURN;
  END IF;
  IF h.status <> 'open' THEN
    PERFORM ledger_fail('hold_not_open', format('Hold %s is %s', p_hold, h.status));
  END IF;
  PERFORM 1 FROM ledger_account a WHERE a.id = h.account_id FOR NO KEY UPDATE;
  UPDATE ledger_account a SET held = a.held - h.amount, raw_held = ledger_raw(a.held - h.amount),
    updated_at = v_now WHERE a.id = h.account_id;
  UPDATE ledger_hold x SET status = p_status, updated_at = v_now WHERE x.id = p_hold
  RETURNING * INTO h;
  RETURN NEXT h;
END
$$;
`

/** open <-> frozen, and closing for good (only when empty). */
export const SET_STATUS = `
CREATE OR REPLACE FUNCTION ledger_set_status(p_account text, p_status text) RETURNS SETOF ledger_account
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  a ledger_account%ROWTYPE;
  v_now timestamptz := clock_timestamp();
BEGIN
  SELECT * INTO a FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM ledger_fail('not_found', format('Account %s not found', p_account));
  END IF;
  IF a.status = 'closed' THEN
    PERFORM ledger_fail('account_closed', format('Account %s is closed', p_account));
  END IF;
  -- A core account is credited through its shards: this waits for credits in flight
  -- there, and the shards' copy of the status stops the next ones.
  UPDATE ledger_balance_shard x SET status = p_status WHERE x.account_id = p_account;
  IF p_status = 'closed' AND (a.balance <> 0 OR a.held <> 0) THEN
    PERFORM ledger_fail('account_not_empty', format('Account %s has a balance of %s and %s on hold; only an empty account can be closed',
      p_account, a.balance, a.held));
  END IF;
  IF p_status = 'closed' AND a.role IS NOT NULL THEN
    PERFORM ledger_fail('not_authorized', format('Account %s is a core account and cannot be closed', p_account));
  END IF;
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
 * Expires one account whose end date has passed: releases its holds, moves a positive
 * balance to the lapsed account and closes it. Safe to run concurrently: the second
 * caller waits for the lock and then finds the account closed. Returns what it did.
 */
export const EXPIRE = `
CREATE OR REPLACE FUNCTION ledger_expire(
  p_account text, p_lapsed text, p_transfer_id text, p_reference text,
  p_source_entry_id text, p_destination_entry_id text
) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  a ledger_account%ROWTYPE;
  h record;
  v_now timestamptz := clock_timestamp();
BEGIN
  -- Holds before accounts, as everywhere.
  FOR h IN SELECT x.id FROM ledger_hold x WHERE x.account_id = p_account AND x.status = 'open'
           ORDER BY x.id COLLATE "C" FOR NO KEY UPDATE LOOP
    NULL;
  END LOOP;
  SELECT * INTO a FROM ledger_account x WHERE x.id = p_account FOR NO KEY UPDATE;
  IF NOT FOUND OR a.role IS NOT NULL OR a.status <> 'open' OR a.end_date IS NULL OR a.end_date > v_now THEN
    RETURN 'skipped';
  END IF;
  IF a.balance < 0 THEN
    RETURN 'negative_balance';
  END IF;
  UPDATE ledger_hold x SET status = 'expired', updated_at = v_now
   WHERE x.account_id = p_account AND x.status = 'open';
  UPDATE ledger_account x SET held = 0, raw_held = ledger_raw(0), updated_at = v_now
   WHERE x.id = p_account;
  IF a.balance > 0 THEN
    PERFORM 1 FROM ledger_post(p_transfer_id, p_reference, 'expiry', p_account, p_lapsed, a.balance,
      NULL, NULL, 'Balance of expired account', NULL, 'system', NULL, NULL, NULL,
      p_source_entry_id, p_destination_entry_id, NULL);
  END IF;
  UPDATE ledger_account x SET status = 'closed', closed_at = clock_timestamp(), updated_at = clock_timestamp()
   WHERE x.id = p_account;
  RETURN 'closed';
END
$$;
`
