import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261123061511 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "code_guard_client" drop constraint if exists "code_guard_client_client_unique";`);
    this.addSql(`create table if not exists "code_guard_client" ("id" text not null, "client" text not null, "consecutive_failures" integer not null default 0, "total_failures" integer not null default 0, "cooling_until" timestamptz null, "blocked_at" timestamptz null, "last_failure_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "code_guard_client_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_code_guard_client_client_unique" ON "code_guard_client" ("client") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_code_guard_client_deleted_at" ON "code_guard_client" ("deleted_at") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "code_guard_client" cascade;`);
  }

}
