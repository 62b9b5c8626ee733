import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Issue 10: ledger_check_run keeps the last reconciliation sweeps and scheduled verify()
 * runs (their reports), which the admin's Settings → Ledger page shows. Holds no money:
 * dropping it on the way down loses only those reports.
 */
export class Migration20261125222854 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "ledger_check_run" ("id" text not null, "kind" text check ("kind" in ('reconciliation', 'verify')) not null, "ok" boolean not null, "started_at" timestamptz not null, "finished_at" timestamptz not null, "report" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_check_run_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_check_run_deleted_at" ON "ledger_check_run" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_check_run_kind_started_at" ON "ledger_check_run" ("kind", "started_at") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "ledger_check_run" cascade;`);
  }

}
