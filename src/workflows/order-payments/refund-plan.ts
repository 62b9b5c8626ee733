import Decimal from "decimal.js"
import { expiresAt } from "../../modules/ledger/services/helpers"
import { LedgerError } from "../../modules/ledger/errors"
import type { PostingInput } from "../../modules/ledger/posting-batch"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerActor } from "../../modules/ledger/types"
import { AccountPaymentData, planAccountPaymentRefund, postCaptures } from "../../providers/account/captures"
import { LedgerOrder, accountPaymentsOf, orderLabel } from "./fetch-order"
import { allocationTransfers, cardPaidOf, netCaptured } from "./order-transfers"
import { coreAccountId } from "../../modules/ledger/core"
import { toDecimal } from "../../modules/ledger/money"

/** Everything a refund to store credit will do, decided before anything moves (JSON, so it can be kept). */
export type RefundPlan = {
  /** The ledger parts, posted together by refundToStoreCredit. */
  ledger: Parameters<LedgerModuleService["refundToStoreCredit"]>[0]
  /** Account-provider payments refunded through Medusa; `check` is what the provider will post. */
  payments: { payment_id: string; account_id: string; amount: string; check: PostingInput[] }[]
}

/**
 * Splits a refund of `amount` over what the order was paid with: captured allocations
 * first (refunds of their transfers), then account-provider payments, then a credit of
 * what the card paid. Refuses what cannot be refunded. Part keys derive from `key`.
 */
export async function planRefundToAccount(
  ledger: LedgerModuleService,
  order: LedgerOrder,
  input: { amount: string; account_id?: string | null; note?: string | null; actor?: LedgerActor; expires_at?: string | Date | null },
  key: string | null
): Promise<RefundPlan> {
  const amount = new Decimal(input.amount)
  // refused whatever part it would apply to (only a credit of what a card paid takes it)
  expiresAt(input.expires_at)
  const mine = (accountId: string) => !input.account_id || accountId === input.account_id
  const options = (suffix: string) => ({
    actor: input.actor,
    merchant_reference: order.id,
    description: input.note || `${orderLabel(order)} refunded to store credit`,
    idempotency_key: key ? `${key}:${suffix}` : null,
  })
  let left = amount
  const take = (available: Decimal.Value) => {
    const part = Decimal.min(left, available)
    left = left.minus(part)
    return part
  }

  const refunds: PostingInput[] = []
  for (const transfer of (await allocationTransfers(ledger, order)).filter((t) => mine(t.source_id))) {
    const part = take(await ledger.refundableAmount(transfer.id))
    if (part.gt(0)) refunds.push({ kind: "refund", parent: transfer.id, amount: part.toFixed(), options: options(transfer.id) })
  }
  const payments: RefundPlan["payments"] = []
  for (const payment of accountPaymentsOf(order).filter((p: any) => !p.canceled_at && mine(p.data?.account_id))) {
    const part = take(netCaptured(payment))
    if (part.lte(0)) continue
    const data = payment.data as AccountPaymentData
    const captures = [...(payment.captures ?? [])]
      .sort((a: any, b: any) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id))
      .map((c: any) => ({ id: c.id, amount: String(c.amount) }))
    const transfers = await postCaptures(ledger, data, captures, order.id)
    payments.push({
      payment_id: payment.id,
      account_id: data.account_id,
      amount: part.toFixed(),
      check: await planAccountPaymentRefund(ledger, transfers, part, null),
    })
  }

  const toCredit = left
  if (toCredit.gt(0) && (refunds.length || payments.length) && input.account_id) {
    throw new LedgerError("refund_exceeds_transfer", `Only ${amount.minus(toCredit).toFixed()} is left to refund to ${input.account_id}`)
  }
  const cardPaid = cardPaidOf(order)
  if (toCredit.gt(cardPaid)) {
    throw new LedgerError("refund_exceeds_transfer", `At most ${amount.minus(toCredit).plus(cardPaid).toFixed()} of ${orderLabel(order)} is left to refund`)
  }
  // A customer with a login gets their wallet; a guest (a customer record without one) a code.
  const toWallet = !input.account_id && !!order.customer_id && !!order.customer?.has_account
  const credit = toCredit.gt(0)
    ? {
        amount: toCredit.toFixed(),
        ceiling: cardPaid.toFixed(),
        account_id: input.account_id ?? undefined,
        customer_id: toWallet ? order.customer_id! : undefined,
        new_account:
          input.account_id || toWallet
            ? undefined
            : { name: `Refund of ${orderLabel(order)}`, generate_code: true, metadata: { order_id: order.id, email: order.email ?? null } },
        // what the card paid comes back as new credit: it may expire (a lot); what accounts
        // paid goes back to the lots it came from
        options: { ...options("credit"), expires_at: input.expires_at ?? null },
      }
    : null
  return {
    ledger: { merchant_reference: order.id, currency_code: order.currency_code, refunds, credit },
    payments,
  }
}

/**
 * The most a refund to store credit of the order would accept now, by the plan's own
 * parts: what is left to refund of its captured allocations, what its account-provider
 * payments captured and Medusa has not refunded, and what other providers (cards)
 * captured less what was already credited for the order from "Refunds to credit" (the
 * ceiling creditFromRefunds enforces). A refund of that much may still be refused
 * (a frozen or closed account on the way back).
 */
export async function maxRefundToAccount(ledger: LedgerModuleService, order: LedgerOrder): Promise<Decimal> {
  let total = new Decimal(0)
  for (const transfer of await allocationTransfers(ledger, order)) {
    total = total.plus(toDecimal(await ledger.refundableAmount(transfer.id)))
  }
  for (const payment of accountPaymentsOf(order).filter((p: any) => !p.canceled_at)) {
    total = total.plus(Decimal.max(netCaptured(payment), 0))
  }
  const credits = await ledger.listLedgerTransfers({
    merchant_reference: order.id,
    source_id: coreAccountId("refunds_to_credit", order.currency_code),
    kind: "load",
  })
  let credited = new Decimal(0)
  for (const credit of credits) {
    credited = credited.plus(toDecimal(await ledger.refundableAmount(credit.id)))
  }
  return total.plus(Decimal.max(cardPaidOf(order).minus(credited), 0))
}
