import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CODE_GUARD_MODULE } from "../../../../../modules/code-guard"
import type CodeGuardModuleService from "../../../../../modules/code-guard/service"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminGetCodeGuardClientsParamsType } from "../validators"

/**
 * The code guard's clients with failed code attempts on record (addresses, `customer:<id>`,
 * `cart:<id>`, `payment_collection:<id>`), the latest failure first, with their state now.
 */
export const GET = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<unknown, AdminGetCodeGuardClientsParamsType>, res: MedusaResponse) => {
    const guard = req.scope.resolve<CodeGuardModuleService>(CODE_GUARD_MODULE)
    const { clients, ...page } = await guard.listClients(req.validatedQuery)
    const o = guard.guardOptions
    res.json({
      clients,
      ...page,
      rules: {
        max_consecutive_failures: o.maxConsecutiveFailures,
        cool_off_seconds: o.coolOffSeconds,
        max_failures: o.maxFailures,
        block_seconds: o.blockSeconds,
      },
    })
  }
)
