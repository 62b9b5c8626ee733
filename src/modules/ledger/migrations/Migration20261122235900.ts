import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { APPLY, CHECK_ACCOUNT, CONSTRAINTS, EXPIRE, HELPERS, HOLD, IMMUTABILITY, POST, RELEASE, RELEASE_EXPIRED, SET_STATUS } from "../schema/v1"

/**
 * The ledger's rules, installed in the database itself:
 * - constraints that make the invariants hold even against hand-written SQL
 *   (no negative amounts, credit limits, closed accounts empty, one reversal per transfer);
 * - triggers that refuse UPDATE, DELETE and TRUNCATE of transfers and entries;
 * - the posting functions. Each checks and writes in one statement, so a transfer is one
 *   round trip, with rows locked in one fixed order (see ledger_post); core accounts
 *   keep their balance in shard rows (see ledger_apply) so orders do not queue on them.
 *
 * Errors are raised with SQLSTATE LG001, the ledger error code in HINT and a readable
 * MESSAGE (repeated in DETAIL, which drivers pass on untouched); the service turns them
 * into LedgerErrors.
 */
export class Migration20261122235900 extends Migration {
  override async up(): Promise<void> {
    this.addSql(CONSTRAINTS)
    this.addSql(HELPERS)
    this.addSql(IMMUTABILITY)
    this.addSql(CHECK_ACCOUNT)
    this.addSql(RELEASE_EXPIRED)
    this.addSql(APPLY)
    this.addSql(POST)
    this.addSql(HOLD)
    this.addSql(RELEASE)
    this.addSql(SET_STATUS)
    this.addSql(EXPIRE)
  }

  /**
   * Lossless: core accounts keep part of their balance in ledger_balance_shard, and up()
   * recreates that table empty, so the shards are folded into their account rows (balance
   * and its raw_ mirror, through ledger_raw, hence before the functions go) before the
   * table is dropped. The table lock waits for postings already writing to a shard and
   * keeps later ones out until this transaction commits; by then the posting functions
   * are gone too, so nothing can credit a shard that is about to vanish.
   */
  override async down(): Promise<void> {
    this.addSql(`
      DO $$
      BEGIN
        IF to_regclass('ledger_balance_shard') IS NOT NULL THEN
          LOCK TABLE ledger_balance_shard IN ACCESS EXCLUSIVE MODE;
          UPDATE ledger_account a
             SET balance = a.balance + s.total, raw_balance = ledger_raw(a.balance + s.total)
            FROM (SELECT x.account_id, sum(x.balance) AS total FROM ledger_balance_shard x GROUP BY x.account_id) s
           WHERE a.id = s.account_id AND s.total <> 0;
        END IF;
      END
      $$;
    `)
    this.addSql(`
      DROP FUNCTION IF EXISTS ledger_expire(text, text, text, text, text, text);
      DROP FUNCTION IF EXISTS ledger_set_status(text, text);
      DROP FUNCTION IF EXISTS ledger_release(text, text);
      DROP FUNCTION IF EXISTS ledger_hold(text, text, numeric, timestamptz, text, text, jsonb);
      DROP FUNCTION IF EXISTS ledger_post(text, text, text, text, text, numeric, text, text, text, text, text, text, text, jsonb, text, text, numeric);
      DROP FUNCTION IF EXISTS ledger_balance(text);
      DROP FUNCTION IF EXISTS ledger_apply(text, numeric, numeric, text, text, boolean, numeric, numeric, timestamptz);
      DROP FUNCTION IF EXISTS ledger_ensure_shards(text);
      DROP TABLE IF EXISTS ledger_balance_shard;
      DROP FUNCTION IF EXISTS ledger_release_expired_holds(text, timestamptz);
      DROP FUNCTION IF EXISTS ledger_check_account(text, text, text, timestamptz, timestamptz, numeric, numeric, numeric, boolean, numeric, text, text, boolean, numeric, timestamptz);
      DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer;
      DROP TRIGGER IF EXISTS ledger_transfer_no_truncate ON ledger_transfer;
      DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry;
      DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry;
      DROP FUNCTION IF EXISTS ledger_forbid_change();
      DROP FUNCTION IF EXISTS ledger_fail(text, text);
      DROP FUNCTION IF EXISTS ledger_raw(numeric);
      DROP FUNCTION IF EXISTS ledger_core_id(text, text);
      DROP FUNCTION IF EXISTS ledger_currency_decimals(text);
      DROP INDEX IF EXISTS "IDX_ledger_transfer_one_reversal";
      ALTER TABLE ledger_transfer DROP CONSTRAINT IF EXISTS ledger_transfer_amount_positive;
      ALTER TABLE ledger_transfer DROP CONSTRAINT IF EXISTS ledger_transfer_two_accounts;
      ALTER TABLE ledger_transfer DROP CONSTRAINT IF EXISTS ledger_transfer_parent_fk;
      ALTER TABLE ledger_entry DROP CONSTRAINT IF EXISTS ledger_entry_amount_nonzero;
      ALTER TABLE ledger_hold DROP CONSTRAINT IF EXISTS ledger_hold_amounts;
      ALTER TABLE ledger_account DROP CONSTRAINT IF EXISTS ledger_account_credit_limit;
      ALTER TABLE ledger_account DROP CONSTRAINT IF EXISTS ledger_account_closed_empty;
      ALTER TABLE ledger_account DROP CONSTRAINT IF EXISTS ledger_account_held_nonnegative;
      -- Back to the previous migration's schema: up() dropped these two indexes.
      -- (ledger_entry.seq stays bigint: narrowing it could fail and gains nothing.)
      CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_deleted_at" ON "ledger_transfer" ("deleted_at") WHERE deleted_at IS NULL;
      CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_deleted_at" ON "ledger_entry" ("deleted_at") WHERE deleted_at IS NULL;
    `)
  }
}
