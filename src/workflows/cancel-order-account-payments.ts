import { WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { cancelOrderAllocationsStep, voidOrderGiftCardsStep } from "./order-payments/cancel-allocations"

export const cancelOrderAccountPaymentsWorkflowId = "cancel-ledger-order-payments"

/**
 * On order.canceled: gift cards voided, then allocation money back to each account.
 * Cards first: a card funded from the sales account gives that money back to it before
 * the allocations are paid out of it.
 */
export const cancelOrderAccountPaymentsWorkflow = createWorkflow(
  cancelOrderAccountPaymentsWorkflowId,
  (input: { order_id: string }) => {
    const giftCards = voidOrderGiftCardsStep(input)
    const allocations = cancelOrderAllocationsStep(input)
    return new WorkflowResponse({ allocations, gift_cards: giftCards })
  }
)
