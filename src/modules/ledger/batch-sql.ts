import { LedgerError } from "./errors"
import { prepared, translateDbError } from "./sql"
import type { BatchItemError, BatchItemResult, BatchMode, BatchResult } from "./types"

/** The most items one batch call takes. */
export const MAX_BATCH = 1000

export const POST_MANY = prepared("ledger_post_many_v1", `SELECT * FROM ledger_post_many(?::jsonb, ?)`)
export const CREATE_MANY = prepared("ledger_create_many_v1", `SELECT * FROM ledger_create_many(?::jsonb, ?)`)

/** The failures of a batch's transaction itself (not of one item): nothing was written. */
export function isRetryable(err: unknown) {
  const code = (err as { code?: string } | null)?.code
  return code === "40P01" || code === "40001"
}

/** The error an item's row reports, as the ledger raises it for a single call. */
export function rowError(row: { error_state: string; error_hint: string | null; error_message: string; error_constraint: string | null }): Error {
  const pg = Object.assign(new Error(row.error_message), {
    code: row.error_state,
    hint: row.error_hint,
    detail: row.error_message,
    constraint: row.error_constraint,
  })
  return translateDbError(pg) as Error
}

export function itemError(err: unknown): BatchItemError {
  if (err instanceof LedgerError) {
    return { code: err.code, message: err.message }
  }
  return { code: "unexpected_error", message: err instanceof Error ? err.message : String(err) }
}

export function checkBatchSize(items: unknown) {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
    throw new LedgerError("invalid_request", `A batch holds 1 to ${MAX_BATCH} items`)
  }
}

/** Item i's key: its own, else the batch's key with its position. */
export function itemKey(own: string | null | undefined, batchKey: string | null | undefined, i: number) {
  return own ?? (batchKey ? `${batchKey}:${i}` : null)
}

export type Outcome<T> = ({ ok: true; replayed: boolean } & T) | { ok: false; error: BatchItemError }

/**
 * A batch's answer from each item's outcome. Atomic and one item refused: nothing was
 * written, that item keeps its refusal and every other one reads `not_posted`.
 */
export function batchResult<T>(mode: BatchMode, outcomes: Outcome<T>[]): BatchResult<T> {
  const failed = outcomes.findIndex((o) => !o.ok && o.error.code !== NOT_POSTED)
  const atomicFailure = mode === "atomic" && outcomes.some((o) => !o.ok)
  const results = outcomes.map((o, index): BatchItemResult<T> => {
    if (atomicFailure && index !== failed) {
      return { index, ok: false, error: { code: NOT_POSTED, message: `Not written: item ${failed} was refused and the batch is atomic` } }
    }
    return { index, ...o } as BatchItemResult<T>
  })
  const ok = results.filter((r) => r.ok).length
  return {
    mode,
    ok: ok === results.length,
    failed_index: atomicFailure ? failed : null,
    counts: { ok, failed: results.length - ok, replayed: results.filter((r) => r.ok && r.replayed).length },
    results,
  }
}

export const NOT_POSTED = "not_posted"
