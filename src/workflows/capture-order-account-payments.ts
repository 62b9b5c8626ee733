import { WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { captureAccountPaymentsStep } from "./order-payments/capture-account-payments"
import { captureOrderAllocationsStep } from "./order-payments/capture-allocations"
import { issueGiftCardsStep } from "./order-payments/issue-gift-cards"

export const captureOrderAccountPaymentsWorkflowId = "capture-ledger-order-payments"

/**
 * Money follows a paid order: allocation holds become transfers to the sales account,
 * account-provider captures are posted, gift cards bought in the order are issued.
 * Idempotent end to end, so it runs on payment.captured and on order.placed alike.
 */
export const captureOrderAccountPaymentsWorkflow = createWorkflow(
  captureOrderAccountPaymentsWorkflowId,
  (input: { order_id: string }) => {
    const allocations = captureOrderAllocationsStep(input)
    const payments = captureAccountPaymentsStep(input)
    const giftCards = issueGiftCardsStep(input)
    return new WorkflowResponse({ allocations, payments, gift_cards: giftCards })
  }
)
