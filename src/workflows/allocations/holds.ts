import { toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import { AllocationCart, allocationsOf } from "./allowance"

/** Allocation holds carry the cart id as reference; the order finds them through its cart. */
export const allocationHoldsOf = (ledger: LedgerModuleService, cartId: string) =>
  ledger.listLedgerHolds({ reference: cartId }, { order: { created_at: "ASC" } } as any)

/**
 * One hold per allocation of the cart; an open hold left by an earlier attempt for the
 * same credit line is reused. All or nothing: on the first refusal the holds placed so
 * far are released and the refusal is thrown.
 */
export async function placeAllocationHolds(ledger: LedgerModuleService, cart: AllocationCart): Promise<string[]> {
  const open = (await allocationHoldsOf(ledger, cart.id)).filter((h: any) => h.status === "open")
  const placed: string[] = []
  try {
    for (const line of allocationsOf(cart)) {
      const earlier = open.find((h: any) => h.metadata?.credit_line_id === line.id)
      const hold =
        earlier ??
        (await ledger.hold(line.reference_id!, toDecimal((line as any).raw_amount ?? line.amount).toFixed(), {
          reference: cart.id,
          metadata: { cart_id: cart.id, credit_line_id: line.id },
        }))
      placed.push(hold.id)
    }
  } catch (e) {
    await releaseHolds(ledger, placed)
    throw e
  }
  return placed
}

export async function releaseHolds(ledger: LedgerModuleService, ids: string[]) {
  for (const id of ids) {
    await ledger.release(id)
  }
}
