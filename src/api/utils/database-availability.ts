import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"

/**
 * While PostgreSQL is away (restarted, failed over, unreachable) every request fails, and
 * Medusa's pool makes a request that needs a new connection wait up to 60 s before it does.
 * This answers those requests with a clear 503 `database_unavailable` instead: an error that
 * says the database is unreachable marks it down, the plugin's routes then answer 503 at once,
 * and a probe on a fresh connection (never the pool) marks it up again.
 */

// Connection exceptions (class 08), and the server shutting down or starting up (57P0x).
const PG_CODES = new Set(["57P01", "57P02", "57P03"])
const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"])
const MESSAGES = [
  /Connection terminated/i,
  /is not queryable/i,
  /Timeout acquiring a connection/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
  /terminating connection due to administrator command/i,
]

/** True for an error (or any error in its `cause` chain) that says the database cannot be reached. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: any = err, depth = 0; e && typeof e === "object" && depth < 5; e = e.cause, depth++) {
    const code = typeof e.code === "string" ? e.code : ""
    if (code.startsWith("08") || PG_CODES.has(code) || NODE_CODES.has(code)) return true
    if (e.name === "KnexTimeoutError" || e.name === "ConnectionException") return true
    if (MESSAGES.some((m) => m.test(String(e.message ?? "")))) return true
  }
  return false
}

const PROBE_INTERVAL_MS = 500
/** How long a request waits for a probe before it is answered 503. */
const PROBE_WAIT_MS = 1000

let downSince: number | null = null
let probing: Promise<boolean> | null = null
let lastProbe = 0

type RawClient = {
  acquireRawConnection(): Promise<any>
  destroyRawConnection(connection: any): Promise<unknown>
}

/** `SELECT 1` on a connection of its own: the pool may hold dead ones or a queue of waiters. */
async function probe(knex: { client: RawClient }): Promise<boolean> {
  let connection: any
  try {
    connection = await knex.client.acquireRawConnection()
    await connection.query("SELECT 1")
    return true
  } catch {
    return false
  } finally {
    if (connection) await knex.client.destroyRawConnection(connection).catch(() => {})
  }
}

export function markDatabaseDown() {
  downSince ??= Date.now()
}

/** Resolves true once the database answers again (one probe at a time, at most every 500 ms). */
function checkRecovered(req: MedusaRequest): Promise<boolean> {
  if (!probing && Date.now() - lastProbe >= PROBE_INTERVAL_MS) {
    lastProbe = Date.now()
    probing = probe(req.scope.resolve(ContainerRegistrationKeys.PG_CONNECTION))
      .then((up) => {
        if (up) downSince = null
        return up
      })
      .finally(() => (probing = null))
  }
  return probing ?? Promise.resolve(false)
}

export function refuseDatabaseUnavailable(res: MedusaResponse) {
  res.setHeader("Retry-After", "1")
  res.status(503).json({
    type: "database_error",
    code: "database_unavailable",
    message: "The database is unavailable. Retry shortly with the same Idempotency-Key: a posting that did land is not posted twice.",
  })
}

/** First middleware of every plugin route: while the database is known to be down, 503 at once. */
export async function databaseGate(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  if (downSince === null) return next()
  const recovered = await Promise.race([checkRecovered(req), new Promise<boolean>((r) => setTimeout(() => r(false), PROBE_WAIT_MS).unref())])
  if (recovered) return next()
  return refuseDatabaseUnavailable(res)
}
