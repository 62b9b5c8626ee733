import { useMutation, useQueryClient } from "@tanstack/react-query"
import { ledgerFetch } from "../lib/api"
import { ledgerKeys } from "./query-keys"

export type ImportMode = "independent" | "atomic"

/** The report of `POST /admin/ledger/imports/*` (README "Importing balances", "The report"). */
export interface ImportReport {
  source: "loyalty" | "csv"
  dry_run: boolean
  mode: ImportMode
  ok: boolean
  rolled_back: boolean
  counts: {
    read: number
    gift_cards: number
    store_credit: number
    created: number
    replayed: number
    failed: number
    not_posted: number
  }
  totals: {
    currency_code: string
    source_total: string
    source_records: number
    ledger_total: string
    ledger_accounts: number
    match: boolean
  }[]
  errors: { ref: string; line?: number; code: string; message: string }[]
  errors_truncated: boolean
  notes: string[]
  started_at: string
  finished_at: string
  duration_ms: number
}

export type LoyaltyImportInput = { dry_run: boolean; mode: ImportMode }
export type CsvImportInput = LoyaltyImportInput & { csv: string }

/**
 * Runs an import (or its dry run). A real run refreshes every view of the ledger, since it
 * opens accounts; a dry run writes nothing, so nothing is invalidated.
 */
function useImport<Input extends LoyaltyImportInput>(path: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: Input) => ledgerFetch<{ report: ImportReport }>(path, { method: "POST", body }).then((r) => r.report),
    onSuccess: (report) => {
      if (!report.dry_run) void client.invalidateQueries({ queryKey: ledgerKeys.all })
    },
  })
}

/** `POST /admin/ledger/imports/loyalty`: 400 `loyalty_not_installed` without the plugin's modules. */
export const useLoyaltyImport = () => useImport<LoyaltyImportInput>("/admin/ledger/imports/loyalty")

/** `POST /admin/ledger/imports/csv`: 400 `invalid_csv` for a file that cannot be read. */
export const useCsvImport = () => useImport<CsvImportInput>("/admin/ledger/imports/csv")

/** Largest file the route takes, in characters (MAX_CSV_CHARS); larger files go through the script. */
export const MAX_IMPORT_CSV_CHARS = 5 * 1024 * 1024
