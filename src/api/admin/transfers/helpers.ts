import type { MedusaRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import { LedgerError } from "../../../modules/ledger/errors"
import type LedgerModuleService from "../../../modules/ledger/service"
import { authorisedByOf } from "../../utils/admin-extras"
import { serializeMoney } from "../../utils/serialize"
import { retrieveAdminTransferQueryConfig } from "./query-config"

/**
 * What the admin API adds to a transfer besides its columns: `authorised_by` ({ type:
 * user | customer | api_key | system, id, email }) and the `source` and `destination`
 * accounts ({ id, name, code, role }).
 */
export const TRANSFER_EXTRAS = ["authorised_by", "source", "destination"] as const
export type TransferExtra = (typeof TRANSFER_EXTRAS)[number]

export type AccountLabel = { id: string; name: string; code: string | null; role: string | null }

/** Name, code and role of these accounts, in one query. */
export async function accountLabels(req: MedusaRequest, ids: (string | null | undefined)[]): Promise<Map<string, AccountLabel>> {
  const unique = [...new Set(ids.filter((id): id is string => !!id))]
  if (!unique.length) {
    return new Map()
  }
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: ["id", "name", "code", "role"],
    filters: { id: unique },
    pagination: { skip: 0, take: unique.length },
  })
  return new Map(data.map((a: any) => [a.id, { id: a.id, name: a.name, code: a.code ?? null, role: a.role ?? null }]))
}

/** Serialized transfers with the wanted extras: one query per kind of extra for the whole page. */
export async function withTransferExtras(req: MedusaRequest, rows: Record<string, any>[], wanted: Set<TransferExtra>) {
  const [actors, accounts] = await Promise.all([
    wanted.has("authorised_by") ? authorisedByOf(req, rows) : Promise.resolve([]),
    wanted.has("source") || wanted.has("destination")
      ? accountLabels(req, rows.flatMap((t) => [t.source_id, t.destination_id]))
      : Promise.resolve(new Map<string, AccountLabel>()),
  ])
  return rows.map((t, i) => {
    const out: Record<string, any> = serializeMoney(t)
    if (wanted.has("authorised_by")) out.authorised_by = actors[i]
    if (wanted.has("source")) out.source = accounts.get(t.source_id) ?? null
    if (wanted.has("destination")) out.destination = accounts.get(t.destination_id) ?? null
    return out
  })
}

const RELATIVE_FIELDS = ["id", "reference", "kind", "amount", "currency_code", "merchant_reference", "description", "created_at"]

/**
 * A transfer by reference (or id) with its entries, the transfer it undoes (`parent`), its
 * refunds and reversal (`children`, also as `refunds`), how much of it can still be
 * refunded, its accounts and who made it; 404 when unknown.
 */
export async function retrieveTransfer(req: MedusaRequest, referenceOrId: string, fields?: string[]) {
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const wanted = fields ?? req.queryConfig?.fields ?? retrieveAdminTransferQueryConfig.defaults
  const { data } = await query.graph({
    entity: "ledger_transfer",
    fields: [...new Set([...wanted.filter((f) => !(TRANSFER_EXTRAS as readonly string[]).includes(f.split(".")[0])), "id", "parent_id", "source_id", "destination_id", "actor_type", "actor_id"])],
    filters: { $or: [{ reference: referenceOrId }, { id: referenceOrId }] },
  })
  if (!data.length) {
    throw new LedgerError("not_found", `Transfer ${referenceOrId} not found`)
  }
  const transfer = data[0]
  const [{ data: children }, { data: parents }] = await Promise.all([
    query.graph({
      entity: "ledger_transfer",
      fields: RELATIVE_FIELDS,
      filters: { parent_id: transfer.id },
      pagination: { skip: 0, take: 1000, order: { created_at: "ASC", id: "ASC" } },
    }),
    transfer.parent_id
      ? query.graph({ entity: "ledger_transfer", fields: RELATIVE_FIELDS, filters: { id: transfer.parent_id } })
      : Promise.resolve({ data: [] as any[] }),
  ])
  const [presented] = await withTransferExtras(req, [transfer], new Set(TRANSFER_EXTRAS))
  const related = children.map((c: any) => serializeMoney(c))
  return {
    ...presented,
    parent: parents[0] ? serializeMoney(parents[0]) : null,
    children: related,
    refunds: related,
    refundable_amount: await ledger.refundableAmount(transfer.id),
  }
}
