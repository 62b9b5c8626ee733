import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { formatAmount, toDecimal } from "../../modules/ledger/money"
import type LedgerModuleService from "../../modules/ledger/service"
import { ALLOCATION_REFERENCE } from "../allocations/allowance"
import { amountDueOf, fetchDueOrder, payingAccountRefusal } from "./amount-due"
import { fetchLedgerOrder, paymentsOf } from "./fetch-order"
import { giftCardUnits } from "./issue-gift-cards"
import { maxRefundToAccount } from "./refund-plan"

const isCore = (id: string) => id.startsWith("acc_sys_")
const exact = (row: any, field: string) => toDecimal(row[`raw_${field}`] ?? row[field])

export type AccountMoneyTransfer = {
  id: string
  reference: string
  kind: string
  /** "out": the account paid (money left it); "in": money came back to it (refund, reversal, credit). */
  direction: "out" | "in"
  amount: string
  created_at: Date
  description: string | null
  parent_reference: string | null
}

export type OrderAccountMoney = {
  order_id: string
  currency_code: string
  accounts: {
    account: {
      id: string
      name: string
      code: string | null
      type: { id: string; code: string; name: string } | null
      currency_code: string
      customer_id: string | null
      status: string
      balance: string
    }
    allocations: { credit_line_id: string; amount: string }[]
    transfers: AccountMoneyTransfer[]
    holds: { id: string; source: "allocation" | "payment"; amount: string; captured_amount: string; status: string; expires_at: Date | null }[]
    paid: string
    refunded: string
    net: string
  }[]
  gift_cards_issued: { account_id: string; code_last4: string | null; line_item_id: string; amount: string; balance: string; status: string }[]
  refundable_to_account: string
  amount_due: string
  payable_accounts: { id: string; name: string; code: string | null; currency_code: string; available: string | null }[]
}

/**
 * The account money of an order, per account, for the admin's order page: every transfer
 * whose merchant reference is the order (or one of its payment sessions, where the
 * provider's captures are filed when a refund posts them), the holds placed for its cart
 * (allocations) and its payment sessions (the account provider), the transfers those
 * holds became, and every refund and reversal of any of them. Gift cards the order's
 * gift-card line issued are listed apart, not as paying accounts. Then what a refund to
 * store credit would accept at most, what is due, and the customer's accounts that could
 * pay it. Reads only.
 */
export async function orderAccountMoney(container: any, ledger: LedgerModuleService, orderId: string): Promise<OrderAccountMoney> {
  const order = await fetchLedgerOrder(container, orderId)
  const currency = order.currency_code
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: sessionRows } = await query.graph({
    entity: "order",
    fields: ["payment_collections.payment_sessions.id"],
    filters: { id: order.id },
  })
  const sessionIds: string[] = (sessionRows[0]?.payment_collections ?? [])
    .flatMap((pc: any) => pc?.payment_sessions ?? [])
    .map((s: any) => s?.id)
    .filter(Boolean)
  // Sessions Medusa deleted still name the holds their payments placed: payments keep their session id.
  const paymentSessionIds = paymentsOf(order).map((p: any) => p.data?.session_id).filter(Boolean)
  const sessions = [...new Set([...sessionIds, ...paymentSessionIds])]

  const holdRefs = [...(order.cart?.id ? [order.cart.id] : []), ...sessions]
  const holds = holdRefs.length ? ((await ledger.listLedgerHolds({ reference: holdRefs }, { order: { created_at: "ASC" } } as any)) as any[]) : []

  // Transfers of the order, then what the holds became, then refunds and reversals, to closure.
  const byId = new Map<string, any>()
  const add = (rows: any[]) => rows.filter((r) => !byId.has(r.id)).map((r) => (byId.set(r.id, r), r.id))
  add(await ledger.listLedgerTransfers({ merchant_reference: [order.id, ...sessions] }))
  // (hold_id has no index; a hold names the transfer it became)
  const captured = holds.map((h) => h.transfer_id).filter((id): id is string => !!id && !byId.has(id))
  if (captured.length) add(await ledger.listLedgerTransfers({ id: captured }))
  let frontier = [...byId.keys()]
  while (frontier.length) {
    frontier = add(await ledger.listLedgerTransfers({ parent_id: frontier }))
  }
  const transfers = [...byId.values()].sort(
    (a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || String(a.id).localeCompare(String(b.id))
  )

  // Gift cards bought in the order: shown apart (their loads are the order's too).
  const units = giftCardUnits(order)
  const cards = units.length ? ((await ledger.listLedgerAccounts({ idempotency_key: units.map((u) => u.key) })) as any[]) : []
  const cardIds = new Set(cards.map((c) => c.id))

  const accountIds = new Set<string>()
  for (const t of transfers) {
    for (const side of [t.source_id, t.destination_id]) if (!isCore(side) && !cardIds.has(side)) accountIds.add(side)
  }
  for (const h of holds) if (!cardIds.has(h.account_id)) accountIds.add(h.account_id)
  const allocationLines = (order.credit_lines ?? []).filter((l: any) => l.reference === ALLOCATION_REFERENCE && l.reference_id)
  for (const l of allocationLines) if (!cardIds.has(l.reference_id)) accountIds.add(l.reference_id)

  const accounts = await Promise.all([...accountIds].map((id) => ledger.getAccount(id).catch(() => null)))
  const typeIds = [...new Set(accounts.filter(Boolean).map((a) => a!.type_id))]
  const types = typeIds.length ? ((await ledger.listLedgerAccountTypes({ id: typeIds })) as any[]) : []
  const referenceOf = (id: string | null) => (id ? byId.get(id)?.reference ?? null : null)

  const groups = accounts
    .filter((a): a is NonNullable<typeof a> => !!a)
    .map((account) => {
      const own = transfers.filter((t) => t.source_id === account.id || t.destination_id === account.id)
      let paid = new Decimal(0)
      let refunded = new Decimal(0)
      const lines: AccountMoneyTransfer[] = own.map((t) => {
        const direction = t.source_id === account.id ? "out" : "in"
        const amount = exact(t, "amount")
        if (direction === "out") paid = paid.plus(amount)
        else refunded = refunded.plus(amount)
        return {
          id: t.id,
          reference: t.reference,
          kind: t.kind,
          direction,
          amount: formatAmount(amount, account.currency_code),
          created_at: t.created_at,
          description: t.description ?? null,
          parent_reference: referenceOf(t.parent_id),
        }
      })
      const type = types.find((ty) => ty.id === account.type_id)
      return {
        account: {
          id: account.id,
          name: account.name,
          code: maskCode(account.code),
          type: type ? { id: type.id, code: type.code, name: type.name } : null,
          currency_code: account.currency_code,
          customer_id: account.customer_id,
          status: account.status,
          balance: account.balance,
        },
        allocations: allocationLines
          .filter((l: any) => l.reference_id === account.id)
          .map((l: any) => ({ credit_line_id: l.id, amount: formatAmount(exact(l, "amount"), currency) })),
        transfers: lines,
        holds: holds
          .filter((h) => h.account_id === account.id)
          .map((h) => ({
            id: h.id,
            source: (h.reference === order.cart?.id ? "allocation" : "payment") as "allocation" | "payment",
            amount: formatAmount(exact(h, "amount"), account.currency_code),
            captured_amount: formatAmount(exact(h, "captured_amount"), account.currency_code),
            status: h.status,
            expires_at: h.expires_at ?? null,
          })),
        paid: formatAmount(paid, account.currency_code),
        refunded: formatAmount(refunded, account.currency_code),
        net: formatAmount(paid.minus(refunded), account.currency_code),
        first: own[0] ? new Date(own[0].created_at).getTime() : Number.MAX_SAFE_INTEGER,
      }
    })
    .sort((a, b) => a.first - b.first || a.account.id.localeCompare(b.account.id))
    .map(({ first: _first, ...group }) => group)

  const cardBalances = await ledger.getBalances(cards.map((c) => c.id))
  const giftCards = units
    .map((u) => ({ unit: u, card: cards.find((c) => c.idempotency_key === u.key) }))
    .filter((x) => !!x.card)
    .map(({ unit, card }) => {
      const loaded = transfers
        .filter((t) => t.destination_id === card.id && t.kind === "load")
        .reduce((sum, t) => sum.plus(exact(t, "amount")), new Decimal(0))
      return {
        account_id: card.id,
        code_last4: card.code ? String(card.code).slice(-4) : null,
        line_item_id: unit.item.id,
        amount: formatAmount(loaded, currency),
        balance: cardBalances[card.id] ?? formatAmount(0, currency),
        status: card.status,
      }
    })

  const dueOrder = await fetchDueOrder(container, order.id)
  return {
    order_id: order.id,
    currency_code: currency,
    accounts: groups,
    gift_cards_issued: giftCards,
    refundable_to_account: formatAmount(await maxRefundToAccount(ledger, order), currency),
    amount_due: formatAmount(amountDueOf(dueOrder), currency),
    payable_accounts: await payableAccounts(container, ledger, dueOrder),
  }
}

/** The order customer's accounts (owned or as member) that could pay its amount due now. */
async function payableAccounts(container: any, ledger: LedgerModuleService, order: Awaited<ReturnType<typeof fetchDueOrder>>) {
  if (!order.customer_id) return []
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "ledger_account",
    fields: ["id"],
    filters: {
      currency_code: order.currency_code.toLowerCase(),
      status: "open",
      $or: [{ customer_id: order.customer_id }, { members: { customer_id: order.customer_id } }],
    },
  })
  const out: OrderAccountMoney["payable_accounts"] = []
  for (const { id } of data as { id: string }[]) {
    const account = await ledger.getAccount(id)
    if (await payingAccountRefusal(ledger, account, order, "account_id")) continue
    if (account.available !== null && toDecimal(account.available).lte(0)) continue
    out.push({ id: account.id, name: account.name, code: maskCode(account.code), currency_code: account.currency_code, available: account.available })
  }
  return out
}

/** A code as the admin's order page shows it: only the last four characters. */
export function maskCode(code: string | null): string | null {
  return code ? `•••• ${code.slice(-4)}` : null
}
