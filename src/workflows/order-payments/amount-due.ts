import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { LedgerError } from "../../modules/ledger/errors"
import { currencyDecimals, toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerAccountDTO } from "../../modules/ledger/types"

const DUE_FIELDS = [
  "id",
  "display_id",
  "status",
  "currency_code",
  "customer_id",
  "summary",
  "payment_collections.id",
  "payment_collections.status",
  "payment_collections.amount",
  "payment_collections.payments.id",
  "payment_collections.payments.amount",
  "payment_collections.payments.canceled_at",
  "payment_collections.payments.captures.amount",
]

export type DueOrder = {
  id: string
  display_id?: number
  status: string
  currency_code: string
  customer_id?: string | null
  summary?: Record<string, any> | null
  payment_collections?: any[]
}

export async function fetchDueOrder(container: any, orderId: string): Promise<DueOrder> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: DUE_FIELDS, filters: { id: orderId } })
  if (!data[0]) {
    throw new LedgerError("not_found", `Order ${orderId} not found`)
  }
  return data[0]
}

/**
 * What the order still owes, as pay-from-account may pay it: Medusa's pending difference
 * (the order's current total less what its payments captured, net of refunds) less what
 * payments have authorized and not captured yet (a card that will be captured pays that
 * part), rounded to the currency. Nothing on a canceled or draft order.
 */
export function amountDueOf(order: DueOrder): Decimal {
  if (["canceled", "draft"].includes(order.status)) {
    return new Decimal(0)
  }
  const pending = toDecimal(order.summary?.raw_pending_difference ?? order.summary?.pending_difference ?? 0)
  const uncaptured = (order.payment_collections ?? [])
    .filter((pc: any) => pc && pc.status !== "canceled")
    .flatMap((pc: any) => pc.payments ?? [])
    .filter((p: any) => p && !p.canceled_at)
    .reduce((sum: Decimal, p: any) => {
      const captured = (p.captures ?? []).reduce((s: Decimal, c: any) => s.plus(toDecimal(c.amount)), new Decimal(0))
      return sum.plus(Decimal.max(toDecimal(p.amount).minus(captured), 0))
    }, new Decimal(0))
  const due = pending.minus(uncaptured).toDecimalPlaces(currencyDecimals(order.currency_code), Decimal.ROUND_HALF_UP)
  return Decimal.max(due, 0)
}

/**
 * Why `account` may not pay an amount due on `order` (null if it may): core accounts never
 * do; it must be open, inside its dates, in the order's currency, free to pay any charge
 * (no product restriction, may pay shipping: what an order edit adds is not known to be
 * inside a restriction); an account named by id that belongs to customers must belong
 * to (or list as member) the order's customer. A code is its holder's to use, as at checkout.
 */
export async function payingAccountRefusal(
  ledger: LedgerModuleService,
  account: LedgerAccountDTO,
  order: Pick<DueOrder, "currency_code" | "customer_id">,
  by: "account_id" | "code"
): Promise<LedgerError | null> {
  if (account.role) {
    return new LedgerError("not_authorized", `Core account ${account.id} cannot pay an order`)
  }
  if (by === "account_id") {
    const customers = await ledger.getAccountCustomerIds(account.id)
    if (customers.length && (!order.customer_id || !customers.includes(order.customer_id))) {
      return new LedgerError("not_authorized", `Account ${account.id} belongs to another customer than the order's`)
    }
  }
  if (account.currency_code !== order.currency_code.toLowerCase()) {
    return new LedgerError(
      "currency_mismatch",
      `Account ${account.id} is in ${account.currency_code.toUpperCase()}, the order in ${order.currency_code.toUpperCase()}`
    )
  }
  if (account.status !== "open") {
    return new LedgerError(account.status === "frozen" ? "account_frozen" : "account_closed", `Account ${account.id} is ${account.status}`)
  }
  if (!ledger.isActive(account)) {
    return new LedgerError("account_inactive", `Account ${account.id} cannot pay outside its dates`)
  }
  if (account.product_ids?.length || !account.can_pay_shipping) {
    return new LedgerError("not_authorized", `Account ${account.id} pays only for some products or not for shipping; it cannot pay an amount due`)
  }
  return null
}
