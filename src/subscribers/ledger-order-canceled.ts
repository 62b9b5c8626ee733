import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { loggedSubscriber } from "../utils/logged-subscriber"
import { cancelOrderAccountPaymentsWorkflow } from "../workflows/cancel-order-account-payments"

/**
 * Medusa refunds and cancels provider payments when an order is canceled (emitting no
 * payment.refunded); the ledger's allocations and gift cards are undone here.
 */
async function ledgerOrderCanceled({ event, container }: SubscriberArgs<{ id: string }>) {
  await cancelOrderAccountPaymentsWorkflow(container).run({ input: { order_id: event.data.id } })
}

export default loggedSubscriber("order.canceled", ledgerOrderCanceled)

export const config: SubscriberConfig = { event: "order.canceled" }
