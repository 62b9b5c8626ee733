import { StepResponse, createStep } from "@medusajs/framework/workflows-sdk"
import { LedgerError } from "../../../modules/ledger/errors"
import { resolveLedger } from "../../steps/resolve-ledger"
import { type BulkCreditPostingInput, itemError, postableRows } from "./bulk-credit-items"
import { batchLedger } from "./ledger-batch"
import type { ResolvedBulkCreditRow } from "./resolve-bulk-credit-rows"

/** Wallets opened at the same time (each is one short transaction). */
const WALLET_CONCURRENCY = 6

/**
 * Opens the store-credit wallets a bulk credit needs (not in a dry run). In atomic mode
 * wallets are opened only when every row would post: any row with an error, or refused by
 * the ledger's dry run of the rows whose accounts exist, and nothing is opened. Nothing to
 * undo: opening is idempotent per customer and currency, and an empty wallet holds no money.
 */
export const ensureBulkCreditWalletsStep = createStep(
  "ensure-bulk-credit-wallets",
  async (input: BulkCreditPostingInput & { currency_code: string }, { container }) => {
    const rows: ResolvedBulkCreditRow[] = input.rows.map((r) => ({ ...r }))
    const missing = rows.filter((r) => r.wallet_missing && !r.error)
    if (input.dry_run || !missing.length) {
      return new StepResponse(rows)
    }
    if (input.mode === "atomic") {
      if (rows.some((r) => r.error)) {
        return new StepResponse(rows)
      }
      const { rows: checked, items } = postableRows({ ...input, rows })
      if (items.length) {
        const check = await batchLedger(container).checkBatch(items, { mode: "atomic", actor: input.actor })
        if (!check.ok) {
          const failed = check.failed_index ?? check.results.findIndex((r) => !r.ok)
          const row = checked[failed] ?? checked[0]
          row.error = itemError(check.results[failed]) ?? { code: "not_posted", message: "The ledger refused the batch" }
          return new StepResponse(rows)
        }
      }
    }
    // One wallet per customer, opened by ensureWallet (its own transaction and key per
    // customer and currency), a few customers at a time.
    const ledger = resolveLedger(container)
    const customers = [...new Set(missing.map((r) => r.customer_id!))]
    const opened = new Map<string, { id: string } | { error: { code: string; message: string } }>()
    let next = 0
    const worker = async () => {
      while (next < customers.length) {
        const customerId = customers[next++]
        try {
          opened.set(customerId, { id: (await ledger.ensureWallet(customerId, input.currency_code)).id })
        } catch (e) {
          if (!(e instanceof LedgerError)) throw e
          opened.set(customerId, { error: { code: e.code, message: e.message } })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(WALLET_CONCURRENCY, customers.length) }, worker))
    for (const row of missing) {
      const wallet = opened.get(row.customer_id!)!
      if ("id" in wallet) row.account_id = wallet.id
      else row.error = wallet.error
    }
    return new StepResponse(rows)
  }
)
