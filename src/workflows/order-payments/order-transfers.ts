import Decimal from "decimal.js"
import { toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerTransferDTO } from "../../modules/ledger/types"
import { captureKey } from "../../providers/account/captures"
import { allocationHoldsOf } from "../allocations/holds"
import { LedgerOrder, accountPaymentsOf, paymentsOf } from "./fetch-order"

/** Transfers that paid the order from accounts: captured allocations and account-provider captures. */
export async function orderAccountTransfers(ledger: LedgerModuleService, order: LedgerOrder): Promise<LedgerTransferDTO[]> {
  const ids: string[] = []
  if (order.cart?.id) {
    for (const hold of (await allocationHoldsOf(ledger, order.cart.id)) as any[]) {
      if (hold.transfer_id) ids.push(hold.transfer_id)
    }
  }
  const keys = accountPaymentsOf(order).flatMap((p: any) => (p.captures ?? []).map((c: any) => captureKey(c.id)))
  if (keys.length) {
    ids.push(...(await ledger.listLedgerTransfers({ idempotency_key: keys })).map((t: any) => t.id))
  }
  return Promise.all(ids.map((id) => ledger.getTransfer(id)))
}

/** What the order's other providers (cards) captured and Medusa has not refunded. */
export function cardPaidOf(order: LedgerOrder): Decimal {
  return paymentsOf(order)
    .filter((p: any) => !accountPaymentsOf(order).includes(p))
    .reduce((sum: Decimal, p: any) => {
      const captured = (p.captures ?? []).reduce((s: Decimal, c: any) => s.plus(toDecimal(c.amount)), new Decimal(0))
      const refunded = (p.refunds ?? []).reduce((s: Decimal, r: any) => s.plus(toDecimal(r.amount)), new Decimal(0))
      return sum.plus(captured.minus(refunded))
    }, new Decimal(0))
}
