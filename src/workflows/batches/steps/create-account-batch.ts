import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { BatchAccountInput, BatchOptions } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"

export type CreateAccountBatchStepInput = { accounts: BatchAccountInput[]; options?: BatchOptions; dry_run?: boolean }

/**
 * Creates a batch of accounts with their initial loads (createAccounts), or answers what
 * it would do (dry_run). The compensation takes back the loads of the accounts this run
 * created and closes them, as for one account.
 */
export const createAccountBatchStep = createStep(
  "create-ledger-account-batch",
  async (input: CreateAccountBatchStepInput, { container }) => {
    const ledger = resolveLedger(container)
    if (input.dry_run) {
      return new StepResponse(await ledger.checkAccounts(input.accounts, input.options), [] as string[])
    }
    const result = await ledger.createAccounts(input.accounts, input.options)
    const created = result.results.flatMap((r) => (r.ok && !r.replayed ? [r.account.id] : []))
    return new StepResponse(result, created)
  },
  async (created: string[] | undefined, { container }) => {
    const ledger = resolveLedger(container)
    for (const id of created ?? []) {
      for (const load of await ledger.listLedgerTransfers({ destination_id: id, kind: "load" })) {
        await ledger.reverse(load.id, { description: "Workflow rolled back", idempotency_key: `compensate:${load.id}` })
      }
      await ledger.closeAccount(id)
    }
  }
)
