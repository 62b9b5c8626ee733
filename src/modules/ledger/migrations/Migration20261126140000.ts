import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { DOWN, LOCK_MANY } from "../schema/v6"

/** A batch reads parent transfers only for the items that have one (schema/v6.ts says why). */
export class Migration20261126140000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(LOCK_MANY)
  }

  override async down(): Promise<void> {
    this.addSql(DOWN)
  }
}
