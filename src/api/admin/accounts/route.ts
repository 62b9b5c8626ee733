import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { normalizeCode } from "../../../modules/ledger/codes"
import { createLedgerAccountWorkflow } from "../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../utils/actor"
import { ledgerRoute } from "../../utils/ledger-route"
import { queryList } from "../../utils/query-list"
import { retrieveAdminAccountQueryConfig } from "./query-config"
import { presentAccounts, retrieveAccount } from "./helpers"
import type { AdminCreateAccountType, AdminGetAccountsParamsType } from "./validators"

export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetAccountsParamsType>, res: MedusaResponse) => {
    const { customer_id, is_core, code, account_type_id, ...filters } = req.filterableFields as Record<string, any>
    if (code) filters.code = normalizeCode(code)
    if (account_type_id) filters.type_id = account_type_id
    if (is_core !== undefined) filters.role = is_core ? { $ne: null } : null
    if (customer_id) filters.$or = [{ customer_id }, { members: { customer_id } }]
    const { data, ...page } = await queryList(req, "ledger_account", filters)
    res.json({ accounts: await presentAccounts(req, data), ...page })
  }
)

export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountType>, res: MedusaResponse) => {
    const { account_type_id, idempotency_key, ...body } = req.validatedBody
    const { result } = await createLedgerAccountWorkflow(req.scope).run({
      input: {
        account: { ...body, type_id: account_type_id },
        options: { actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
      },
    })
    const account = await retrieveAccount(req, result.id, retrieveAdminAccountQueryConfig.defaults)
    res.status(200).json({ account })
  }
)
