import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import * as v1 from "../schema/v1"
import { APPLY, EXPIRE, HOLD, KEYS, POST, RELEASE_EXPIRED, SET_STATUS } from "../schema/v2"

/**
 * The posting functions, second version:
 * - one lock order everywhere, core accounts included: idempotency key, parent transfer,
 *   hold, then accounts by id; a core account's balance shards (in shard order) before
 *   its row. Freezing, thawing and a refund out of a limited core account used to take
 *   the row first, which deadlocked against credits waiting on a shard.
 * - one namespace for idempotency keys: a key names one operation, so a key already used
 *   by an account creation, a hold, a transfer or a keyed operation is refused for any
 *   other kind (`idempotency_conflict`) and the first operation's retry still replays.
 * - expiry leaves held money in place (a hold placed before the end date can still be
 *   captured) and no longer touches holds, so it cannot deadlock with a capture.
 * - every lookup says `deleted_at IS NULL`, the predicate of Medusa's partial indexes,
 *   so PostgreSQL can use them instead of scanning the tables.
 */
export class Migration20261125180000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(KEYS)
    this.addSql(RELEASE_EXPIRED)
    this.addSql(APPLY)
    this.addSql(POST)
    this.addSql(HOLD)
    this.addSql(SET_STATUS)
    this.addSql(EXPIRE)
  }

  override async down(): Promise<void> {
    this.addSql(`
      DROP FUNCTION IF EXISTS ledger_key_check(text, text);
      DROP FUNCTION IF EXISTS ledger_lock_key(text);
    `)
    for (const sql of [v1.RELEASE_EXPIRED, v1.APPLY, v1.POST, v1.HOLD, v1.SET_STATUS, v1.EXPIRE]) {
      this.addSql(sql)
    }
  }
}
