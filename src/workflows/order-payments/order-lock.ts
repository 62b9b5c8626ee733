import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { LedgerError } from "../../modules/ledger/errors"
import { OPERATION_WAIT_MS } from "./claim-operation"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const BUSY = Symbol("busy")

/**
 * Runs `run` while no other request holds the same order lock, on any server sharing the
 * database: a PostgreSQL advisory lock, held by a transaction of its own that stays open
 * (idle) while `run` works on other connections. A waiter polls with a try-lock and holds
 * no connection meanwhile, so waiters cannot starve the pool; after OPERATION_WAIT_MS it
 * gives up with `idempotency_conflict` (409: retry later).
 */
export async function withOrderLock<T>(container: any, name: string, orderId: string, run: () => Promise<T>): Promise<T> {
  const knex = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const started = Date.now()
  for (;;) {
    const outcome = await knex.transaction(async (trx: any) => {
      const { rows } = await trx.raw(`SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked`, [
        `ledger_order:${name}:${orderId}`,
      ])
      if (!rows[0]?.locked) return BUSY
      return { value: await run() }
    })
    if (outcome !== BUSY) {
      return (outcome as { value: T }).value
    }
    if (Date.now() - started > OPERATION_WAIT_MS) {
      throw new LedgerError("idempotency_conflict", `Another ${name.replace(/_/g, " ")} of order ${orderId} is in progress; retry later`)
    }
    await sleep(100)
  }
}
