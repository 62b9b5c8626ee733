import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { containsPattern, isEntityId } from "../../../modules/ledger/admin-reads"
import { postLedgerTransferWorkflow } from "../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../utils/actor"
import { wantedExtras } from "../../utils/admin-extras"
import { CSV_MAX_ROWS, CsvColumn, sendCsv } from "../../utils/csv"
import { ledgerRoute } from "../../utils/ledger-route"
import { queryList } from "../../utils/query-list"
import { serializeMoney } from "../../utils/serialize"
import { TRANSFER_EXTRAS, withTransferExtras } from "./helpers"
import { defaultAdminTransferFields } from "./query-config"
import type { AdminCreateTransferType, AdminGetTransfersParamsType } from "./validators"

const CSV_COLUMNS: CsvColumn<Record<string, any>>[] = [
  ["reference", (t) => t.reference],
  ["created_at", (t) => t.created_at],
  ["kind", (t) => t.kind],
  ["amount", (t) => t.amount],
  ["currency_code", (t) => t.currency_code],
  ["source_id", (t) => t.source_id],
  ["source_name", (t) => t.source?.name],
  ["destination_id", (t) => t.destination_id],
  ["destination_name", (t) => t.destination?.name],
  ["merchant_reference", (t) => t.merchant_reference],
  ["description", (t) => t.description],
  ["parent_id", (t) => t.parent_id],
  ["authorised_by_type", (t) => t.authorised_by?.type],
  ["authorised_by_id", (t) => t.authorised_by?.id],
  ["authorised_by_email", (t) => t.authorised_by?.email],
  ["id", (t) => t.id],
]

/**
 * What `q` matches. Something shaped like a reference (16 letters and digits, dashes and
 * spaces ignored) or an id (an order's, a transfer's) is looked up exactly, by index: the
 * reference, the id or the merchant reference. Other text is searched for in the merchant
 * reference and the description (which reads every transfer the other filters leave).
 */
function transferSearch(text: string): Record<string, unknown>[] {
  const reference = text.replace(/[\s-]/g, "").toUpperCase()
  if (isEntityId(text)) {
    return [{ id: text }, { merchant_reference: text }]
  }
  if (/^[0-9A-Z]{16}$/.test(reference)) {
    return [{ reference }, { merchant_reference: text }]
  }
  const pattern = containsPattern(text)
  return [{ reference }, { merchant_reference: { $ilike: pattern } }, { description: { $ilike: pattern } }]
}

/**
 * Transfers, newest first unless `order` says otherwise, with who made each and the names
 * of their accounts. `format=csv` sends every matching transfer (up to CSV_MAX_ROWS).
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetTransfersParamsType>, res: MedusaResponse) => {
    const { account_id, q, order_id, format, currency_code, ...filters } = req.filterableFields as Record<string, any>
    const and: Record<string, unknown>[] = []
    if (account_id) {
      and.push({ $or: [{ source_id: account_id }, { destination_id: account_id }] })
    }
    if (typeof q === "string" && q.trim()) {
      and.push({ $or: transferSearch(q.trim()) })
    }
    if (order_id) {
      and.push({ merchant_reference: order_id })
    }
    if (currency_code) {
      filters.currency_code = [currency_code].flat().map((c: string) => c.toLowerCase())
    }
    if (and.length) {
      filters.$and = and
    }
    const csv = format === "csv"
    const wanted = csv ? new Set(TRANSFER_EXTRAS) : wantedExtras(req, TRANSFER_EXTRAS)
    const pagination = req.queryConfig.pagination
    const order = pagination.order && Object.keys(pagination.order).length ? pagination.order : { created_at: "DESC" }
    const direction = Object.values(order)[0]
    req.queryConfig = {
      ...req.queryConfig,
      fields: [
        ...new Set([
          ...(csv ? defaultAdminTransferFields : req.queryConfig.fields).filter((f) => !(TRANSFER_EXTRAS as readonly string[]).includes(f.split(".")[0])),
          "id",
          ...(wanted.has("authorised_by") ? ["actor_type", "actor_id"] : []),
          ...(wanted.has("source") ? ["source_id"] : []),
          ...(wanted.has("destination") ? ["destination_id"] : []),
        ]),
      ],
      // the id breaks ties, so pages never overlap
      pagination: { skip: csv ? 0 : pagination.skip, take: csv ? CSV_MAX_ROWS : pagination.take, order: { ...order, id: direction } },
    }
    const { data, ...page } = await queryList(req, "ledger_transfer", filters)
    const transfers = await withTransferExtras(req, data, wanted)
    if (csv) {
      return sendCsv(res, "transfers", CSV_COLUMNS, transfers, page.count)
    }
    res.json({ transfers, ...page })
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
