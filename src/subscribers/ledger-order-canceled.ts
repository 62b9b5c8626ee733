import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { cancelOrderAccountPaymentsWorkflow } from "../workflows/cancel-order-account-payments"

/**
 * Medusa refunds and cancels provider payments when an order is canceled (emitting no
 * payment.refunded); the ledger's allocations and gift cards are undone here.
 */
async function ledgerOrderCanceled({ event, container }: SubscriberArgs<{ id: string }>) {
  await cancelOrderAccountPaymentsWorkflow(container).run({ input: { order_id: event.data.id } })
}

export default async function handle(args: SubscriberArgs<{ id: string }>) {
  try {
    await ledgerOrderCanceled(args)
  } catch (e: any) {
    // The event bus may swallow it: say which event and which record failed.
    args.container.resolve("logger").error(`medusa-accounts: order.canceled ${args.event.data.id} failed: ${e?.message ?? e}`)
    throw e
  }
}

export const config: SubscriberConfig = { event: "order.canceled" }
