import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Indexes of the reports (reports.ts). The first is generated from the Entry model (a
 * period's entries, for profit and loss); the second is written by hand because the data
 * model cannot declare INCLUDE columns: an account's balance as of any moment is one probe
 * of it (the balance_after of its last entry then, or for a core account the sum of its
 * amounts), read from the index alone. Both are partial like Medusa's own, so the reports'
 * SQL says `deleted_at IS NULL`.
 */
export class Migration20261125190757 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_created_at" ON "ledger_entry" ("created_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_account_id_created_at" ON "ledger_entry" ("account_id", "created_at", "seq") INCLUDE ("amount", "balance_after") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_ledger_entry_account_id_created_at";`);
    this.addSql(`drop index if exists "IDX_ledger_entry_created_at";`);
  }

}
