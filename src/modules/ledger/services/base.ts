import { Context } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, InjectManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { generateCode } from "../codes"
import { CORE_ROLES, CoreRole, coreAccountId } from "../core"
import { ensureCoreAccounts } from "../core-accounts"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { Account, AccountMember, AccountType, CheckRun, Entry, Hold, Operation, Transfer } from "../models"
import { normalizeCurrency, toDecimal } from "../money"
import { LedgerModuleOptions, ResolvedLedgerOptions, resolveOptions } from "../options"
import { LIVE_BALANCE, prepared, runPrepared, runSql, toAccountDTO, toPostedDTO } from "../sql"
import type { LedgerAccountDTO, LedgerActor, PostedTransferDTO, PostingOptions, TransferKind } from "../types"
import { liveBalanceOrder, jsonParam, refuseWrite, expiresAt, CLOSED_WRITERS } from "./helpers"
import { emitAfterCommit } from "./emit-after-commit"
import { PostingGroup } from "../posting-group"

/** A row of ledger_operation. */
export type LedgerOperationRecord = {
  id: string
  idempotency_key: string
  kind: string
  request: Record<string, unknown>
  status: "pending" | "done"
  progress: any
  result: any
  created_at: Date
  updated_at: Date
}

/** A row of ledger_check_run: a reconciliation sweep or a scheduled verify() run. */
export type LedgerCheckRunRecord = {
  id: string
  kind: "reconciliation" | "verify"
  ok: boolean
  started_at: Date
  finished_at: Date
  report: any
  created_at: Date
}

/** How many runs of each kind are kept (the admin shows the last). */
export const CHECK_RUNS_KEPT = 50

export type PostArgs = {
  kind: TransferKind
  source?: string | null
  destination?: string | null
  amount?: string | null
  parent?: string | null
  hold?: string | null
  maxDestinationBalance?: string | null
  options: PostingOptions
}

// What the expiry sweep works through (exported so the query-plan test explains them).
// now(), not clock_timestamp(): a volatile bound cannot be an index condition, and each
// runs as its own statement, so now() is the moment it runs.
export const EXPIRED_HOLDS_SQL = `SELECT id FROM ledger_hold
  WHERE status = 'open' AND expires_at <= now() AND deleted_at IS NULL ORDER BY id`
export const EXPIRED_ACCOUNTS_SQL = `SELECT id FROM ledger_account
  WHERE status = 'open' AND end_date <= now() AND role IS NULL AND deleted_at IS NULL ORDER BY id`

// An account with its exact balance: core accounts keep part of it in shard rows.
export const ACCOUNT_SELECT = `SELECT a.*, ${LIVE_BALANCE} AS live_balance FROM ledger_account a`

export const POST = prepared(
  "ledger_post_v2",
  `SELECT * FROM ledger_post(?, ?, ?, ?, ?, ?::numeric, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::numeric, ?::timestamptz)`
)
// ledger_post's arguments, in order.
const POST_FIELDS = [
  "id", "reference", "kind", "source", "destination", "amount", "parent", "hold", "description",
  "merchant_reference", "actor_type", "actor_id", "idempotency_key", "metadata", "source_entry_id",
  "destination_entry_id", "max_destination_balance", "expires_at",
] as const
export type PostingRow = Record<(typeof POST_FIELDS)[number], any>

// Holds come back with their account's currency, which their amounts are formatted in.
export const HOLD_CURRENCY = `(SELECT a.currency_code FROM ledger_account a WHERE a.id = h.account_id) AS currency_code`
export const HOLD = prepared(
  "ledger_hold_v2",
  `SELECT h.*, ${HOLD_CURRENCY} FROM ledger_hold(?, ?, ?::numeric, ?::timestamptz, ?, ?, ?::jsonb) h`
)
// status_before is read with the statement's snapshot, taken before ledger_release ran:
// whether this call is the one that released the hold.
export const RELEASE = prepared(
  "ledger_release_v3",
  `SELECT h.*, ${HOLD_CURRENCY}, (SELECT b.status FROM ledger_hold b WHERE b.id = ?) AS status_before FROM ledger_release(?, ?) h`
)

// Keyed by the models' DML names, so the generated methods (listLedgerAccounts, ...) are
// the ones Query calls for the entities ledger_account, ledger_transfer, ...
const MODELS = {
  LedgerAccount: Account,
  LedgerAccountMember: AccountMember,
  LedgerAccountType: AccountType,
  LedgerCheckRun: CheckRun,
  LedgerEntry: Entry,
  LedgerHold: Hold,
  LedgerOperation: Operation,
  LedgerTransfer: Transfer,
}

/**
 * The first layer of the ledger service: Medusa's generated methods (their writers closed),
 * the options, the one posting call every money path goes through, and the account reads
 * the other layers build on. Each file of this folder adds one concern on top of the one
 * before; ../service.ts is the last.
 */
export class LedgerServiceBase extends MedusaService(MODELS) {
  protected readonly options_: ResolvedLedgerOptions
  protected readonly container_: Record<string, any>
  protected readonly group_: PostingGroup | null

  constructor(container: Record<string, unknown>, options: LedgerModuleOptions = {}) {
    // @ts-ignore MedusaService's constructor takes the container
    super(...arguments)
    this.container_ = container
    this.options_ = resolveOptions(options)
    this.group_ = this.options_.groupPosting
      ? new PostingGroup(() => this.container_[ContainerRegistrationKeys.PG_CONNECTION], POST, this.options_.groupPosting)
      : null
    emitAfterCommit.call(this)
    // The generated writers of the money models would bypass every rule: close them.
    for (const [model, instead] of Object.entries(CLOSED_WRITERS)) {
      for (const verb of ["create", "update", "delete", "softDelete", "restore"]) {
        ;(this as any)[`${verb}${model}`] = () => refuseWrite(instead)
      }
    }
  }


  /**
   * Query's list of accounts (the generated method, as Query calls it). Ordering by
   * `balance` orders by the live balance, which is what every read shows: a core
   * account's row holds only part of it (the rest is in its shard rows).
   */
  // @ts-ignore the generated method's signature, kept
  async listAndCountLedgerAccounts(filters: any = {}, config: any = {}, @MedusaContext() ctx: Context = {}) {
    return (super.listAndCountLedgerAccounts as any).call(this, filters, liveBalanceOrder(config), ctx)
  }

  // @ts-ignore the generated method's signature, kept
  async listLedgerAccounts(filters: any = {}, config: any = {}, @MedusaContext() ctx: Context = {}) {
    return (super.listLedgerAccounts as any).call(this, filters, liveBalanceOrder(config), ctx)
  }

  // ---------------------------------------------------------------- core accounts

  /**
   * Creates the default account types and the core accounts (with their balance shards)
   * of these currencies. Idempotent; one read when they already exist.
   */
  @InjectManager()
  async ensureCoreAccounts(currencies: string[], @MedusaContext() ctx: Context = {}) {
    await ensureCoreAccounts((sql, params) => runSql(ctx, sql, params), currencies, this.options_.accountNames)
  }

  @InjectManager()
  async getCoreAccount(role: CoreRole, currency: string, @MedusaContext() ctx: Context = {}) {
    if (!CORE_ROLES.includes(role)) {
      throw new LedgerError("invalid_request", `Unknown core account role ${role}`)
    }
    const cur = normalizeCurrency(currency)
    await this.ensureCoreAccounts([cur], ctx)
    return this.getAccount(coreAccountId(role, cur), ctx)
  }

  // ---------------------------------------------------------------- accounts

  @InjectManager()
  async getAccount(id: string, @MedusaContext() ctx: Context = {}): Promise<LedgerAccountDTO> {
    const [row] = await runSql(ctx, `${ACCOUNT_SELECT} WHERE a.id = ?`, [id])
    if (!row) {
      throw new LedgerError("not_found", `Account ${id} not found`)
    }
    return toAccountDTO(row)
  }


  /**
   * Runs one posting function: inside the caller's transaction when there is one, else
   * as a prepared statement on a pooled connection (the function is atomic by itself).
   */
  protected async call_(statement: ReturnType<typeof prepared>, values: unknown[], ctx: Context) {
    if (ctx.transactionManager) {
      return runSql(ctx, statement.sql, values)
    }
    return runPrepared(this.container_[ContainerRegistrationKeys.PG_CONNECTION], statement, values)
  }

  /** One posting as ledger_post takes it, with its new ids. */
  protected postingRow_(args: PostArgs): PostingRow {
    const o = args.options
    const actor: LedgerActor = o.actor ?? { type: "system" }
    return {
      id: newId("ltr"),
      reference: this.newReference_(),
      kind: args.kind,
      source: args.source ?? null,
      destination: args.destination ?? null,
      amount: args.amount ?? null,
      parent: args.parent ?? null,
      hold: args.hold ?? null,
      description: o.description ?? null,
      merchant_reference: o.merchant_reference ?? null,
      actor_type: actor.type,
      actor_id: actor.id ?? null,
      idempotency_key: o.idempotency_key ?? null,
      metadata: o.metadata ?? null,
      source_entry_id: newId("lent"),
      destination_entry_id: newId("lent"),
      max_destination_balance: args.maxDestinationBalance ?? null,
      expires_at: expiresAt(o.expires_at),
    }
  }

  /**
   * Posts one transfer: in the caller's transaction if there is one; else, with group
   * posting on, together with the postings made at the same time (PostingGroup; a capture
   * of a hold always alone); else as one prepared call.
   */
  protected async post_(args: PostArgs, ctx: Context): Promise<PostedTransferDTO> {
    const row = this.postingRow_(args)
    const values = POST_FIELDS.map((f) => (f === "metadata" ? jsonParam(row.metadata) : row[f]))
    if (this.group_ && !ctx.transactionManager && !args.hold) {
      return toPostedDTO(await this.group_.post(row, values))
    }
    const [posted] = await this.call_(POST, values, ctx)
    return toPostedDTO(posted)
  }

  protected async setStatus_(id: string, status: "open" | "frozen" | "closed", ctx: Context) {
    await runSql(ctx, `SELECT 1 FROM ledger_set_status(?, ?)`, [id, status])
    return this.getAccount(id, ctx)
  }

  protected async setMembers_(id: string, customerIds: string[], ctx: Context) {
    await runSql(ctx, `DELETE FROM ledger_account_member WHERE account_id = ?`, [id])
    for (const customerId of [...new Set(customerIds)]) {
      await runSql(ctx, `INSERT INTO ledger_account_member (id, account_id, customer_id) VALUES (?, ?, ?)`, [
        newId("accmem"),
        id,
        customerId,
      ])
    }
  }

  protected checkLoad_(amount: string, currency: string) {
    const min = this.options_.minLoadAmount(currency)
    if (min && toDecimal(amount).lt(min)) {
      throw new LedgerError("amount_too_low", `The smallest load is ${min.toFixed()} ${currency.toUpperCase()}`)
    }
  }

  protected maxBalance_(currency: string): string | null {
    return this.options_.maxAccountBalance(currency)?.toFixed() ?? null
  }

  protected newReference_() {
    return generateCode({ length: 16, groupSize: 0 })
  }
}
