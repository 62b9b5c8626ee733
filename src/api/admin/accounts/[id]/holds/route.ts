import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import type { AdminGetAccountHoldsParamsType } from "../../validators"

/** What a hold's reference names: allocations hold for a cart, the provider for a payment session. */
function referenceType(reference: string | null): "cart" | "order" | "payment_session" | null {
  if (!reference) return null
  if (reference.startsWith("cart_")) return "cart"
  if (reference.startsWith("order_")) return "order"
  if (reference.startsWith("payses_")) return "payment_session"
  return null
}

/**
 * The account's holds, newest first (`status` filters: open, captured, released, expired),
 * with what they reserve, until when, and what they are for. An open hold whose expiry
 * has passed is `expired: true` until the expiry job releases it.
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountHoldsParamsType>, res: MedusaResponse) => {
    const account = await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).getAccount(req.params.id)
    const { status, limit, offset } = req.validatedQuery
    const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
    const { data, metadata } = await query.graph({
      entity: "ledger_hold",
      fields: ["id", "amount", "captured_amount", "status", "expires_at", "reference", "transfer_id", "metadata", "created_at", "updated_at"],
      filters: { account_id: account.id, ...(status ? { status } : {}) },
      pagination: { skip: offset, take: limit, order: { created_at: "DESC", id: "DESC" } },
    })
    const transferIds = [...new Set(data.map((h: any) => h.transfer_id).filter(Boolean))] as string[]
    const references = new Map<string, string>()
    if (transferIds.length) {
      const { data: transfers } = await query.graph({
        entity: "ledger_transfer",
        fields: ["id", "reference"],
        filters: { id: transferIds },
        pagination: { skip: 0, take: transferIds.length },
      })
      for (const t of transfers) references.set(t.id, t.reference)
    }
    const now = Date.now()
    res.json({
      holds: data.map((h: any) => ({
        ...serializeMoney(h, account.currency_code),
        account_id: account.id,
        currency_code: account.currency_code,
        transfer_reference: (h.transfer_id && references.get(h.transfer_id)) ?? null,
        reference_type: referenceType(h.reference ?? null),
        expired: h.status === "open" && !!h.expires_at && new Date(h.expires_at).getTime() <= now,
      })),
      count: metadata?.count ?? data.length,
      limit,
      offset,
    })
  }
)
