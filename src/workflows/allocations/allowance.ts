import Decimal from "decimal.js"
import { currencyDecimals, toDecimal } from "../../modules/ledger/money"
import type { LedgerAccountDTO } from "../../modules/ledger/types"

/** The credit line reference that marks a cart or order credit line as a ledger allocation. */
export const ALLOCATION_REFERENCE = "ledger_account"

export type AllocationCart = {
  id: string
  currency_code: string
  total: unknown
  shipping_total?: unknown
  items?: { id: string; product_id?: string | null; total: unknown }[]
  credit_lines?: { id: string; amount: unknown; reference?: string | null; reference_id?: string | null; metadata?: any }[]
}

export type Allowance = {
  /** most the account may pay for this cart now */
  max: Decimal
  /** what limited it, for the error message */
  limitedBy: "balance" | "products" | "cart_total"
  /** this account's current allocation on the cart, replaced by a new one */
  replaces: string[]
}

export const allocationsOf = (cart: Pick<AllocationCart, "credit_lines">) =>
  (cart.credit_lines ?? []).filter((l) => l.reference === ALLOCATION_REFERENCE)

/**
 * What `account` may pay towards `cart`: its available balance, only the lines inside its
 * product restriction (plus shipping if it may pay shipping), and never more than the
 * cart still owes. An earlier allocation of the same account is replaced, so it counts
 * as owed again. Rounded down to the currency's minor unit.
 */
export function allowanceFor(account: LedgerAccountDTO, cart: AllocationCart): Allowance {
  const own = allocationsOf(cart).filter((l) => l.reference_id === account.id)
  const owed = own.reduce((sum, l) => sum.plus(toDecimal(l.amount)), toDecimal(cart.total))
  const restricted = account.product_ids?.length ? new Set(account.product_ids) : null
  const items = (cart.items ?? []).filter((i) => !restricted || (i.product_id && restricted.has(i.product_id)))
  let eligible = items.reduce((sum, i) => sum.plus(toDecimal(i.total)), new Decimal(0))
  if (account.can_pay_shipping) {
    eligible = eligible.plus(toDecimal(cart.shipping_total ?? 0))
  }
  const candidates: [Decimal, Allowance["limitedBy"]][] = [
    [eligible, "products"],
    [owed, "cart_total"],
  ]
  if (account.available !== null) {
    candidates.unshift([new Decimal(account.available), "balance"])
  }
  const [max, limitedBy] = candidates.reduce((a, b) => (b[0].lt(a[0]) ? b : a))
  const places = currencyDecimals(account.currency_code)
  return {
    max: Decimal.max(max, 0).toDecimalPlaces(places, Decimal.ROUND_DOWN),
    limitedBy,
    replaces: own.map((l) => l.id),
  }
}
