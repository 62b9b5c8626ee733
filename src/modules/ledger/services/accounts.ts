import { Context } from "@medusajs/framework/types"
import { InjectManager, InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import { crockfordDigits, formatCode, generateCode, normalizeCode } from "../codes"
import { CoreRole, TYPE_CODES, coreAccountId, typeId } from "../core"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { formatAmount, normalizeCurrency, parseAmount, toDecimal } from "../money"
import { runSql, toAccountDTO } from "../sql"
import type { CreateAccountInput, LedgerAccountDTO, Money, PostingOptions, UpdateAccountInput } from "../types"
import { requireText, checkDates, REPLAYED, type InitialLoad, initialLoads, lockKey, jsonParam, textArraySql, textArrayParams } from "./helpers"
import { ACCOUNT_SELECT, LedgerServiceBase } from "./base"

/** Accounts: look-ups, the paying account, creation (idempotent), changes, status, wallets. */
export class LedgerAccounts extends LedgerServiceBase {
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
    const { currency, name, creditLimit, startDate, endDate, loads } = this.checkNewAccount_(input)
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
          options: {
            description: "Initial load",
            ...loadOptions,
            ...(load.description ? { description: load.description } : {}),
            expires_at: load.expires_at,
          },
        },
        ctx
      )
    }
    return this.getAccount(id, ctx)
  }

  /** A new account's input checked, as createAccount and createAccounts take it. */
  protected checkNewAccount_(input: CreateAccountInput) {
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
    return { currency, name, creditLimit, startDate, endDate, loads }
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
}
