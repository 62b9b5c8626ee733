import type { AuthenticatedMedusaRequest } from "@medusajs/framework/http"
import type { LedgerActor } from "../../modules/ledger/types"

/** Who is calling, as the ledger records it on transfers. */
export function actorOf(req: AuthenticatedMedusaRequest): LedgerActor {
  const ctx = req.auth_context
  switch (ctx?.actor_type) {
    case "user":
      return { type: "user", id: ctx.actor_id }
    case "customer":
      return { type: "customer", id: ctx.actor_id }
    case "api-key":
      return { type: "api_key", id: ctx.actor_id }
    default:
      return { type: "system" }
  }
}

/** The Idempotency-Key header wins over a body field. */
export function idempotencyKeyOf(req: AuthenticatedMedusaRequest, body?: { idempotency_key?: string | null }) {
  const header = req.headers["idempotency-key"]
  return (Array.isArray(header) ? header[0] : header) || body?.idempotency_key || undefined
}
