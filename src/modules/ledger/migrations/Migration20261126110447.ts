import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261126110447 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "ledger_account" add column if not exists "lots_since" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "ledger_account" drop column if exists "lots_since";`);
  }

}
