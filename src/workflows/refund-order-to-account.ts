import { refundPaymentWorkflow } from "@medusajs/medusa/core-flows"
import { StepResponse, WorkflowResponse, createStep, createWorkflow } from "@medusajs/framework/workflows-sdk"
import { formatAmount, parseAmount } from "../modules/ledger/money"
import type { LedgerActor } from "../modules/ledger/types"
import { fetchLedgerOrder } from "./order-payments/fetch-order"
import { claimOperation } from "./order-payments/claim-operation"
import { RefundPlan, planRefundToAccount } from "./order-payments/refund-plan"
import { resolveLedger } from "./steps/resolve-ledger"

export type RefundOrderToAccountInput = {
  order_id: string
  amount: number | string
  account_id?: string | null
  note?: string | null
  /** when the part credited for money paid by card expires (a lot); never when absent */
  expires_at?: string | Date | null
  actor?: LedgerActor
  idempotency_key?: string | null
}

export const REFUND_TO_ACCOUNT = "refund_to_account"

/**
 * Refunds part of an order to store credit. What was paid from accounts goes back to them
 * first: captured allocations by refunds of their transfers, account-provider payments
 * through Medusa's own payment refund (so the order shows it; the provider posts the
 * ledger refund). The rest, paid by card, is credited from "Refunds to credit" to the
 * customer's wallet, or to a new code account for a guest, never more in total than the
 * card paid.
 *
 * Exactly once, or not at all: every part, Medusa's payment refunds included, is checked
 * in a transaction that is rolled back; the ledger parts are then posted in one
 * transaction; the payment refunds follow, and if one of them still fails (the account
 * changed in between) the ledger parts are undone. With an idempotency key the request
 * is claimed first (see claimOperation): a retry returns the first result and moves
 * nothing, and a request that died halfway resumes from its recorded plan.
 */
export const refundOrderToAccountStep = createStep(
  "refund-ledger-order-to-account",
  async (input: RefundOrderToAccountInput, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const amount = parseAmount(input.amount, order.currency_code)
    const request = { order_id: order.id, amount, account_id: input.account_id ?? null }
    const operation = input.idempotency_key
      ? await claimOperation(ledger, input.idempotency_key, REFUND_TO_ACCOUNT, request)
      : null
    if (operation?.status === "done") {
      return new StepResponse(operation.result)
    }
    let plan: RefundPlan
    try {
      plan =
        (operation?.progress?.plan as RefundPlan | undefined) ??
        (await planRefundToAccount(ledger, order, { ...input, amount }, input.idempotency_key ?? null))
      if (!operation?.progress?.ledger_posted) {
        await ledger.checkRefundToStoreCredit({ ...plan.ledger, refunds: [...plan.ledger.refunds, ...plan.payments.flatMap((p) => p.check)] })
      }
    } catch (e) {
      // Refused before anything moved: the key is free for a corrected request.
      if (operation && !operation.progress) await ledger.abandonOperation(operation.id)
      throw e
    }
    const progress = { plan, ledger_posted: !!operation?.progress?.ledger_posted, payments_refunded: [...(operation?.progress?.payments_refunded ?? [])] as string[] }
    if (operation) await ledger.updateOperation(operation.id, { progress })

    const posted = await ledger.refundToStoreCredit(plan.ledger)
    progress.ledger_posted = true
    if (operation) await ledger.updateOperation(operation.id, { progress })
    try {
      for (const payment of plan.payments.filter((p) => !progress.payments_refunded.includes(p.payment_id))) {
        await refundPaymentWorkflow(container).run({
          input: { payment_id: payment.payment_id, amount: payment.amount, note: input.note ?? undefined, created_by: input.actor?.id ?? undefined },
        })
        progress.payments_refunded.push(payment.payment_id)
        if (operation) await ledger.updateOperation(operation.id, { progress })
      }
    } catch (e) {
      // Nothing refunded through Medusa yet: take the ledger parts back and refuse.
      if (!progress.payments_refunded.length) {
        await undoLedgerParts(ledger, posted, input.idempotency_key ?? null)
        if (operation) await ledger.abandonOperation(operation.id)
      }
      throw e
    }

    const accountIds = [
      ...new Set([
        ...posted.transfers.map((t) => t.destination_id),
        ...(posted.credit ? [posted.credit.account.id] : []),
        ...plan.payments.map((p) => p.account_id),
      ]),
    ]
    const accounts = await Promise.all(accountIds.map((id) => ledger.getAccount(id)))
    const result = {
      amount: formatAmount(amount, order.currency_code),
      transfers: [...(posted.credit ? [posted.credit.transfer] : []), ...posted.transfers],
      payments_refunded: plan.payments.map((p) => ({ payment_id: p.payment_id, amount: formatAmount(p.amount, order.currency_code) })),
      accounts: accounts.map((a) => ({ id: a.id, name: a.name, code: ledger.formatCode(a.code), balance: a.balance })),
    }
    if (operation) await ledger.updateOperation(operation.id, { result })
    return new StepResponse(result)
  }
)

/**
 * Undoes posted ledger parts after a later part failed: the credit is reversed (its
 * ceiling frees up), each refund of an allocation is taken back from the account into the
 * sales account it came from, all in one transaction.
 */
async function undoLedgerParts(
  ledger: ReturnType<typeof resolveLedger>,
  posted: Awaited<ReturnType<ReturnType<typeof resolveLedger>["refundToStoreCredit"]>>,
  key: string | null
) {
  await ledger.postAll([
    ...(posted.credit
      ? [{ kind: "reversal" as const, parent: posted.credit.transfer.id, options: { idempotency_key: key && `${key}:undo:credit`, description: "Refund to store credit undone" } }]
      : []),
    ...posted.transfers.map((t) => ({
      kind: "redemption" as const,
      source_id: t.destination_id,
      destination_id: t.source_id,
      amount: t.amount,
      options: {
        idempotency_key: key && `${key}:undo:${t.id}`,
        merchant_reference: t.merchant_reference,
        description: "Refund to store credit undone",
        metadata: { undoes: t.id },
      },
    })),
  ])
}

export const refundOrderToAccountWorkflow = createWorkflow(
  "refund-ledger-order-to-account",
  (input: RefundOrderToAccountInput) => new WorkflowResponse(refundOrderToAccountStep(input))
)

