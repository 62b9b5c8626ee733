import {
  authorizePaymentSessionStep,
  capturePaymentWorkflow,
  createOrderPaymentCollectionWorkflow,
  createPaymentSessionsWorkflow,
  getOrderDetailWorkflow,
} from "@medusajs/medusa/core-flows"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  StepResponse,
  WorkflowResponse,
  createStep,
  createWorkflow,
  transform,
} from "@medusajs/framework/workflows-sdk"
import Decimal from "decimal.js"
import { LedgerError } from "../modules/ledger/errors"
import { formatAmount, parseAmount, toDecimal } from "../modules/ledger/money"
import type LedgerModuleService from "../modules/ledger/service"
import type { LedgerActor, PostedTransferDTO } from "../modules/ledger/types"
import { PREPAID_METADATA_FLAG, PREPAID_TRANSFER_CONTEXT_KEY, undoPrepaidTransfer } from "../providers/account/captures"
import { maskCode } from "./order-payments/account-money"
import { DueOrder, amountDueOf, fetchDueOrder, payingAccountRefusal } from "./order-payments/amount-due"
import { claimOperation } from "./order-payments/claim-operation"
import { ACCOUNT_PROVIDER_PREFIX, orderLabel } from "./order-payments/fetch-order"
import { withOrderLock } from "./order-payments/order-lock"
import { resolveLedger } from "./steps/resolve-ledger"

export type PayOrderFromAccountInput = {
  order_id: string
  account_id?: string | null
  code?: string | null
  /** Default: the whole amount due, capped at what the account has available. */
  amount?: number | string | null
  actor?: LedgerActor
  idempotency_key?: string | null
}

export const PAY_FROM_ACCOUNT = "pay_from_account"

/** What the Medusa part needs: the redemption is posted first, then recorded as a captured payment. */
type RecordInput = {
  order_id: string
  label: string
  account_id: string
  amount: string
  provider_id: string
  actor?: LedgerActor
  /** The ledger key of the redemption (derived from the request's idempotency key), if any. */
  redemption_key: string | null
}

/**
 * The money first: account → sales account, `merchant_reference` the order, marked as a
 * pay-from-account redemption (the provider accepts only such a transfer). The ledger
 * checks everything in the transaction that posts (funds, status, dates); a refusal here
 * leaves Medusa untouched. Compensation gives the money back (reversal), once.
 */
export const redeemForOrderStep = createStep(
  "redeem-ledger-account-for-order",
  async (input: RecordInput, { container }) => {
    const transfer = await resolveLedger(container).redeem(input.account_id, input.amount, {
      merchant_reference: input.order_id,
      description: `${input.label} paid from account`,
      actor: input.actor,
      idempotency_key: input.redemption_key,
      metadata: { [PREPAID_METADATA_FLAG]: true, order_id: input.order_id },
    })
    return new StepResponse(transfer, transfer.id)
  },
  async (transferId: string | undefined, { container }) => {
    if (transferId) await undoPrepaidTransfer(resolveLedger(container), transferId)
  }
)

/**
 * A payment collection of the order for exactly this payment. Always a new one: were the
 * payment made in the collection the order edit opened, a failure would leave that
 * collection marked authorized by a canceled payment; so the open collection is settled
 * once the payment is captured (see settleOpenCollections). Compensation unlinks and
 * removes the new collection, so a failed payment leaves the order's collections as they were.
 */
export const orderPaymentCollectionStep = createStep(
  "ledger-order-payment-collection",
  async (input: { order_id: string; amount: string }, { container }) => {
    const { result } = await createOrderPaymentCollectionWorkflow(container).run({
      // A decimal string keeps the amount exact (Medusa takes any BigNumber input).
      input: { order_id: input.order_id, amount: input.amount as unknown as number },
    })
    return new StepResponse({ id: result[0].id as string }, result[0].id as string)
  },
  async (createdId: string | undefined, { container }) => {
    if (!createdId) return
    // The link to the order first, then the collection (soft deletes, as Medusa removes them).
    await container.resolve(ContainerRegistrationKeys.LINK).delete({ [Modules.PAYMENT]: { payment_collection_id: createdId } })
    await container.resolve(Modules.PAYMENT).deletePaymentCollections([createdId])
  }
)

export const recordAccountPaymentWorkflowId = "record-ledger-account-payment"

/**
 * Pays an amount an order owes from a ledger account, both in the ledger and in Medusa,
 * or neither: the redemption is posted first; then Medusa records a payment of the
 * account provider for it (a payment collection of the order for this amount, a session,
 * authorized without a hold because the money has moved, captured: an order
 * transaction and `payment.captured`). If any
 * Medusa step fails, the steps before are compensated, the redemption reversed last.
 * Later refunds of the payment (Medusa's refund, refund to store credit, canceling the
 * order) are refunds of that redemption, through the provider as for any account payment.
 */
export const recordAccountPaymentWorkflow = createWorkflow(recordAccountPaymentWorkflowId, (input: RecordInput) => {
  const transfer = redeemForOrderStep(input)
  const collection = orderPaymentCollectionStep(
    transform({ input }, ({ input }) => ({ order_id: input.order_id, amount: input.amount }))
  )
  const session = createPaymentSessionsWorkflow.runAsStep({
    input: transform({ input, transfer, collection }, ({ input, transfer, collection }) => ({
      payment_collection_id: collection.id,
      provider_id: input.provider_id,
      data: { account_id: transfer.source_id },
      context: { [PREPAID_TRANSFER_CONTEXT_KEY]: transfer.id },
    })),
  })
  const payment = authorizePaymentSessionStep(transform({ session }, ({ session }) => ({ id: session.id, context: {} })))
  capturePaymentWorkflow.runAsStep({
    input: transform({ input, payment }, ({ input, payment }) => ({
      payment_id: payment!.id,
      amount: input.amount,
      captured_by: input.actor?.type === "user" ? input.actor.id ?? undefined : undefined,
    })),
  })
  return new WorkflowResponse(
    transform({ transfer, collection, payment }, ({ transfer, collection, payment }) => ({
      transfer,
      payment_collection_id: collection.id,
      payment_id: payment!.id,
    }))
  )
})

export type PayOrderFromAccountResult = {
  order: {
    id: string
    display_id: number | null
    currency_code: string
    payment_status: string
    amount_due: string
    summary: Record<string, unknown>
  }
  payment: { id: string; payment_collection_id: string; provider_id: string; amount: string }
  transfer: PostedTransferDTO
  account: { id: string; name: string; code: string | null; balance: string; available: string | null }
}

/**
 * `POST /admin/orders/:id/pay-from-account`: staff pay what an order owes (after an order
 * edit, exchange or claim) from one of the customer's accounts or a gift card code.
 *
 * Rules: the amount is positive and at most what is due (`amount_exceeds_due`); by
 * default all that is due, capped at what the account has available. The account is in
 * the order's currency, open, inside its dates, may pay any charge, and (named by id)
 * belongs to the order's customer if it belongs to anyone. Payments of one order are
 * taken one at a time (an advisory lock on the order), so two staff members cannot
 * both pay the same amount due.
 *
 * With an idempotency key the request is claimed first (claimOperation): a retry returns
 * the first answer and moves nothing, the key with other arguments is
 * `idempotency_conflict`, a request that died halfway resumes on a retry after the lease
 * (its redemption replays by key and is recorded in Medusa if it was not yet). A refused
 * request, or one whose Medusa part failed and was undone, frees its key.
 */
export const payOrderFromAccountStep = createStep(
  "pay-ledger-order-from-account",
  async (input: PayOrderFromAccountInput, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchDueOrder(container, input.order_id)
    const by = input.code ? "code" : "account_id"
    if (!!input.code === !!input.account_id) {
      throw new LedgerError("invalid_request", "Give either account_id or code")
    }
    // Admin code look-ups are not counted by the code guard (it keys shoppers); unknown is 404.
    const account = input.code ? await ledger.getAccountByCode(input.code) : await ledger.getAccount(input.account_id!)
    const requested = input.amount === undefined || input.amount === null ? null : parseAmount(input.amount, order.currency_code)
    const request = { order_id: order.id, account_id: account.id, amount: requested }
    const key = input.idempotency_key ?? null
    const operation = key ? await claimOperation(ledger, key, PAY_FROM_ACCOUNT, request) : null
    if (operation?.status === "done") {
      return new StepResponse(operation.result as PayOrderFromAccountResult)
    }
    const redemptionKey = operation ? `${key}:redemption:${operation.id}` : null
    try {
      const result = await withOrderLock(container, PAY_FROM_ACCOUNT, order.id, async () => {
        const progress = (operation?.progress ?? null) as { amount: string } | null
        // A request that died halfway: its redemption and payment may exist already.
        const resumed = progress ? await resumeRecorded(container, ledger, redemptionKey!) : null
        if (resumed) {
          return presentResult(container, ledger, order.id, resumed)
        }
        const fresh = await fetchDueOrder(container, order.id)
        const amount = progress?.amount ?? (await payableAmount(ledger, fresh, account.id, by, requested))
        if (operation) await ledger.updateOperation(operation.id, { progress: { amount } })
        const { result: recorded } = await recordAccountPaymentWorkflow(container).run({
          input: {
            order_id: order.id,
            label: orderLabel(fresh as any),
            account_id: account.id,
            amount,
            provider_id: await accountProviderId(container),
            actor: input.actor,
            redemption_key: redemptionKey,
          },
        })
        await settleOpenCollections(container, order.id, recorded.payment_collection_id)
        return presentResult(container, ledger, order.id, recorded)
      })
      if (operation) await ledger.updateOperation(operation.id, { result })
      return new StepResponse(result)
    } catch (e) {
      // The key is free again unless money moved and stayed (an undo that failed: a retry resumes it).
      if (operation && !(await redemptionStands(ledger, redemptionKey!))) await ledger.abandonOperation(operation.id)
      throw e
    }
  }
)

/** The amount to pay: as asked (at most what is due), or all that is due capped at what the account has. */
async function payableAmount(
  ledger: LedgerModuleService,
  order: DueOrder,
  accountId: string,
  by: "account_id" | "code",
  requested: string | null
): Promise<string> {
  // Read again under the order's lock: its status and balance as of now.
  const account = await ledger.getAccount(accountId)
  const refusal = await payingAccountRefusal(ledger, account, order, by)
  if (refusal) throw refusal
  const due = amountDueOf(order)
  if (due.lte(0)) {
    throw new LedgerError("amount_exceeds_due", `${orderLabel(order as any)} has nothing due`)
  }
  if (requested !== null) {
    if (new Decimal(requested).gt(due)) {
      throw new LedgerError("amount_exceeds_due", `${orderLabel(order as any)} has ${formatAmount(due, order.currency_code)} due; ${requested} is more`)
    }
    return requested
  }
  const amount = account.available === null ? due : Decimal.min(due, toDecimal(account.available))
  if (amount.lte(0)) {
    throw new LedgerError("insufficient_funds", `Account ${account.id} has nothing available`)
  }
  return amount.toFixed()
}

/** The account provider's id as the host registered it (`pp_account_<id>`). */
async function accountProviderId(container: any): Promise<string> {
  const providers = await container.resolve(Modules.PAYMENT).listPaymentProviders({})
  const provider = providers.find((p: any) => String(p.id).startsWith(ACCOUNT_PROVIDER_PREFIX))
  if (!provider) {
    throw new LedgerError("not_found", "The account payment provider is not registered in the payment module")
  }
  return provider.id
}

type Recorded = { transfer: PostedTransferDTO; payment_collection_id: string; payment_id: string }

/**
 * A resumed request: its redemption, if it was posted and stands, and the Medusa payment
 * made with it. A payment authorized but not captured is captured now; with no payment
 * at all, null (the request runs again: the redemption replays by its key).
 */
async function resumeRecorded(container: any, ledger: LedgerModuleService, redemptionKey: string): Promise<Recorded | null> {
  const [row] = await ledger.listLedgerTransfers({ idempotency_key: redemptionKey })
  if (!row) return null
  const transfer = await ledger.getTransfer(row.id)
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const { rows } = await pg.raw(
    `SELECT p.id, p.payment_collection_id, p.captured_at, p.canceled_at FROM payment p
      WHERE p.data->>'transfer_id' = ? AND p.deleted_at IS NULL ORDER BY p.created_at LIMIT 1`,
    [transfer.id]
  )
  const payment = rows[0]
  if (!payment || payment.canceled_at) return null
  if (!payment.captured_at) {
    await capturePaymentWorkflow(container).run({ input: { payment_id: payment.id, amount: transfer.amount as unknown as number } })
  }
  return {
    transfer: { ...transfer, source_balance: null, destination_balance: null, replayed: true },
    payment_collection_id: payment.payment_collection_id,
    payment_id: payment.id,
  }
}

/** Whether the request's redemption was posted and not undone. */
async function redemptionStands(ledger: LedgerModuleService, redemptionKey: string): Promise<boolean> {
  const [transfer] = await ledger.listLedgerTransfers({ idempotency_key: redemptionKey })
  return !!transfer && toDecimal(await ledger.refundableAmount(transfer.id)).gt(0)
}

/**
 * After paying through a collection of its own, the order's other open collection (the
 * one its edit asked for) asks for what is still due, or is canceled when nothing is.
 * Best effort: the payment is recorded either way, and Medusa re-syncs the collection
 * at the next order change.
 */
async function settleOpenCollections(container: any, orderId: string, paidCollectionId: string) {
  try {
    const order = await fetchDueOrder(container, orderId)
    const due = amountDueOf(order)
    const open = (order.payment_collections ?? []).filter(
      (pc: any) => pc.id !== paidCollectionId && ["not_paid", "awaiting"].includes(pc.status)
    )
    const payments = container.resolve(Modules.PAYMENT)
    for (const pc of open) {
      // An open collection has no payment (nothing authorized): canceling it cancels only the request.
      if (due.lte(0)) {
        await payments.updatePaymentCollections(pc.id, { status: "canceled" as any })
      } else if (!toDecimal(pc.amount).eq(due)) {
        await payments.updatePaymentCollections(pc.id, { amount: due.toFixed() as unknown as number })
      }
    }
  } catch (e) {
    container
      .resolve(ContainerRegistrationKeys.LOGGER)
      .warn(`medusa-accounts: order ${orderId} paid from account; its open payment collection was not updated: ${(e as Error).message}`)
  }
}

const SUMMARY_FIELDS = [
  "pending_difference",
  "current_order_total",
  "original_order_total",
  "transaction_total",
  "paid_total",
  "refunded_total",
  "credit_line_total",
  "accounting_total",
]

async function presentResult(container: any, ledger: LedgerModuleService, orderId: string, recorded: Recorded): Promise<PayOrderFromAccountResult> {
  const { result: detail } = await getOrderDetailWorkflow(container).run({
    input: {
      order_id: orderId,
      fields: [
        "id",
        "display_id",
        "currency_code",
        "summary",
        "payment_collections.payments.id",
        "payment_collections.payments.provider_id",
        "payment_collections.payments.amount",
        "payment_collections.payments.canceled_at",
        "payment_collections.payments.captures.amount",
      ],
    },
  })
  const order = detail as any
  const payment = (order.payment_collections ?? []).flatMap((pc: any) => pc?.payments ?? []).find((p: any) => p?.id === recorded.payment_id)
  const account = await ledger.getAccount(recorded.transfer.source_id)
  const summary = Object.fromEntries(SUMMARY_FIELDS.filter((f) => order.summary?.[f] !== undefined).map((f) => [f, order.summary[f]]))
  return {
    order: {
      id: order.id,
      display_id: order.display_id ?? null,
      currency_code: order.currency_code,
      payment_status: order.payment_status,
      amount_due: formatAmount(amountDueOf(order), order.currency_code),
      summary,
    },
    payment: {
      id: recorded.payment_id,
      payment_collection_id: recorded.payment_collection_id,
      provider_id: payment?.provider_id ?? (await accountProviderId(container)),
      amount: formatAmount(recorded.transfer.amount, recorded.transfer.currency_code),
    },
    transfer: recorded.transfer,
    account: {
      id: account.id,
      name: account.name,
      code: maskCode(account.code),
      balance: account.balance,
      available: account.available,
    },
  }
}

export const payOrderFromAccountWorkflow = createWorkflow(
  "pay-ledger-order-from-account",
  (input: PayOrderFromAccountInput) => new WorkflowResponse(payOrderFromAccountStep(input))
)
