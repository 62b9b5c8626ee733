import type { MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_ERROR_CODES, isLedgerErrorCode, ledgerHttpStatus } from "../../modules/ledger/errors"
import type { BatchItemResult, BatchResult } from "../../modules/ledger/types"

/**
 * Sends a batch's answer: 200 with a result per item, in order. An atomic batch that
 * wrote nothing because an item was refused answers with that item's status and
 * `{ type, code, message, index }` besides the results, as a single call would have.
 */
export function sendBatch<T, U>(res: MedusaResponse, result: BatchResult<T>, present: (item: BatchItemResult<T> & { ok: true }) => U) {
  const body = {
    ...result,
    results: result.results.map((r) => (r.ok ? present(r as BatchItemResult<T> & { ok: true }) : r)),
  }
  if (result.failed_index === null) {
    return res.status(200).json(body)
  }
  const failed = result.results[result.failed_index]
  const error = failed.ok ? { code: "invalid_request", message: "" } : failed.error
  const code = isLedgerErrorCode(error.code) ? error.code : null
  res.status(code ? ledgerHttpStatus(code) : 400).json({
    type: code ? LEDGER_ERROR_CODES[code] : "invalid_data",
    code: error.code,
    message: `Item ${result.failed_index}: ${error.message}`,
    index: result.failed_index,
    ...body,
  })
}
