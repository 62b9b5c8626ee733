import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { loggedSubscriber } from "../utils/logged-subscriber"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { captureOrderAccountPaymentsWorkflow } from "../workflows/capture-order-account-payments"

/** A captured payment pays its order: allocation holds and account captures follow. */
async function ledgerPaymentCaptured({ event, container }: SubscriberArgs<{ id: string }>) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: payments } = await query.graph({
    entity: "payment",
    fields: ["payment_collection_id"],
    filters: { id: event.data.id },
  })
  const collection = payments[0]?.payment_collection_id
  if (!collection) return
  const { data: links } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order_id"],
    filters: { payment_collection_id: collection },
  })
  for (const { order_id } of links) {
    await captureOrderAccountPaymentsWorkflow(container).run({ input: { order_id } })
  }
}

export default loggedSubscriber("payment.captured", ledgerPaymentCaptured)

export const config: SubscriberConfig = { event: "payment.captured" }
