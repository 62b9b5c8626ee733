import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { CODE_GUARD_MODULE } from "../../../../../modules/code-guard"
import type CodeGuardModuleService from "../../../../../modules/code-guard/service"
import { LedgerError } from "../../../../../modules/ledger/errors"
import { ledgerRoute } from "../../../../utils/ledger-route"
import type { AdminClearCodeGuardClientType } from "../validators"

/**
 * Forgets a client's failed code attempts, ending its cool-off or block: `{ client }` in
 * the body, exactly as the list shows it. 404 for a key that never attempted a code.
 */
export const POST = ledgerRoute(
  async (req: AuthenticatedMedusaRequest<AdminClearCodeGuardClientType>, res: MedusaResponse) => {
    const guard = req.scope.resolve<CodeGuardModuleService>(CODE_GUARD_MODULE)
    const { client } = req.validatedBody
    if (!(await guard.clearClient(client))) {
      throw new LedgerError("not_found", `No code attempts are recorded for ${client}`)
    }
    res.json({ client: { ...(await guard.getClientStatus(client)), blocked_until: null } })
  }
)
