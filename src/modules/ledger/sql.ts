import { Context } from "@medusajs/framework/types"
import { LedgerError, LedgerErrorCode, isLedgerErrorCode } from "./errors"
import { formatAmount, formatNullableAmount, toDecimal } from "./money"
import type {
  LedgerAccountDTO,
  LedgerHoldDTO,
  LedgerTransferDTO,
  PostedTransferDTO,
} from "./types"

// The balance every read shows, of `ledger_account a`: a core account's row holds only part
// of it (the rest is in its shard rows, see ledger_balance); any other account's row all of
// it, without a function call per row.
export const LIVE_BALANCE = `(CASE WHEN a.role IS NULL THEN a.balance ELSE ledger_balance(a.id) END)`

type Executor = { execute: (sql: string, params?: unknown[]) => Promise<any[]> }

/**
 * Runs raw SQL on the caller's transaction if there is one, else on a pooled
 * connection in autocommit (one posting function call is then one round trip).
 */
export async function runSql<T = any>(
  ctx: Context,
  sql: string,
  params: unknown[] = []
): Promise<T[]> {
  const em = (ctx.transactionManager ?? ctx.manager) as Executor | undefined
  if (!em) {
    throw new Error("ledger: no entity manager in context")
  }
  try {
    return (await em.execute(sql, params)) as T[]
  } catch (err) {
    throw translateDbError(err)
  }
}

type Knex = {
  client: { acquireConnection(): Promise<any>; releaseConnection(c: any): Promise<unknown> }
}

/**
 * One statement on a pooled connection, bypassing the ORM: a named statement is prepared
 * once per connection (as pgbench -M prepared does). For the posting functions, which are
 * atomic on their own; anything inside a caller's transaction goes through runSql.
 */
export async function runPrepared<T = any>(
  knex: Knex,
  statement: { name: string; text: string },
  values: unknown[]
): Promise<T[]> {
  const client = await knex.client.acquireConnection()
  try {
    return (await client.query({ ...statement, values })).rows as T[]
  } catch (err) {
    throw translateDbError(err)
  } finally {
    await knex.client.releaseConnection(client)
  }
}

/** A statement written with knex's `?` placeholders, for pg's `$n`. */
export function prepared(name: string, sql: string) {
  let n = 0
  return { name, sql, text: sql.replace(/\?/g, () => `$${++n}`) }
}

const CONSTRAINT_ERRORS: Record<string, [LedgerErrorCode, string]> = {
  IDX_ledger_account_code_unique: ["code_taken", "That code is already used by another account"],
  ledger_account_credit_limit: [
    "invalid_credit_limit",
    "The credit limit would be below what the account already uses (balance − held)",
  ],
  ledger_account_closed_empty: ["account_not_empty", "Only an empty account can be closed"],
  ledger_transfer_two_accounts: ["same_account", "source and destination must be different accounts"],
  IDX_ledger_transfer_one_reversal: ["already_reversed", "The transfer is already reversed"],
  ledger_account_type_id_foreign: ["not_found", "Account type not found"],
  IDX_ledger_account_type_code_unique: ["code_taken", "That account type code already exists"],
}

/** PostgreSQL errors raised by the ledger's functions and constraints → LedgerError. */
export function translateDbError(err: unknown): unknown {
  const e = err as any
  if (!e || typeof e !== "object") {
    return err
  }
  if (e.code === "LG001") {
    const code = e.hint === "immutable" ? "not_authorized" : e.hint
    const message = String(e.detail ?? e.message ?? "")
    if (isLedgerErrorCode(code)) {
      return new LedgerError(code, message)
    }
  }
  const constraint: string | undefined = e.constraint
  if (constraint && CONSTRAINT_ERRORS[constraint]) {
    const [code, message] = CONSTRAINT_ERRORS[constraint]
    return new LedgerError(code, message)
  }
  // invalid_text_representation etc. from bad ids are the caller's fault
  if (e.code === "22P02" || e.code === "22007" || e.code === "22008") {
    return new LedgerError("invalid_request", String(e.message ?? "").split(" - ").pop()!.trim())
  }
  return err
}

export function toAccountDTO(row: any): LedgerAccountDTO {
  const cur = row.currency_code
  const creditLimit = formatNullableAmount(row.credit_limit, cur)
  const balance = formatAmount(row.live_balance ?? row.balance, cur)
  const held = formatAmount(row.held, cur)
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    code: row.code ?? null,
    status: row.status,
    currency_code: row.currency_code,
    type_id: row.type_id,
    credit_limit: creditLimit,
    balance,
    held,
    available: availableOf({ ...row, balance: row.live_balance ?? row.balance }),
    start_date: row.start_date ?? null,
    end_date: row.end_date ?? null,
    closed_at: row.closed_at ?? null,
    customer_id: row.customer_id ?? null,
    product_ids: row.product_ids ?? null,
    can_pay_shipping: row.can_pay_shipping,
    role: row.role ?? null,
    idempotency_key: row.idempotency_key ?? null,
    metadata: row.metadata ?? null,
    lots_since: row.lots_since ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** balance + credit limit − held, exactly; null when the limit is unlimited. */
export function availableOf(row: { balance: unknown; held: unknown; credit_limit: unknown; currency_code?: string }) {
  if (row.credit_limit === null || row.credit_limit === undefined) {
    return null
  }
  const available = toDecimal(row.balance).plus(toDecimal(row.credit_limit)).minus(toDecimal(row.held))
  return formatAmount(available, row.currency_code)
}

export function toTransferDTO(row: any): LedgerTransferDTO {
  return {
    id: row.id,
    reference: row.reference,
    kind: row.kind,
    source_id: row.source_id,
    destination_id: row.destination_id,
    amount: formatAmount(row.amount, row.currency_code),
    currency_code: row.currency_code,
    parent_id: row.parent_id ?? null,
    hold_id: row.hold_id ?? null,
    merchant_reference: row.merchant_reference ?? null,
    description: row.description ?? null,
    actor_type: row.actor_type,
    actor_id: row.actor_id ?? null,
    idempotency_key: row.idempotency_key ?? null,
    metadata: row.metadata ?? null,
    created_at: row.created_at,
  }
}

export function toPostedDTO(row: any): PostedTransferDTO {
  return {
    ...toTransferDTO(row),
    source_balance: formatNullableAmount(row.source_balance, row.currency_code),
    destination_balance: formatNullableAmount(row.destination_balance, row.currency_code),
    replayed: row.replayed === true,
  }
}

export function toHoldDTO(row: any): LedgerHoldDTO {
  return {
    id: row.id,
    account_id: row.account_id,
    amount: formatAmount(row.amount, row.currency_code),
    captured_amount: formatAmount(row.captured_amount, row.currency_code),
    currency_code: row.currency_code ?? null,
    status: row.status,
    expires_at: row.expires_at ?? null,
    reference: row.reference ?? null,
    transfer_id: row.transfer_id ?? null,
    idempotency_key: row.idempotency_key ?? null,
    metadata: row.metadata ?? null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
