import { completeCartWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { allocationsOf } from "../allocations/allowance"
import { placeAllocationHolds, releaseHolds } from "../allocations/holds"
import { resolveLedger } from "../steps/resolve-ledger"

/**
 * Completing a cart places a hold for each account allocation before the order is
 * created and any card is authorized. If one hold fails (the money was spent in another
 * tab), the ones already placed are released and checkout fails with the ledger's error;
 * if a later step of the completion fails, compensation releases them all.
 */
completeCartWorkflow.hooks.validate(
  async ({ cart }: { cart: any }, { container }) => {
    if (cart.completed_at || !allocationsOf(cart).length) {
      return new StepResponse([], [])
    }
    const holds = await placeAllocationHolds(resolveLedger(container), cart)
    return new StepResponse(holds, holds)
  },
  async (holds: string[] | undefined, { container }) => {
    if (holds?.length) {
      await releaseHolds(resolveLedger(container), holds)
    }
  }
)
