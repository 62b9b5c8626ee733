import { Modules } from "@medusajs/framework/utils"
import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { LedgerEvents } from "../../modules/ledger/events"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import Decimal from "decimal.js"
import { currencyDecimals, formatAmount, toDecimal } from "../../modules/ledger/money"
import type { LedgerAccountDTO } from "../../modules/ledger/types"
import { resolveLedger } from "../steps/resolve-ledger"
import { ALLOCATION_REFERENCE } from "../allocations/allowance"
import { LedgerOrder, accountPaymentsOf, fetchLedgerOrder, orderLabel, paymentsOf } from "./fetch-order"

export const giftCardKey = (itemId: string, unit: number) => `giftcard:${itemId}:${unit}`

/** One card per unit of every gift-card line, keyed by line item and unit. */
export function giftCardUnits(order: LedgerOrder) {
  return (order.items ?? [])
    .filter((item: any) => item.is_giftcard)
    .flatMap((item: any) =>
      Array.from({ length: toDecimal(item.quantity).toNumber() }, (_, unit) => ({ item, unit, key: giftCardKey(item.id, unit) }))
    )
}

/**
 * Issues the order's gift cards: a code account per unit, with the recipient and message
 * the shopper put on the line item. A card is funded from where the order's money went:
 * the part paid from accounts (store credit, gift cards) comes back out of the sales
 * account it was paid into, the rest from Bank (money really received). Keyed per unit,
 * so issuing twice returns the same cards. Compensation voids the cards this run created.
 */
export const issueGiftCardsStep = createStep(
  "issue-ledger-gift-cards",
  async (input: { order_id: string }, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const units = giftCardUnits(order)
    if (!units.length) {
      return new StepResponse({ cards: [] as LedgerAccountDTO[], created: [] as string[] }, [])
    }
    const before = await ledger.listLedgerAccounts({ idempotency_key: units.map((u) => u.key) })
    const existed = new Set(before.map((a: any) => a.idempotency_key))
    const cards: LedgerAccountDTO[] = []
    const funding = fundingOf(order, units.map((u) => toDecimal(u.item.unit_price)))
    for (const [i, { item, unit, key }] of units.entries()) {
      // A card issued earlier stays as it was issued: its funding is not recomputed (a payment
      // added to the order since, e.g. for an order edit, changes the split of later cards only).
      const earlier = before.find((a: any) => a.idempotency_key === key)
      if (earlier) {
        cards.push(await ledger.getAccount(earlier.id))
        continue
      }
      const meta = item.metadata ?? {}
      cards.push(
        await ledger.createAccount(
          {
            name: `Gift card ${orderLabel(order).replace("Order ", "")}`,
            currency_code: order.currency_code,
            type_id: typeId(TYPE_CODES.giftCards),
            generate_code: true,
            initial_loads: funding[i],
            metadata: {
              order_id: order.id,
              line_item_id: item.id,
              unit,
              recipient_email: meta.recipient_email ?? null,
              recipient_name: meta.recipient_name ?? null,
              message: meta.message ?? null,
              sender_email: order.email ?? null,
            },
          },
          { idempotency_key: key, description: `Gift card bought in ${orderLabel(order)}`, merchant_reference: order.id }
        )
      )
    }
    const created = cards.filter((c) => !existed.has(c.idempotency_key)).map((c) => c.id)
    // The code goes in the payload: a notification subscriber mails it to the recipient.
    const issued = cards
      .filter((c) => created.includes(c.id))
      .map((c) => ({
        name: LedgerEvents.GIFT_CARD_ISSUED,
        data: { id: c.id, code: ledger.formatCode(c.code), amount: c.balance, currency_code: c.currency_code, ...c.metadata },
      }))
    if (issued.length) {
      await container.resolve(Modules.EVENT_BUS).emit(issued)
    }
    return new StepResponse({ cards, created }, created)
  },
  async (created: string[] | undefined, { container }) => {
    const ledger = resolveLedger(container)
    for (const id of created ?? []) {
      await voidGiftCard(ledger, id)
    }
  }
)

/**
 * How each card is funded: the order's share paid from accounts (allocations and the
 * account provider) out of the sales account, the rest from Bank. Rounded on running
 * totals, so the cards together take exactly the rounded share of their total.
 */
export function fundingOf(order: LedgerOrder, prices: Decimal[]): { amount: string; source_account_id: string }[][] {
  const decimals = currencyDecimals(order.currency_code)
  const fromAccounts = (order.credit_lines ?? [])
    .filter((l: any) => l.reference === ALLOCATION_REFERENCE)
    .reduce((sum: Decimal, l: any) => sum.plus(toDecimal(l.raw_amount ?? l.amount)), new Decimal(0))
    .plus(accountPaymentsOf(order).filter((p: any) => !p.canceled_at).reduce((sum: Decimal, p: any) => sum.plus(toDecimal(p.amount)), new Decimal(0)))
  const byCard = paymentsOf(order)
    .filter((p: any) => !p.canceled_at && !accountPaymentsOf(order).includes(p))
    .reduce((sum: Decimal, p: any) => sum.plus(toDecimal(p.amount)), new Decimal(0))
  const paid = fromAccounts.plus(byCard)
  const share = paid.gt(0) ? Decimal.min(fromAccounts.div(paid), 1) : new Decimal(0)
  let total = new Decimal(0)
  let salesSoFar = new Decimal(0)
  return prices.map((price) => {
    total = total.plus(price)
    const salesTotal = total.times(share).toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP)
    const sales = Decimal.min(salesTotal.minus(salesSoFar), price)
    salesSoFar = salesSoFar.plus(sales)
    const bank = price.minus(sales)
    return [
      ...(sales.gt(0) ? [{ amount: sales.toFixed(), source_account_id: "@redemptions" }] : []),
      ...(bank.gt(0) ? [{ amount: bank.toFixed(), source_account_id: "@bank" }] : []),
    ]
  })
}

/**
 * Sends an unspent card's loads back where they came from (Bank, the sales account) and
 * closes it, all reversals in one transaction. A card with money spent or on hold is left
 * open and reported: the shopper has used it.
 */
export async function voidGiftCard(ledger: ReturnType<typeof resolveLedger>, accountId: string) {
  const account = await ledger.getAccount(accountId)
  if (account.status === "closed") {
    return { id: accountId, voided: true }
  }
  const loads = await ledger.listLedgerTransfers({ destination_id: accountId, kind: "load" })
  const loaded = loads.reduce((sum: Decimal, t: any) => sum.plus(toDecimal(t.amount)), new Decimal(0))
  if (!toDecimal(account.balance).eq(loaded) || toDecimal(account.held).gt(0) || !loads.length) {
    return { id: accountId, voided: false, balance: account.balance, loaded: formatAmount(loaded, account.currency_code) }
  }
  await ledger.postAll(
    loads.map((load: any) => ({
      kind: "reversal" as const,
      parent: load.id,
      options: { idempotency_key: `void:${load.id}`, description: "Gift card voided" },
    }))
  )
  await ledger.closeAccount(accountId)
  return { id: accountId, voided: true }
}
