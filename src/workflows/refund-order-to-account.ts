import { refundPaymentWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse, WorkflowResponse, createStep, createWorkflow } from "@medusajs/framework/workflows-sdk"
import Decimal from "decimal.js"
import { LedgerError } from "../modules/ledger/errors"
import { parseAmount } from "../modules/ledger/money"
import type { LedgerActor, LedgerTransferDTO } from "../modules/ledger/types"
import { accountPaymentsOf, fetchLedgerOrder, orderLabel } from "./order-payments/fetch-order"
import { allocationTransfers, cardPaidOf, netCaptured } from "./order-payments/order-transfers"
import { resolveLedger } from "./steps/resolve-ledger"

export type RefundOrderToAccountInput = {
  order_id: string
  amount: number | string
  account_id?: string | null
  note?: string | null
  actor?: LedgerActor
  idempotency_key?: string | null
}

type Part =
  | { kind: "allocation"; transfer: LedgerTransferDTO; amount: Decimal }
  | { kind: "payment"; payment_id: string; amount: Decimal }

/**
 * Refunds part of an order to store credit. What was paid from accounts goes back to them
 * first: captured allocations by refunds of their transfers (the ledger enforces their
 * ceilings), account-provider payments through Medusa's own payment refund (so the order
 * shows it; the provider posts the ledger refund). The rest, paid by card, is credited
 * from "Refunds to credit" to the customer's wallet, or to a new code account for a guest,
 * never more in total than the card paid. Everything is checked before the first posting.
 * Refunds are final, so there is no compensation.
 */
export const refundOrderToAccountStep = createStep(
  "refund-ledger-order-to-account",
  async (input: RefundOrderToAccountInput, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const amount = new Decimal(parseAmount(input.amount, order.currency_code))
    const mine = (accountId: string) => !input.account_id || accountId === input.account_id

    const plan: Part[] = []
    let left = amount
    const take = (available: Decimal.Value) => {
      const part = Decimal.min(left, available)
      left = left.minus(part)
      return part
    }
    for (const transfer of (await allocationTransfers(ledger, order)).filter((t) => mine(t.source_id))) {
      const part = take(await ledger.refundableAmount(transfer.id))
      if (part.gt(0)) plan.push({ kind: "allocation", transfer, amount: part })
    }
    const payments = accountPaymentsOf(order).filter((p: any) => !p.canceled_at && mine(p.data?.account_id))
    for (const payment of payments) {
      const part = take(netCaptured(payment))
      if (part.gt(0)) plan.push({ kind: "payment", payment_id: payment.id, amount: part })
    }
    const toCredit = left
    if (toCredit.gt(0) && plan.length && input.account_id) {
      throw new LedgerError("refund_exceeds_transfer", `Only ${amount.minus(toCredit).toFixed()} is left to refund to ${input.account_id}`)
    }
    const cardPaid = cardPaidOf(order)
    if (toCredit.gt(cardPaid)) {
      throw new LedgerError("refund_exceeds_transfer", `At most ${amount.minus(toCredit).plus(cardPaid).toFixed()} of ${orderLabel(order)} is left to refund`)
    }
    const options = (suffix: string) => ({
      actor: input.actor,
      merchant_reference: order.id,
      description: input.note || `${orderLabel(order)} refunded to store credit`,
      idempotency_key: input.idempotency_key ? `${input.idempotency_key}:${suffix}` : null,
    })

    const transfers: LedgerTransferDTO[] = []
    // The credit first: its ceiling (earlier credits of this order) is the check that can still refuse.
    if (toCredit.gt(0)) {
      const accountId =
        input.account_id ??
        // A guest (a customer record without login) gets a code instead of a wallet.
        (order.customer_id && order.customer?.has_account
          ? (await ledger.ensureWallet(order.customer_id, order.currency_code)).id
          : undefined)
      const credited = await ledger.creditFromRefunds(
        {
          merchant_reference: order.id,
          currency_code: order.currency_code,
          amount: toCredit.toFixed(),
          ceiling: cardPaid.toFixed(),
          account_id: accountId,
          new_account: accountId
            ? undefined
            : { name: `Refund of ${orderLabel(order)}`, generate_code: true, metadata: { order_id: order.id, email: order.email ?? null } },
        },
        options("credit")
      )
      transfers.push(credited.transfer)
    }
    for (const part of plan) {
      if (part.kind === "allocation") {
        transfers.push(await ledger.refund(part.transfer.id, part.amount.toFixed(), options(part.transfer.id)))
      } else {
        await refundPaymentWorkflow(container).run({
          input: { payment_id: part.payment_id, amount: part.amount.toNumber(), note: input.note ?? undefined, created_by: input.actor?.id ?? undefined },
        })
      }
    }
    const accountIds = [
      ...new Set([
        ...transfers.map((t) => t.destination_id),
        ...payments.filter((p: any) => plan.some((x) => x.kind === "payment" && x.payment_id === p.id)).map((p: any) => p.data.account_id),
      ]),
    ]
    const accounts = await Promise.all(accountIds.map((id) => ledger.getAccount(id)))
    return new StepResponse({
      amount: amount.toNumber(),
      transfers,
      payments_refunded: plan.filter((p) => p.kind === "payment").map((p: any) => ({ payment_id: p.payment_id, amount: p.amount.toNumber() })),
      accounts: accounts.map((a) => ({ id: a.id, name: a.name, code: ledger.formatCode(a.code), balance: a.balance })),
    })
  }
)

export const refundOrderToAccountWorkflow = createWorkflow(
  "refund-ledger-order-to-account",
  (input: RefundOrderToAccountInput) => new WorkflowResponse(refundOrderToAccountStep(input))
)
