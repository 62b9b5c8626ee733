import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { loggedSubscriber } from "../utils/logged-subscriber"
import { toDecimal } from "../modules/ledger/money"
import { captureOrderAccountPaymentsWorkflow } from "../workflows/capture-order-account-payments"
import { fetchLedgerOrder, paymentsOf } from "../workflows/order-payments/fetch-order"

/**
 * An order with nothing left to capture (paid entirely by account allocations, or by a
 * provider that captured at authorization, which emits no payment.captured) is paid
 * when placed.
 */
async function ledgerOrderPlaced({ event, container }: SubscriberArgs<{ id: string }>) {
  const order = await fetchLedgerOrder(container, event.data.id)
  const uncaptured = paymentsOf(order).some((p: any) => {
    if (p.canceled_at) return false
    const captured = (p.captures ?? []).reduce((sum: any, c: any) => sum.plus(toDecimal(c.amount)), toDecimal(0))
    return captured.lt(toDecimal(p.amount))
  })
  if (!uncaptured) {
    await captureOrderAccountPaymentsWorkflow(container).run({ input: { order_id: order.id } })
  }
}

export default loggedSubscriber("order.placed", ledgerOrderPlaced)

export const config: SubscriberConfig = { event: "order.placed" }
