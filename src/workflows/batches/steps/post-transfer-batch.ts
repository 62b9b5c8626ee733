import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { BatchOptions, BatchTransferInput } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"

export type PostTransferBatchStepInput = { transfers: BatchTransferInput[]; options?: BatchOptions; dry_run?: boolean }

/**
 * Posts a batch of transfers (postBatch), or answers what it would do (dry_run). The
 * compensation reverses what this run posted, replays aside (not this run's to undo).
 */
export const postTransferBatchStep = createStep(
  "post-ledger-transfer-batch",
  async (input: PostTransferBatchStepInput, { container }) => {
    const ledger = resolveLedger(container)
    if (input.dry_run) {
      return new StepResponse(await ledger.checkBatch(input.transfers, input.options), [] as string[])
    }
    const result = await ledger.postBatch(input.transfers, input.options)
    const posted = result.results.flatMap((r) => (r.ok && !r.replayed ? [r.transfer.id] : []))
    return new StepResponse(result, posted)
  },
  async (posted: string[] | undefined, { container }) => {
    const ledger = resolveLedger(container)
    for (const id of posted ?? []) {
      await ledger.reverse(id, { description: "Workflow rolled back", idempotency_key: `compensate:${id}` })
    }
  }
)
