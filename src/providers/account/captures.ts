import Decimal from "decimal.js"
import { LedgerError } from "../../modules/ledger/errors"
import { toDecimal } from "../../modules/ledger/money"
import type { PostingInput } from "../../modules/ledger/posting-batch"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerTransferDTO } from "../../modules/ledger/types"
import { coreAccountId } from "../../modules/ledger/core"

/** What an account payment keeps in its Medusa payment `data`. */
export type AccountPaymentData = {
  account_id: string
  currency_code: string
  amount: string
  session_id?: string
  hold_id?: string
  /**
   * Set only on a payment staff made from an account for an amount an order owes
   * (pay-from-account): the redemption already posted for it. Such a payment holds
   * nothing; its capture is that transfer and its refunds are refunds of it.
   */
  transfer_id?: string | null
}

export type CaptureRecord = { id: string; amount: string }

export const captureKey = (captureId: string) => `pp-capture:${captureId}`

/**
 * Posts the captures Medusa recorded on an account payment, once each (keyed by capture
 * id). Medusa tells a provider the capture amount nowhere, so the amounts are read from
 * the committed captures: by the payment.captured subscriber and before every refund,
 * which may run at the same time. The first capture takes its amount from the hold and
 * releases the rest (as a card network does); a later one is paid straight from the
 * account. The ledger decides which under the key's lock (captureOrRedeem), so calls
 * racing for one capture post it once and all succeed.
 */
export async function postCaptures(
  ledger: LedgerModuleService,
  data: AccountPaymentData,
  captures: CaptureRecord[],
  merchantReference?: string | null
): Promise<LedgerTransferDTO[]> {
  if (data.transfer_id) {
    // Paid before Medusa recorded it: the one capture Medusa made is that transfer.
    return captures.length ? [await ledger.getTransfer(data.transfer_id)] : []
  }
  const posted: LedgerTransferDTO[] = []
  for (const capture of captures) {
    posted.push(
      await ledger.captureOrRedeem(
        { hold_id: data.hold_id ?? null, account_id: data.account_id, amount: capture.amount },
        {
          idempotency_key: captureKey(capture.id),
          merchant_reference: merchantReference ?? data.session_id ?? null,
          description: "Account payment captured",
          metadata: { medusa_capture_id: capture.id },
        }
      )
    )
  }
  return posted
}

/**
 * The ledger refunds that refund `amount` of an account payment: spread over its capture
 * transfers in order, each keyed by Medusa's refund id and the transfer (a retried
 * refund plans the same parts, which then replay). Refuses a refund the captures cannot
 * cover before anything is posted.
 */
export async function planAccountPaymentRefund(
  ledger: LedgerModuleService,
  transfers: LedgerTransferDTO[],
  amount: Decimal.Value,
  refundId: string | null
): Promise<PostingInput[]> {
  const done = refundId && transfers.length
    ? await ledger.listLedgerTransfers({ parent_id: transfers.map((t) => t.id), kind: "refund" })
    : []
  const plan: PostingInput[] = []
  let left = new Decimal(amount)
  for (const transfer of transfers) {
    if (left.lte(0)) break
    const key = refundId ? `pp-refund:${refundId}:${transfer.id}` : null
    const earlier = key ? done.find((t: any) => t.idempotency_key === key) : undefined
    const take = earlier ? toDecimal(earlier.amount) : Decimal.min(left, toDecimal(await ledger.refundableAmount(transfer.id)))
    if (take.gt(0)) {
      plan.push({
        kind: "refund",
        parent: transfer.id,
        amount: take.toFixed(),
        options: { idempotency_key: key, description: "Account payment refunded", metadata: { medusa_refund_id: refundId } },
      })
    }
    left = left.minus(take)
  }
  if (left.gt(0)) {
    throw new LedgerError("refund_exceeds_transfer", `Refund is ${left.toFixed()} more than what is left to refund`)
  }
  return plan
}

/**
 * The payment context key through which pay-from-account hands the provider the
 * redemption it posted. Only server code sets a payment's context (Medusa's store routes
 * pass shoppers' input as `data`), so a shopper cannot make a session that holds nothing.
 */
export const PREPAID_TRANSFER_CONTEXT_KEY = "ledger_prepaid_transfer_id"

/** Metadata that marks a redemption posted by pay-from-account for a Medusa payment. */
export const PREPAID_METADATA_FLAG = "pay_from_account"

/**
 * The redemption a pay-from-account payment was made with, checked before Medusa records
 * a payment on it: a redemption from an account into the sales account of `currency`,
 * of exactly `amount`, posted for this purpose and not refunded or reversed since.
 */
export async function checkPrepaidTransfer(
  ledger: LedgerModuleService,
  transferId: string,
  currency: string,
  amount: Decimal.Value
): Promise<LedgerTransferDTO> {
  const refused = (why: string) => new LedgerError("not_authorized", `Transfer ${transferId} cannot pay this payment: ${why}`)
  const transfer = await ledger.getTransfer(transferId).catch(() => {
    throw refused("not found")
  })
  if (
    transfer.kind !== "redemption" ||
    transfer.metadata?.[PREPAID_METADATA_FLAG] !== true ||
    transfer.destination_id !== coreAccountId("redemptions", currency.toLowerCase())
  ) {
    throw refused("not a pay-from-account redemption in this currency")
  }
  if (!toDecimal(transfer.amount).eq(toDecimal(amount))) {
    throw refused(`it is for ${transfer.amount}, the payment for ${toDecimal(amount).toFixed()}`)
  }
  if (!toDecimal(await ledger.refundableAmount(transfer.id)).eq(toDecimal(transfer.amount))) {
    throw refused("it has been refunded or reversed")
  }
  return transfer
}

/** Key of the reversal that undoes a pay-from-account redemption (one key: undone once, from wherever). */
export const prepaidUndoKey = (transferId: string) => `pay-from-account:undo:${transferId}`

/**
 * Gives a pay-from-account redemption back to its account when the Medusa payment made
 * with it did not happen (or was canceled before capture). Keyed, so the provider's
 * cancel and the workflow's compensation undo it once between them.
 */
export async function undoPrepaidTransfer(ledger: LedgerModuleService, transferId: string) {
  if (toDecimal(await ledger.refundableAmount(transferId)).lte(0)) return null
  return ledger.reverse(transferId, {
    idempotency_key: prepaidUndoKey(transferId),
    description: "Payment from account undone",
  })
}
