import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { DOWN, KEY_LOOKUPS, LOCK_MANY } from "../schema/v6"

/** Batches read rows by key: no parent look-up for items without one, no table scans (schema/v6.ts says why). */
export class Migration20261126140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(LOCK_MANY)
    this.addSql(KEY_LOOKUPS)
  }

  override async down(): Promise<void> {
    this.addSql(DOWN)
  }
}
