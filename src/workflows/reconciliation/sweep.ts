import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { formatAmount, toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import { MAX_RECONCILE_DAYS } from "../../modules/ledger/options"
import { AccountPaymentData, planAccountPaymentRefund, postCaptures, captureKey } from "../../providers/account/captures"
import { allocationHoldsOf } from "../allocations/holds"
import { cancelOrderAccountPaymentsWorkflow } from "../cancel-order-account-payments"
import { captureOrderAccountPaymentsWorkflow } from "../capture-order-account-payments"
import { LedgerOrder, accountPaymentsOf, fetchLedgerOrder, paymentsOf } from "../order-payments/fetch-order"
import { giftCardUnits } from "../order-payments/issue-gift-cards"
import { resolveLedger } from "../steps/resolve-ledger"

/** Something Medusa recorded that the ledger has not posted. */
export type ReconciliationGap =
  | { kind: "allocation_capture"; hold_id: string; account_id: string; amount: string }
  | { kind: "gift_card_issue"; line_item_id: string; unit: number }
  | { kind: "payment_capture"; payment_id: string; capture_id: string; account_id: string; amount: string }
  | { kind: "payment_refund"; payment_id: string; refund_id: string; account_id: string; amount: string }
  | { kind: "payment_release"; payment_id: string; hold_id: string; account_id: string; amount: string }
  | { kind: "allocation_release"; hold_id: string; account_id: string; amount: string }
  | { kind: "allocation_reversal"; transfer_id: string; account_id: string; amount: string }
  | { kind: "gift_card_void"; account_id: string; amount: string }

/** What the sweep did about it. */
export type ReconciliationFix =
  | { kind: "transfer"; id: string; reference: string; transfer_kind: string; source_id: string; destination_id: string; amount: string }
  | { kind: "hold_released"; hold_id: string }
  | { kind: "gift_card_issued"; account_id: string }
  | { kind: "gift_card_voided"; account_id: string }

export type ReconciledOrder = {
  order_id: string
  display_id: number | null
  canceled: boolean
  missing: ReconciliationGap[]
  posted: ReconciliationFix[]
  /** Gaps still there after the fix (another process holds the money, a refusal): need a person. */
  remaining: ReconciliationGap[]
  error: string | null
}

export type ReconciliationReport = {
  started_at: string
  finished_at: string
  days: number
  since: string
  /** What was compared: Medusa's records in the window. */
  checked: { orders: number; captures: number; refunds: number; canceled_orders: number }
  /** Orders that had something missing (or failed), with what was missing and posted. */
  orders: ReconciledOrder[]
  fixed: number
  failed: number
  /** True when nothing is left out of step (every gap found was posted). */
  ok: boolean
}

const sum = (rows: any[], field = "amount") => rows.reduce((s: Decimal, r: any) => s.plus(toDecimal(r[field])), new Decimal(0))
const sortedCaptures = (payment: any) =>
  [...(payment.captures ?? [])]
    .sort((a: any, b: any) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id))
    .map((c: any) => ({ id: c.id, amount: String(c.amount) }))

/**
 * Has the order been paid, as the plugin's subscribers see it: a payment was captured
 * (payment.captured), or nothing is left to capture (order.placed).
 */
function isPaid(order: LedgerOrder): boolean {
  const payments = paymentsOf(order)
  if (payments.some((p: any) => (p.captures ?? []).length)) return true
  return !payments.some((p: any) => !p.canceled_at && sum(p.captures ?? []).lt(toDecimal(p.amount)))
}

async function orderState(container: any, orderId: string) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "canceled_at"],
    filters: { id: orderId },
  })
  return data[0] as { status: string; canceled_at: Date | null } | undefined
}

/**
 * Compares one order's Medusa records with the ledger: what its subscribers (and the
 * account provider) should have posted by now and has not been.
 */
export async function orderGaps(container: any, ledger: LedgerModuleService, orderId: string) {
  const order = await fetchLedgerOrder(container, orderId)
  const state = await orderState(container, orderId)
  const canceled = state?.status === "canceled" || !!state?.canceled_at
  const gaps: ReconciliationGap[] = []
  const currency = order.currency_code

  // Account-provider payments: every capture and refund Medusa committed has its posting.
  for (const payment of accountPaymentsOf(order)) {
    const data = payment.data as AccountPaymentData
    const captures = sortedCaptures(payment)
    const keys = captures.map((c) => captureKey(c.id))
    const posted = data.transfer_id
      ? captures.length ? [await ledger.getTransfer(data.transfer_id)] : []
      : keys.length ? ((await ledger.listLedgerTransfers({ idempotency_key: keys })) as any[]) : []
    if (!data.transfer_id) {
      for (const c of captures) {
        if (!posted.some((t: any) => t.idempotency_key === captureKey(c.id))) {
          gaps.push({ kind: "payment_capture", payment_id: payment.id, capture_id: c.id, account_id: data.account_id, amount: formatAmount(c.amount, currency) })
        }
      }
    }
    const refunds = posted.length ? ((await ledger.listLedgerTransfers({ parent_id: posted.map((t: any) => t.id), kind: "refund" })) as any[]) : []
    // A refund is missing when no ledger refund carries its key, and (a guard against
    // refunding twice) the ledger has refunded less of the payment than Medusa has.
    const short = sum(payment.refunds ?? []).gt(sum(refunds))
    for (const r of short ? payment.refunds ?? [] : []) {
      if (!refunds.some((t: any) => String(t.idempotency_key ?? "").startsWith(`pp-refund:${r.id}:`))) {
        gaps.push({ kind: "payment_refund", payment_id: payment.id, refund_id: r.id, account_id: data.account_id, amount: formatAmount(r.amount, currency) })
      }
    }
    if (payment.canceled_at && !captures.length && data.hold_id && !data.transfer_id) {
      const [hold] = (await ledger.listLedgerHolds({ id: data.hold_id })) as any[]
      if (hold?.status === "open") {
        gaps.push({ kind: "payment_release", payment_id: payment.id, hold_id: hold.id, account_id: hold.account_id, amount: formatAmount(hold.amount, currency) })
      }
    }
  }

  // Allocations (cart credit lines) and gift cards bought in the order.
  const holds = order.cart?.id ? ((await allocationHoldsOf(ledger, order.cart.id)) as any[]) : []
  const units = giftCardUnits(order)
  const cards = units.length ? ((await ledger.listLedgerAccounts({ idempotency_key: units.map((u) => u.key) })) as any[]) : []
  if (!canceled) {
    if (isPaid(order)) {
      for (const h of holds.filter((h) => h.status === "open")) {
        gaps.push({ kind: "allocation_capture", hold_id: h.id, account_id: h.account_id, amount: formatAmount(h.amount, currency) })
      }
      for (const u of units.filter((u) => !cards.some((c) => c.idempotency_key === u.key))) {
        gaps.push({ kind: "gift_card_issue", line_item_id: u.item.id, unit: u.unit })
      }
    }
  } else {
    for (const h of holds) {
      if (h.status === "open") {
        gaps.push({ kind: "allocation_release", hold_id: h.id, account_id: h.account_id, amount: formatAmount(h.amount, currency) })
      } else if (h.status === "captured" && h.transfer_id) {
        const left = toDecimal(await ledger.refundableAmount(h.transfer_id))
        if (left.gt(0)) gaps.push({ kind: "allocation_reversal", transfer_id: h.transfer_id, account_id: h.account_id, amount: formatAmount(left, currency) })
      }
    }
    for (const card of cards.filter((c) => c.status !== "closed")) {
      // Only an unspent card is voided on cancel (see voidGiftCard); a spent one stays.
      const account = await ledger.getAccount(card.id)
      const loads = (await ledger.listLedgerTransfers({ destination_id: card.id, kind: "load" })) as any[]
      if (loads.length && toDecimal(account.balance).eq(sum(loads)) && toDecimal(account.held).lte(0)) {
        gaps.push({ kind: "gift_card_void", account_id: card.id, amount: account.balance })
      }
    }
  }
  return { order, canceled, gaps }
}

const transferFix = (t: any): ReconciliationFix => ({
  kind: "transfer",
  id: t.id,
  reference: t.reference,
  transfer_kind: t.kind,
  source_id: t.source_id,
  destination_id: t.destination_id,
  amount: t.amount,
})

/**
 * Posts what an order is missing, through the same idempotent paths and keys the
 * subscribers and the provider use (order-capture:<hold>, pp-capture:<capture>,
 * pp-refund:<refund>:<transfer>, order-cancel:<transfer>, giftcard:<item>:<unit>), so a
 * sweep racing a late event moves the money once.
 */
async function fixOrder(container: any, ledger: LedgerModuleService, order: LedgerOrder, canceled: boolean, gaps: ReconciliationGap[]) {
  const posted: ReconciliationFix[] = []
  const has = (...kinds: ReconciliationGap["kind"][]) => gaps.some((g) => kinds.includes(g.kind))

  if (!canceled && has("allocation_capture", "gift_card_issue", "payment_capture")) {
    const { result } = await captureOrderAccountPaymentsWorkflow(container).run({ input: { order_id: order.id } })
    for (const t of [...(result.allocations ?? []), ...(result.payments ?? [])] as any[]) {
      if (!t.replayed) posted.push(transferFix(t))
    }
    for (const id of result.gift_cards?.created ?? []) posted.push({ kind: "gift_card_issued", account_id: id })
  }

  for (const payment of accountPaymentsOf(order)) {
    const data = payment.data as AccountPaymentData
    const missingCapture = gaps.some((g) => g.kind === "payment_capture" && g.payment_id === payment.id)
    const missingRefunds = gaps.filter((g): g is Extract<ReconciliationGap, { kind: "payment_refund" }> => g.kind === "payment_refund" && g.payment_id === payment.id)
    if (missingCapture || missingRefunds.length) {
      // Captures first (a refund refunds them); replays when the capture workflow posted them above.
      const transfers = await postCaptures(ledger, data, sortedCaptures(payment), order.id)
      for (const t of transfers as any[]) if (t.replayed === false) posted.push(transferFix(t))
      const refunds = [...(payment.refunds ?? [])].sort((a: any, b: any) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id))
      for (const refund of refunds.filter((r: any) => missingRefunds.some((g) => g.refund_id === r.id))) {
        const plan = await planAccountPaymentRefund(ledger, transfers, toDecimal(refund.amount), refund.id)
        for (const t of await ledger.postAll(plan)) if (!t.replayed) posted.push(transferFix(t))
      }
    }
    const release = gaps.find((g) => g.kind === "payment_release" && g.payment_id === payment.id) as { hold_id: string } | undefined
    if (release) {
      const hold = await ledger.release(release.hold_id)
      if (hold.status === "released") posted.push({ kind: "hold_released", hold_id: release.hold_id })
    }
  }

  if (canceled && has("allocation_release", "allocation_reversal", "gift_card_void")) {
    const { result } = await cancelOrderAccountPaymentsWorkflow(container).run({ input: { order_id: order.id } })
    for (const id of result.allocations.released) posted.push({ kind: "hold_released", hold_id: id })
    for (const id of result.allocations.reversed) posted.push(transferFix(await ledger.getTransfer(id)))
    for (const id of result.gift_cards.voided) posted.push({ kind: "gift_card_voided", account_id: id })
  }
  return posted
}

/** The orders Medusa touched in the window: placed, captured, refunded or canceled since `since`. */
async function ordersInWindow(container: any, since: Date) {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const payment = container.resolve(Modules.PAYMENT)
  const window = { $gte: since }
  const [captures, refunds] = await Promise.all([
    payment.listCaptures({ created_at: window }, { select: ["id", "payment_id"], take: null }),
    payment.listRefunds({ created_at: window }, { select: ["id", "payment_id"], take: null }),
  ])
  const paymentIds = [...new Set([...captures, ...refunds].map((r: any) => r.payment_id).filter(Boolean))]
  const payments = paymentIds.length ? await payment.listPayments({ id: paymentIds }, { select: ["id", "payment_collection_id"], take: null }) : []
  const collections = [...new Set(payments.map((p: any) => p.payment_collection_id).filter(Boolean))]
  const { data: links } = collections.length
    ? await query.graph({ entity: "order_payment_collection", fields: ["order_id"], filters: { payment_collection_id: collections } })
    : { data: [] }
  const { data: placed } = await query.graph({ entity: "order", fields: ["id"], filters: { created_at: window } })
  const { data: canceled } = await query.graph({ entity: "order", fields: ["id"], filters: { canceled_at: window } })
  const ids = [...new Set([...links.map((l: any) => l.order_id), ...placed.map((o: any) => o.id), ...canceled.map((o: any) => o.id)])].sort()
  return { ids, captures: captures.length, refunds: refunds.length, canceled: canceled.length }
}

export type ReconcileInput = { days?: number | null }

/**
 * The reconciliation sweep: every order Medusa placed, captured, refunded or canceled in
 * the last `days` (default: the ledger's `reconcileDays` option) is compared with the
 * ledger, and what is missing is posted. One order failing does not stop the others; it is
 * reported. Safe to run at any time, twice, or on two servers at once.
 */
export async function reconcileLedger(container: any, input: ReconcileInput = {}): Promise<ReconciliationReport> {
  const ledger = resolveLedger(container)
  const days = input.days ?? ledger.reconcileDays
  if (!Number.isInteger(days) || days < 1 || days > MAX_RECONCILE_DAYS) {
    throw new Error(`days must be a whole number from 1 to ${MAX_RECONCILE_DAYS}`)
  }
  const started = new Date()
  const since = new Date(started.getTime() - days * 86_400_000)
  const window = await ordersInWindow(container, since)
  const orders: ReconciledOrder[] = []
  for (const orderId of window.ids) {
    const entry: ReconciledOrder = { order_id: orderId, display_id: null, canceled: false, missing: [], posted: [], remaining: [], error: null }
    try {
      const { order, canceled, gaps } = await orderGaps(container, ledger, orderId)
      Object.assign(entry, { display_id: order.display_id ?? null, canceled, missing: gaps })
      if (!gaps.length) continue
      entry.posted = await fixOrder(container, ledger, order, canceled, gaps)
      entry.remaining = (await orderGaps(container, ledger, orderId)).gaps
    } catch (e: any) {
      entry.error = e?.message ?? String(e)
    }
    orders.push(entry)
  }
  const report: ReconciliationReport = {
    started_at: started.toISOString(),
    finished_at: new Date().toISOString(),
    days,
    since: since.toISOString(),
    checked: { orders: window.ids.length, captures: window.captures, refunds: window.refunds, canceled_orders: window.canceled },
    orders,
    fixed: orders.filter((o) => !o.error && !o.remaining.length).length,
    failed: orders.filter((o) => o.error || o.remaining.length).length,
    ok: orders.every((o) => !o.error && !o.remaining.length),
  }
  return report
}

/** One line for the log. */
export function reconciliationSummary(r: ReconciliationReport): string {
  const missing = r.orders.reduce((n, o) => n + o.missing.length, 0)
  const posted = r.orders.reduce((n, o) => n + o.posted.length, 0)
  return (
    `medusa-accounts: reconciliation of the last ${r.days} day(s) checked ${r.checked.orders} order(s) ` +
    `(${r.checked.captures} capture(s), ${r.checked.refunds} refund(s), ${r.checked.canceled_orders} canceled); ` +
    `${missing} missing posting(s) in ${r.orders.length} order(s), ${posted} fix(es) posted, ${r.failed} order(s) still out of step`
  )
}
