import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { isImportError } from "../../../../workflows/imports/types"
import { ledgerRoute } from "../../../utils/ledger-route"

const STATUS: Record<string, number> = { loyalty_not_installed: 400, invalid_csv: 400, import_too_large: 413 }

/** ledgerRoute, plus the imports' own refusals as `{ type, code, message }`. */
export function importRoute<Req extends AuthenticatedMedusaRequest<any>>(handler: (req: Req, res: MedusaResponse) => Promise<unknown>) {
  return ledgerRoute(async (req: Req, res: MedusaResponse) => {
    try {
      await handler(req, res)
    } catch (e: any) {
      if (!isImportError(e)) throw e
      res.status(e.status ?? STATUS[e.code] ?? 400).json({ type: e.type, code: e.code, message: e.message })
    }
  })
}
