import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LedgerError } from "../../../../../modules/ledger/errors"
import { issueStoreCreditWorkflow } from "../../../../../workflows"
import { actorOf, idempotencyKeyOf } from "../../../../utils/actor"
import { ledgerRoute } from "../../../../utils/ledger-route"
import { serializeMoney } from "../../../../utils/serialize"
import { retrieveAccount } from "../../../accounts/helpers"
import { retrieveAdminAccountQueryConfig } from "../../../accounts/query-config"
import type { AdminIssueStoreCreditType } from "./validators"

const SOURCE = { received: "@bank", goodwill: "@unpaid_source" } as const

/**
 * Issues store credit to a customer: into their wallet (opened if missing); with
 * `expires_at`, as a lot of the wallet that lapses on that date.
 */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminIssueStoreCreditType>, res: MedusaResponse) => {
  const { amount, currency_code, source, expires_at, description, idempotency_key } = req.validatedBody
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "customer", fields: ["id"], filters: { id: req.params.id } })
  if (!data.length) {
    throw new LedgerError("not_found", `Customer ${req.params.id} not found`)
  }
  const key = idempotencyKeyOf(req, { idempotency_key })
  const actor = actorOf(req)
  const { result } = await issueStoreCreditWorkflow(req.scope).run({
    input: {
      customer_id: req.params.id,
      currency_code,
      amount,
      source_id: SOURCE[source],
      options: { description: description ?? "Store credit", idempotency_key: key, actor, expires_at: expires_at ?? null },
    },
  })
  const accountId = result.wallet.id
  const transfer = serializeMoney(result.transfer as any)
  res.json({ account: await retrieveAccount(req, accountId, retrieveAdminAccountQueryConfig.defaults), transfer })
})
