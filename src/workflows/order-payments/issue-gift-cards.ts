import { Modules } from "@medusajs/framework/utils"
import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { LedgerEvents } from "../../modules/ledger/events"
import { TYPE_CODES, typeId } from "../../modules/ledger/core"
import { toDecimal } from "../../modules/ledger/money"
import type { LedgerAccountDTO } from "../../modules/ledger/types"
import { resolveLedger } from "../steps/resolve-ledger"
import { LedgerOrder, fetchLedgerOrder, orderLabel } from "./fetch-order"

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
 * Issues the order's gift cards: a code account per unit, funded from Bank (the card was
 * paid for), with the recipient and message the shopper put on the line item. Keyed per
 * unit, so issuing twice returns the same cards. Compensation voids the cards this run
 * created.
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
    for (const { item, unit, key } of units) {
      const meta = item.metadata ?? {}
      cards.push(
        await ledger.createAccount(
          {
            name: `Gift card ${orderLabel(order).replace("Order ", "")}`,
            currency_code: order.currency_code,
            type_id: typeId(TYPE_CODES.giftCards),
            generate_code: true,
            initial_amount: toDecimal(item.unit_price).toFixed(),
            source_account_id: "@bank",
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
 * Sends an unspent card's load back to Bank and closes it. A card with money spent or on
 * hold is left open and reported: the shopper has used it.
 */
export async function voidGiftCard(ledger: ReturnType<typeof resolveLedger>, accountId: string) {
  const account = await ledger.getAccount(accountId)
  if (account.status === "closed") {
    return { id: accountId, voided: true }
  }
  const loads = await ledger.listLedgerTransfers({ destination_id: accountId, kind: "load" })
  const loaded = loads.reduce((sum: any, t: any) => sum.plus(toDecimal(t.amount)), toDecimal(0))
  if (!toDecimal(account.balance).eq(loaded) || toDecimal(account.held).gt(0) || loads.length !== 1) {
    return { id: accountId, voided: false, balance: account.balance, loaded: loaded.toNumber() }
  }
  await ledger.reverse(loads[0].id, { idempotency_key: `void:${loads[0].id}`, description: "Gift card voided" })
  await ledger.closeAccount(accountId)
  return { id: accountId, voided: true }
}
