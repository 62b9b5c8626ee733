import { StepResponse, WorkflowResponse, createStep, createWorkflow } from "@medusajs/framework/workflows-sdk"
import Decimal from "decimal.js"
import { LedgerError } from "../modules/ledger/errors"
import { parseAmount } from "../modules/ledger/money"
import type { LedgerActor, LedgerTransferDTO } from "../modules/ledger/types"
import { fetchLedgerOrder, orderLabel } from "./order-payments/fetch-order"
import { cardPaidOf, orderAccountTransfers } from "./order-payments/order-transfers"
import { resolveLedger } from "./steps/resolve-ledger"

export type RefundOrderToAccountInput = {
  order_id: string
  amount: number | string
  account_id?: string | null
  note?: string | null
  actor?: LedgerActor
  idempotency_key?: string | null
}

/**
 * Refunds part of an order to store credit. What was paid from accounts goes back to
 * them first (refunds of their transfers, whose ceilings the ledger enforces); the rest,
 * paid by card, is credited from "Refunds to credit" to the customer's wallet, or to a new
 * code account for a guest, never more in total than the card paid. Everything is
 * checked before the first posting. Refunds are final, so there is no compensation.
 */
export const refundOrderToAccountStep = createStep(
  "refund-ledger-order-to-account",
  async (input: RefundOrderToAccountInput, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const amount = new Decimal(parseAmount(input.amount, order.currency_code))
    const paid = (await orderAccountTransfers(ledger, order)).filter(
      (t) => !input.account_id || t.source_id === input.account_id
    )
    const plan: { transfer: LedgerTransferDTO; amount: Decimal }[] = []
    let left = amount
    for (const transfer of paid) {
      const take = Decimal.min(left, await ledger.refundableAmount(transfer.id))
      if (take.gt(0)) plan.push({ transfer, amount: take })
      left = left.minus(take)
    }
    const toCredit = left
    if (toCredit.gt(0) && paid.length && input.account_id) {
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
    const transfers = []
    let credited = null
    if (toCredit.gt(0)) {
      const accountId =
        input.account_id ??
        // A guest (a customer record without login) gets a code instead of a wallet.
        (order.customer_id && order.customer?.has_account
          ? (await ledger.ensureWallet(order.customer_id, order.currency_code)).id
          : undefined)
      credited = await ledger.creditFromRefunds(
        {
          merchant_reference: order.id,
          currency_code: order.currency_code,
          amount: toCredit.toFixed(),
          ceiling: cardPaid.toFixed(),
          account_id: accountId,
          new_account: accountId ? undefined : { name: `Refund of ${orderLabel(order)}`, generate_code: true, metadata: { order_id: order.id, email: order.email ?? null } },
        },
        options("credit")
      )
      transfers.push(credited.transfer)
    }
    // After the credit: its ceiling is the check that can still refuse (earlier credits).
    for (const step of plan) {
      transfers.push(await ledger.refund(step.transfer.id, step.amount.toFixed(), options(step.transfer.id)))
    }
    const accountIds = [...new Set(transfers.map((t) => t.destination_id))]
    const accounts = await Promise.all(accountIds.map((id) => ledger.getAccount(id)))
    return new StepResponse({
      amount: amount.toNumber(),
      transfers,
      accounts: accounts.map((a) => ({ id: a.id, name: a.name, code: ledger.formatCode(a.code), balance: a.balance })),
    })
  }
)

export const refundOrderToAccountWorkflow = createWorkflow(
  "refund-ledger-order-to-account",
  (input: RefundOrderToAccountInput) => new WorkflowResponse(refundOrderToAccountStep(input))
)
