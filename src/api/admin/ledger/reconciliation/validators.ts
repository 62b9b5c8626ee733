import { z } from "@medusajs/framework/zod"
import { MAX_RECONCILE_DAYS } from "../../../../modules/ledger/options"

/** Run the reconciliation sweep now; `days` defaults to the `reconcileDays` option. */
export const AdminRunReconciliation = z
  .object({ days: z.number().int().min(1).max(MAX_RECONCILE_DAYS).optional() })
  .strict()
export type AdminRunReconciliationType = z.infer<typeof AdminRunReconciliation>

/** The last runs take no parameters. */
export const AdminGetReconciliation = z.object({}).strict()
