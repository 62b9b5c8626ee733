import type { MedusaContainer } from "@medusajs/framework/types"
import type { BatchTransferInput } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"

export type { BatchItemResult, BatchMode, BatchResult } from "../../../modules/ledger/types"
export type BatchPostingItem = BatchTransferInput

/** The ledger service, for its batch postings (postBatch, checkBatch). */
export function batchLedger(container: MedusaContainer) {
  return resolveLedger(container)
}
