import { Context } from "@medusajs/framework/types"
import { InjectManager, InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { runSql } from "../sql"
import { requireText, lockKey, canonicalJson, jsonParam } from "./helpers"
import { type LedgerOperationRecord } from "./base"
import { LedgerStoreCredit } from "./store-credit"

/** Operations: one idempotency key claimed for a request made of several parts. */
export class LedgerOperations extends LedgerStoreCredit {
  /**
   * Claims an idempotency key for a request made of several parts (see the Operation
   * model): `new` when this call claimed it, else the earlier request's state. The key
   * used for another kind of request, other arguments or any other operation is
   * `idempotency_conflict`.
   */
  @InjectTransactionManager()
  async beginOperation(
    key: string,
    kind: string,
    request: Record<string, unknown>,
    @MedusaContext() ctx: Context = {}
  ): Promise<{ claimed: boolean; operation: LedgerOperationRecord }> {
    requireText(key, "idempotency_key")
    await lockKey(ctx, key, "operation")
    const [earlier] = await runSql(ctx, `SELECT * FROM ledger_operation WHERE idempotency_key = ? AND deleted_at IS NULL`, [key])
    if (earlier) {
      if (earlier.kind !== kind || canonicalJson(earlier.request) !== canonicalJson(request)) {
        throw new LedgerError("idempotency_conflict", `Idempotency key ${key} was used for another request`)
      }
      return { claimed: false, operation: earlier }
    }
    const [created] = await runSql(
      ctx,
      `INSERT INTO ledger_operation (id, idempotency_key, kind, request, status) VALUES (?, ?, ?, ?::jsonb, 'pending') RETURNING *`,
      [newId("lop"), key, kind, JSON.stringify(request)]
    )
    return { claimed: true, operation: created }
  }

  /** Records what a pending operation has done so far, or (with `result`) that it is done. */
  @InjectManager()
  async updateOperation(
    id: string,
    update: { progress?: unknown; result?: unknown },
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerOperationRecord> {
    const [row] = await runSql(
      ctx,
      `UPDATE ledger_operation SET progress = coalesce(?::jsonb, progress), result = coalesce(?::jsonb, result),
              status = CASE WHEN ?::jsonb IS NULL THEN status ELSE 'done' END, updated_at = clock_timestamp()
        WHERE id = ? RETURNING *`,
      [jsonParam(update.progress), jsonParam(update.result), jsonParam(update.result), id]
    )
    if (!row) {
      throw new LedgerError("not_found", `Operation ${id} not found`)
    }
    return row
  }

  @InjectManager()
  async getOperation(key: string, @MedusaContext() ctx: Context = {}): Promise<LedgerOperationRecord | null> {
    const [row] = await runSql(ctx, `SELECT * FROM ledger_operation WHERE idempotency_key = ? AND deleted_at IS NULL`, [key])
    return row ?? null
  }

  /** Gives a refused operation's key back: it wrote nothing, so a retry starts afresh. */
  @InjectManager()
  async abandonOperation(id: string, @MedusaContext() ctx: Context = {}): Promise<void> {
    await runSql(ctx, `DELETE FROM ledger_operation WHERE id = ? AND status = 'pending'`, [id])
  }
}
