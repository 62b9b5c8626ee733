import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../../../modules/ledger"
import type LedgerModuleService from "../../../../../modules/ledger/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminGetAccountOrdersParamsType } from "../../validators"

/**
 * The orders the account paid for (its redemptions and captures whose merchant reference
 * is an order id), most recently paid first: per order what was paid and what was
 * refunded or reversed, with the order's display id, email and date from Medusa's order
 * module (`order: null` when the order is not there).
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountOrdersParamsType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const { orders, ...page } = await ledger.accountOrders(req.params.id, req.validatedQuery)
    const ids = orders.map((o) => o.order_id)
    const byId = new Map<string, any>()
    if (ids.length) {
      const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({
        entity: "order",
        fields: ["id", "display_id", "email", "status", "currency_code", "created_at"],
        filters: { id: ids },
        pagination: { skip: 0, take: ids.length },
      })
      for (const o of data) byId.set(o.id, o)
    }
    res.json({
      orders: orders.map((o) => {
        const order = byId.get(o.order_id)
        return {
          ...o,
          order: order
            ? { id: order.id, display_id: order.display_id, email: order.email ?? null, status: order.status, created_at: order.created_at }
            : null,
        }
      }),
      ...page,
    })
  }
)
