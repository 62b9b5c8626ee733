import {
  createCartCreditLinesWorkflow,
  deleteCartCreditLinesWorkflow,
  refreshPaymentCollectionForCartWorkflow,
} from "@medusajs/medusa/core-flows"
import { WorkflowResponse, createWorkflow, transform, when } from "@medusajs/framework/workflows-sdk"
import { PrepareCartAllocationInput, prepareCartAllocationStep } from "./steps/prepare-cart-allocation"

export const allocateAccountToCartWorkflowId = "allocate-ledger-account-to-cart"

/**
 * Applies an account (by id or code) to a cart as a credit line, so the cart's payment
 * provider is asked only for the rest. Re-applying an account replaces its allocation.
 * Holds are placed when the cart is completed (see hooks/complete-cart.ts).
 */
export const allocateAccountToCartWorkflow = createWorkflow(
  allocateAccountToCartWorkflowId,
  (input: PrepareCartAllocationInput) => {
    const prepared = prepareCartAllocationStep(input)
    when({ prepared }, ({ prepared }) => prepared.replaces.length > 0).then(() => {
      deleteCartCreditLinesWorkflow.runAsStep({ input: transform({ prepared }, ({ prepared }) => ({ id: prepared.replaces })) })
    })
    const created = createCartCreditLinesWorkflow.runAsStep({
      input: transform({ prepared }, ({ prepared }) => [prepared.credit_line] as any),
    })
    refreshPaymentCollectionForCartWorkflow.runAsStep({ input: { cart_id: input.cart_id } })
    return new WorkflowResponse(transform({ created }, ({ created }) => created[0]))
  }
)
