import { Context } from "@medusajs/framework/types"
import { InjectTransactionManager, MedusaContext } from "@medusajs/framework/utils"
import { LedgerError } from "../errors"
import { newId } from "../ids"
import { parseAmount, toDecimal } from "../money"
import { runSql, toHoldDTO, toPostedDTO } from "../sql"
import type { Amount, CaptureOptions, HoldOptions, LedgerHoldDTO, PostedTransferDTO, PostingOptions } from "../types"
import { checkRoleRef, requireText, toDate, lockKey, jsonParam } from "./helpers"
import { HOLD, RELEASE } from "./base"
import { LedgerExpiry } from "./expiry"

/** Holds: reservations for payments, their capture and release, and captureOrRedeem. */
export class LedgerHolds extends LedgerExpiry {
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
   * Releases an open hold; releasing twice is harmless and does nothing. If the account
   * has expired meanwhile, the money the hold kept from the expiry sweep lapses now.
   */
  async release(holdId: string, @MedusaContext() ctx: Context = {}): Promise<LedgerHoldDTO> {
    const [row] = await this.call_(RELEASE, [holdId, holdId, "released"], ctx)
    const hold = toHoldDTO(row)
    // Only a hold released now kept money from the sweep; a repeated release touches nothing.
    if (row.status_before === "open") await this.lapseIfExpired_(hold.account_id, ctx)
    return hold
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
}
