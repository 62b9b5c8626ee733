import { MedusaError } from "@medusajs/framework/utils"

/**
 * Every refusal of the ledger has a stable machine-readable code. The HTTP layer
 * renders `{ type, code, message }` with the status below.
 */
export const LEDGER_ERROR_CODES = {
  // malformed input: 400 invalid_data
  invalid_request: MedusaError.Types.INVALID_DATA,
  invalid_amount: MedusaError.Types.INVALID_DATA,
  invalid_currency: MedusaError.Types.INVALID_DATA,
  invalid_code: MedusaError.Types.INVALID_DATA,
  invalid_credit_limit: MedusaError.Types.INVALID_DATA,
  same_account: MedusaError.Types.INVALID_DATA,
  // refused business rules: 400 not_allowed
  insufficient_funds: MedusaError.Types.NOT_ALLOWED,
  currency_mismatch: MedusaError.Types.NOT_ALLOWED,
  account_inactive: MedusaError.Types.NOT_ALLOWED,
  account_frozen: MedusaError.Types.NOT_ALLOWED,
  account_closed: MedusaError.Types.NOT_ALLOWED,
  account_not_empty: MedusaError.Types.NOT_ALLOWED,
  already_reversed: MedusaError.Types.NOT_ALLOWED,
  not_reversible: MedusaError.Types.NOT_ALLOWED,
  refund_exceeds_transfer: MedusaError.Types.NOT_ALLOWED,
  amount_too_low: MedusaError.Types.NOT_ALLOWED,
  amount_too_high: MedusaError.Types.NOT_ALLOWED,
  hold_not_open: MedusaError.Types.NOT_ALLOWED,
  hold_expired: MedusaError.Types.NOT_ALLOWED,
  hold_exceeded: MedusaError.Types.NOT_ALLOWED,
  code_taken: MedusaError.Types.NOT_ALLOWED,
  amount_exceeds_due: MedusaError.Types.NOT_ALLOWED,
  // who may do what
  not_authorized: MedusaError.Types.FORBIDDEN,
  // unknown ids, references and codes
  not_found: MedusaError.Types.NOT_FOUND,
  // same idempotency key, different arguments
  idempotency_conflict: MedusaError.Types.CONFLICT,
  // too many failed code attempts
  code_blocked: MedusaError.Types.NOT_ALLOWED,
} as const

export type LedgerErrorCode = keyof typeof LEDGER_ERROR_CODES

const HTTP_STATUS: Partial<Record<LedgerErrorCode, number>> = {
  not_authorized: 403,
  not_found: 404,
  idempotency_conflict: 409,
  code_blocked: 429,
}

export class LedgerError extends MedusaError {
  readonly code: LedgerErrorCode

  constructor(code: LedgerErrorCode, message: string) {
    super(LEDGER_ERROR_CODES[code], message, code)
    this.code = code
    this.name = "LedgerError"
  }
}

/** The HTTP status a refusal with this code is answered with. */
export function ledgerHttpStatus(code: LedgerErrorCode): number {
  return HTTP_STATUS[code] ?? 400
}

export function isLedgerErrorCode(code: unknown): code is LedgerErrorCode {
  return typeof code === "string" && code in LEDGER_ERROR_CODES
}
