/** The ledger's stable error codes, as sentences a merchant can act on. */
const SENTENCES: Record<string, string> = {
  invalid_request: "Some of the values are not valid.",
  invalid_amount: "Enter an amount greater than zero, with no more decimals than the currency has.",
  invalid_currency: "This currency is not enabled for the ledger.",
  invalid_code: "That code is not valid. Codes use letters and digits, and dashes are optional.",
  invalid_credit_limit: "The credit limit must be zero or more, or unlimited for a source account.",
  same_account: "Money cannot move from an account to itself.",
  insufficient_funds: "The account does not have enough money available for this.",
  currency_mismatch: "The two accounts use different currencies.",
  account_inactive: "The account is not active at this date (check its start and end dates).",
  account_frozen: "The account is frozen. Thaw it first.",
  account_closed: "The account is closed.",
  account_not_empty: "The account still holds money or open holds. Withdraw the balance and release the holds before closing it.",
  already_reversed: "This transfer has already been reversed.",
  not_reversible: "This transfer cannot be reversed (it is itself a reversal, or it has been partly refunded).",
  refund_exceeds_transfer: "The refund is more than what is left to refund on this transfer.",
  amount_too_low: "The amount is below the minimum.",
  amount_too_high: "The amount is more than is allowed here.",
  hold_not_open: "The hold is no longer open.",
  hold_expired: "The hold has expired.",
  hold_exceeded: "The amount is more than the hold reserves.",
  code_taken: "Another account already uses this code.",
  not_authorized: "You are not allowed to do this.",
  not_found: "It could not be found; it may have been removed.",
  idempotency_conflict: "This request was already made with different values.",
  code_blocked: "Too many wrong codes were tried from this client.",
  amount_exceeds_due: "The amount is more than the order's outstanding amount.",
}

export type ApiError = { code?: string; message?: string; field?: string }

/** The sentence for an SDK error (FetchError carries the body's code and message). */
export function errorSentence(error: unknown): string {
  const e = error as any
  const code: string | undefined = e?.code ?? e?.body?.code ?? e?.response?.code
  const message: string | undefined = e?.message
  if (code && SENTENCES[code]) {
    return SENTENCES[code]
  }
  return message || "Something went wrong. Try again."
}

export function errorCode(error: unknown): string | undefined {
  const e = error as any
  return e?.code ?? e?.body?.code
}

/** Which form field an error concerns, so forms can show it next to that field. */
const FIELD_OF: Record<string, string> = {
  invalid_amount: "amount",
  insufficient_funds: "amount",
  amount_too_high: "amount",
  amount_too_low: "amount",
  refund_exceeds_transfer: "amount",
  amount_exceeds_due: "amount",
  invalid_currency: "currency_code",
  currency_mismatch: "currency_code",
  invalid_code: "code",
  code_taken: "code",
  invalid_credit_limit: "credit_limit",
}

export function errorField(error: unknown): string | undefined {
  const code = errorCode(error)
  return code ? FIELD_OF[code] : undefined
}
