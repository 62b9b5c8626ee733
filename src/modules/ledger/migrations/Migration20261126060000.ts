import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import * as v2 from "../schema/v2"
import { APPLY, CREATE_MANY, DEFERRED, DROP, LOCK_MANY, POST_MANY, POST_SET } from "../schema/v3"

/**
 * Batches (issue 11): ledger_post_many and ledger_create_many post many transfers or
 * create many accounts in one call and one transaction, each item with every rule of a
 * single posting, independent (a refused item fails alone) or atomic (all or none).
 * ledger_lock_many takes a batch's locks up front in the ledger's order, and ledger_apply
 * credits the batch's one shard of each core account (`ledger.shard`) instead of a random
 * one, so a batch holds one shard lock per core account, and adds a batch's amounts to
 * that shard once, at its end. No table changes.
 */
export class Migration20261126060000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(DEFERRED)
    this.addSql(APPLY)
    this.addSql(LOCK_MANY)
    this.addSql(POST_SET)
    this.addSql(POST_MANY)
    this.addSql(CREATE_MANY)
  }

  override async down(): Promise<void> {
    this.addSql(DROP)
    this.addSql(v2.APPLY)
  }
}
