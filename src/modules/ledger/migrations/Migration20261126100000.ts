import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { APPLY, DOWN, FILLFACTOR, GENERIC_PLANS, LOCK_MANY, POST_SET, RAW_INLINED } from "../schema/v4"

/**
 * Cheaper postings, batches and groups (issue 11), no table change but a fill factor:
 * - a batch or group locks a core account with a credit limit whole (every shard) only when
 *   it pays; receiving, the sales account is one shard, as for a single posting;
 * - batches, groups and single postings credit a core shard no other transaction holds;
 * - ledger_post_set reads its items once and answers with the balances it computed;
 * - ledger_raw is inlined (STABLE), ledger_keys_used keeps its plan, batch functions keep
 *   generic plans;
 * - account rows keep room on their page for their next version (HOT updates).
 */
export class Migration20261126100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(FILLFACTOR)
    this.addSql(RAW_INLINED)
    this.addSql(APPLY)
    this.addSql(LOCK_MANY)
    this.addSql(POST_SET)
    this.addSql(GENERIC_PLANS)
  }

  override async down(): Promise<void> {
    this.addSql(DOWN)
  }
}
