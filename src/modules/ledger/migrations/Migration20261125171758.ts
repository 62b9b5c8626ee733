import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261125171758 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "ledger_operation" drop constraint if exists "ledger_operation_idempotency_key_unique";`);
    this.addSql(`create table if not exists "ledger_operation" ("id" text not null, "idempotency_key" text not null, "kind" text not null, "request" jsonb not null, "status" text check ("status" in ('pending', 'done')) not null default 'pending', "progress" jsonb null, "result" jsonb null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_operation_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_operation_deleted_at" ON "ledger_operation" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_operation_idempotency_key_unique" ON "ledger_operation" ("idempotency_key") WHERE deleted_at IS NULL;`);
  }

  /**
   * Keeps ledger_operation (and its unique key index) in place: its rows are the
   * idempotency records of keyed requests, part of which move money outside the ledger
   * (card refunds). Dropping them would let a retry after a re-migrate do it all again.
   * up() is `if not exists` throughout, so it simply adopts the kept table; the initial
   * migration's down() drops it, and only on an empty ledger.
   */
  override async down(): Promise<void> {}

}
