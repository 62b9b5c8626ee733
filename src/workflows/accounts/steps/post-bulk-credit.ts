import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { resolveLedger } from "../../steps/resolve-ledger"
import { type BatchError, type BulkCreditPostingInput, itemError, postableRows } from "./bulk-credit-items"
import { batchLedger } from "./ledger-batch"

export type BulkCreditRowResult = {
  index: number
  line: number | null
  ok: boolean
  account_id: string | null
  customer_id: string | null
  email: string | null
  amount: string
  replayed?: boolean
  transfer?: { id: string; reference: string }
  error?: BatchError
}

export type BulkCreditResult = {
  dry_run: boolean
  mode: BulkCreditPostingInput["mode"]
  ok: boolean
  /** atomic mode: the row that failed the batch (or, in a dry run, would); null in independent mode */
  failed_index: number | null
  counts: { ok: number; failed: number; replayed: number }
  results: BulkCreditRowResult[]
}

type Outcome = { ok: true; replayed: boolean; transfer: { id: string; reference: string } | null } | { ok: false; error: BatchError }

/**
 * Credits the rows through the ledger's batch posting (kind `load`, the note as the
 * description), or in a dry run checks them and rolls back. In a dry run a row whose
 * wallet does not exist yet is fine (it would be opened). In atomic mode one failing row
 * posts nothing; the others are reported `not_posted`. Compensation reverses what this
 * run posted (not what it replayed).
 */
export const postBulkCreditStep = createStep(
  "post-bulk-credit",
  async (input: BulkCreditPostingInput, { container }) => {
    const { rows: postable, items } = postableRows(input)
    const atomic = input.mode === "atomic"
    const outcomes = new Map<number, Outcome>()
    let stoppedAt: number | null = input.rows.find((r) => r.error)?.index ?? null
    const posted: string[] = []

    if (!(atomic && !input.dry_run && stoppedAt !== null) && items.length) {
      const ledger = batchLedger(container)
      const options = { mode: input.dry_run ? ("independent" as const) : input.mode, actor: input.actor }
      const batch = input.dry_run ? await ledger.checkBatch(items, options) : await ledger.postBatch(items, options)
      postable.forEach((row, i) => {
        const result = batch.results.find((r) => r.index === i) ?? batch.results[i]
        const error = itemError(result)
        if (error || !result?.ok) {
          outcomes.set(row.index, { ok: false, error: error! })
          return
        }
        // a dry run's transfer was rolled back: it exists nowhere
        const transfer = input.dry_run ? null : (result as any).transfer
        outcomes.set(row.index, { ok: true, replayed: !!result.replayed, transfer: transfer ? { id: transfer.id, reference: transfer.reference } : null })
        if (!input.dry_run && transfer && !result.replayed) posted.push(transfer.id)
      })
      if (atomic && !input.dry_run && !batch.ok) {
        const failed = postable[batch.failed_index ?? batch.results.findIndex((r) => !r.ok)]
        stoppedAt = failed?.index ?? stoppedAt
        posted.length = 0
      }
    }

    const aborted = atomic && !input.dry_run && stoppedAt !== null
    const results: BulkCreditRowResult[] = input.rows.map((row) => {
      const base = { index: row.index, line: row.line, account_id: row.account_id, customer_id: row.customer_id, email: row.email, amount: row.amount }
      const outcome = outcomes.get(row.index)
      const error: BatchError | null = row.error ?? (outcome && !outcome.ok ? outcome.error : null)
      if (error && (!aborted || row.index === stoppedAt || row.error)) {
        return { ...base, ok: false, error }
      }
      if (aborted) {
        return { ...base, ok: false, error: { code: "not_posted", message: `Not posted: the batch is atomic and row ${stoppedAt! + 1} failed` } }
      }
      if (outcome?.ok) {
        return { ...base, ok: true, replayed: outcome.replayed, ...(outcome.transfer ? { transfer: outcome.transfer } : {}) }
      }
      // a dry run's row whose wallet would be opened when posting
      return { ...base, ok: true }
    })
    const failedRow = results.find((r) => !r.ok)
    const result: BulkCreditResult = {
      dry_run: input.dry_run,
      mode: input.mode,
      ok: !failedRow,
      // as the ledger's batches have it: only an atomic batch has a row that fails it
      failed_index: !atomic ? null : aborted ? stoppedAt : (failedRow?.index ?? null),
      counts: {
        ok: results.filter((r) => r.ok).length,
        failed: results.filter((r) => !r.ok).length,
        replayed: results.filter((r) => r.replayed).length,
      },
      results,
    }
    return new StepResponse(result, posted)
  },
  async (posted: string[] | undefined, { container }) => {
    if (!posted?.length) return
    const ledger = resolveLedger(container)
    for (const id of posted) {
      await ledger.reverse(id, { description: "Workflow rolled back", idempotency_key: `compensate:${id}` })
    }
  }
)
