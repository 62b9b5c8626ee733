import { LedgerError } from "../../modules/ledger/errors"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerOperationRecord } from "../../modules/ledger/service"

/** A claimed operation untouched this long is taken to have died halfway; a retry resumes it. */
export const OPERATION_LEASE_MS = 60_000
/** How long a retry waits for the same request still running elsewhere. */
export const OPERATION_WAIT_MS = 20_000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Claims an idempotency key for a request made of several parts. Returns the operation
 * to carry out (freshly claimed, or one that died halfway: resume it) or, when the same
 * request already finished, its record with the first result. A retry that arrives while
 * the first request is still running waits for it and returns its result.
 */
export async function claimOperation(
  ledger: LedgerModuleService,
  key: string,
  kind: string,
  request: Record<string, unknown>
): Promise<LedgerOperationRecord> {
  const started = Date.now()
  for (;;) {
    const { claimed, operation } = await ledger.beginOperation(key, kind, request)
    if (claimed || operation.status === "done") {
      return operation
    }
    let current: LedgerOperationRecord | null = operation
    while (current && current.status === "pending") {
      if (Date.now() - new Date(current.updated_at).getTime() > OPERATION_LEASE_MS) {
        return current
      }
      if (Date.now() - started > OPERATION_WAIT_MS) {
        throw new LedgerError("idempotency_conflict", `A request with idempotency key ${key} is still in progress; retry later`)
      }
      await sleep(100)
      current = await ledger.getOperation(key)
    }
    if (current) {
      return current
    }
    // The first request was refused and gave its key back: claim it again.
  }
}
