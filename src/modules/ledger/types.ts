import { CoreRole } from "./core"

export type ActorType = "user" | "customer" | "api_key" | "system"

/** Who asked for a posting; recorded on the transfer. */
export type LedgerActor = { type: ActorType; id?: string | null }

export type AccountStatus = "open" | "frozen" | "closed"
export type TransferKind =
  | "transfer"
  | "load"
  | "redemption"
  | "capture"
  | "refund"
  | "reversal"
  | "expiry"
export type HoldStatus = "open" | "captured" | "released" | "expired"

/**
 * Money the ledger returns is an exact decimal string in the major unit with the
 * currency's decimals ("12.50"); see formatAmount. Inputs take numbers or strings.
 */
export type Money = string

export interface LedgerAccountDTO {
  id: string
  name: string
  description: string | null
  code: string | null
  status: AccountStatus
  currency_code: string
  type_id: string
  credit_limit: Money | null
  balance: Money
  held: Money
  /** balance + credit limit − held; null when the credit limit is unlimited */
  available: Money | null
  start_date: Date | null
  end_date: Date | null
  closed_at: Date | null
  customer_id: string | null
  product_ids: string[] | null
  can_pay_shipping: boolean
  role: CoreRole | null
  idempotency_key: string | null
  metadata: Record<string, unknown> | null
  /** when the account started keeping lots (credit with its own expiry); null: it keeps none */
  lots_since: Date | null
  created_at: Date
  updated_at: Date
}

export interface LedgerTransferDTO {
  id: string
  reference: string
  kind: TransferKind
  source_id: string
  destination_id: string
  amount: Money
  currency_code: string
  parent_id: string | null
  hold_id: string | null
  merchant_reference: string | null
  description: string | null
  actor_type: ActorType
  actor_id: string | null
  idempotency_key: string | null
  metadata: Record<string, unknown> | null
  created_at: Date
}

export interface PostedTransferDTO extends LedgerTransferDTO {
  /** balances after the posting; null on a core account (read it with getAccount) */
  source_balance: Money | null
  destination_balance: Money | null
  /** true when an earlier posting with the same idempotency key was returned */
  replayed: boolean
}

export interface LedgerHoldDTO {
  id: string
  account_id: string
  amount: Money
  captured_amount: Money
  /** the account's currency */
  currency_code: string | null
  status: HoldStatus
  expires_at: Date | null
  reference: string | null
  transfer_id: string | null
  idempotency_key: string | null
  metadata: Record<string, unknown> | null
  created_at: Date
  updated_at: Date
}

export interface StatementLineDTO {
  id: string
  transfer_id: string
  reference: string
  kind: TransferKind
  description: string | null
  merchant_reference: string | null
  counterparty_id: string
  amount: Money
  /** on core accounts: the sum of the entries up to this one, in posting order */
  balance_after: Money
  created_at: Date
  /** on an account that keeps lots: what this posting put into or took from which lot */
  lots?: LotUseDTO[]
}

export type Amount = number | string

export interface CreateAccountInput {
  name: string
  description?: string | null
  currency_code: string
  type_id?: string
  code?: string | null
  generate_code?: boolean
  credit_limit?: Amount | null
  start_date?: Date | string | null
  end_date?: Date | string | null
  customer_id?: string | null
  member_ids?: string[]
  product_ids?: string[] | null
  can_pay_shipping?: boolean
  metadata?: Record<string, unknown> | null
  /** Funds the new account in the same transaction. */
  initial_amount?: Amount
  /** Where the initial amount comes from; the currency's unpaid source by default. */
  source_account_id?: string
  /**
   * Instead of initial_amount: several loads from different sources, posted in the same
   * transaction (a gift card paid partly with store credit, partly by card).
   */
  initial_loads?: { amount: Amount; source_account_id?: string; description?: string | null; expires_at?: Date | string | null }[]
  /** When the initial amount expires (a lot of its own; see PostingOptions.expires_at). */
  initial_expires_at?: Date | string | null
}

export interface UpdateAccountInput {
  name?: string
  description?: string | null
  type_id?: string
  credit_limit?: Amount | null
  start_date?: Date | string | null
  end_date?: Date | string | null
  customer_id?: string | null
  member_ids?: string[]
  product_ids?: string[] | null
  can_pay_shipping?: boolean
  metadata?: Record<string, unknown> | null
}

export interface PostingOptions {
  description?: string | null
  merchant_reference?: string | null
  actor?: LedgerActor
  idempotency_key?: string | null
  metadata?: Record<string, unknown> | null
  /**
   * A credit to a customer-facing account: when the part of the balance it adds (a lot)
   * expires; never when absent. Ignored by the side that pays.
   */
  expires_at?: Date | string | null
}

export interface TransferOptions extends PostingOptions {
  kind?: "transfer" | "load" | "redemption"
  parent_id?: string | null
  /** Refuse if the destination's balance would go above this (loads). */
  max_destination_balance?: Amount | null
}

export interface HoldOptions {
  expires_at?: Date | string | null
  reference?: string | null
  idempotency_key?: string | null
  metadata?: Record<string, unknown> | null
}

export interface CaptureOptions extends PostingOptions {
  amount?: Amount
  /** The currency's redemptions (sales) account by default. */
  destination_id?: string
}

export interface ExpiryResult {
  closed: string[]
  skipped_negative: string[]
  released_holds: string[]
  /** expired accounts whose free balance lapsed but which stay open while money is held for a payment */
  kept_for_holds: string[]
  /** accounts whose expired lots lapsed (one expiry transfer each) */
  lapsed_credit: { account_id: string; amount: Money; currency_code: string; transfer_id: string }[]
  /** accounts told that credit expires soon (ledger.credit.expiring), at most once a day each */
  expiring_credit: { account_id: string; amount: Money; currency_code: string; expires_at: Date; customer_id: string | null }[]
}

/** A lot: the part of an account's balance one credit added, with that credit's expiry. */
export interface LedgerLotDTO {
  id: string
  account_id: string
  currency_code: string
  /** what the credit put in */
  amount: Money
  /** what is left of it (reserved money included) */
  remaining: Money
  /** what open holds reserve of it */
  reserved: Money
  /** null: never expires */
  expires_at: Date | null
  /** active: money left, not expired; expired: money left, to lapse at the next sweep; used: nothing left */
  status: "active" | "expired" | "used"
  /** the credit that made it (null for what the account held when it started keeping lots) */
  transfer_id: string | null
  transfer_reference: string | null
  created_at: Date
}

/** What a debit took from lots, for the statement. */
export interface LotUseDTO {
  lot_id: string
  kind: "spend" | "capture" | "take" | "lapse" | "return" | "credit" | "open"
  amount: Money
  expires_at: Date | null
}

export interface VerifyCheck {
  name: string
  description: string
  ok: boolean
  count: number
  offending: Record<string, unknown>[]
}

export interface VerifyResult {
  ok: boolean
  checked_at: Date
  trial_balance: {
    currency_code: string
    accounts: number
    debit: string
    credit: string
    net: string
  }[]
  checks: VerifyCheck[]
}

/** How a batch treats a refused item: alone (the others post) or all or none. */
export type BatchMode = "independent" | "atomic"

export interface BatchOptions {
  mode?: BatchMode
  /** Names the batch: item i without a key of its own gets `${idempotency_key}:${i}`. */
  idempotency_key?: string | null
  actor?: LedgerActor
}

export type BatchItemError = { code: string; message: string }

export type BatchItemResult<T> =
  | ({ index: number; ok: true; replayed: boolean } & T)
  | { index: number; ok: false; error: BatchItemError }

export interface BatchResult<T> {
  mode: BatchMode
  /** every item posted (or replayed) */
  ok: boolean
  /** atomic: the item that failed the batch */
  failed_index: number | null
  counts: { ok: number; failed: number; replayed: number }
  results: BatchItemResult<T>[]
}

/** One posting of postBatch: a transfer() call. */
export interface BatchTransferInput {
  source_account_id: string
  destination_account_id: string
  amount: Amount
  kind?: "transfer" | "load" | "redemption"
  description?: string | null
  merchant_reference?: string | null
  idempotency_key?: string | null
  metadata?: Record<string, unknown> | null
  /** When the credit expires (see PostingOptions.expires_at). */
  expires_at?: Date | string | null
}

/** One account of createAccounts: a createAccount() call. */
export type BatchAccountInput = CreateAccountInput & { idempotency_key?: string | null }
