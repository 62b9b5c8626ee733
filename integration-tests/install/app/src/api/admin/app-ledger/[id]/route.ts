import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { LedgerModuleService } from "medusa-accounts/modules/ledger"
import { LEDGER_MODULE, LedgerError } from "medusa-accounts/modules/ledger"
import type { AccountPaymentData } from "medusa-accounts/providers/account"
import { postLedgerTransferWorkflow } from "medusa-accounts/workflows"

// The app's own code using the plugin's exports: the service and its error, and a workflow.

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const ledger = req.scope.resolve<LedgerModuleService>(LEDGER_MODULE)
  try {
    const { balance, available, currency_code } = await ledger.getBalance(req.params.id)
    // What the account provider keeps on a payment session, typed from the provider's export.
    const session: Pick<AccountPaymentData, "account_id" | "currency_code"> = { account_id: req.params.id, currency_code }
    res.json({ balance, available, session })
  } catch (e) {
    if (e instanceof LedgerError && e.code === "not_found") {
      res.status(404).json({ code: e.code })
      return
    }
    throw e
  }
}

export async function POST(req: MedusaRequest<{ amount: string }>, res: MedusaResponse) {
  const { result } = await postLedgerTransferWorkflow(req.scope).run({
    input: { action: "top_up", account_id: req.params.id, amount: req.body.amount, source_id: "@bank" },
  })
  res.json({ reference: result.reference, amount: result.amount })
}
