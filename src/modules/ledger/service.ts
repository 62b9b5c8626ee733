import Decimal from "decimal.js"
import { raw } from "@medusajs/framework/mikro-orm/core"
import { Context } from "@medusajs/framework/types"
import {
  ContainerRegistrationKeys,
  InjectManager,
  InjectTransactionManager,
  MedusaContext,
  MedusaService,
} from "@medusajs/framework/utils"
import { crockfordDigits, formatCode, generateCode, normalizeCode } from "./codes"
import { CORE_ROLES, CoreRole, TYPE_CODES, coreAccountId, typeId } from "./core"
import { ensureCoreAccounts } from "./core-accounts"
import { LedgerError } from "./errors"
import { LedgerEventMessage, LedgerEvents, accountEvent, lowBalance, transferCreated } from "./events"
import { newId } from "./ids"
import { Account, AccountMember, AccountType, CheckRun, Entry, Hold, Operation, Transfer } from "./models"
import { formatAmount, normalizeCurrency, parseAmount, toDecimal } from "./money"
import { LedgerModuleOptions, ResolvedLedgerOptions, resolveOptions } from "./options"
import {
  prepared,
  runPrepared,
  runSql,
  toAccountDTO,
  toHoldDTO,
  toPostedDTO,
  toTransferDTO,
} from "./sql"
import type {
  Amount,
  CaptureOptions,
  CreateAccountInput,
  ExpiryResult,
  HoldOptions,
  LedgerAccountDTO,
  LedgerActor,
  LedgerHoldDTO,
  LedgerTransferDTO,
  Money,
  PostedTransferDTO,
  PostingOptions,
  StatementLineDTO,
  TransferKind,
  TransferOptions,
  UpdateAccountInput,
  VerifyResult,
} from "./types"
import { TRIAL_BALANCE_SQL, VERIFY_CHECKS, VERIFY_LIMIT } from "./verify"
import { PostingInput, ResolvedPosting, lockPostings, resolvePostings } from "./posting-batch"
import {
  ACCOUNT_TYPE_STATS_SQL,
  AccountSearch,
  AccountSummary,
  TRANSFER_COUNT_CAP,
  AccountSort,
  accountOrdersSql,
  accountSearchSql,
  balanceHistorySql,
  initialLoadsSql,
  transferCountsSql,
  typeSubtreeSql,
} from "./admin-reads"
import {
  DeferredIncomeReport,
  PeriodQuery,
  ProfitLossReport,
  ReportExec,
  ReportQuery,
  TrialBalanceReport,
  beginReport,
  deferredIncomeReport,
  profitLossReport,
  trialBalanceReport,
} from "./reports"

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

type PostArgs = {
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
const ACCOUNT_SELECT = `SELECT a.*, ledger_balance(a.id) AS live_balance FROM ledger_account a`

const POST = prepared(
  "ledger_post_v1",
  `SELECT * FROM ledger_post(?, ?, ?, ?, ?, ?::numeric, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::numeric)`
)
// Holds come back with their account's currency, which their amounts are formatted in.
const HOLD_CURRENCY = `(SELECT a.currency_code FROM ledger_account a WHERE a.id = h.account_id) AS currency_code`
const HOLD = prepared(
  "ledger_hold_v2",
  `SELECT h.*, ${HOLD_CURRENCY} FROM ledger_hold(?, ?, ?::numeric, ?::timestamptz, ?, ?, ?::jsonb) h`
)
const RELEASE = prepared("ledger_release_v2", `SELECT h.*, ${HOLD_CURRENCY} FROM ledger_release(?, ?) h`)
const HOLD_STATUS = prepared("ledger_hold_status", `SELECT status FROM ledger_hold WHERE id = ?`)

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
 * The ledger's whole money surface. Reads of accounts, transfers, entries and holds also
 * come from the generated `listLedger*`/`retrieveLedger*` methods (and so from Query);
 * every write goes through the methods below, which post through the database functions
 * installed by the migrations. The generated create/update/delete methods of the money
 * models refuse to run.
 */
export default class LedgerModuleService extends MedusaService(MODELS) {
  protected readonly options_: ResolvedLedgerOptions
  protected readonly container_: Record<string, any>

  constructor(container: Record<string, unknown>, options: LedgerModuleOptions = {}) {
    // @ts-ignore MedusaService's constructor takes the container
    super(...arguments)
    this.container_ = container
    this.options_ = resolveOptions(options)
    this.emitAfter_()
    // The generated writers of the money models would bypass every rule: close them.
    for (const [model, instead] of Object.entries(CLOSED_WRITERS)) {
      for (const verb of ["create", "update", "delete", "softDelete", "restore"]) {
        ;(this as any)[`${verb}${model}`] = () => refuseWrite(instead)
      }
    }
  }

  /**
   * Events go out once the posting is durable: when the outermost transaction that wrote
   * it commits. A method that ran its own transaction emits when it returns; one called
   * inside a transaction (the caller's, or another ledger method's) emits after that
   * transaction commits, and never if it rolls back. Replays emit nothing.
   */
  private emitAfter_() {
    const bus = () => (this as any).eventBusModuleService_ as { emit: (m: LedgerEventMessage[]) => Promise<void> } | undefined
    const wrap = (method: string, events: (result: any, args: any[]) => (LedgerEventMessage | null)[]) => {
      const original = (this as any)[method].bind(this)
      const ctxIndex = MedusaContext.getIndex(this, method)
      ;(this as any)[method] = async (...args: any[]) => {
        const result = await original(...args)
        const messages = events(result, args).filter((m): m is LedgerEventMessage => !!m)
        if (!messages.length || !bus()) {
          return result
        }
        const ctx = ctxIndex === undefined ? undefined : (args[ctxIndex] as Context | undefined)
        const settled = settledOf(ctx)
        if (!settled) {
          await bus()!.emit(messages)
          return result
        }
        // Inside a transaction that is still open: emit once it has committed. Whether it
        // committed is asked of PostgreSQL (knex settles a rollback like a commit).
        const [{ xid }] = await runSql(ctx!, `SELECT pg_current_xact_id()::text AS xid`)
        const pg = this.container_[ContainerRegistrationKeys.PG_CONNECTION]
        settled
          .then(async () => {
            const { rows } = await pg.raw(`SELECT pg_xact_status(?::xid8) AS status`, [xid])
            if (rows[0]?.status === "committed") await bus()!.emit(messages)
          })
          .catch(() => {})
        return result
      }
    }
    const posted = (t: PostedTransferDTO) =>
      t.replayed ? [] : [transferCreated(t), lowBalance(t, this.options_.lowBalanceThreshold(t.currency_code))]
    for (const method of ["transfer", "topUp", "withdraw", "redeem", "reverse", "refund", "capture", "captureOrRedeem"]) {
      wrap(method, posted)
    }
    wrap("postAll", (transfers: PostedTransferDTO[]) => transfers.flatMap(posted))
    wrap("createAccount", (a: LedgerAccountDTO & { replayed?: boolean }, [input]) => {
      if (a.replayed) return []
      const event = accountEvent(LedgerEvents.ACCOUNT_CREATED, a)
      return [{ ...event, data: { ...event.data, initial_amount: input?.initial_amount == null ? null : formatAmount(input.initial_amount, a.currency_code) } }]
    })
    wrap("creditFromRefunds", (r) =>
      r.replayed ? [] : [transferCreated({ ...r.transfer, source_balance: null, destination_balance: null, replayed: false })]
    )
    // Its parts emit through the methods it calls (post_ does not: refunds emit here).
    wrap("refundToStoreCredit", (r: { transfers: PostedTransferDTO[] }) => r.transfers.flatMap(posted))
    wrap("closeExpiredAccounts", (r: ExpiryResult) =>
      r.closed.map((id) => ({ name: LedgerEvents.ACCOUNT_CLOSED, data: { id, reason: "expired" } }))
    )
    wrap("freezeAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_FROZEN, a)])
    wrap("thawAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_THAWED, a)])
    wrap("closeAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_CLOSED, a)])
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

  /** Looks an account up by code; case, dashes and spaces are ignored, O/I/L read as 0/1/1. */
  @InjectManager()
  async getAccountByCode(code: string, @MedusaContext() ctx: Context = {}): Promise<LedgerAccountDTO> {
    const exact = normalizeCode(code)
    // Generated codes never contain I, L, O or U: a shopper who typed O for 0 still matches.
    const [row] = await runSql(
      ctx,
      `${ACCOUNT_SELECT} WHERE a.code IN (?, ?) AND a.deleted_at IS NULL ORDER BY a.code = ? DESC LIMIT 1`,
      [exact, crockfordDigits(exact), exact]
    )
    if (!row) {
      throw new LedgerError("not_found", "No account has that code")
    }
    return toAccountDTO(row)
  }

  /**
   * Exact balances of these accounts. Query reads a core account's row, which holds only
   * part of its balance (the rest is in shard rows): read balances through here.
   */
  @InjectManager()
  async getBalances(ids: string[], @MedusaContext() ctx: Context = {}): Promise<Record<string, Money>> {
    if (!ids.length) {
      return {}
    }
    const rows = await runSql(
      ctx,
      `SELECT id, currency_code, ledger_balance(id)::text AS balance FROM ledger_account WHERE id IN (${ids.map(() => "?").join(", ")})`,
      ids
    )
    return Object.fromEntries(rows.map((r) => [r.id, formatAmount(r.balance, r.currency_code)]))
  }

  /** Ids of the customers (owner first) who may see and spend an account. */
  @InjectManager()
  async getAccountCustomerIds(id: string, @MedusaContext() ctx: Context = {}): Promise<string[]> {
    const rows = await runSql(
      ctx,
      `SELECT customer_id FROM ledger_account WHERE id = ? AND customer_id IS NOT NULL
       UNION ALL SELECT customer_id FROM ledger_account_member WHERE account_id = ? AND deleted_at IS NULL`,
      [id, id]
    )
    return rows.map((r) => r.customer_id)
  }

  /**
   * The account a shopper pays with: by code (anyone holding it) or by id (only its owner
   * or a member). An account the shopper may not use reads as missing, never as someone
   * else's. Throws unless it is open, inside its dates and in `currency_code`.
   */
  @InjectManager()
  async resolvePayingAccount(
    input: { account_id?: string | null; code?: string | null; customer_id?: string | null; currency_code?: string },
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerAccountDTO> {
    let account: LedgerAccountDTO
    if (input.code) {
      account = await this.getAccountByCode(input.code, ctx)
    } else if (input.account_id) {
      const hidden = new LedgerError("not_found", `Account ${input.account_id} not found`)
      account = await this.getAccount(input.account_id, ctx).catch(() => {
        throw hidden
      })
      const customers = await this.getAccountCustomerIds(account.id, ctx)
      if (!input.customer_id || !customers.includes(input.customer_id)) {
        throw hidden
      }
    } else {
      throw new LedgerError("invalid_request", "Give an account_id or a code")
    }
    if (account.role) {
      throw new LedgerError("not_found", "No account has that code")
    }
    if (account.status !== "open") {
      throw new LedgerError(account.status === "frozen" ? "account_frozen" : "account_closed", `Account ${account.id} is ${account.status}`)
    }
    if (!this.isActive(account)) {
      throw new LedgerError("account_inactive", `Account ${account.id} cannot pay outside its dates`)
    }
    if (input.currency_code && normalizeCurrency(input.currency_code) !== account.currency_code) {
      throw new LedgerError(
        "currency_mismatch",
        `Account ${account.id} is in ${account.currency_code.toUpperCase()}, not ${input.currency_code.toUpperCase()}`
      )
    }
    return account
  }

  /** The code as shoppers see it, grouped with dashes. */
  formatCode(code: string | null): string | null {
    return formatCode(code, this.options_.code.groupSize)
  }

  @InjectTransactionManager()
  async createAccount(
    input: CreateAccountInput,
    options: PostingOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerAccountDTO> {
    const currency = normalizeCurrency(input.currency_code)
    const name = requireText(input.name, "name")
    const creditLimit =
      input.credit_limit === null
        ? null
        : parseAmount(input.credit_limit ?? 0, currency, { allowZero: true, field: "credit_limit" })
    const [startDate, endDate] = checkDates(input.start_date, input.end_date)
    const loads = initialLoads(input, currency)
    for (const load of loads) {
      this.checkLoad_(load.amount, currency)
    }
    const key = options.idempotency_key ?? null
    if (key) {
      // The key names this creation: a retry waits here, then finds the account.
      await lockKey(ctx, key, "account")
      const replay = await this.replayCreation_(key, { ...input, name, currency_code: currency }, loads, ctx)
      if (replay) {
        REPLAYED.add(replay)
        return replay
      }
    }
    await this.ensureCoreAccounts([currency], ctx)

    const code = input.generate_code
      ? generateCode(this.options_.code)
      : input.code
        ? normalizeCode(input.code)
        : null
    const id = newId("acc")
    await runSql(
      ctx,
      `INSERT INTO ledger_account (id, name, description, code, status, currency_code, credit_limit,
         raw_credit_limit, balance, raw_balance, held, raw_held, start_date, end_date, customer_id,
         product_ids, can_pay_shipping, metadata, type_id, idempotency_key)
       VALUES (?, ?, ?, ?, 'open', ?, ?::numeric, CASE WHEN ?::numeric IS NULL THEN NULL ELSE ledger_raw(?::numeric) END,
         0, ledger_raw(0), 0, ledger_raw(0), ?::timestamptz, ?::timestamptz, ?,
         ${textArraySql(input.product_ids)}, ?, ?::jsonb, ?, ?)`,
      [
        id,
        name,
        input.description ?? null,
        code,
        currency,
        creditLimit,
        creditLimit,
        creditLimit,
        startDate,
        endDate,
        input.customer_id ?? null,
        ...textArrayParams(input.product_ids),
        input.can_pay_shipping ?? true,
        jsonParam(input.metadata),
        input.type_id ?? typeId(TYPE_CODES.storeCredit),
        key,
      ]
    )
    if (input.member_ids?.length) {
      await this.setMembers_(id, input.member_ids, ctx)
    }
    // The loads carry no key of their own: the account's key names the whole creation.
    const { idempotency_key: _key, ...loadOptions } = options
    for (const load of loads) {
      await this.post_(
        {
          kind: "load",
          source: load.source_account_id,
          destination: id,
          amount: load.amount,
          maxDestinationBalance: this.maxBalance_(currency),
          options: { description: "Initial load", ...loadOptions, ...(load.description ? { description: load.description } : {}) },
        },
        ctx
      )
    }
    return this.getAccount(id, ctx)
  }

  @InjectTransactionManager()
  async updateAccount(
    id: string,
    input: UpdateAccountInput,
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerAccountDTO> {
    const [current] = await runSql(ctx, `SELECT * FROM ledger_account WHERE id = ? FOR NO KEY UPDATE`, [id])
    if (!current) {
      throw new LedgerError("not_found", `Account ${id} not found`)
    }
    if (current.status === "closed") {
      throw new LedgerError("account_closed", `Account ${id} is closed`)
    }
    const restricted = Object.keys(input).filter((k) => !["name", "description", "metadata"].includes(k))
    if (current.role && restricted.length) {
      throw new LedgerError(
        "not_authorized",
        `Only the name, description and metadata of a core account can be changed (not ${restricted.join(", ")})`
      )
    }
    const sets: string[] = []
    const params: unknown[] = []
    const set = (column: string, value: unknown, cast = "") => {
      sets.push(`${column} = ?${cast}`)
      params.push(value)
    }
    if (input.name !== undefined) set("name", requireText(input.name, "name"))
    if (input.description !== undefined) set("description", input.description)
    if (input.type_id !== undefined) set("type_id", input.type_id)
    if (input.customer_id !== undefined) set("customer_id", input.customer_id)
    if (input.can_pay_shipping !== undefined) set("can_pay_shipping", !!input.can_pay_shipping)
    if (input.metadata !== undefined) set("metadata", jsonParam(input.metadata), "::jsonb")
    if (input.product_ids !== undefined) {
      sets.push(`product_ids = ${textArraySql(input.product_ids)}`)
      params.push(...textArrayParams(input.product_ids))
    }
    if (input.credit_limit !== undefined) {
      const limit =
        input.credit_limit === null
          ? null
          : parseAmount(input.credit_limit, current.currency_code, { allowZero: true, field: "credit_limit" })
      set("credit_limit", limit, "::numeric")
      sets.push(`raw_credit_limit = CASE WHEN ?::numeric IS NULL THEN NULL ELSE ledger_raw(?::numeric) END`)
      params.push(limit, limit)
    }
    if (input.start_date !== undefined || input.end_date !== undefined) {
      const [start, end] = checkDates(
        input.start_date !== undefined ? input.start_date : current.start_date,
        input.end_date !== undefined ? input.end_date : current.end_date
      )
      set("start_date", start, "::timestamptz")
      set("end_date", end, "::timestamptz")
    }
    if (sets.length) {
      await runSql(
        ctx,
        `UPDATE ledger_account SET ${sets.join(", ")}, updated_at = clock_timestamp() WHERE id = ?`,
        [...params, id]
      )
    }
    if (input.member_ids !== undefined) {
      await this.setMembers_(id, input.member_ids, ctx)
    }
    return this.getAccount(id, ctx)
  }

  @InjectManager()
  async freezeAccount(id: string, @MedusaContext() ctx: Context = {}) {
    return this.setStatus_(id, "frozen", ctx)
  }

  @InjectManager()
  async thawAccount(id: string, @MedusaContext() ctx: Context = {}) {
    return this.setStatus_(id, "open", ctx)
  }

  /** Closes an account for good; only an empty one (no balance, nothing held). */
  @InjectManager()
  async closeAccount(id: string, @MedusaContext() ctx: Context = {}) {
    return this.setStatus_(id, "closed", ctx)
  }

  /** Whether the account may pay at `at` (open and inside its dates). */
  isActive(account: Pick<LedgerAccountDTO, "status" | "start_date" | "end_date">, at: Date = new Date()) {
    return (
      account.status === "open" &&
      (!account.start_date || new Date(account.start_date) <= at) &&
      (!account.end_date || new Date(account.end_date) > at)
    )
  }

  @InjectManager()
  async getBalance(id: string, @MedusaContext() ctx: Context = {}) {
    const { balance, held, available, credit_limit, currency_code } = await this.getAccount(id, ctx)
    return { balance, held, available, credit_limit, currency_code }
  }

  /** Entries of an account with the running balance after each, newest first by default. */
  @InjectManager()
  async statement(
    accountId: string,
    query: { limit?: number; offset?: number; order?: "asc" | "desc"; from?: Date | string; to?: Date | string } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<{ lines: StatementLineDTO[]; count: number; limit: number; offset: number }> {
    const account = await this.getAccount(accountId, ctx)
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 1000)
    const offset = Math.max(query.offset ?? 0, 0)
    const desc = query.order !== "asc"
    // The (account_id, seq) index is partial: the predicate lets PostgreSQL use it.
    const where = [`e.account_id = ?`, `e.deleted_at IS NULL`]
    const params: unknown[] = [accountId]
    if (query.from) {
      where.push(`e.created_at >= ?::timestamptz`)
      params.push(toDate(query.from, "from"))
    }
    if (query.to) {
      where.push(`e.created_at < ?::timestamptz`)
      params.push(toDate(query.to, "to"))
    }
    const core = !!account.role
    // Core accounts post no balance_after (see ledger_apply). Their running balance is the
    // live balance less what was posted after the page (newest first), or what was posted
    // before it (oldest first), read in the same statement: work bounded by the offset.
    const edge = !core
      ? `NULL::numeric`
      : desc
        ? `ledger_balance(?) - coalesce((SELECT sum(x.amount) FROM ledger_entry x
             WHERE x.account_id = ? AND x.deleted_at IS NULL AND x.seq > (SELECT max(p.seq) FROM page p)), 0)`
        : `coalesce((SELECT sum(x.amount) FROM ledger_entry x
             WHERE x.account_id = ? AND x.deleted_at IS NULL AND x.seq < (SELECT min(p.seq) FROM page p)), 0)`
    const rows = await runSql(
      ctx,
      `WITH page AS (
         SELECT e.id, e.seq, e.transfer_id, e.amount, e.balance_after, e.created_at
           FROM ledger_entry e WHERE ${where.join(" AND ")}
          ORDER BY e.seq ${desc ? "DESC" : "ASC"} LIMIT ? OFFSET ?)
       SELECT p.id, p.transfer_id, t.reference, t.kind, t.description, t.merchant_reference,
              CASE WHEN p.amount < 0 THEN t.destination_id ELSE t.source_id END AS counterparty_id,
              p.amount::text AS amount, p.balance_after::text AS balance_after, p.created_at,
              (${edge})::text AS edge
         FROM page p JOIN ledger_transfer t ON t.id = p.transfer_id
        ORDER BY p.seq ${desc ? "DESC" : "ASC"}`,
      [...params, limit, offset, ...(core ? (desc ? [accountId, accountId] : [accountId]) : [])]
    )
    const [{ n: count }] = await runSql(ctx, `SELECT count(*)::int AS n FROM ledger_entry e WHERE ${where.join(" AND ")}`, params)
    let running = rows.length && core ? toDecimal(rows[0].edge) : null
    const lines = rows.map((r) => {
      let after: Decimal
      if (!core) {
        after = toDecimal(r.balance_after)
      } else if (desc) {
        after = running!
        running = running!.minus(toDecimal(r.amount))
      } else {
        running = running!.plus(toDecimal(r.amount))
        after = running
      }
      return {
        id: r.id,
        transfer_id: r.transfer_id,
        reference: r.reference,
        kind: r.kind,
        description: r.description,
        merchant_reference: r.merchant_reference,
        counterparty_id: r.counterparty_id,
        amount: formatAmount(r.amount, account.currency_code),
        balance_after: formatAmount(after, account.currency_code),
        created_at: r.created_at,
      }
    })
    return { lines, count, limit, offset }
  }

  // ---------------------------------------------------------------- money

  /**
   * Moves `amount` from `source` to `destination`. Either side may be a core account
   * named by role (`"@redemptions"`, `"@bank"`, ...) in the other side's currency.
   */
  async transfer(
    source: string,
    destination: string,
    amount: Amount,
    options: TransferOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    checkRoleRef(source)
    checkRoleRef(destination)
    const kind = options.kind ?? "transfer"
    if (!["transfer", "load", "redemption"].includes(kind)) {
      throw new LedgerError("invalid_request", `kind must be transfer, load or redemption`)
    }
    return this.post_(
      {
        kind,
        source,
        destination,
        amount: parseAmount(amount, undefined),
        maxDestinationBalance:
          options.max_destination_balance === undefined || options.max_destination_balance === null
            ? null
            : parseAmount(options.max_destination_balance, undefined, { allowZero: true }),
        options,
      },
      ctx
    )
  }

  /**
   * Credits an account (a load) from `source_id`, by default the currency's unpaid
   * source (credit granted without payment); pass "@bank" for money received.
   * Honours the minLoadAmount and maxAccountBalance options.
   */
  @InjectManager()
  async topUp(
    accountId: string,
    amount: Amount,
    options: PostingOptions & { source_id?: string } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    const account = await this.getAccount(accountId, ctx)
    const value = parseAmount(amount, account.currency_code)
    this.checkLoad_(value, account.currency_code)
    const source = options.source_id ?? "@unpaid_source"
    checkRoleRef(source)
    return this.post_(
      {
        kind: "load",
        source,
        destination: accountId,
        amount: value,
        maxDestinationBalance: this.maxBalance_(account.currency_code),
        options: { description: "Top-up", ...options },
      },
      ctx
    )
  }

  /** Takes money out of an account, back to the unpaid source unless told otherwise. */
  async withdraw(
    accountId: string,
    amount: Amount,
    options: PostingOptions & { destination_id?: string } = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    const destination = options.destination_id ?? "@unpaid_source"
    checkRoleRef(destination)
    return this.post_(
      {
        kind: "transfer",
        source: accountId,
        destination,
        amount: parseAmount(amount, undefined),
        options: { description: "Withdrawal", ...options },
      },
      ctx
    )
  }

  /** Spends from an account into the currency's redemptions (sales) account. */
  async redeem(
    accountId: string,
    amount: Amount,
    options: PostingOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    return this.post_(
      {
        kind: "redemption",
        source: accountId,
        destination: "@redemptions",
        amount: parseAmount(amount, undefined),
        options: { description: "Redemption", ...options },
      },
      ctx
    )
  }

  /** Undoes what is left of a transfer (id or reference); at most once. */
  async reverse(
    transfer: string,
    options: PostingOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    return this.post_({ kind: "reversal", parent: transfer, options }, ctx)
  }

  /** Sends part of a transfer back; all refunds together never exceed its amount. */
  async refund(
    transfer: string,
    amount: Amount,
    options: PostingOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    return this.post_(
      { kind: "refund", parent: transfer, amount: parseAmount(amount, undefined), options },
      ctx
    )
  }

  async hold(
    accountId: string,
    amount: Amount,
    options: HoldOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerHoldDTO> {
    const [row] = await this.call_(HOLD, [
      newId("lhold"),
      accountId,
      parseAmount(amount, undefined),
      options.expires_at ? toDate(options.expires_at, "expires_at") : null,
      options.reference ?? null,
      options.idempotency_key ?? null,
      jsonParam(options.metadata),
    ], ctx)
    return toHoldDTO(row)
  }

  /** Turns a hold into a transfer (by default to the redemptions account); the rest is released. */
  async capture(
    holdId: string,
    options: CaptureOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    const destination = options.destination_id ?? "@redemptions"
    checkRoleRef(destination)
    return this.post_(
      {
        kind: "capture",
        hold: holdId,
        destination,
        amount: options.amount === undefined ? null : parseAmount(options.amount, undefined),
        options,
      },
      ctx
    )
  }

  /**
   * Posts several transfers (plain, loads, redemptions, refunds, reversals) all together
   * in one transaction: all or none. Every lock is taken first, in the ledger's order
   * (see lockPostings). Each posting keeps its own rules and idempotency key; a batch
   * whose keys were all used returns the earlier transfers (replayed).
   */
  @InjectTransactionManager()
  async postAll(postings: PostingInput[], @MedusaContext() ctx: Context = {}): Promise<PostedTransferDTO[]> {
    const resolved = await resolvePostings(ctx, postings)
    await lockPostings(ctx, resolved)
    const posted: PostedTransferDTO[] = []
    for (const p of resolved) {
      posted.push(await this.postResolved_(p, ctx))
    }
    return posted
  }

  /** One posting of a batch whose locks are held: a refund or reversal names only its parent. */
  protected postResolved_(p: ResolvedPosting, ctx: Context) {
    return this.post_(
      {
        kind: p.kind,
        source: p.parent ? null : p.source,
        destination: p.parent ? null : p.destination,
        parent: p.parent,
        amount: p.amount,
        options: p.options,
      },
      ctx
    )
  }

  /**
   * Whether postAll would accept these postings now: runs them in a transaction that is
   * rolled back. Throws the refusal postAll would throw; writes nothing either way.
   */
  async checkAll(postings: PostingInput[]): Promise<void> {
    await this.rolledBack_((ctx) => this.postAll(postings, ctx))
  }

  /**
   * Refunds to store credit, all in one transaction (all or none): the `refunds` of
   * transfers paid from accounts (back to those accounts) and the `credit` of money paid
   * outside the ledger (creditFromRefunds; with `customer_id`, into the customer's
   * wallet, opened if need be). Every lock is taken first, in the ledger's order.
   */
  @InjectTransactionManager()
  async refundToStoreCredit(
    input: {
      merchant_reference: string
      currency_code: string
      refunds: PostingInput[]
      credit?: {
        amount: Amount
        ceiling: Amount
        account_id?: string
        customer_id?: string
        new_account?: Omit<CreateAccountInput, "initial_amount" | "initial_loads" | "source_account_id" | "currency_code">
        options?: PostingOptions
      } | null
    },
    @MedusaContext() ctx: Context = {}
  ): Promise<{ transfers: LedgerTransferDTO[]; credit: { account: LedgerAccountDTO; transfer: LedgerTransferDTO } | null }> {
    const currency = normalizeCurrency(input.currency_code)
    const credit = input.credit ?? null
    const creditKey = credit?.options?.idempotency_key ?? null
    if (creditKey) {
      // Keys first (the credit's takes its turn with the refunds' in lockPostings' order).
      await lockKey(ctx, creditKey, credit!.account_id || credit!.customer_id ? "transfer" : "account")
    }
    let accountId = credit?.account_id
    if (credit && !accountId && credit.customer_id) {
      accountId = (await this.ensureWallet(credit.customer_id, currency, ctx)).id
    }
    const refunds = await resolvePostings(ctx, input.refunds)
    // The credit's accounts join the batch's locks (a guest's account is new: nobody else has it).
    await lockPostings(ctx, refunds, credit ? [coreAccountId("refunds_to_credit", currency), ...(accountId ? [accountId] : [])] : [])
    const transfers: LedgerTransferDTO[] = []
    for (const p of refunds) {
      transfers.push(await this.postResolved_(p, ctx))
    }
    const credited = credit
      ? await this.creditFromRefunds(
          {
            merchant_reference: input.merchant_reference,
            currency_code: currency,
            amount: credit.amount,
            ceiling: credit.ceiling,
            account_id: accountId,
            new_account: accountId ? undefined : credit.new_account,
          },
          credit.options ?? {},
          ctx
        )
      : null
    return { transfers, credit: credited ? { account: credited.account, transfer: credited.transfer } : null }
  }

  /** refundToStoreCredit in a transaction that is rolled back: throws what it would throw. */
  async checkRefundToStoreCredit(input: Parameters<LedgerModuleService["refundToStoreCredit"]>[0]): Promise<void> {
    await this.rolledBack_((ctx) => this.refundToStoreCredit(input, ctx))
  }

  /** Runs `run` in a transaction of its own and rolls it back, rethrowing any refusal. */
  protected async rolledBack_(run: (ctx: Context) => Promise<unknown>): Promise<void> {
    const rollback = new Error("ledger: dry run")
    try {
      await this.inTransaction_(run, rollback)
    } catch (e) {
      if (e !== rollback) throw e
    }
  }

  @InjectTransactionManager()
  protected async inTransaction_(run: (ctx: Context) => Promise<unknown>, rollback: Error, @MedusaContext() ctx: Context = {}) {
    await run(ctx)
    throw rollback
  }

  /**
   * Posts a payment captured on an account: from its hold while the hold is open, else
   * (the hold was captured by another capture, released or expired) straight from the
   * account, into the sales account. Keyed (required): concurrent or repeated calls with
   * one key post once and all return that transfer.
   */
  @InjectTransactionManager()
  async captureOrRedeem(
    input: { hold_id?: string | null; account_id: string; amount: Amount },
    options: PostingOptions & { idempotency_key: string },
    @MedusaContext() ctx: Context = {}
  ): Promise<PostedTransferDTO> {
    const key = requireText(options.idempotency_key, "idempotency_key")
    const amount = parseAmount(input.amount, undefined)
    await lockKey(ctx, key, "transfer")
    const [earlier] = await runSql(
      ctx,
      `SELECT t.*, ledger_balance(t.source_id) AS source_balance, ledger_balance(t.destination_id) AS destination_balance
         FROM ledger_transfer t WHERE t.idempotency_key = ? AND t.deleted_at IS NULL`,
      [key]
    )
    if (earlier) {
      if (!["capture", "redemption"].includes(earlier.kind) || earlier.source_id !== input.account_id || !toDecimal(earlier.amount).eq(amount)) {
        throw new LedgerError("idempotency_conflict", `Idempotency key ${key} was used for transfer ${earlier.reference} with different arguments`)
      }
      return { ...toPostedDTO(earlier), replayed: true }
    }
    // The hold's lock, after the key's and before the accounts': the ledger's order.
    const [hold] = input.hold_id
      ? await runSql(
          ctx,
          `SELECT status, account_id, expires_at <= clock_timestamp() AS expired FROM ledger_hold WHERE id = ? FOR NO KEY UPDATE`,
          [input.hold_id]
        )
      : []
    if (hold && hold.account_id !== input.account_id) {
      throw new LedgerError("invalid_request", `Hold ${input.hold_id} is on account ${hold.account_id}`)
    }
    const options_ = { description: "Account payment captured", ...options }
    if (hold?.status === "open" && !hold.expired) {
      return this.post_({ kind: "capture", hold: input.hold_id, destination: "@redemptions", amount, options: options_ }, ctx)
    }
    return this.post_({ kind: "redemption", source: input.account_id, destination: "@redemptions", amount, options: options_ }, ctx)
  }

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

  /**
   * Credits store credit for money the shop owes a shopper outside the ledger (an order
   * paid by card), from the currency's "refunds to credit" account. All such credits
   * with one `merchant_reference` (the order) never add up to more than `ceiling`: the
   * sum is checked under a lock on the reference, in the transaction that posts. Pays
   * into `account_id`, or into a new account made from `new_account` (a guest's code).
   * With an idempotency key, a retry (even one running at the same time) returns the
   * first credit; the key used for anything else is `idempotency_conflict`.
   */
  @InjectTransactionManager()
  async creditFromRefunds(
    input: {
      merchant_reference: string
      currency_code: string
      amount: Amount
      ceiling: Amount
      account_id?: string
      new_account?: Omit<CreateAccountInput, "initial_amount" | "initial_loads" | "source_account_id" | "currency_code">
    },
    options: PostingOptions = {},
    @MedusaContext() ctx: Context = {}
  ): Promise<{ account: LedgerAccountDTO; transfer: LedgerTransferDTO; replayed: boolean }> {
    const currency = normalizeCurrency(input.currency_code)
    const amount = parseAmount(input.amount, currency)
    const ceiling = toDecimal(input.ceiling)
    const source = coreAccountId("refunds_to_credit", currency)
    const key = options.idempotency_key ?? null
    if (key) {
      // Key first, then the order's lock: a second call with the key waits here and replays.
      await lockKey(ctx, key, input.account_id ? "transfer" : "account")
      const replay = await this.replayCredit_(key, { ...input, amount, source }, ctx)
      if (replay) {
        return replay
      }
    }
    await this.ensureCoreAccounts([currency], ctx)
    await runSql(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('ledger_credit:' || ?, 0))`, [input.merchant_reference])
    const [row] = await runSql(
      ctx,
      `SELECT coalesce(sum(t.amount - coalesce((SELECT sum(r.amount) FROM ledger_transfer r
                WHERE r.parent_id = t.id AND r.kind IN ('refund', 'reversal') AND r.deleted_at IS NULL), 0)), 0)::text AS credited
         FROM ledger_transfer t
        WHERE t.merchant_reference = ? AND t.source_id = ? AND t.kind = 'load' AND t.deleted_at IS NULL`,
      [input.merchant_reference, source]
    )
    const left = ceiling.minus(toDecimal(row.credited))
    if (left.lt(amount)) {
      throw new LedgerError(
        "refund_exceeds_transfer",
        `At most ${Decimal.max(left, 0).toFixed()} more can be credited for ${input.merchant_reference}`
      )
    }
    const posting = { description: "Refund to store credit", ...options, merchant_reference: input.merchant_reference }
    if (input.account_id) {
      const transfer = await this.post_(
        { kind: "load", source, destination: input.account_id, amount, options: posting },
        ctx
      )
      return { account: await this.getAccount(input.account_id, ctx), transfer, replayed: false }
    }
    const account = await this.createAccount(
      { name: "Store credit", ...input.new_account, currency_code: currency, initial_amount: amount, source_account_id: source },
      posting,
      ctx
    )
    return { account, transfer: await this.firstLoad_(account.id, ctx), replayed: false }
  }

  /** The earlier credit under this key, if it was this credit; idempotency_conflict if not. */
  protected async replayCredit_(
    key: string,
    input: { merchant_reference: string; amount: string; source: string; account_id?: string },
    ctx: Context
  ) {
    const [byKey] = await runSql(ctx, `SELECT * FROM ledger_transfer WHERE idempotency_key = ? AND deleted_at IS NULL`, [key])
    const [guestAccount] = await runSql(ctx, `SELECT id FROM ledger_account WHERE idempotency_key = ? AND deleted_at IS NULL`, [key])
    const earlier = byKey ?? (guestAccount ? await this.firstLoad_(guestAccount.id, ctx).catch(() => null) : null)
    if (!earlier) {
      return null
    }
    const destination = input.account_id ?? guestAccount?.id
    const same =
      earlier.kind === "load" &&
      earlier.source_id === input.source &&
      earlier.destination_id === destination &&
      earlier.merchant_reference === input.merchant_reference &&
      toDecimal(earlier.amount).eq(input.amount)
    if (!same) {
      throw new LedgerError("idempotency_conflict", `Idempotency key ${key} was used for another operation or other arguments`)
    }
    return { account: await this.getAccount(earlier.destination_id, ctx), transfer: toTransferDTO(earlier), replayed: true }
  }

  protected async firstLoad_(accountId: string, ctx: Context): Promise<LedgerTransferDTO> {
    const [row] = await runSql(
      ctx,
      `SELECT * FROM ledger_transfer WHERE destination_id = ? AND kind = 'load' AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1`,
      [accountId]
    )
    if (!row) {
      throw new LedgerError("not_found", `Account ${accountId} has no load`)
    }
    return toTransferDTO(row)
  }

  /**
   * The customer's store-credit wallet in a currency, created on first need. An open
   * wallet is preferred, a frozen one is returned as it is (it was frozen on purpose);
   * when every wallet is closed, a new one is opened.
   */
  @InjectTransactionManager()
  async ensureWallet(customerId: string, currencyCode: string, @MedusaContext() ctx: Context = {}) {
    const currency = normalizeCurrency(currencyCode)
    const wallets = await runSql(
      ctx,
      `SELECT id, status FROM ledger_account
        WHERE customer_id = ? AND currency_code = ? AND type_id = ? AND code IS NULL AND product_ids IS NULL
          AND deleted_at IS NULL
        ORDER BY status = 'closed', status = 'frozen', created_at`,
      [customerId, currency, typeId(TYPE_CODES.storeCredit)]
    )
    if (wallets[0] && wallets[0].status !== "closed") {
      return this.getAccount(wallets[0].id, ctx)
    }
    // One key per generation: calls at the same time open one wallet, and a closed
    // wallet's key (which would replay it) is never reused.
    const generation = wallets.length
    return this.createAccount(
      { name: "Store credit", currency_code: currency, customer_id: customerId },
      { idempotency_key: `wallet:${customerId}:${currency}${generation ? `:${generation}` : ""}` },
      ctx
    )
  }

  /**
   * Releases an open hold; releasing twice is harmless and does nothing. If the account
   * has expired meanwhile, the money the hold kept from the expiry sweep lapses now.
   */
  async release(holdId: string, @MedusaContext() ctx: Context = {}): Promise<LedgerHoldDTO> {
    const [before] = await this.call_(HOLD_STATUS, [holdId], ctx)
    const [row] = await this.call_(RELEASE, [holdId, "released"], ctx)
    const hold = toHoldDTO(row)
    // Only a hold released now kept money from the sweep; a repeated release touches nothing.
    if (before?.status === "open") await this.lapseIfExpired_(hold.account_id, ctx)
    return hold
  }

  @InjectManager()
  async getTransfer(idOrReference: string, @MedusaContext() ctx: Context = {}): Promise<LedgerTransferDTO> {
    const [row] = await runSql(
      ctx,
      `SELECT * FROM ledger_transfer WHERE (id = ? OR reference = ?) AND deleted_at IS NULL`,
      [idOrReference, idOrReference]
    )
    if (!row) {
      throw new LedgerError("not_found", `Transfer ${idOrReference} not found`)
    }
    return toTransferDTO(row)
  }

  /** How much of a transfer can still be refunded. */
  @InjectManager()
  async refundableAmount(idOrReference: string, @MedusaContext() ctx: Context = {}): Promise<Money> {
    const transfer = await this.getTransfer(idOrReference, ctx)
    if (["refund", "reversal", "expiry"].includes(transfer.kind)) {
      return formatAmount(0, transfer.currency_code)
    }
    const [row] = await runSql(
      ctx,
      `SELECT coalesce(sum(c.amount), 0)::text AS done FROM ledger_transfer c
        WHERE c.parent_id = ? AND c.kind IN ('refund', 'reversal') AND c.deleted_at IS NULL`,
      [transfer.id]
    )
    return formatAmount(toDecimal(transfer.amount).minus(toDecimal(row.done)), transfer.currency_code)
  }

  // ---------------------------------------------------------------- expiry

  /**
   * Releases expired holds, then moves what is not held of every account past its end
   * date to the lapsed account and closes it (an account with money still held for a
   * payment stays open until that hold is captured, released or expires). Safe to run
   * twice or on two servers at once.
   */
  @InjectManager()
  async closeExpiredAccounts(@MedusaContext() ctx: Context = {}): Promise<ExpiryResult> {
    const result: ExpiryResult = { closed: [], skipped_negative: [], released_holds: [], kept_for_holds: [] }
    const holds = await runSql(ctx, EXPIRED_HOLDS_SQL)
    for (const { id } of holds) {
      const [row] = await this.call_(RELEASE, [id, "expired"], ctx)
      if (row?.status === "expired") {
        result.released_holds.push(id)
      }
    }
    const accounts = await runSql(ctx, EXPIRED_ACCOUNTS_SQL)
    for (const { id } of accounts) {
      const outcome = await this.expire_(id, ctx)
      if (outcome === "closed") result.closed.push(id)
      if (outcome === "held") result.kept_for_holds.push(id)
      if (outcome === "negative_balance") result.skipped_negative.push(id)
    }
    return result
  }

  /** Runs the expiry of one account (see ledger_expire); a no-op unless it is past its end date. */
  protected async expire_(accountId: string, ctx: Context): Promise<"closed" | "held" | "negative_balance" | "skipped"> {
    const [account] = await runSql(ctx, `SELECT currency_code FROM ledger_account WHERE id = ?`, [accountId])
    if (!account) return "skipped"
    await this.ensureCoreAccounts([account.currency_code], ctx)
    const [row] = await runSql(ctx, `SELECT ledger_expire(?, ?, ?, ?, ?, ?) AS outcome`, [
      accountId,
      coreAccountId("lapsed", account.currency_code),
      newId("ltr"),
      this.newReference_(),
      newId("lent"),
      newId("lent"),
    ])
    return row.outcome
  }

  /** After a hold on an expired account is released: what it kept lapses (and the account closes). */
  @InjectManager()
  protected async lapseIfExpired_(accountId: string, @MedusaContext() ctx: Context = {}) {
    const [row] = await runSql(
      ctx,
      `SELECT 1 FROM ledger_account WHERE id = ? AND status = 'open' AND role IS NULL AND end_date <= clock_timestamp()`,
      [accountId]
    )
    if (row) {
      const outcome = await this.expire_(accountId, ctx)
      if (outcome === "closed" && !ctx.transactionManager) {
        await (this as any).eventBusModuleService_?.emit([{ name: LedgerEvents.ACCOUNT_CLOSED, data: { id: accountId, reason: "expired" } }])
      }
    }
  }

  // ---------------------------------------------------------------- verify

  /** Every invariant of the ledger, checked on the live database, with the offending rows. */
  @InjectManager()
  async verify(@MedusaContext() ctx: Context = {}): Promise<VerifyResult> {
    const checks = []
    for (const check of VERIFY_CHECKS) {
      const rows = await runSql(ctx, check.sql)
      checks.push({
        name: check.name,
        description: check.description,
        ok: rows.length === 0,
        count: rows.length,
        offending: rows.slice(0, VERIFY_LIMIT),
      })
    }
    const trial = await runSql(ctx, TRIAL_BALANCE_SQL)
    return {
      ok: checks.every((c) => c.ok),
      checked_at: new Date(),
      trial_balance: trial,
      checks,
    }
  }

  // ---------------------------------------------------------------- check runs

  /** Records a reconciliation sweep or verify() run; keeps the last CHECK_RUNS_KEPT of its kind. */
  @InjectTransactionManager()
  async recordCheckRun(
    run: { kind: LedgerCheckRunRecord["kind"]; ok: boolean; started_at: Date | string; finished_at?: Date | string; report: unknown },
    @MedusaContext() ctx: Context = {}
  ): Promise<LedgerCheckRunRecord> {
    if (!["reconciliation", "verify"].includes(run.kind)) {
      throw new LedgerError("invalid_request", `Unknown check run kind ${run.kind}`)
    }
    const [row] = await runSql(
      ctx,
      `INSERT INTO ledger_check_run (id, kind, ok, started_at, finished_at, report)
       VALUES (?, ?, ?, ?::timestamptz, ?::timestamptz, ?::jsonb) RETURNING *`,
      [newId("lrun"), run.kind, !!run.ok, new Date(run.started_at), new Date(run.finished_at ?? new Date()), JSON.stringify(run.report ?? null)]
    )
    await runSql(
      ctx,
      `DELETE FROM ledger_check_run WHERE kind = ? AND id NOT IN
         (SELECT id FROM ledger_check_run WHERE kind = ? ORDER BY started_at DESC, id DESC LIMIT ?)`,
      [run.kind, run.kind, CHECK_RUNS_KEPT]
    )
    return row
  }

  /** The last run of each kind (null when it never ran). */
  @InjectManager()
  async lastCheckRuns(@MedusaContext() ctx: Context = {}): Promise<Record<LedgerCheckRunRecord["kind"], LedgerCheckRunRecord | null>> {
    const rows = await runSql<LedgerCheckRunRecord>(
      ctx,
      `SELECT DISTINCT ON (kind) * FROM ledger_check_run WHERE deleted_at IS NULL ORDER BY kind, started_at DESC, id DESC`
    )
    return {
      reconciliation: rows.find((r) => r.kind === "reconciliation") ?? null,
      verify: rows.find((r) => r.kind === "verify") ?? null,
    }
  }

  /** Days of Medusa's captures, refunds and cancellations a reconciliation sweep looks back over by default. */
  get reconcileDays(): number {
    return this.options_.reconcileDays
  }

  // ---------------------------------------------------------------- reports (see reports.ts)

  /** Deferred income as of a moment (default now), per account type and time to expiry. */
  async deferredIncomeReport(query: ReportQuery = {}, ctx: Context = {}): Promise<DeferredIncomeReport> {
    return this.report_((exec, now) => deferredIncomeReport(exec, now, query), ctx)
  }

  /** Profit and loss of a period (default the 30 days of 24 h to now): its lines and the change in deferred income. */
  async profitLossReport(query: PeriodQuery = {}, ctx: Context = {}): Promise<ProfitLossReport> {
    return this.report_((exec, now) => profitLossReport(exec, now, query), ctx)
  }

  /** Every account type's balance as of a moment (default now), per currency; sums to zero. */
  async trialBalanceReport(query: ReportQuery = {}, ctx: Context = {}): Promise<TrialBalanceReport> {
    return this.report_((exec, now) => trialBalanceReport(exec, now, query), ctx)
  }

  /** A report's statements in one read-only snapshot: a transaction of its own unless given one. */
  protected async report_<T>(run: (exec: ReportExec, now: string) => Promise<T>, ctx: Context): Promise<T> {
    return this.reportIn_(run, !ctx.transactionManager, ctx) as Promise<T>
  }

  @InjectTransactionManager()
  protected async reportIn_(run: (exec: ReportExec, now: string) => Promise<unknown>, own: boolean, @MedusaContext() ctx: Context = {}) {
    const exec: ReportExec = (sql, params) => runSql(ctx, sql, params)
    return run(exec, await beginReport(exec, own))
  }

  // ---------------------------------------------------------------- account types

  @InjectManager()
  async createAccountType(
    input: { name: string; code?: string; parent_id?: string | null; metadata?: Record<string, unknown> | null },
    @MedusaContext() ctx: Context = {}
  ) {
    const name = requireText(input.name, "name")
    let parentPath = ""
    let parentCode = ""
    if (input.parent_id) {
      const [parent] = await runSql(ctx, `SELECT code, path FROM ledger_account_type WHERE id = ?`, [input.parent_id])
      if (!parent) {
        throw new LedgerError("not_found", `Account type ${input.parent_id} not found`)
      }
      parentPath = `${parent.path} / `
      parentCode = `${parent.code}.`
    }
    const code = input.code ?? `${parentCode}${slug(name)}`
    if (!/^[a-z0-9_.]{1,200}$/.test(code)) {
      throw new LedgerError("invalid_request", "code may contain only a-z, 0-9, _ and .")
    }
    const [row] = await runSql(
      ctx,
      `INSERT INTO ledger_account_type (id, code, name, path, parent_id, metadata)
       VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING *`,
      [newId("lat"), code, name, `${parentPath}${name}`, input.parent_id ?? null, jsonParam(input.metadata)]
    )
    return row
  }

  /**
   * Renames an account type; its code never changes (reports and the core accounts find
   * types by id and code). The path of the type and of every type below it follows.
   */
  @InjectTransactionManager()
  async updateAccountType(
    id: string,
    input: { name?: string; metadata?: Record<string, unknown> | null },
    @MedusaContext() ctx: Context = {}
  ) {
    const [current] = await runSql(
      ctx,
      `SELECT t.id, t.path, p.path AS parent_path FROM ledger_account_type t
         LEFT JOIN ledger_account_type p ON p.id = t.parent_id
        WHERE t.id = ? AND t.deleted_at IS NULL FOR NO KEY UPDATE OF t`,
      [id]
    )
    if (!current) {
      throw new LedgerError("not_found", `Account type ${id} not found`)
    }
    if (input.name !== undefined) {
      const name = requireText(input.name, "name")
      if (name.includes(" / ")) {
        throw new LedgerError("invalid_request", `name may not contain " / ", which separates the levels of a path`)
      }
      const path = current.parent_path ? `${current.parent_path} / ${name}` : name
      // Every path below starts with this type's path (each was built from its parent's).
      await runSql(
        ctx,
        `WITH RECURSIVE sub(id) AS (
           SELECT ?::text UNION SELECT c.id FROM ledger_account_type c JOIN sub ON c.parent_id = sub.id)
         UPDATE ledger_account_type t
            SET path = ? || substr(t.path, ?), name = CASE WHEN t.id = ? THEN ? ELSE t.name END,
                updated_at = clock_timestamp()
          WHERE t.id IN (SELECT id FROM sub)`,
        [id, path, current.path.length + 1, id, name]
      )
    }
    if (input.metadata !== undefined) {
      await runSql(ctx, `UPDATE ledger_account_type SET metadata = ?::jsonb, updated_at = clock_timestamp() WHERE id = ?`, [
        jsonParam(input.metadata),
        id,
      ])
    }
    const [row] = await runSql(ctx, `SELECT * FROM ledger_account_type WHERE id = ?`, [id])
    return row
  }

  /** Depth in the tree (0 for a root) and number of accounts of every account type. */
  @InjectManager()
  async accountTypeStats(@MedusaContext() ctx: Context = {}): Promise<Record<string, { depth: number; account_count: number }>> {
    const rows = await runSql(ctx, ACCOUNT_TYPE_STATS_SQL)
    return Object.fromEntries(rows.map((r) => [r.id, { depth: r.depth, account_count: r.account_count }]))
  }

  // ---------------------------------------------------------------- admin reads

  /**
   * One page of the admin's accounts list: the ids in order and how many match. Types are
   * matched with everything below them; `is_gift_card` means a type under Gift cards.
   */
  @InjectManager()
  async searchAccounts(
    filters: AccountSearch,
    page: { order?: { field: AccountSort; desc: boolean }; limit: number; offset: number },
    @MedusaContext() ctx: Context = {}
  ): Promise<{ ids: string[]; count: number }> {
    const f: AccountSearch = { ...filters }
    if (f.type_ids) {
      f.type_ids = f.type_ids.length ? await this.typeSubtree_(f.type_ids, ctx) : []
    }
    if (f.is_gift_card !== undefined) {
      f.gift_card_type_ids = await this.typeSubtree_([typeId(TYPE_CODES.giftCards)], ctx)
    }
    const sql = accountSearchSql(f, page)
    const ids = (await runSql(ctx, sql.page.sql, sql.page.params)).map((r) => r.id as string)
    // A first page that is not full is the whole list.
    const count =
      page.offset === 0 && ids.length < page.limit ? ids.length : (await runSql(ctx, sql.count.sql, sql.count.params))[0].n
    return { ids, count }
  }

  /**
   * What the admin's lists show besides an account's own columns, for a page of accounts:
   * how many transfers touch it (`transfer_count`; past TRANSFER_COUNT_CAP on either side it
   * stops counting and says `transfer_count_capped`), and for customer accounts the amount
   * it was first loaded with (see initialLoadsSql) and the order that load came from, if any.
   */
  @InjectManager()
  async accountSummaries(
    ids: string[],
    want: { transfer_count?: boolean; initial_load?: boolean } = { transfer_count: true, initial_load: true },
    @MedusaContext() ctx: Context = {}
  ): Promise<Record<string, AccountSummary>> {
    const unique = [...new Set(ids)]
    if (!unique.length) {
      return {}
    }
    const accounts = await runSql(
      ctx,
      `SELECT id, role, currency_code FROM ledger_account WHERE id IN (${unique.map(() => "?").join(", ")})`,
      unique
    )
    const out: Record<string, AccountSummary> = {}
    for (const a of accounts) {
      out[a.id] = {}
    }
    if (want.transfer_count) {
      const counts = transferCountsSql(unique)
      const rows = await runSql(ctx, counts.sql, counts.params)
      const byId = new Map(rows.map((r) => [r.id, r]))
      for (const a of accounts) {
        const { paid = 0, received = 0 } = byId.get(a.id) ?? {}
        const capped = paid > TRANSFER_COUNT_CAP || received > TRANSFER_COUNT_CAP
        out[a.id].transfer_count = capped ? TRANSFER_COUNT_CAP : paid + received
        out[a.id].transfer_count_capped = capped
      }
    }
    if (want.initial_load) {
      const customer = accounts.filter((a) => !a.role)
      const loads = customer.length ? initialLoadsSql(customer.map((a) => a.id)) : null
      const rows = loads ? await runSql(ctx, loads.sql, loads.params) : []
      const byId = new Map(rows.map((r) => [r.id, r]))
      for (const a of accounts) {
        const load = byId.get(a.id)
        out[a.id].initial_amount = load ? formatAmount(load.amount, a.currency_code) : null
        out[a.id].issued_by_order_id = load && /^order_/.test(load.merchant_reference ?? "") ? load.merchant_reference : null
      }
    }
    return out
  }

  /**
   * The orders an account paid for (redemptions and captures whose merchant reference is
   * an order id), most recent first, with what was paid and what was refunded or reversed.
   */
  @InjectManager()
  async accountOrders(
    accountId: string,
    page: { limit?: number; offset?: number } = {},
    @MedusaContext() ctx: Context = {}
  ) {
    const account = await this.getAccount(accountId, ctx)
    const limit = Math.min(Math.max(page.limit ?? 20, 1), 1000)
    const offset = Math.max(page.offset ?? 0, 0)
    const { sql, params } = accountOrdersSql(accountId, { limit, offset })
    const rows = await runSql(ctx, sql, params)
    let count = rows[0]?.total
    if (count === undefined) {
      const { sql: all, params: allParams } = accountOrdersSql(accountId, { limit: 1, offset: 0 })
      count = offset === 0 ? 0 : (await runSql(ctx, all, allParams))[0]?.total ?? 0
    }
    return {
      orders: rows.map((r) => ({
        order_id: r.order_id as string,
        paid: formatAmount(r.paid, account.currency_code),
        refunded: formatAmount(r.refunded, account.currency_code),
        net: formatAmount(toDecimal(r.paid).minus(toDecimal(r.refunded)), account.currency_code),
        transfer_count: r.transfer_count as number,
        first_paid_at: r.first_paid_at as Date,
        last_paid_at: r.last_paid_at as Date,
      })),
      count: count as number,
      limit,
      offset,
    }
  }

  /**
   * The account's balance at `points` evenly spaced moments from `from` (default: when it
   * was created) to `to` (default: now), both included: the balance after every transfer
   * posted at or before each moment. One statement (see balanceHistorySql).
   */
  @InjectManager()
  async balanceHistory(
    accountId: string,
    query: { from?: Date | string; to?: Date | string; points?: number } = {},
    @MedusaContext() ctx: Context = {}
  ) {
    const account = await this.getAccount(accountId, ctx)
    const n = query.points ?? 60
    if (!Number.isInteger(n) || n < 2 || n > 1000) {
      throw new LedgerError("invalid_request", "points must be an integer from 2 to 1000")
    }
    const to = query.to ? toDate(query.to, "to") : new Date()
    const from = query.from ? toDate(query.from, "from") : new Date(account.created_at)
    if (!(from < to)) {
      throw new LedgerError("invalid_request", "from must be before to")
    }
    const span = to.getTime() - from.getTime()
    const points = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? to : new Date(from.getTime() + Math.round((span * i) / (n - 1)))
    )
    const { sql, params } = balanceHistorySql(accountId, from, points)
    const [row] = await runSql(ctx, sql, params)
    const moved = new Map<number, Decimal>()
    for (const b of row.buckets as { bucket: number; moved: string }[]) {
      moved.set(b.bucket, toDecimal(b.moved))
    }
    // Walk back from now: the balance at point j is the balance now less what moved after it.
    const balances: Decimal[] = new Array(n)
    let balance = toDecimal(row.balance).minus(moved.get(n) ?? 0)
    for (let j = n - 1; j >= 0; j--) {
      balances[j] = balance
      balance = balance.minus(moved.get(j) ?? 0)
    }
    return {
      account_id: accountId,
      currency_code: account.currency_code,
      from,
      to,
      points: points.map((at, j) => ({ at, balance: formatAmount(balances[j], account.currency_code) })),
    }
  }

  protected async typeSubtree_(ids: string[], ctx: Context): Promise<string[]> {
    const { sql, params } = typeSubtreeSql(ids)
    return (await runSql(ctx, sql, params)).map((r) => r.id)
  }

  // ---------------------------------------------------------------- internals

  /**
   * The account an earlier createAccount with this key made, if the arguments match
   * (name, currency, code and its initial loads); idempotency_conflict if they differ.
   * The key was checked to name no other kind of operation (lockKey).
   */
  protected async replayCreation_(
    key: string,
    input: CreateAccountInput,
    loads: InitialLoad[],
    ctx: Context
  ): Promise<LedgerAccountDTO | null> {
    const [account] = await runSql(ctx, `SELECT * FROM ledger_account WHERE idempotency_key = ? AND deleted_at IS NULL`, [key])
    if (!account) {
      return null
    }
    const earlier = await runSql(
      ctx,
      `SELECT source_id, amount::text AS amount FROM ledger_transfer
        WHERE destination_id = ? AND kind = 'load' AND deleted_at IS NULL ORDER BY created_at, id LIMIT ?`,
      [account.id, loads.length]
    )
    const coreId = (ref: string) => (ref.startsWith("@") ? coreAccountId(ref.slice(1) as CoreRole, input.currency_code) : ref)
    const sameLoads =
      earlier.length === loads.length &&
      loads.every((l, i) => earlier[i].source_id === coreId(l.source_account_id) && toDecimal(earlier[i].amount).eq(l.amount))
    const sameCode = input.code ? account.code === normalizeCode(input.code) : true
    if (!sameLoads || !sameCode || account.name !== input.name || account.currency_code !== input.currency_code) {
      throw new LedgerError("idempotency_conflict", `Idempotency key ${key} was used to create account ${account.id} with other arguments`)
    }
    return this.getAccount(account.id, ctx)
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

  protected async post_(args: PostArgs, ctx: Context): Promise<PostedTransferDTO> {
    const o = args.options
    const actor: LedgerActor = o.actor ?? { type: "system" }
    const [row] = await this.call_(POST, [
      newId("ltr"),
      this.newReference_(),
      args.kind,
      args.source ?? null,
      args.destination ?? null,
      args.amount ?? null,
      args.parent ?? null,
      args.hold ?? null,
      o.description ?? null,
      o.merchant_reference ?? null,
      actor.type,
      actor.id ?? null,
      o.idempotency_key ?? null,
      jsonParam(o.metadata),
      newId("lent"),
      newId("lent"),
      args.maxDestinationBalance ?? null,
    ], ctx)
    return toPostedDTO(row)
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

/**
 * When `ctx` runs inside a transaction: a promise that settles once it and every
 * transaction around it have ended (committed or rolled back). Null outside one.
 */
function settledOf(ctx: Context | undefined): Promise<void> | null {
  const em = ctx?.transactionManager as { getTransactionContext?: () => any } | undefined
  let trx = em?.getTransactionContext?.()
  const levels: Promise<unknown>[] = []
  while (trx) {
    if (trx.executionPromise) levels.push(trx.executionPromise)
    trx = trx.parentTransaction
  }
  return levels.length ? Promise.allSettled(levels).then(() => undefined) : null
}

const CLOSED_WRITERS: Record<string, string> = {
  LedgerAccounts: "createAccount, updateAccount, freezeAccount or closeAccount",
  LedgerTransfers: "transfer, refund or reverse",
  LedgerEntries: "transfer",
  LedgerHolds: "hold, capture or release",
}

function refuseWrite(instead: string): never {
  throw new LedgerError(
    "not_authorized",
    `The ledger is written only through its own methods: use ${instead} instead`
  )
}

function checkRoleRef(id: string) {
  if (typeof id !== "string" || !id) {
    throw new LedgerError("invalid_request", "account id is required")
  }
  if (id.startsWith("@") && !CORE_ROLES.includes(id.slice(1) as CoreRole)) {
    throw new LedgerError("invalid_request", `Unknown core account ${id} (known: ${CORE_ROLES.map((r) => "@" + r).join(", ")})`)
  }
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== "string" || !value.trim()) {
    throw new LedgerError("invalid_request", `${field} is required`)
  }
  return value.trim()
}

function toDate(value: Date | string, field: string): Date {
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) {
    throw new LedgerError("invalid_request", `${field} is not a valid date`)
  }
  return d
}

function checkDates(start?: Date | string | null, end?: Date | string | null): [Date | null, Date | null] {
  const s = start ? toDate(start, "start_date") : null
  const e = end ? toDate(end, "end_date") : null
  if (s && e && e <= s) {
    throw new LedgerError("invalid_request", "end_date must be after start_date")
  }
  return [s, e]
}

/** A list config whose `balance` ordering sorts by the live balance (row + shards). */
function liveBalanceOrder(config: any) {
  const order = config?.order
  if (!order || typeof order !== "object" || !("balance" in order)) {
    return config
  }
  const sorted: Record<string, unknown> = {}
  for (const [key, direction] of Object.entries(order)) {
    if (key === "balance") {
      // ledger_balance() only where shards exist (core accounts): a function call per row of a
      // 100,000-account list costs seconds, a column costs nothing
      sorted[raw((alias: string) => `(CASE WHEN ${alias}.role IS NULL THEN ${alias}.balance ELSE ledger_balance(${alias}.id) END)`) as unknown as string] = direction
    } else {
      sorted[key] = direction
    }
  }
  return { ...config, order: sorted }
}

/** Results of createAccount that returned an earlier creation (no event for those). */
const REPLAYED = new WeakSet<object>()

type InitialLoad = { amount: string; source_account_id: string; description?: string | null }

/** `initial_amount` (+ `source_account_id`) or `initial_loads`, as a list of checked loads. */
function initialLoads(input: CreateAccountInput, currency: string): InitialLoad[] {
  if (input.initial_loads?.length && input.initial_amount != null) {
    throw new LedgerError("invalid_request", "Give initial_amount or initial_loads, not both")
  }
  const loads = input.initial_loads?.length
    ? input.initial_loads
    : input.initial_amount == null
      ? []
      : [{ amount: input.initial_amount, source_account_id: input.source_account_id ?? "@unpaid_source" }]
  return loads.map((l) => {
    const source = l.source_account_id ?? "@unpaid_source"
    checkRoleRef(source)
    return {
      amount: parseAmount(l.amount, currency, { field: "initial_amount" }),
      source_account_id: source,
      description: (l as { description?: string | null }).description ?? null,
    }
  })
}

/**
 * Takes the lock of an idempotency key in the caller's transaction and refuses the key if
 * it already names an operation of another kind (`kind`: account, hold, transfer, operation).
 */
async function lockKey(ctx: Context, key: string, kind: "account" | "hold" | "transfer" | "operation") {
  await runSql(ctx, `SELECT ledger_lock_key(?)`, [key])
  // A statement of its own: it must read what committed while this one waited for the lock.
  await runSql(ctx, `SELECT ledger_key_check(?, ?)`, [key, kind])
}

/** JSON with sorted keys, to compare two requests. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v
  )
}

function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

// knex expands array bindings, so text[] goes in as JSON.
function textArraySql(value: string[] | null | undefined) {
  return value === undefined || value === null
    ? "NULL::text[]"
    : "ARRAY(SELECT jsonb_array_elements_text(?::jsonb))"
}

function textArrayParams(value: string[] | null | undefined): unknown[] {
  return value === undefined || value === null ? [] : [JSON.stringify(value.map(String))]
}

function slug(name: string) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "") || "type"
}
