import { Context } from "@medusajs/framework/types"
import { InjectManager, InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import { LedgerError } from "../errors"
import { formatAmount, parseAmount, toDecimal } from "../money"
import { PostingInput, ResolvedPosting, lockPostings, resolvePostings } from "../posting-batch"
import { runSql, toTransferDTO } from "../sql"
import type { Amount, LedgerTransferDTO, Money, PostedTransferDTO, PostingOptions, TransferOptions } from "../types"
import { checkRoleRef } from "./helpers"
import { LedgerAccounts } from "./accounts"

/** Postings: transfers, loads, withdrawals, redemptions, reversals, refunds, batches; transfer reads. */
export class LedgerPostings extends LedgerAccounts {
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

  /** Runs `run` in a transaction of its own and rolls it back, rethrowing any refusal. */
  protected async rolledBack_(run: (ctx: Context) => Promise<unknown>): Promise<void> {
    const rollback = new Error("ledger: dry run")
    try {
      await this.inTransaction_(async (ctx) => {
        await run(ctx)
        throw rollback
      })
    } catch (e) {
      if (e !== rollback) throw e
    }
  }

  /** Runs `run` in one transaction of its own: committed when it returns, rolled back when it throws. */
  @InjectTransactionManager()
  protected async inTransaction_(run: (ctx: Context) => Promise<unknown>, @MedusaContext() ctx: Context = {}) {
    await run(ctx)
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
}
