import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_ERROR_CODES, isLedgerErrorCode, ledgerHttpStatus } from "../../../../modules/ledger/errors"
import { bulkCreditWorkflow } from "../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../utils/actor"
import { ledgerRoute } from "../../../utils/ledger-route"
import type { AdminBulkCreditType } from "./validators"

/**
 * Credits many customers (by email or id) or accounts at once: `dry_run` checks every row
 * and writes nothing; `independent` (default) posts the good rows and reports the others;
 * `atomic` posts all or nothing. Answers 200 with a verdict per row, except an atomic batch
 * that failed: the failing row's status with its `{ type, code, message }` and the verdicts.
 */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminBulkCreditType>, res: MedusaResponse) => {
  const body = req.validatedBody
  const { result } = await bulkCreditWorkflow(req.scope).run({
    input: {
      currency_code: body.currency_code,
      source_account_id: body.source_account_id,
      rows: body.rows,
      dry_run: body.dry_run,
      mode: body.mode,
      idempotency_key: idempotencyKeyOf(req, body),
      actor: actorOf(req),
      expires_at: body.expires_at ?? null,
    },
  })
  if (!result.dry_run && result.mode === "atomic" && !result.ok && result.failed_index !== null) {
    const failed = result.results[result.failed_index]
    const code = failed?.error?.code ?? "invalid_request"
    const status = isLedgerErrorCode(code) ? ledgerHttpStatus(code) : code === "customer_not_found" ? 404 : 400
    const type = isLedgerErrorCode(code) ? LEDGER_ERROR_CODES[code] : status === 404 ? "not_found" : "invalid_data"
    res.status(status).json({ type, code, message: failed?.error?.message ?? "The batch failed", index: result.failed_index, line: failed?.line ?? null, ...result })
    return
  }
  res.json(result)
})
