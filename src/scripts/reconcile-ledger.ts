import type { ExecArgs } from "@medusajs/framework/types"
import { runReconciliation } from "../workflows/reconciliation/runs"

/**
 * `npx medusa exec ./src/scripts/reconcile-ledger.ts [days]` (or `npm run ledger:reconcile`):
 * the reconciliation sweep, now, over the last `days` (default: the `reconcileDays` option);
 * stores and prints the report as JSON. Exits 1 when something is still out of step.
 */
export default async function reconcileLedgerScript({ container, args }: ExecArgs) {
  const days = args?.[0] !== undefined ? Number(args[0]) : undefined
  const { report } = await runReconciliation(container, { days })
  process.stdout.write(`${JSON.stringify(report)}\n`)
  if (!report.ok) process.exitCode = 1
}
