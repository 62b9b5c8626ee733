import type LedgerModuleService from "../../modules/ledger/service"
import type { CreateAccountInput, LedgerAccountDTO, LedgerActor } from "../../modules/ledger/types"
import type { ImportMode } from "./types"

/**
 * The ledger's batch account creation, as the imports call it: up to 1,000 accounts a
 * call, each with its own idempotency key; `check` runs the same validation and rolls
 * back. (The shape of `createAccounts`/`checkAccounts` on the ledger service.)
 */
export type BatchItem = CreateAccountInput & { idempotency_key?: string }
export type BatchItemResult =
  | { index: number; ok: true; replayed: boolean; account: LedgerAccountDTO }
  | { index: number; ok: false; error: { code: string; message: string } }
export type BatchResult = {
  mode: ImportMode
  ok: boolean
  failed_index: number | null
  counts: { ok: number; failed: number; replayed: number }
  results: BatchItemResult[]
}
type BatchOptions = { mode?: ImportMode; idempotency_key?: string; actor?: LedgerActor }

type BatchLedger = {
  createAccounts(items: BatchItem[], options?: BatchOptions): Promise<BatchResult>
  checkAccounts(items: BatchItem[], options?: BatchOptions): Promise<BatchResult>
}

export async function batchCreateAccounts(
  ledger: LedgerModuleService,
  items: BatchItem[],
  options: { mode: ImportMode; dry_run: boolean; actor?: LedgerActor }
): Promise<BatchResult> {
  const batch = ledger as unknown as BatchLedger
  const opts: BatchOptions = { mode: options.mode, ...(options.actor ? { actor: options.actor } : {}) }
  try {
    return options.dry_run ? await batch.checkAccounts(items, opts) : await batch.createAccounts(items, opts)
  } catch (e: any) {
    // A refusal of the whole call (not of one item): every item carries it.
    const error = { code: typeof e?.code === "string" ? e.code : "unexpected_error", message: String(e?.message ?? e) }
    return {
      mode: options.mode,
      ok: false,
      failed_index: 0,
      counts: { ok: 0, failed: items.length, replayed: 0 },
      results: items.map((_, index) => ({ index, ok: false as const, error })),
    }
  }
}
