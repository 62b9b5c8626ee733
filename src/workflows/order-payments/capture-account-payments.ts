import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { AccountPaymentData, postCaptures } from "../../providers/account/captures"
import { resolveLedger } from "../steps/resolve-ledger"
import { accountPaymentsOf, fetchLedgerOrder } from "./fetch-order"

/**
 * Posts the captures Medusa recorded on the order's account-provider payments (the
 * provider is never told a capture's amount, so it happens here, after the commit).
 * No compensation: each transfer mirrors a capture Medusa has already committed.
 */
export const captureAccountPaymentsStep = createStep(
  "capture-ledger-account-payments",
  async (input: { order_id: string }, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const transfers = []
    for (const payment of accountPaymentsOf(order)) {
      const captures = [...(payment.captures ?? [])]
        .sort((a: any, b: any) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id))
        .map((c: any) => ({ id: c.id, amount: String(c.amount) }))
      transfers.push(...(await postCaptures(ledger, payment.data as AccountPaymentData, captures, order.id)))
    }
    return new StepResponse(transfers)
  }
)
