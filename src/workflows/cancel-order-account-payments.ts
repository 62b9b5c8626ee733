import { WorkflowResponse, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { cancelOrderAllocationsStep, voidOrderGiftCardsStep } from "./order-payments/cancel-allocations"

export const cancelOrderAccountPaymentsWorkflowId = "cancel-ledger-order-payments"

/** On order.canceled: allocation money back to each account, gift cards voided. */
export const cancelOrderAccountPaymentsWorkflow = createWorkflow(
  cancelOrderAccountPaymentsWorkflowId,
  (input: { order_id: string }) => {
    const allocations = cancelOrderAllocationsStep(input)
    const giftCards = voidOrderGiftCardsStep(input)
    return new WorkflowResponse({ allocations, gift_cards: giftCards })
  }
)
