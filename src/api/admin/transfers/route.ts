import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { postLedgerTransferWorkflow } from "../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../utils/actor"
import { ledgerRoute } from "../../utils/ledger-route"
import { queryList } from "../../utils/query-list"
import { serializeMoney } from "../../utils/serialize"
import type { AdminCreateTransferType, AdminGetTransfersParamsType } from "./validators"

export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetTransfersParamsType>, res: MedusaResponse) => {
    const { account_id, ...filters } = req.filterableFields as Record<string, any>
    if (account_id) filters.$or = [{ source_id: account_id }, { destination_id: account_id }]
    const { data, ...page } = await queryList(req, "ledger_transfer", filters)
    res.json({ transfers: data.map((t) => serializeMoney(t)), ...page })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateTransferType>, res: MedusaResponse) => {
    const { source_account_id, destination_account_id, amount, kind, idempotency_key, ...options } = req.validatedBody
    const { result } = await postLedgerTransferWorkflow(req.scope).run({
      input: {
        action: "transfer",
        source_id: source_account_id,
        destination_id: destination_account_id,
        amount,
        kind,
        options: { ...options, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
      },
    })
    res.json({ transfer: serializeMoney(result) })
  }
)
