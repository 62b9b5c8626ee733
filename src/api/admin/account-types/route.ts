import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../modules/ledger"
import type LedgerModuleService from "../../../modules/ledger/service"
import { ledgerRoute } from "../../utils/ledger-route"
import { queryList } from "../../utils/query-list"
import type { AdminCreateAccountTypeType, AdminGetAccountTypesParamsType } from "./validators"

/**
 * The chart of accounts, flat, with what a tree needs: `parent_id`, `path`, `depth` (0 for
 * a root) and `account_count` (accounts of exactly this type; add the children's for a subtree).
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountTypesParamsType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    const [{ data, ...page }, stats] = await Promise.all([
      queryList(req, "ledger_account_type", req.filterableFields),
      ledger.accountTypeStats(),
    ])
    res.json({
      account_types: data.map((t) => ({ ...t, depth: stats[t.id]?.depth ?? null, account_count: stats[t.id]?.account_count ?? 0 })),
      ...page,
    })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountTypeType>, res: MedusaResponse) => {
    const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
    res.json({ account_type: await ledger.createAccountType(req.validatedBody) })
  }
)
