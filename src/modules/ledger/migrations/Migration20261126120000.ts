import { Migration } from "@medusajs/framework/mikro-orm/migrations"
import { DOWN, UP } from "../schema/v5"

/**
 * Credit lots (issue 12): a credit may carry an expiry; from its first such credit an
 * account keeps lots, spent soonest-expiring first, reserved by holds, returned to by
 * refunds and lapsed by the expiry sweep. See schema/v5.ts.
 */
export class Migration20261126120000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(UP)
  }

  override async down(): Promise<void> {
    this.addSql(DOWN)
  }
}
