import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Indexes of the admin pages and the reports (reports.ts). The first two are generated from
 * the models: open accounts of a currency by creation and their count (the accounts list), and
 * a period's entries (profit and loss). The third is written by hand because the data model
 * cannot declare INCLUDE columns: an account's balance as of any moment is one probe of it
 * (the balance_after of its last entry then, or for a core account the sum of its amounts),
 * read from the index alone. All are partial like Medusa's own, so the SQL that should use
 * them says `deleted_at IS NULL`. None holds `balance`, so postings still update account rows
 * in place (HOT).
 */
export class Migration20261125191822 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_currency_code_status_created_at" ON "ledger_account" ("currency_code", "status", "created_at") WHERE deleted_at IS NULL;`);

    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_created_at" ON "ledger_entry" ("created_at") WHERE deleted_at IS NULL;`);

    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_account_id_created_at" ON "ledger_entry" ("account_id", "created_at", "seq") INCLUDE ("amount", "balance_after") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_ledger_entry_account_id_created_at";`);

    this.addSql(`drop index if exists "IDX_ledger_account_currency_code_status_created_at";`);

    this.addSql(`drop index if exists "IDX_ledger_entry_created_at";`);
  }

}
