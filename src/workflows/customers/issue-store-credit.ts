import { WorkflowData, WorkflowResponse, createWorkflow, transform } from "@medusajs/framework/workflows-sdk"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import type { Amount, PostingOptions } from "../../modules/ledger/types"
import { createLedgerAccountStep, postLedgerTransferStep } from "../steps"
import { ensureCustomerWalletStep } from "./steps/ensure-customer-wallet"

export type IssueStoreCreditInput = {
  customer_id: string
  currency_code: string
  amount: Amount
  /** "@bank" for money received, "@unpaid_source" for goodwill (the default) */
  source_id?: string
  options?: PostingOptions
}

/**
 * Credit into a customer's wallet, which is opened if they have none. Compose it where
 * store credit is granted; a later failing step reverses the credit.
 */
export const issueStoreCreditWorkflow = createWorkflow("issue-store-credit", (input: WorkflowData<IssueStoreCreditInput>) => {
  const wallet = ensureCustomerWalletStep({ customer_id: input.customer_id, currency_code: input.currency_code, amount: input.amount })
  const posting = transform({ input, wallet }, ({ input, wallet }) => ({
    action: "top_up" as const,
    account_id: wallet.id,
    amount: input.amount,
    source_id: input.source_id,
    options: { description: "Store credit", ...input.options },
  }))
  const transfer = postLedgerTransferStep(posting)
  return new WorkflowResponse({ wallet, transfer })
})

export type IssueDatedStoreCreditInput = Omit<IssueStoreCreditInput, "options"> & {
  end_date: Date | string
  name?: string
  description?: string | null
  idempotency_key?: string
  actor?: PostingOptions["actor"]
}

/**
 * Credit that expires on its own date goes into an account of its own (until credit lots
 * exist, an account expires as a whole), opened with the money in one step.
 */
export const issueDatedStoreCreditWorkflow = createWorkflow("issue-dated-store-credit", (input: WorkflowData<IssueDatedStoreCreditInput>) => {
  const account = createLedgerAccountStep(
    transform({ input }, ({ input }) => ({
      account: {
        name: input.name ?? "Store credit",
        currency_code: input.currency_code,
        customer_id: input.customer_id,
        end_date: input.end_date,
        description: input.description ?? null,
        initial_amount: input.amount,
        source_account_id: input.source_id,
        type_id: typeId(TYPE_CODES.storeCredit),
      },
      options: { actor: input.actor, idempotency_key: input.idempotency_key },
    }))
  )
  return new WorkflowResponse(account)
})
