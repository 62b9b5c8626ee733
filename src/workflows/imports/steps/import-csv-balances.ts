import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { LedgerActor } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"
import { readCsvItems, readCsvRows } from "../csv-source"
import { refuseExistingWallets } from "../existing-wallets"
import { runImport } from "../run-import"
import type { ImportMode, ImportReport } from "../types"

export type ImportCsvInput = { csv: string; dry_run?: boolean; mode?: ImportMode; actor?: LedgerActor }

/** Refuses a file that cannot be read at all (400 `invalid_csv`: syntax, header) before anything else. */
export const validateCsvStep = createStep("validate-balances-csv", async (input: { csv: string }) => {
  const { rows } = readCsvRows(input.csv)
  return new StepResponse(rows.length)
})

/**
 * Maps the rows (each refusal with its line and reason) and opens them in the ledger,
 * 1,000 accounts a call. No compensation: every creation is keyed, and atomic mode writes
 * nothing when a row is refused.
 */
export const importCsvBalancesStep = createStep(
  "import-csv-balances",
  async (input: ImportCsvInput, { container }): Promise<StepResponse<ImportReport>> => {
    const started = new Date()
    const ledger = resolveLedger(container)
    const { items, notes } = await readCsvItems(container, input.csv)
    await refuseExistingWallets(ledger, items)
    const report = await runImport(ledger, {
      source: "csv",
      items,
      notes,
      dry_run: input.dry_run ?? false,
      mode: input.mode ?? "independent",
      actor: input.actor ?? { type: "system" },
      started_at: started,
    })
    return new StepResponse(report)
  }
)
