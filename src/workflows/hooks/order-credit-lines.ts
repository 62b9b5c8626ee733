import { createOrderCreditLinesWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse } from "@medusajs/framework/workflows-sdk"
import { toDecimal } from "../../modules/ledger/money"
import { ALLOCATION_REFERENCE } from "../allocations/allowance"
import { fetchLedgerOrder, orderLabel } from "../order-payments/fetch-order"
import { resolveLedger } from "../steps/resolve-ledger"

/**
 * Medusa's own "refund the overpayment to store credit": an admin adds a negative credit
 * line to an overpaid order. The ledger credits that much from "Refunds to credit" to the
 * customer's wallet (a guest gets a code account), once per credit line. Medusa has
 * already bounded the amount by what the order was overpaid.
 */
// Typed without its hooks by Medusa, though the workflow declares this one.
;(createOrderCreditLinesWorkflow.hooks as any).creditLinesCreated(
  async ({ order_id, credit_lines }: { order_id: string; credit_lines: any[] }, { container }: { container: any }) => {
    const lines = (credit_lines ?? []).filter(
      (l) => l.reference !== ALLOCATION_REFERENCE && toDecimal(l.raw_amount ?? l.amount).lt(0)
    )
    if (!lines.length) return new StepResponse([])
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, order_id)
    const credited = []
    for (const line of lines) {
      const amount = toDecimal(line.raw_amount ?? line.amount).abs()
      const accountId =
        order.customer_id && order.customer?.has_account
          ? (await ledger.ensureWallet(order.customer_id, order.currency_code)).id
          : undefined
      const { account, transfer } = await ledger.creditFromRefunds(
        {
          merchant_reference: order.id,
          currency_code: order.currency_code,
          amount: amount.toFixed(),
          // Medusa's validation is the ceiling here: never more than the overpayment.
          ceiling: "1000000000000",
          account_id: accountId,
          new_account: accountId ? undefined : { name: `Refund of ${orderLabel(order)}`, generate_code: true, metadata: { order_id: order.id } },
        },
        { idempotency_key: `order-credit-line:${line.id}`, description: `${orderLabel(order)} overpayment refunded to store credit` }
      )
      credited.push({ credit_line_id: line.id, account_id: account.id, transfer_id: transfer.id })
    }
    return new StepResponse(credited)
  }
)
