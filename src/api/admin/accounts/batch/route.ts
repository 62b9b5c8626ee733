import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { createAccountBatchWorkflow } from "../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../utils/actor"
import { sendBatch } from "../../../utils/batch-response"
import { ledgerRoute } from "../../../utils/ledger-route"
import { serializeAccount } from "../../../utils/serialize"
import { accountsByIds } from "../helpers"
import { defaultAdminAccountFields } from "../query-config"
import type { AdminCreateAccountBatchType } from "../validators"

/**
 * Creates up to 1,000 accounts in one call, each as POST /admin/accounts would (gift cards
 * with `generate_code`, customers' wallets, initial loads from `@bank` or
 * `@unpaid_source`); `independent` or `atomic`, idempotent, `dry_run` as for transfers.
 */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminCreateAccountBatchType>, res: MedusaResponse) => {
    const { accounts, mode, idempotency_key, dry_run } = req.validatedBody
    const { result } = await createAccountBatchWorkflow(req.scope).run({
      input: {
        accounts: accounts.map(({ account_type_id, ...account }) => ({ ...account, type_id: account_type_id })),
        dry_run,
        options: { mode, actor: actorOf(req), idempotency_key: idempotencyKeyOf(req, { idempotency_key }) },
      },
    })
    // Written accounts as GET /admin/accounts shows them (a dry run's were never written).
    const ids = dry_run ? [] : result.results.flatMap((r) => (r.ok ? [r.account.id] : []))
    const shown = new Map((await accountsByIds(req, ids, defaultAdminAccountFields)).map((a) => [a.id, a]))
    sendBatch(res, result, ({ account, ...r }) => ({ ...r, account: shown.get(account.id) ?? serializeAccount(account) }))
  }
)
