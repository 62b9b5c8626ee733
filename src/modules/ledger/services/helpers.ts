import { raw } from "@medusajs/framework/mikro-orm/core"
import { Context } from "@medusajs/framework/types"
import { CORE_ROLES, CoreRole } from "../core"
import { LedgerError } from "../errors"
import { parseAmount } from "../money"
import { runSql } from "../sql"
import type { CreateAccountInput } from "../types"

// Checks and SQL helpers the ledger service's files share.

export const CLOSED_WRITERS: Record<string, string> = {
  LedgerAccounts: "createAccount, updateAccount, freezeAccount or closeAccount",
  LedgerTransfers: "transfer, refund or reverse",
  LedgerEntries: "transfer",
  LedgerHolds: "hold, capture or release",
}

export function refuseWrite(instead: string): never {
  throw new LedgerError(
    "not_authorized",
    `The ledger is written only through its own methods: use ${instead} instead`
  )
}

export function checkRoleRef(id: string) {
  if (typeof id !== "string" || !id) {
    throw new LedgerError("invalid_request", "account id is required")
  }
  if (id.startsWith("@") && !CORE_ROLES.includes(id.slice(1) as CoreRole)) {
    throw new LedgerError("invalid_request", `Unknown core account ${id} (known: ${CORE_ROLES.map((r) => "@" + r).join(", ")})`)
  }
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || !value.trim()) {
    throw new LedgerError("invalid_request", `${field} is required`)
  }
  return value.trim()
}

export function toDate(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) {
    throw new LedgerError("invalid_request", `${field} is not a valid date`)
  }
  return d
}

/** A lot's expiry as the ledger takes it: a valid date in the future, or null (never). */
export function expiresAt(value: Date | string | null | undefined): string | null {
  if (value === undefined || value === null || value === "") return null
  const at = toDate(value, "expires_at")
  if (at.getTime() <= Date.now()) {
    throw new LedgerError("invalid_request", "expires_at must be in the future")
  }
  return at.toISOString()
}

export function checkDates(start?: Date | string | null, end?: Date | string | null): [Date | null, Date | null] {
  const s = start ? toDate(start, "start_date") : null
  const e = end ? toDate(end, "end_date") : null
  if (s && e && e <= s) {
    throw new LedgerError("invalid_request", "end_date must be after start_date")
  }
  return [s, e]
}

/** A list config whose `balance` ordering sorts by the live balance (row + shards). */
export function liveBalanceOrder(config: any) {
  const order = config?.order
  if (!order || typeof order !== "object" || !("balance" in order)) {
    return config
  }
  const sorted: Record<string, unknown> = {}
  for (const [key, direction] of Object.entries(order)) {
    if (key === "balance") {
      // ledger_balance() only where shards exist (core accounts): a function call per row of a
      // 100,000-account list costs seconds, a column costs nothing
      sorted[raw((alias: string) => `(CASE WHEN ${alias}.role IS NULL THEN ${alias}.balance ELSE ledger_balance(${alias}.id) END)`) as unknown as string] = direction
    } else {
      sorted[key] = direction
    }
  }
  return { ...config, order: sorted }
}

/** Results of createAccount that returned an earlier creation (no event for those). */
export const REPLAYED = new WeakSet<object>()

export type InitialLoad = { amount: string; source_account_id: string; description?: string | null; expires_at: string | null }

/** `initial_amount` (+ `source_account_id`) or `initial_loads`, as a list of checked loads. */
export function initialLoads(input: CreateAccountInput, currency: string): InitialLoad[] {
  if (input.initial_loads?.length && input.initial_amount != null) {
    throw new LedgerError("invalid_request", "Give initial_amount or initial_loads, not both")
  }
  const loads = input.initial_loads?.length
    ? input.initial_loads
    : input.initial_amount == null
      ? []
      : [{ amount: input.initial_amount, source_account_id: input.source_account_id ?? "@unpaid_source" }]
  return loads.map((l) => {
    const source = l.source_account_id ?? "@unpaid_source"
    checkRoleRef(source)
    return {
      amount: parseAmount(l.amount, currency, { field: "initial_amount" }),
      source_account_id: source,
      description: (l as { description?: string | null }).description ?? null,
      expires_at: expiresAt((l as { expires_at?: Date | string | null }).expires_at ?? (input.initial_loads?.length ? null : input.initial_expires_at)),
    }
  })
}

/**
 * Takes the lock of an idempotency key in the caller's transaction and refuses the key if
 * it already names an operation of another kind (`kind`: account, hold, transfer, operation).
 */
export async function lockKey(ctx: Context, key: string, kind: "account" | "hold" | "transfer" | "operation") {
  await runSql(ctx, `SELECT ledger_lock_key(?)`, [key])
  // A statement of its own: it must read what committed while this one waited for the lock.
  await runSql(ctx, `SELECT ledger_key_check(?, ?)`, [key, kind])
}

/** JSON with sorted keys, to compare two requests. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v
  )
}

export function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

// knex expands array bindings, so text[] goes in as JSON.
export function textArraySql(value: string[] | null | undefined) {
  return value === undefined || value === null
    ? "NULL::text[]"
    : "ARRAY(SELECT jsonb_array_elements_text(?::jsonb))"
}

export function textArrayParams(value: string[] | null | undefined): unknown[] {
  return value === undefined || value === null ? [] : [JSON.stringify(value.map(String))]
}

export function slug(name: string) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "type"
}
