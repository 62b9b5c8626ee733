import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { APPLY, DOWN, FILLFACTOR, GENERIC_PLANS, LOCK_MANY, POST_SET } from "../schema/v4"

/**
 * Cheaper batches and grouped postings (issue 11): ledger_post_set reads its items once
 * and answers with the balances it computed; a batch takes a core shard no one holds and
 * keeps generic plans; account rows keep room on their page for their next version.
 */
export class Migration20261126100000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(FILLFACTOR)
    this.addSql(APPLY)
    this.addSql(LOCK_MANY)
    this.addSql(POST_SET)
    this.addSql(GENERIC_PLANS)
  }

  override async down(): Promise<void> {
    this.addSql(DOWN)
  }
}
