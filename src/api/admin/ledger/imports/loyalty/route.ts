import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { importLoyaltyBalancesWorkflow } from "../../../../../workflows/imports/workflows/import-loyalty-balances"
import { actorOf } from "../../../../utils/actor"
import { importRoute } from "../import-route"
import type { AdminImportLoyaltyType } from "../validators"

/**
 * Opens `@medusajs/loyalty-plugin`'s gift cards and store-credit accounts in the ledger:
 * `{ report }` (README "Importing balances"). 400 `loyalty_not_installed` without the plugin.
 */
export const POST = importRoute(async (req: AuthenticatedMedusaRequest<AdminImportLoyaltyType>, res: MedusaResponse) => {
  const { result } = await importLoyaltyBalancesWorkflow(req.scope).run({
    input: { dry_run: req.validatedBody.dry_run ?? false, mode: req.validatedBody.mode ?? "independent", actor: actorOf(req) },
  })
  res.json({ report: result })
})
