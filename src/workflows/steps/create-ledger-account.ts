import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { CreateAccountInput, PostingOptions } from "../../modules/ledger/types"
import { resolveLedger } from "./resolve-ledger"

export type CreateLedgerAccountStepInput = { account: CreateAccountInput; options?: PostingOptions }

/** Creates an account (and its initial load). Compensation takes the load back and closes it. */
export const createLedgerAccountStep = createStep(
  "create-ledger-account",
  async (input: CreateLedgerAccountStepInput, { container }) => {
    const account = await resolveLedger(container).createAccount(input.account, input.options)
    return new StepResponse(account, account.id)
  },
  async (accountId: string | undefined, { container }) => {
    if (!accountId) {
      return
    }
    const ledger = resolveLedger(container)
    const loads = await ledger.listLedgerTransfers({ destination_id: accountId, kind: "load" })
    for (const load of loads) {
      await ledger.reverse(load.id, { description: "Workflow rolled back", idempotency_key: `compensate:${load.id}` })
    }
    await ledger.closeAccount(accountId)
  }
)
