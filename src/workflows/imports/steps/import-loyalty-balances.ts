import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import type { LedgerActor } from "../../../modules/ledger/types"
import { resolveLedger } from "../../steps/resolve-ledger"
import { refuseExistingWallets } from "../existing-wallets"
import { loyaltyItemGroups, resolveLoyalty } from "../loyalty-source"
import { runImport } from "../run-import"
import type { ImportMode, ImportReport } from "../types"

export type ImportLoyaltyInput = { dry_run?: boolean; mode?: ImportMode; actor?: LedgerActor }

/** Refuses at once (400 `loyalty_not_installed`) when the loyalty plugin's modules are not registered. */
export const requireLoyaltyPluginStep = createStep("require-loyalty-plugin", async (_: Record<string, never>, { container }) => {
  resolveLoyalty(container)
  return new StepResponse(true)
})

/**
 * Reads the loyalty plugin's gift cards and store-credit accounts in pages and opens them in
 * the ledger, 1,000 accounts a call, a page being opened while the next is read. Reading and
 * writing are one step: the records never pass through the workflow engine's storage
 * (100,000 of them would). No compensation:
 * every creation is keyed, so a failed run is completed by running again (atomic mode
 * writes nothing when a record is refused).
 */
export const importLoyaltyBalancesStep = createStep(
  "import-loyalty-balances",
  async (input: ImportLoyaltyInput, { container }): Promise<StepResponse<ImportReport>> => {
    const started = new Date()
    const ledger = resolveLedger(container)
    const notes: string[] = []
    const report = await runImport(ledger, {
      source: "loyalty",
      // read in groups: the ledger opens one while the next is read
      items: loyaltyItemGroups(container, notes),
      prepare: (group) => refuseExistingWallets(ledger, group),
      notes,
      dry_run: input.dry_run ?? false,
      mode: input.mode ?? "independent",
      actor: input.actor ?? { type: "system" },
      started_at: started,
    })
    return new StepResponse(report)
  }
)
