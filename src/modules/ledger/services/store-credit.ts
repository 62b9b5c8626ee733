import { Context } from "@medusajs/framework/types"
import { InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { coreAccountId } from "../core"
import { LedgerError } from "../errors"
import { normalizeCurrency, parseAmount, toDecimal } from "../money"
import { PostingInput, lockPostings, resolvePostings } from "../posting-batch"
import { runSql, toTransferDTO } from "../sql"
import type { Amount, CreateAccountInput, LedgerAccountDTO, LedgerTransferDTO, PostingOptions } from "../types"
import { lockKey } from "./helpers"
import { LedgerHolds } from "./holds"

/** Refunds to store credit: back to the accounts that paid, and credit for money paid outside the ledger. */
export class LedgerStoreCredit extends LedgerHolds {
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
  async checkRefundToStoreCredit(input: Parameters<LedgerStoreCredit["refundToStoreCredit"]>[0]): Promise<void> {
    await this.rolledBack_((ctx) => this.refundToStoreCredit(input, ctx))
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
      {
        name: "Store credit",
        ...input.new_account,
        currency_code: currency,
        initial_amount: amount,
        source_account_id: source,
        initial_expires_at: options.expires_at ?? null,
      },
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
}
