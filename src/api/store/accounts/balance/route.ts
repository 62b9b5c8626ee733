import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { guardCodeLookup } from "../../../../modules/code-guard"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import { LedgerError } from "../../../../modules/ledger/errors"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { ledgerRoute } from "../../../utils/ledger-route"
import type { StoreCheckBalanceType } from "../validators"

/**
 * Gift card balance by code, for anyone holding the code (publishable key only). Guarded
 * against guessing: unknown codes count against the client's address (and the customer,
 * if logged in), and a blocked client gets 429 whether or not the code exists.
 */
export const POST = ledgerRoute(async (req: MedusaRequest<StoreCheckBalanceType>, res: MedusaResponse) => {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  const account = await guardCodeLookup(req, async () => {
    const found = await ledger.getAccountByCode(req.validatedBody.code)
    if (found.role) {
      throw new LedgerError("not_found", "No account has that code")
    }
    return found
  })
  res.json({
    account: {
      code: ledger.formatCode(account.code),
      balance: account.balance,
      available: account.available,
      currency_code: account.currency_code,
      status: account.status,
      end_date: account.end_date,
    },
  })
})
