import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { AccountStatus } from "../../modules/ledger/types"
import { resolveLedger } from "./resolve-ledger"

export type SetLedgerAccountStatusStepInput = { id: string; status: AccountStatus }

const ACTIONS = { open: "thawAccount", frozen: "freezeAccount", closed: "closeAccount" } as const

/** Freezes, thaws or closes. Compensation puts a frozen/thawed account back; closing is final. */
export const setLedgerAccountStatusStep = createStep(
  "set-ledger-account-status",
  async (input: SetLedgerAccountStatusStepInput, { container }) => {
    const ledger = resolveLedger(container)
    const before = await ledger.getAccount(input.id)
    const account = await ledger[ACTIONS[input.status]](input.id)
    return new StepResponse(account, { id: input.id, previous: before.status, status: input.status })
  },
  async (data: { id: string; previous: AccountStatus; status: AccountStatus } | undefined, { container }) => {
    if (!data || data.status === "closed" || data.previous === data.status) {
      return
    }
    await resolveLedger(container)[ACTIONS[data.previous]](data.id)
  }
)
