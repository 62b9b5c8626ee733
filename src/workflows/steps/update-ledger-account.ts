import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { UpdateAccountInput } from "../../modules/ledger/types"
import { resolveLedger } from "./resolve-ledger"

export type UpdateLedgerAccountStepInput = { id: string; data: UpdateAccountInput }

/** Updates an account's details. Compensation restores the fields it changed. */
export const updateLedgerAccountStep = createStep(
  "update-ledger-account",
  async (input: UpdateLedgerAccountStepInput, { container }) => {
    const ledger = resolveLedger(container)
    const before: Record<string, any> = await ledger.getAccount(input.id)
    const previous: UpdateAccountInput = {}
    for (const key of Object.keys(input.data) as (keyof UpdateAccountInput)[]) {
      if (key === "member_ids") {
        previous.member_ids = (await ledger.getAccountCustomerIds(input.id)).filter((c) => c !== before.customer_id)
      } else {
        ;(previous as any)[key] = before[key]
      }
    }
    const account = await ledger.updateAccount(input.id, input.data)
    return new StepResponse(account, { id: input.id, previous })
  },
  async (data: { id: string; previous: UpdateAccountInput } | undefined, { container }) => {
    if (data) {
      await resolveLedger(container).updateAccount(data.id, data.previous)
    }
  }
)
