import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_MODULE } from "../../../../modules/ledger"
import type LedgerModuleService from "../../../../modules/ledger/service"
import { runReconciliation } from "../../../../workflows/reconciliation/runs"
import { ledgerRoute } from "../../../utils/ledger-route"
import type { AdminRunReconciliationType } from "./validators"

/**
 * The last reconciliation sweep and the last scheduled verify() run, each
 * `{ id, kind, ok, started_at, finished_at, report }` or null when it never ran.
 */
export const GET = ledgerRoute(async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  res.json(await req.scope.resolve<LedgerModuleService>(LEDGER_MODULE).lastCheckRuns())
})

/** Runs the reconciliation sweep now: `{ run }`, the stored run with its report. */
export const POST = ledgerRoute(async (req: AuthenticatedMedusaRequest<AdminRunReconciliationType>, res: MedusaResponse) => {
  const { run } = await runReconciliation(req.scope, { days: req.validatedBody?.days })
  res.json({ run })
})
