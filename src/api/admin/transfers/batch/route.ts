import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postTransferBatchWorkflow } from "../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../utils/actor"
import { sendBatch } from "../../../utils/batch-response"
import { ledgerRoute } from "../../../utils/ledger-route"
import { serializeMoney } from "../../../utils/serialize"
import type { AdminPostTransferBatchType } from "../validators"

/**
 * Posts up to 1,000 transfers in one call: `independent` (default; each item posts or is
 * refused alone) or `atomic` (all or none). `idempotency_key` (or the Idempotency-Key
 * header) names the batch: a retry replays it. `dry_run` answers without writing.
 */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminPostTransferBatchType>, res: MedusaResponse) => {
    const { transfers, mode, idempotency_key, dry_run } = req.validatedBody
    const { result } = await postTransferBatchWorkflow(req.scope).run({
      input: {
        transfers,
        dry_run,
        options: { mode, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
      },
    })
    sendBatch(res, result, ({ transfer, ...r }) => ({ ...r, transfer: serializeMoney(transfer) }))
  }
)
