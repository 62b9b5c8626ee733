import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LEDGER_MODULE } from "../../../modules/ledger"
import type LedgerModuleService from "../../../modules/ledger/service"
import { ledgerRoute } from "../../utils/ledger-route"
import type { AdminCreateAccountTypeType, AdminGetAccountTypesParamsType } from "./validators"

export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountTypesParamsType>, res: MedusaResponse) => {
    const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
    const { data, metadata } = await query.graph({
      entity: "ledger_account_type",
      fields: req.queryConfig.fields,
      filters: req.filterableFields,
      pagination: req.queryConfig.pagination,
    })
    res.json({
      account_types: data,
      count: metadata?.count ?? data.length,
      limit: metadata?.take ?? req.queryConfig.pagination.take,
      offset: metadata?.skip ?? req.queryConfig.pagination.skip,
    })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountTypeType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    res.json({ account_type: await ledger.createAccountType(req.validatedBody) })
  }
)
