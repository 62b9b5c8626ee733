import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261125191703 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_created_at_id" ON "ledger_account" ("created_at", "id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_name_id" ON "ledger_account" ("name", "id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_end_date_id" ON "ledger_account" ("end_date", "id") WHERE deleted_at IS NULL;`);

    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_member_customer_id" ON "ledger_account_member" ("customer_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_ledger_account_created_at_id";`);
    this.addSql(`drop index if exists "IDX_ledger_account_name_id";`);
    this.addSql(`drop index if exists "IDX_ledger_account_end_date_id";`);

    this.addSql(`drop index if exists "IDX_ledger_account_member_customer_id";`);
  }

}
