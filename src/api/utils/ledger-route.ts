import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { LEDGER_ERROR_CODES, LedgerError, isLedgerErrorCode, ledgerHttpStatus } from "../../modules/ledger/errors"

/** Ledger errors keep their own status and code; Medusa's handler would rewrite 409s. */
export function ledgerErrorResponse(err: unknown): { status: number; body: Record<string, unknown> } | null {
  const e = err as any
  if (!e || typeof e !== "object" || !isLedgerErrorCode(e.code)) {
    return null
  }
  return {
    status: ledgerHttpStatus(e.code),
    body: { type: e.type ?? LEDGER_ERROR_CODES[e.code as keyof typeof LEDGER_ERROR_CODES], code: e.code, message: e.message },
  }
}

type Handler<Req extends MedusaRequest<any>> = (req: Req, res: MedusaResponse) => Promise<unknown>

/** Wraps a route handler so ledger errors reach the client as `{ type, code, message }`. */
export function ledgerRoute<Req extends MedusaRequest<any>>(handler: Handler<Req>) {
  return async (req: Req, res: MedusaResponse) => {
    try {
      await handler(req, res)
    } catch (err) {
      const response = ledgerErrorResponse(err)
      if (!response) {
        throw err
      }
      res.status(response.status).json(response.body)
    }
  }
}

/**
 * Runs one of Medusa's validators and turns its failure into `invalid_request`, so a bad
 * body or query gets a stable code like every other ledger refusal. A ledger error (a
 * schema's own refusal with its code) passes as it is.
 */
export function withInvalidRequestCode(
  middleware: (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) => unknown
) {
  return (req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) =>
    middleware(req, res, (err?: unknown) => {
      if (!err) {
        return next()
      }
      const e = err as any
      if (isLedgerErrorCode(e?.code)) {
        return next(err)
      }
      const message = Array.isArray(e?.issues)
        ? e.issues.map((i: any) => `${(i.path ?? []).join(".") || "body"}: ${i.message}`).join("; ")
        : String(e?.message ?? err)
      next(new LedgerError("invalid_request", message))
    })
}
