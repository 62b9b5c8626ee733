import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { toDecimal } from "../../modules/ledger/money"
import { allocationHoldsOf } from "../allocations/holds"
import { resolveLedger } from "../steps/resolve-ledger"
import { fetchLedgerOrder, orderLabel } from "./fetch-order"
import { giftCardUnits, voidGiftCard } from "./issue-gift-cards"

/**
 * A canceled order gives every cent back: open allocation holds are released and what is
 * left of each captured allocation transfer is reversed to its account (keyed by the
 * transfer, so a second delivery finds nothing left to do). Reversals and releases are
 * final, so there is nothing to compensate; a retried run completes the rest.
 * Account-provider payments are refunded or canceled by Medusa itself through the provider.
 */
export const cancelOrderAllocationsStep = createStep(
  "cancel-ledger-order-allocations",
  async (input: { order_id: string }, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const released: string[] = []
    const reversed: string[] = []
    const holds = order.cart?.id ? await allocationHoldsOf(ledger, order.cart.id) : []
    for (const hold of holds as any[]) {
      if (hold.status === "open") {
        await ledger.release(hold.id)
        released.push(hold.id)
      } else if (hold.status === "captured" && hold.transfer_id) {
        if (toDecimal(await ledger.refundableAmount(hold.transfer_id)).gt(0)) {
          const t = await ledger.reverse(hold.transfer_id, {
            idempotency_key: `order-cancel:${hold.transfer_id}`,
            merchant_reference: order.id,
            description: `${orderLabel(order)} canceled`,
          })
          reversed.push(t.id)
        }
      }
    }
    return new StepResponse({ released, reversed })
  }
)

/** Cards bought in a canceled order: unspent ones are voided, spent ones reported. */
export const voidOrderGiftCardsStep = createStep(
  "void-ledger-order-gift-cards",
  async (input: { order_id: string }, { container }) => {
    const ledger = resolveLedger(container)
    const order = await fetchLedgerOrder(container, input.order_id)
    const keys = giftCardUnits(order).map((u) => u.key)
    const cards = keys.length ? await ledger.listLedgerAccounts({ idempotency_key: keys }) : []
    const results = []
    for (const card of cards) {
      results.push(await voidGiftCard(ledger, card.id))
    }
    const spent = results.filter((r) => !r.voided)
    if (spent.length) {
      container
        .resolve("logger")
        .warn(`medusa-accounts: order ${input.order_id} canceled; gift cards already used: ${spent.map((s) => s.id).join(", ")}`)
    }
    return new StepResponse({ voided: results.filter((r) => r.voided).map((r) => r.id), spent })
  }
)
