import { WorkflowData, WorkflowResponse, createWorkflow, transform } from "@medusajs/framework/workflows-sdk"
import type { LedgerActor } from "../../../modules/ledger/types"
import { ensureBulkCreditWalletsStep } from "../steps/ensure-bulk-credit-wallets"
import type { BatchMode } from "../steps/ledger-batch"
import { postBulkCreditStep } from "../steps/post-bulk-credit"
import { type BulkCreditRowInput, resolveBulkCreditRowsStep } from "../steps/resolve-bulk-credit-rows"

export type BulkCreditInput = {
  currency_code: string
  /** "@unpaid_source" (promotional, the default) or "@bank" (money received) */
  source_account_id?: "@unpaid_source" | "@bank"
  rows: BulkCreditRowInput[]
  /** check every row and roll back: nothing is written, no wallet is opened */
  dry_run?: boolean
  /** independent (default): each row on its own; atomic: all rows or none */
  mode?: BatchMode
  /** row i posts with `${key}:${i}`: the same request again replays */
  idempotency_key?: string
  actor?: LedgerActor
  /** when the credit expires (a lot of each wallet); never when absent */
  expires_at?: string | Date | null
}

/**
 * Credits many customers or accounts at once (a CSV from the admin): finds each row's
 * customer by email or id and their store-credit wallet in the currency (opened when
 * needed, never in a dry run), then posts every credit through the ledger's batch posting
 * as a `load` from the source. Returns a verdict per row.
 */
export const bulkCreditWorkflow = createWorkflow("bulk-credit-accounts", (input: WorkflowData<BulkCreditInput>) => {
  const resolved = resolveBulkCreditRowsStep(
    transform({ input }, ({ input }) => ({
      currency_code: input.currency_code,
      source_account_id: input.source_account_id ?? "@unpaid_source",
      rows: input.rows,
    }))
  )
  const posting = transform({ input, resolved }, ({ input, resolved }) => ({
    currency_code: resolved.currency_code,
    source_id: resolved.source_id,
    rows: resolved.rows,
    dry_run: !!input.dry_run,
    mode: input.mode ?? ("independent" as const),
    idempotency_key: input.idempotency_key,
    actor: input.actor,
    expires_at: input.expires_at ?? null,
  }))
  const rows = ensureBulkCreditWalletsStep(posting)
  const result = postBulkCreditStep(transform({ posting, rows }, ({ posting, rows }) => ({ ...posting, rows })))
  return new WorkflowResponse(result)
})
