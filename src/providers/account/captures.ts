import Decimal from "decimal.js"
import { LedgerError } from "../../modules/ledger/errors"
import { toDecimal } from "../../modules/ledger/money"
import type { PostingInput } from "../../modules/ledger/posting-batch"
import type LedgerModuleService from "../../modules/ledger/service"
import type { LedgerTransferDTO } from "../../modules/ledger/types"

/** What an account payment keeps in its Medusa payment `data`. */
export type AccountPaymentData = {
  account_id: string
  currency_code: string
  amount: string
  session_id?: string
  hold_id?: string
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
