import Decimal from "decimal.js"
import { toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerTransferDTO } from "../../modules/ledger/types"
import { allocationHoldsOf } from "../allocations/holds"
import { LedgerOrder, accountPaymentsOf, paymentsOf } from "./fetch-order"

/** The transfers of the order's captured allocations (account money Medusa knows as credit lines). */
export async function allocationTransfers(ledger: LedgerModuleService, order: LedgerOrder): Promise<LedgerTransferDTO[]> {
  if (!order.cart?.id) return []
  const holds = (await allocationHoldsOf(ledger, order.cart.id)) as any[]
  return Promise.all(holds.filter((h) => h.transfer_id).map((h) => ledger.getTransfer(h.transfer_id)))
}

/** What a Medusa payment has captured and not refunded. */
export function netCaptured(payment: any): Decimal {
  const captured = (payment.captures ?? []).reduce((s: Decimal, c: any) => s.plus(toDecimal(c.amount)), new Decimal(0))
  const refunded = (payment.refunds ?? []).reduce((s: Decimal, r: any) => s.plus(toDecimal(r.amount)), new Decimal(0))
  return captured.minus(refunded)
}

/** What the order's other providers (cards) captured and Medusa has not refunded. */
export function cardPaidOf(order: LedgerOrder): Decimal {
  const accountPayments = accountPaymentsOf(order)
  return paymentsOf(order)
    .filter((p: any) => !accountPayments.includes(p))
    .reduce((sum: Decimal, p: any) => sum.plus(netCaptured(p)), new Decimal(0))
}
