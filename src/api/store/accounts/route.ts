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
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const next = await ledger.nextExpiringOf(data.map((row: Record<string, any>) => row.id))
    res.json({
      accounts: data.map((row: Record<string, any>) => ({ ...presentStoreAccount(req, row), next_expiring: next.get(row.id) ?? null })),
      count: metadata?.count ?? data.length,
      limit: metadata?.take ?? req.queryConfig.pagination.take,
      offset: metadata?.skip ?? req.queryConfig.pagination.skip,
    })
  }
)
