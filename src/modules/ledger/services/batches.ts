import { Context } from "@medusajs/framework/types"
import { InjectManager, MedusaContext } from "@medusajs/framework/utils"
import { CREATE_MANY, NOT_POSTED, Outcome, POST_MANY, batchResult, checkBatchSize, isRetryable, itemError, itemKey, rowError } from "../batch-sql"
import { generateCode, normalizeCode } from "../codes"
import { TYPE_CODES, typeId } from "../core"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { parseAmount } from "../money"
import { runSql, toAccountDTO, toPostedDTO } from "../sql"
import type {
  BatchAccountInput,
  BatchMode,
  BatchOptions,
  BatchResult,
  BatchTransferInput,
  LedgerAccountDTO,
  PostedTransferDTO,
} from "../types"
import { ACCOUNT_SELECT } from "./base"
import { checkRoleRef } from "./helpers"
import { LedgerAdminReads } from "./admin-reads"

type Prepared = { index: number; item: Record<string, unknown> }
type BatchSteps<I, T> = {
  statement: typeof POST_MANY
  prepare: (input: I, index: number) => Record<string, unknown>
  before?: (ready: Prepared[]) => Promise<unknown>
  present: (rows: any[]) => Promise<(row: any) => T>
}

/**
 * Batches: many postings or many new accounts in one database call (ledger_post_many,
 * ledger_create_many), each item with every rule of its single method (transfer(),
 * createAccount()). Independent: each item posts or is refused on its own. Atomic: all
 * or none, the answer naming the first refused item. Items are checked here first, as
 * the single methods check them; an atomic batch with a bad item never reaches the database.
 */
export class LedgerBatches extends LedgerAdminReads {
  @InjectManager()
  async postBatch(
    items: BatchTransferInput[],
    options: BatchOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<BatchResult<{ transfer: PostedTransferDTO }>> {
    return this.batch_(items, options, ctx, {
      statement: POST_MANY,
      prepare: (input, i) => this.batchPosting_(input, i, options),
      present: async () => (row) => ({ transfer: toPostedDTO(row) }),
    })
  }

  /** What postBatch would answer now, run in a transaction that is rolled back. */
  async checkBatch(items: BatchTransferInput[], options: BatchOptions = {}) {
    return this.dryRun_((ctx) => this.postBatch(items, options, ctx))
  }

  @InjectManager()
  async createAccounts(
    items: BatchAccountInput[],
    options: BatchOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<BatchResult<{ account: LedgerAccountDTO }>> {
    return this.batch_(items, options, ctx, {
      statement: CREATE_MANY,
      prepare: (input, i) => this.batchAccount_(input, i, options),
      before: (ready) => this.ensureCoreAccounts([...new Set(ready.map((r) => r.item.currency as string))], ctx),
      present: async (rows) => {
        const ids = rows.filter((r) => !r.error_state).map((r) => r.account_id as string)
        const found = ids.length
          ? await runSql(ctx, `${ACCOUNT_SELECT} WHERE a.id IN (SELECT jsonb_array_elements_text(?::jsonb))`, [JSON.stringify(ids)])
          : []
        const accounts = new Map(found.map((r) => [r.id, toAccountDTO(r)]))
        return (row) => ({ account: accounts.get(row.account_id)! })
      },
    })
  }

  /**
   * Several createAccounts batches written as one, all or none (an import bigger than one
   * batch): each batch atomic, all of them in one transaction. When an item is refused,
   * every batch is rolled back: the refused item's batch answers as createAccounts does,
   * every other batch's items `not_posted`. A deadlock or serialization failure (nothing
   * written) is tried again whole. (While it runs it holds one balance shard of each core
   * account it loads from; other postings take another.)
   */
  async createAccountsAtomically(
    batches: BatchAccountInput[][],
    options: Omit<BatchOptions, "mode"> = {}
  ): Promise<BatchResult<{ account: LedgerAccountDTO }>[]> {
    if (!Array.isArray(batches) || batches.length === 0) {
      throw new LedgerError("invalid_request", "Give at least one batch")
    }
    batches.forEach((items) => checkBatchSize(items))
    let results: BatchResult<{ account: LedgerAccountDTO }>[] = []
    const refused = new Error("ledger: atomic batches refused")
    try {
      for (let attempt = 1; ; attempt++) {
        results = []
        try {
          await this.inTransaction_(async (ctx) => {
            for (const items of batches) {
              const result = await this.createAccounts(items, { ...options, mode: "atomic" }, ctx)
              results.push(result)
              if (!result.ok) throw refused
            }
          })
          break
        } catch (e) {
          if (e === refused || !isRetryable(e) || attempt >= 3) throw e
        }
      }
    } catch (e) {
      if (e !== refused) throw e
      const failed = results.length - 1
      const message = `Not written: an item of batch ${failed} was refused and the batches are atomic together`
      return batches.map((items, n) =>
        n === failed
          ? results[n]
          : {
              mode: "atomic" as const,
              ok: false,
              failed_index: null,
              counts: { ok: 0, failed: items.length, replayed: 0 },
              results: items.map((_, index) => ({ index, ok: false as const, error: { code: NOT_POSTED, message } })),
            }
      )
    }
    return results
  }

  /** What createAccounts would answer now, run in a transaction that is rolled back. */
  async checkAccounts(items: BatchAccountInput[], options: BatchOptions = {}) {
    return this.dryRun_((ctx) => this.createAccounts(items, options, ctx))
  }

  /**
   * A batch: each item checked here (`prepare` throws its refusal), the ready ones sent in
   * one call, each row read back with `present`. An atomic batch with an item refused here
   * makes no call. `before` runs before the call (what the items need to exist).
   */
  protected async batch_<I, T>(
    items: I[],
    options: BatchOptions,
    ctx: Context,
    { statement, prepare, before, present }: BatchSteps<I, T>
  ): Promise<BatchResult<T>> {
    const mode = batchMode(options.mode)
    checkBatchSize(items)
    const outcomes: Outcome<T>[] = new Array(items.length)
    const ready: Prepared[] = []
    items.forEach((input, index) => {
      try {
        ready.push({ index, item: prepare(input, index) })
      } catch (e) {
        outcomes[index] = { ok: false, error: itemError(e) }
      }
    })
    if (ready.length && !(mode === "atomic" && ready.length < items.length)) {
      await before?.(ready)
      const rows = await this.runBatch_(statement, ready, mode, ctx)
      const toResult = await present(rows)
      for (const row of rows) {
        outcomes[ready[row.idx].index] = row.error_state
          ? { ok: false, error: itemError(rowError(row)) }
          : { ok: true, replayed: row.replayed === true, ...toResult(row) }
      }
    }
    return batchResult(mode, fillUnposted(outcomes))
  }

  protected async dryRun_<T>(run: (ctx: Context) => Promise<T>): Promise<T> {
    let result!: T
    await this.rolledBack_(async (ctx) => {
      result = await run(ctx)
    })
    return result
  }

  /**
   * One batch call. On its own connection (no caller's transaction) a failure of the
   * whole transaction (deadlock, serialization) wrote nothing and is tried again.
   */
  protected async runBatch_(statement: typeof POST_MANY, ready: Prepared[], mode: BatchMode, ctx: Context) {
    const values = [JSON.stringify(ready.map((r) => r.item)), mode === "atomic"]
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call_(statement, values, ctx)
      } catch (e) {
        if (ctx.transactionManager || !isRetryable(e) || attempt >= 3) throw e
      }
    }
  }

  /** A postBatch item as transfer() checks it, as ledger_post_many takes it. */
  protected batchPosting_(input: BatchTransferInput, index: number, options: BatchOptions) {
    if (!input || typeof input !== "object") {
      throw new LedgerError("invalid_request", "Each item is an object")
    }
    checkRoleRef(input.source_account_id)
    checkRoleRef(input.destination_account_id)
    const kind = input.kind ?? "transfer"
    if (!["transfer", "load", "redemption"].includes(kind)) {
      throw new LedgerError("invalid_request", "kind must be transfer, load or redemption")
    }
    return this.postingRow_({
      kind,
      source: input.source_account_id,
      destination: input.destination_account_id,
      amount: parseAmount(input.amount, undefined),
      options: {
        description: input.description,
        merchant_reference: input.merchant_reference,
        metadata: input.metadata,
        actor: options.actor,
        idempotency_key: itemKey(input.idempotency_key, options.idempotency_key, index),
        expires_at: input.expires_at,
      },
    })
  }

  /** A createAccounts item as createAccount() checks it, as ledger_create_many takes it. */
  protected batchAccount_(input: BatchAccountInput, index: number, options: BatchOptions) {
    if (!input || typeof input !== "object") {
      throw new LedgerError("invalid_request", "Each item is an object")
    }
    const { currency, name, creditLimit, startDate, endDate, loads } = this.checkNewAccount_(input)
    const actor = options.actor ?? { type: "system" }
    return {
      id: newId("acc"),
      name,
      description: input.description ?? null,
      code: input.generate_code ? generateCode(this.options_.code) : input.code ? normalizeCode(input.code) : null,
      code_generated: !!input.generate_code,
      currency,
      credit_limit: creditLimit,
      start_date: startDate?.toISOString() ?? null,
      end_date: endDate?.toISOString() ?? null,
      customer_id: input.customer_id ?? null,
      product_ids: input.product_ids ?? null,
      can_pay_shipping: input.can_pay_shipping ?? true,
      metadata: input.metadata ?? null,
      type_id: input.type_id ?? typeId(TYPE_CODES.storeCredit),
      idempotency_key: itemKey(input.idempotency_key, options.idempotency_key, index),
      member_ids: [...new Set(input.member_ids ?? [])].map((customer_id) => ({ id: newId("accmem"), customer_id })),
      max_balance: this.maxBalance_(currency),
      actor_type: actor.type,
      actor_id: actor.id ?? null,
      loads: loads.map((l) => ({
        id: newId("ltr"),
        reference: this.newReference_(),
        source: l.source_account_id,
        amount: l.amount,
        description: l.description ?? "Initial load",
        expires_at: l.expires_at,
        source_entry_id: newId("lent"),
        destination_entry_id: newId("lent"),
      })),
    }
  }
}

function batchMode(mode: unknown): BatchMode {
  if (mode === undefined || mode === null) return "independent"
  if (mode !== "independent" && mode !== "atomic") {
    throw new LedgerError("invalid_request", "mode must be independent or atomic")
  }
  return mode
}

// An atomic batch refused before the database: the items that were fine were not written.
function fillUnposted<T>(outcomes: Outcome<T>[]): Outcome<T>[] {
  return Array.from(outcomes, (o) => o ?? { ok: false, error: { code: NOT_POSTED, message: "Not written" } })
}
