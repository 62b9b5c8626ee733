import { MedusaError } from "@medusajs/framework/utils"
import type { CreateAccountInput } from "../../modules/ledger/types"

export type ImportMode = "independent" | "atomic"
export type ImportSource = "loyalty" | "csv"
export type ImportKind = "gift_card" | "store_credit"

/** Most items one batch call of the ledger takes. */
export const IMPORT_CHUNK = 1000
/** Refusals listed in a report; the counts hold them all. */
export const MAX_REPORTED_ERRORS = 1000

export type ImportOptions = { dry_run?: boolean; mode?: ImportMode }

/**
 * One balance to open in the ledger: an account creation with its opening load and the key
 * that makes it idempotent. `error` is a refusal found while reading or mapping the source:
 * such an item is never sent to the ledger.
 */
export type ImportItem = {
  /** the source record: a loyalty record id, or `line <n>` of a CSV file */
  ref: string
  line?: number
  kind: ImportKind
  currency_code: string
  /** the balance the source holds, a decimal string ("0" when nothing is left) */
  balance: string
  input: CreateAccountInput & { idempotency_key: string }
  error?: ImportItemError
}

export type ImportItemError = { code: string; message: string }

export type ImportTotals = {
  currency_code: string
  /** what the source holds in this currency, and over how many records */
  source_total: string
  source_records: number
  /** the balances of the ledger accounts this import opened (or, in a dry run, would open) or found already opened */
  ledger_total: string
  ledger_accounts: number
  /** source_total equals ledger_total */
  match: boolean
}

export type ImportReport = {
  source: ImportSource
  dry_run: boolean
  mode: ImportMode
  /** every record is in the ledger (or, in a dry run, would be) and the totals match */
  ok: boolean
  /** in atomic mode, when nothing was written because of a refusal */
  rolled_back: boolean
  counts: {
    read: number
    gift_cards: number
    store_credit: number
    /** accounts opened now (in a dry run: that would be opened) */
    created: number
    /** records imported before: their accounts were found, nothing changed */
    replayed: number
    failed: number
    /** atomic mode: records not written because another one was refused */
    not_posted: number
  }
  totals: ImportTotals[]
  errors: { ref: string; line?: number; code: string; message: string }[]
  errors_truncated: boolean
  /** source-specific facts (e.g. gift cards whose value the loyalty plugin never loaded) */
  notes: string[]
  started_at: string
  finished_at: string
  duration_ms: number
}

/** A refusal of the whole import, answered as `{ type, code, message }` with `status`. */
export class ImportError extends MedusaError {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    type: string = MedusaError.Types.NOT_ALLOWED
  ) {
    super(type, message, code)
    this.name = "ImportError"
  }
}

export const IMPORT_ERROR_CODES = ["loyalty_not_installed", "invalid_csv", "import_too_large"] as const

export function isImportError(e: unknown): e is ImportError {
  const err = e as any
  return !!err && typeof err === "object" && (IMPORT_ERROR_CODES as readonly string[]).includes(err.code)
}
