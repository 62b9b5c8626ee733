import type LedgerModuleService from "../../modules/ledger/service"
import type { BatchAccountInput, BatchItemResult as LedgerBatchItemResult, BatchResult as LedgerBatchResult, LedgerAccountDTO, LedgerActor } from "../../modules/ledger/types"
import type { ImportMode } from "./types"

export type BatchItemResult = LedgerBatchItemResult<{ account: LedgerAccountDTO }>
export type BatchResult = LedgerBatchResult<{ account: LedgerAccountDTO }>

/**
 * One call of the ledger's batch account creation (up to 1,000 accounts, each with its own
 * idempotency key): `createAccounts`, or `checkAccounts` for a dry run (same answers, rolled
 * back). A refusal of the whole call (not of one item) is given to every item.
 */
export async function batchCreateAccounts(
  ledger: LedgerModuleService,
  items: BatchAccountInput[],
  options: { mode: ImportMode; dry_run: boolean; actor?: LedgerActor }
): Promise<BatchResult> {
  const opts = { mode: options.mode, ...(options.actor ? { actor: options.actor } : {}) }
  try {
    return options.dry_run ? await ledger.checkAccounts(items, opts) : await ledger.createAccounts(items, opts)
  } catch (e) {
    return refusedWhole(items, options.mode, e)
  }
}

/**
 * Batches written all or none, in one transaction (`createAccountsAtomically`): an atomic
 * import bigger than one batch. A refusal of the whole call is given to every item.
 */
export async function batchCreateAccountsAtomically(
  ledger: LedgerModuleService,
  batches: BatchAccountInput[][],
  options: { actor?: LedgerActor }
): Promise<BatchResult[]> {
  try {
    return await ledger.createAccountsAtomically(batches, options.actor ? { actor: options.actor } : {})
  } catch (e) {
    return batches.map((items) => refusedWhole(items, "atomic", e))
  }
}

function refusedWhole(items: unknown[], mode: ImportMode, e: any): BatchResult {
  const error = { code: typeof e?.code === "string" ? e.code : "unexpected_error", message: String(e?.message ?? e) }
  return {
    mode,
    ok: false,
    failed_index: 0,
    counts: { ok: 0, failed: items.length, replayed: 0 },
    results: items.map((_, index) => ({ index, ok: false as const, error })),
  }
}
