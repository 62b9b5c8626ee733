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
 * the committed captures: by the payment.captured subscriber and before every refund.
 * The first capture takes its amount from the hold and releases the rest (as a card
 * network does); a later one is paid straight from the account.
 */
export async function postCaptures(
  ledger: LedgerModuleService,
  data: AccountPaymentData,
  captures: CaptureRecord[],
  merchantReference?: string | null
): Promise<LedgerTransferDTO[]> {
  if (!captures.length) {
    return []
  }
  const keys = captures.map((c) => captureKey(c.id))
  const existing = await ledger.listLedgerTransfers({ idempotency_key: keys })
  const byKey = new Map(existing.map((t: any) => [t.idempotency_key, t]))
  const posted: LedgerTransferDTO[] = []
  for (const capture of captures) {
    const key = captureKey(capture.id)
    const done = byKey.get(key)
    if (done) {
      posted.push(await ledger.getTransfer(done.id))
      continue
    }
    const options = {
      idempotency_key: key,
      merchant_reference: merchantReference ?? data.session_id ?? null,
      description: "Account payment captured",
      metadata: { medusa_capture_id: capture.id },
    }
    const hold = data.hold_id ? (await ledger.listLedgerHolds({ id: data.hold_id }))[0] : null
    const fromHold =
      hold?.status === "open"
        ? await ledger.capture(hold.id, { ...options, amount: capture.amount }).catch((e) => {
            // Another capture of this payment took the hold first.
            if (e?.code === "hold_not_open") return null
            throw e
          })
        : null
    posted.push(fromHold ?? (await ledger.redeem(data.account_id, capture.amount, options)))
  }
  return posted
}
