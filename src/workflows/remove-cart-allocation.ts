import { deleteCartCreditLinesWorkflow, refreshPaymentCollectionForCartWorkflow } from "@medusajs/medusa/core-flows"
import { WorkflowResponse, createStep, createWorkflow, StepResponse } from "@medusajs/framework/workflows-sdk"
import { LedgerError } from "../modules/ledger/errors"
import { allocationsOf } from "./allocations/allowance"
import { fetchAllocationCart } from "./steps/prepare-cart-allocation"

export const removeCartAllocationWorkflowId = "remove-ledger-cart-allocation"

const findCartAllocationStep = createStep(
  "find-ledger-cart-allocation",
  async (input: { cart_id: string; allocation_id: string }, { container }) => {
    const cart = await fetchAllocationCart(container, input.cart_id)
    if (cart.completed_at) {
      throw new LedgerError("invalid_request", `Cart ${cart.id} is already completed`)
    }
    if (!allocationsOf(cart).some((l) => l.id === input.allocation_id)) {
      throw new LedgerError("not_found", `Allocation ${input.allocation_id} not found on cart ${cart.id}`)
    }
    return new StepResponse(input.allocation_id)
  }
)

/** Takes an account allocation (a cart credit line) off a cart. */
export const removeCartAllocationWorkflow = createWorkflow(
  removeCartAllocationWorkflowId,
  (input: { cart_id: string; allocation_id: string }) => {
    const id = findCartAllocationStep(input)
    deleteCartCreditLinesWorkflow.runAsStep({ input: { id: [id] as any } })
    refreshPaymentCollectionForCartWorkflow.runAsStep({ input: { cart_id: input.cart_id } })
    return new WorkflowResponse(id)
  }
)
