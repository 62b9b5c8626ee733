import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261125171758 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "ledger_operation" drop constraint if exists "ledger_operation_idempotency_key_unique";`);
    this.addSql(`create table if not exists "ledger_operation" ("id" text not null, "idempotency_key" text not null, "kind" text not null, "request" jsonb not null, "status" text check ("status" in ('pending', 'done')) not null default 'pending', "progress" jsonb null, "result" jsonb null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_operation_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_operation_deleted_at" ON "ledger_operation" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_operation_idempotency_key_unique" ON "ledger_operation" ("idempotency_key") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "ledger_operation" cascade;`);
  }

}
