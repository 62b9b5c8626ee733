import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import type LedgerModuleService from "../../../modules/ledger/service"
import { ledgerRoute } from "../../utils/ledger-route"
import { customerAccountsFilter, fieldsWithOwner, presentStoreAccount } from "./helpers"
import type { StoreGetAccountsParamsType } from "./validators"

/** The logged-in customer's accounts: owned and shared with them. */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, StoreGetAccountsParamsType>, res: MedusaResponse) => {
    const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
    const { data, metadata } = await query.graph({
      entity: "ledger_account",
      fields: fieldsWithOwner(req.queryConfig.fields),
      filters: { ...req.filterableFields, ...customerAccountsFilter(req) } as any,
      pagination: req.queryConfig.pagination,
    })
    // with the balance (not when `fields` leaves it out): the credit that expires next
    const withNext = req.queryConfig.fields.includes("balance")
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const next = withNext ? await ledger.nextExpiringOf(data.map((row: Record<string, any>) => row.id)) : null
    res.json({
      accounts: data.map((row: Record<string, any>) => {
        const account = presentStoreAccount(req, row)
        return next ? { ...account, next_expiring: next.get(row.id) ?? null } : account
      }),
      count: metadata?.count ?? data.length,
      limit: metadata?.take ?? req.queryConfig.pagination.take,
      offset: metadata?.skip ?? req.queryConfig.pagination.skip,
    })
  }
)
