import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261122234038 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "ledger_transfer" drop constraint if exists "ledger_transfer_idempotency_key_unique";`);
    this.addSql(`alter table if exists "ledger_transfer" drop constraint if exists "ledger_transfer_reference_unique";`);
    this.addSql(`alter table if exists "ledger_hold" drop constraint if exists "ledger_hold_idempotency_key_unique";`);
    this.addSql(`alter table if exists "ledger_account_member" drop constraint if exists "ledger_account_member_account_id_customer_id_unique";`);
    this.addSql(`alter table if exists "ledger_account" drop constraint if exists "ledger_account_role_currency_code_unique";`);
    this.addSql(`alter table if exists "ledger_account" drop constraint if exists "ledger_account_idempotency_key_unique";`);
    this.addSql(`alter table if exists "ledger_account" drop constraint if exists "ledger_account_code_unique";`);
    this.addSql(`alter table if exists "ledger_account_type" drop constraint if exists "ledger_account_type_code_unique";`);
    this.addSql(`create table if not exists "ledger_account_type" ("id" text not null, "code" text not null, "name" text not null, "path" text not null, "parent_id" text null, "metadata" jsonb null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_account_type_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_account_type_code_unique" ON "ledger_account_type" ("code") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_type_parent_id" ON "ledger_account_type" ("parent_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_type_deleted_at" ON "ledger_account_type" ("deleted_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "ledger_account" ("id" text not null, "name" text not null, "description" text null, "code" text null, "status" text check ("status" in ('open', 'frozen', 'closed')) not null default 'open', "currency_code" text not null, "credit_limit" numeric null, "balance" numeric not null default 0, "held" numeric not null default 0, "start_date" timestamptz null, "end_date" timestamptz null, "closed_at" timestamptz null, "customer_id" text null, "product_ids" text[] null, "can_pay_shipping" boolean not null default true, "role" text null, "idempotency_key" text null, "metadata" jsonb null, "type_id" text not null, "raw_credit_limit" jsonb null, "raw_balance" jsonb not null default '{"value":"0","precision":20}', "raw_held" jsonb not null default '{"value":"0","precision":20}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_account_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_type_id" ON "ledger_account" ("type_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_deleted_at" ON "ledger_account" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_account_code_unique" ON "ledger_account" ("code") WHERE code IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_account_idempotency_key_unique" ON "ledger_account" ("idempotency_key") WHERE idempotency_key IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_account_role_currency_code_unique" ON "ledger_account" ("role", "currency_code") WHERE role IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_customer_id" ON "ledger_account" ("customer_id") WHERE customer_id IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_status_end_date" ON "ledger_account" ("status", "end_date") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "ledger_account_member" ("id" text not null, "customer_id" text not null, "account_id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_account_member_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_member_account_id" ON "ledger_account_member" ("account_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_account_member_deleted_at" ON "ledger_account_member" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_account_member_account_id_customer_id_unique" ON "ledger_account_member" ("account_id", "customer_id") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "ledger_hold" ("id" text not null, "amount" numeric not null, "captured_amount" numeric not null default 0, "status" text check ("status" in ('open', 'captured', 'released', 'expired')) not null default 'open', "expires_at" timestamptz null, "reference" text null, "transfer_id" text null, "idempotency_key" text null, "metadata" jsonb null, "account_id" text not null, "raw_amount" jsonb not null, "raw_captured_amount" jsonb not null default '{"value":"0","precision":20}', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_hold_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_hold_account_id" ON "ledger_hold" ("account_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_hold_deleted_at" ON "ledger_hold" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_hold_idempotency_key_unique" ON "ledger_hold" ("idempotency_key") WHERE idempotency_key IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_hold_status_expires_at" ON "ledger_hold" ("status", "expires_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_hold_reference" ON "ledger_hold" ("reference") WHERE reference IS NOT NULL AND deleted_at IS NULL;`);

    this.addSql(`create table if not exists "ledger_transfer" ("id" text not null, "reference" text not null, "kind" text check ("kind" in ('transfer', 'load', 'redemption', 'capture', 'refund', 'reversal', 'expiry')) not null default 'transfer', "source_id" text not null, "destination_id" text not null, "amount" numeric not null, "currency_code" text not null, "parent_id" text null, "hold_id" text null, "merchant_reference" text null, "description" text null, "actor_type" text not null default 'system', "actor_id" text null, "idempotency_key" text null, "metadata" jsonb null, "raw_amount" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_transfer_pkey" primary key ("id"));`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_transfer_reference_unique" ON "ledger_transfer" ("reference") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_deleted_at" ON "ledger_transfer" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_ledger_transfer_idempotency_key_unique" ON "ledger_transfer" ("idempotency_key") WHERE idempotency_key IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_parent_id" ON "ledger_transfer" ("parent_id") WHERE parent_id IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_source_id_created_at" ON "ledger_transfer" ("source_id", "created_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_destination_id_created_at" ON "ledger_transfer" ("destination_id", "created_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_merchant_reference" ON "ledger_transfer" ("merchant_reference") WHERE merchant_reference IS NOT NULL AND deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_transfer_created_at" ON "ledger_transfer" ("created_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "ledger_entry" ("id" text not null, "amount" numeric not null, "balance_after" numeric null, "seq" serial, "transfer_id" text not null, "account_id" text not null, "raw_amount" jsonb not null, "raw_balance_after" jsonb null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "ledger_entry_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_transfer_id" ON "ledger_entry" ("transfer_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_deleted_at" ON "ledger_entry" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_ledger_entry_account_id_seq" ON "ledger_entry" ("account_id", "seq") WHERE deleted_at IS NULL;`);

    this.addSql(`alter table if exists "ledger_account_type" add constraint "ledger_account_type_parent_id_foreign" foreign key ("parent_id") references "ledger_account_type" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table if exists "ledger_account" add constraint "ledger_account_type_id_foreign" foreign key ("type_id") references "ledger_account_type" ("id") on update cascade;`);

    this.addSql(`alter table if exists "ledger_account_member" add constraint "ledger_account_member_account_id_foreign" foreign key ("account_id") references "ledger_account" ("id") on update cascade;`);

    this.addSql(`alter table if exists "ledger_hold" add constraint "ledger_hold_account_id_foreign" foreign key ("account_id") references "ledger_account" ("id") on update cascade;`);

    this.addSql(`alter table if exists "ledger_entry" add constraint "ledger_entry_transfer_id_foreign" foreign key ("transfer_id") references "ledger_transfer" ("id") on update cascade;`);
  }

  /**
   * Refuses while the ledger holds money or promises: any transfer (balances are sums of
   * them), any hold, any idempotency record (ledger_operation, kept by the down() of
   * Migration20261125171758) or any account with a balance. Dropping those cannot be undone
   * by migrating again. An empty ledger (zero-balance accounts only, e.g. the core accounts)
   * is dropped as before, and ledger_operation with it.
   */
  override async down(): Promise<void> {
    // A function of this session only, so that a refusal shows the CLI's user one short
    // statement and the message rather than this whole block (the error repeats the SQL).
    this.addSql(`
      CREATE FUNCTION pg_temp.refuse_unless_ledger_empty() RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        v_transfers bigint := 0;
        v_holds bigint := 0;
        v_operations bigint := 0;
        v_balances bigint := 0;
      BEGIN
        -- Locked as the drops below would lock them, so nothing is written after the count.
        IF to_regclass('ledger_transfer') IS NOT NULL THEN
          LOCK TABLE ledger_transfer IN ACCESS EXCLUSIVE MODE;
          SELECT count(*) INTO v_transfers FROM ledger_transfer;
        END IF;
        -- (The balance shards are folded into the rows by then: see Migration20261122235900.)
        IF to_regclass('ledger_account') IS NOT NULL THEN
          LOCK TABLE ledger_account IN ACCESS EXCLUSIVE MODE;
          SELECT count(*) INTO v_balances FROM ledger_account WHERE balance <> 0 OR held <> 0;
        END IF;
        IF to_regclass('ledger_hold') IS NOT NULL THEN
          LOCK TABLE ledger_hold IN ACCESS EXCLUSIVE MODE;
          SELECT count(*) INTO v_holds FROM ledger_hold;
        END IF;
        IF to_regclass('ledger_operation') IS NOT NULL THEN
          LOCK TABLE ledger_operation IN ACCESS EXCLUSIVE MODE;
          SELECT count(*) INTO v_operations FROM ledger_operation;
        END IF;
        IF v_transfers > 0 OR v_holds > 0 OR v_operations > 0 OR v_balances > 0 THEN
          -- All in MESSAGE: the CLI prints only that.
          RAISE EXCEPTION USING MESSAGE = format('Refusing to revert Migration20261122234038: it would drop the ledger''s tables, which hold %s transfer(s), %s hold(s), %s idempotency record(s) and %s account(s) with money. '
              'Balances, their history and the exactly-once records of keyed requests cannot be restored by migrating again. '
              'Nothing was dropped: rolling the ledger back stops here, and npx medusa db:migrate re-applies the later migrations. '
              'To remove the ledger for good, back up the ledger_* tables (pg_dump -t ''ledger_*'') and drop them by hand.',
              v_transfers, v_holds, v_operations, v_balances);
        END IF;
      END
      $$;
    `);
    this.addSql(`SELECT pg_temp.refuse_unless_ledger_empty();`);
    this.addSql(`DROP FUNCTION pg_temp.refuse_unless_ledger_empty();`);

    this.addSql(`alter table if exists "ledger_account_type" drop constraint if exists "ledger_account_type_parent_id_foreign";`);

    this.addSql(`alter table if exists "ledger_account" drop constraint if exists "ledger_account_type_id_foreign";`);

    this.addSql(`alter table if exists "ledger_account_member" drop constraint if exists "ledger_account_member_account_id_foreign";`);

    this.addSql(`alter table if exists "ledger_hold" drop constraint if exists "ledger_hold_account_id_foreign";`);

    this.addSql(`alter table if exists "ledger_entry" drop constraint if exists "ledger_entry_transfer_id_foreign";`);

    this.addSql(`drop table if exists "ledger_account_type" cascade;`);

    this.addSql(`drop table if exists "ledger_account" cascade;`);

    this.addSql(`drop table if exists "ledger_account_member" cascade;`);

    this.addSql(`drop table if exists "ledger_hold" cascade;`);

    this.addSql(`drop table if exists "ledger_transfer" cascade;`);

    this.addSql(`drop table if exists "ledger_entry" cascade;`);

    // Kept by Migration20261125171758's down(), empty here.
    this.addSql(`drop table if exists "ledger_operation" cascade;`);
  }

}
