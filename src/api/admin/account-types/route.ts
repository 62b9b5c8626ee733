import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../modules/ledger"
import type LedgerModuleService from "../../../modules/ledger/service"
import { ledgerRoute } from "../../utils/ledger-route"
import { queryList } from "../../utils/query-list"
import type { AdminCreateAccountTypeType, AdminGetAccountTypesParamsType } from "./validators"

export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountTypesParamsType>, res: MedusaResponse) => {
    const { data, ...page } = await queryList(req, "ledger_account_type", req.filterableFields)
    res.json({ account_types: data, ...page })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountTypeType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    res.json({ account_type: await ledger.createAccountType(req.validatedBody) })
  }
)
