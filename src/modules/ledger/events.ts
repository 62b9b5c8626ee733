import Decimal from "decimal.js"
import { formatAmount } from "./money"
import type { LedgerAccountDTO, PostedTransferDTO } from "./types"

/** Events the ledger emits; payloads are documented in the README. */
export const LedgerEvents = {
  TRANSFER_CREATED: "ledger.transfer.created",
  ACCOUNT_CREATED: "ledger.account.created",
  ACCOUNT_FROZEN: "ledger.account.frozen",
  ACCOUNT_THAWED: "ledger.account.thawed",
  ACCOUNT_CLOSED: "ledger.account.closed",
  LOW_BALANCE: "ledger.account.low_balance",
  GIFT_CARD_ISSUED: "ledger.gift_card.issued",
  /** Credit of an account expires within the notice days: `{ account_id, customer_id, amount, currency_code, expires_at }`. */
  CREDIT_EXPIRING: "ledger.credit.expiring",
  /** The sweep lapsed an account's expired credit: `{ account_id, amount, currency_code, transfer_id }`. */
  CREDIT_EXPIRED: "ledger.credit.expired",
  /** A scheduled verify() found a failing check: `{ checked_at, checks: [{ name, description, count, offending }] }`. */
  VERIFY_FAILED: "ledger.verify.failed",
} as const

export type LedgerEventMessage = { name: string; data: Record<string, unknown> }

export function transferCreated(t: PostedTransferDTO): LedgerEventMessage {
  return {
    name: LedgerEvents.TRANSFER_CREATED,
    data: {
      id: t.id,
      reference: t.reference,
      kind: t.kind,
      source_id: t.source_id,
      destination_id: t.destination_id,
      amount: t.amount,
      currency_code: t.currency_code,
      merchant_reference: t.merchant_reference,
    },
  }
}

/** A customer-facing account whose balance this posting took from above to below the threshold. */
export function lowBalance(t: PostedTransferDTO, threshold: Decimal | null): LedgerEventMessage | null {
  if (threshold === null || t.source_balance === null || t.source_id.startsWith("acc_sys_")) {
    return null
  }
  const after = new Decimal(t.source_balance)
  const before = after.plus(t.amount)
  if (!(before.gte(threshold) && after.lt(threshold))) {
    return null
  }
  return {
    name: LedgerEvents.LOW_BALANCE,
    data: {
      id: t.source_id,
      balance: formatAmount(after, t.currency_code),
      threshold: formatAmount(threshold, t.currency_code),
      currency_code: t.currency_code,
    },
  }
}

export function accountEvent(name: string, account: Pick<LedgerAccountDTO, "id" | "currency_code" | "customer_id" | "name">) {
  return {
    name,
    data: { id: account.id, name: account.name, currency_code: account.currency_code, customer_id: account.customer_id },
  }
}
