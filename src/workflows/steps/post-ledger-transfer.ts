import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type LedgerModuleService from "../../modules/ledger/service"
import type { Amount, PostedTransferDTO, PostingOptions } from "../../modules/ledger/types"
import { resolveLedger } from "./resolve-ledger"

export type PostLedgerTransferStepInput = { options?: PostingOptions } & (
  | { action: "transfer"; source_id: string; destination_id: string; amount: Amount; kind?: "transfer" | "load" | "redemption" }
  | { action: "top_up"; account_id: string; amount: Amount; source_id?: string }
  | { action: "withdraw"; account_id: string; amount: Amount; destination_id?: string }
  | { action: "redeem"; account_id: string; amount: Amount }
  | { action: "refund"; transfer: string; amount: Amount }
  | { action: "reverse"; transfer: string }
)

function post(ledger: LedgerModuleService, input: PostLedgerTransferStepInput): Promise<PostedTransferDTO> {
  const options = input.options ?? {}
  switch (input.action) {
    case "transfer":
      return ledger.transfer(input.source_id, input.destination_id, input.amount, { ...options, kind: input.kind })
    case "top_up":
      return ledger.topUp(input.account_id, input.amount, { ...options, source_id: input.source_id })
    case "withdraw":
      return ledger.withdraw(input.account_id, input.amount, { ...options, destination_id: input.destination_id })
    case "redeem":
      return ledger.redeem(input.account_id, input.amount, options)
    case "refund":
      return ledger.refund(input.transfer, input.amount, options)
    case "reverse":
      return ledger.reverse(input.transfer, options)
  }
}

export const postLedgerTransferStepId = "post-ledger-transfer"

/**
 * Posts one transfer. Compensation reverses it, unless it was a replay of an earlier
 * posting (not this run's to undo) or is itself a refund or reversal (those are final).
 */
export const postLedgerTransferStep = createStep(
  postLedgerTransferStepId,
  async (input: PostLedgerTransferStepInput, { container }) => {
    const transfer = await post(resolveLedger(container), input)
    const undo = transfer.replayed || ["refund", "reversal"].includes(transfer.kind) ? null : transfer.id
    return new StepResponse(transfer, undo)
  },
  async (transferId: string | null, { container }) => {
    if (!transferId) {
      return
    }
    await resolveLedger(container).reverse(transferId, {
      description: "Workflow rolled back",
      idempotency_key: `compensate:${transferId}`,
    })
  }
)
