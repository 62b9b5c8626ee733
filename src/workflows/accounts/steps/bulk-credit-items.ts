import type { LedgerActor } from "../../../modules/ledger/types"
import type { BatchItemResult, BatchMode, BatchPostingItem } from "./ledger-batch"
import type { ResolvedBulkCreditRow } from "./resolve-bulk-credit-rows"

export type BulkCreditPostingInput = {
  source_id: string
  rows: ResolvedBulkCreditRow[]
  dry_run: boolean
  mode: BatchMode
  /** row i posts with `${idempotency_key}:${i}`, so a retried request replays row by row */
  idempotency_key?: string
  actor?: LedgerActor
  expires_at?: string | Date | null
}

/** The rows that can be posted now (no error, an account to credit) and the ledger items for them. */
export function postableRows(input: Pick<BulkCreditPostingInput, "rows" | "source_id" | "idempotency_key" | "expires_at">) {
  const rows = input.rows.filter((r) => !r.error && r.account_id)
  const items: BatchPostingItem[] = rows.map((r) => ({
    source_account_id: input.source_id,
    destination_account_id: r.account_id!,
    amount: r.amount,
    kind: "load",
    description: r.note,
    expires_at: input.expires_at ?? null,
    ...(input.idempotency_key ? { idempotency_key: `${input.idempotency_key}:${r.index}` } : {}),
  }))
  return { rows, items }
}

export type BatchError = { code: string; message: string }

/** A batch item's error, or null when it went through. */
export const itemError = (result: BatchItemResult<unknown> | undefined): BatchError | null =>
  !result ? { code: "not_posted", message: "The ledger gave no result for this row" } : result.ok ? null : result.error
