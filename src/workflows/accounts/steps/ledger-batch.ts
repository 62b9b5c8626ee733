import type { MedusaContainer } from "@medusajs/framework/types"
import type { Amount, LedgerActor, PostedTransferDTO } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"

// The ledger's batch posting (issue 11 §1), as its contract reads.
export type BatchMode = "independent" | "atomic"

export interface BatchOptions {
  mode?: BatchMode
  /** item i without its own key gets `${key}:${i}` */
  idempotency_key?: string
  actor?: LedgerActor
}

export type BatchItemResult<T> =
  | ({ index: number; ok: true; replayed: boolean } & T)
  | { index: number; ok: false; error: { code: string; message: string } }

export interface BatchResult<T> {
  mode: BatchMode
  ok: boolean
  failed_index: number | null
  counts: { ok: number; failed: number; replayed: number }
  results: BatchItemResult<T>[]
}

export interface BatchPostingItem {
  source_account_id: string
  destination_account_id: string
  amount: Amount
  kind?: "transfer" | "load" | "redemption"
  description?: string | null
  merchant_reference?: string | null
  idempotency_key?: string
  metadata?: Record<string, unknown> | null
}

export interface BatchPostingLedger {
  postBatch(items: BatchPostingItem[], options?: BatchOptions): Promise<BatchResult<{ transfer: PostedTransferDTO }>>
  checkBatch(items: BatchPostingItem[], options?: BatchOptions): Promise<BatchResult<{ transfer: PostedTransferDTO }>>
}

/** The ledger service's batch postings. */
export function batchLedger(container: MedusaContainer): BatchPostingLedger {
  return resolveLedger(container) as unknown as BatchPostingLedger
}
