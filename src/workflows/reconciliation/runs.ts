import { Modules } from "@medusajs/framework/utils"
import { LedgerEvents } from "../../modules/ledger/events"
import type { LedgerCheckRunRecord } from "../../modules/ledger/service"
import type { VerifyResult } from "../../modules/ledger/types"
import { resolveLedger } from "../steps/resolve-ledger"
import { ReconcileInput, ReconciliationReport, reconcileLedger, reconciliationSummary } from "./sweep"

/**
 * The sweep as the job, the CLI and the admin route run it: reconciles, logs the report
 * (a summary line; each repaired order as a warning, since an event was lost; what is
 * still out of step as an error) and stores it as the last reconciliation run.
 */
export async function runReconciliation(container: any, input: ReconcileInput = {}): Promise<{ report: ReconciliationReport; run: LedgerCheckRunRecord }> {
  const logger = container.resolve("logger")
  const report = await reconcileLedger(container, input)
  logger.info(reconciliationSummary(report))
  for (const o of report.orders) {
    const line = `order ${o.order_id}: missing ${o.missing.map((g) => g.kind).join(", ") || "nothing"}; posted ${o.posted.length} fix(es)`
    if (o.error || o.remaining.length) {
      logger.error(`medusa-accounts: reconciliation ${line}; still out of step: ${o.error ?? o.remaining.map((g) => g.kind).join(", ")}`)
    } else {
      logger.warn(`medusa-accounts: reconciliation ${line}`)
    }
  }
  const run = await resolveLedger(container).recordCheckRun({
    kind: "reconciliation",
    ok: report.ok,
    started_at: report.started_at,
    finished_at: report.finished_at,
    report,
  })
  return { report, run }
}

/** A failing check as `ledger.verify.failed` carries it. */
export type FailedCheck = { name: string; description: string; count: number; offending: Record<string, unknown>[] }

/**
 * verify() as the schedule runs it: the result is stored as the last verify run; a failing
 * check logs an error and emits `ledger.verify.failed` `{ checked_at, checks }` with the
 * failing checks, so a store can alert someone.
 */
export async function runScheduledVerify(container: any): Promise<{ result: VerifyResult; run: LedgerCheckRunRecord; failed: FailedCheck[] }> {
  const ledger = resolveLedger(container)
  const started = new Date()
  const result = await ledger.verify()
  const failed: FailedCheck[] = result.checks
    .filter((c) => !c.ok)
    .map((c) => ({ name: c.name, description: (c as any).description ?? c.name, count: c.count, offending: c.offending }))
  const run = await ledger.recordCheckRun({ kind: "verify", ok: result.ok, started_at: started, report: result })
  if (!result.ok) {
    container
      .resolve("logger")
      .error(`medusa-accounts: ledger verify failed: ${failed.map((c) => `${c.name} (${c.count} row(s))`).join(", ")}`)
    await container.resolve(Modules.EVENT_BUS).emit({
      name: LedgerEvents.VERIFY_FAILED,
      data: { checked_at: new Date(result.checked_at).toISOString(), checks: failed },
    })
  }
  return { result, run, failed }
}
