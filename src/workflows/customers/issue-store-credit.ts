import { WorkflowData, WorkflowResponse, createWorkflow, transform } from "@medusajs/framework/workflows-sdk"
import type { Amount, PostingOptions } from "../../modules/ledger/types"
import { postLedgerTransferStep } from "../steps"
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
 * Credit into a customer's wallet, which is opened if they have none; with
 * `options.expires_at` the credit is a lot of its own that lapses on that date. Compose it
 * where store credit is granted; a later failing step reverses the credit.
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
