import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { allocationHoldsOf } from "../allocations/holds"
import { resolveLedger } from "../steps/resolve-ledger"
import { fetchLedgerOrder, orderLabel } from "./fetch-order"

/**
 * Captures the order's open allocation holds into transfers to the sales account, each
 * keyed by its hold, so a redelivered event or a retried run moves the money once.
 * Compensation reverses what this run posted.
 */
export const captureOrderAllocationsStep = createStep(
  "capture-ledger-order-allocations",
  async (input: { order_id: string }, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    if (!order.cart?.id) {
      return new StepResponse([], [])
    }
    const holds = (await allocationHoldsOf(ledger, order.cart.id)).filter((h: any) => h.status === "open")
    const posted: string[] = []
    const transfers = []
    for (const hold of holds) {
      const transfer = await ledger.capture(hold.id, {
        idempotency_key: `order-capture:${hold.id}`,
        merchant_reference: order.id,
        description: `${orderLabel(order)} paid from account`,
        metadata: { order_id: order.id },
      })
      transfers.push(transfer)
      if (!transfer.replayed) posted.push(transfer.id)
    }
    return new StepResponse(transfers, posted)
  },
  async (posted: string[] | undefined, { container }) => {
    const ledger = resolveLedger(container)
    for (const id of posted ?? []) {
      await ledger.reverse(id, { idempotency_key: `compensate:${id}`, description: "Order capture undone" })
    }
  }
)
