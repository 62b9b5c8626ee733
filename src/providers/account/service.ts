import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  PaymentSessionStatus,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, ContainerRegistrationKeys, MathBN, PaymentActions } from "@medusajs/framework/utils"
import Decimal from "decimal.js"
import { LedgerError } from "../../modules/ledger/errors"
import type { LedgerHoldDTO } from "../../modules/ledger/types"
import {
  AccountPaymentData,
  CaptureRecord,
  PREPAID_TRANSFER_CONTEXT_KEY,
  captureKey,
  checkPrepaidTransfer,
  planAccountPaymentRefund,
  postCaptures,
  undoPrepaidTransfer,
} from "./captures"
import { ledgerService } from "./ledger"

const amountOf = (value: unknown) => MathBN.convert(value as any).toFixed()


/**
 * Pays a cart's whole remaining amount from one ledger account: the customer's own (by
 * `data.account_id`) or a gift card (by `data.code`). Authorize places a hold, capture is
 * posted from Medusa's committed captures, refund sends money back to the account, cancel
 * releases the hold. Every call is idempotent on Medusa's session, capture and refund ids.
 */
export default class AccountPaymentProvider extends AbstractPaymentProvider<Record<string, unknown>> {
  static identifier = "account"

  constructor(cradle: Record<string, unknown>, config: Record<string, unknown> = {}) {
    super(cradle, config)
  }

  private get ledger() {
    return ledgerService()
  }

  private get pg(): any {
    return (this.container as any)[ContainerRegistrationKeys.PG_CONNECTION]
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const prepaid = (input.context as Record<string, unknown> | undefined)?.[PREPAID_TRANSFER_CONTEXT_KEY]
    const data =
      typeof prepaid === "string"
        ? await this.prepaid(prepaid, input.data ?? {}, input.currency_code, input.amount)
        : await this.payable(input.data ?? {}, input.context?.customer?.id, input.currency_code, input.amount)
    return { id: data.session_id ?? data.account_id, data }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    if ((input.data as AccountPaymentData | undefined)?.transfer_id) {
      throw new LedgerError("not_authorized", "A payment staff made from an account cannot be changed")
    }
    const data = await this.payable(input.data ?? {}, input.context?.customer?.id, input.currency_code, input.amount)
    return { data }
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = input.data as AccountPaymentData
    if (data.transfer_id) {
      // Paid already (pay-from-account): nothing to hold. Checked again, and only once per transfer.
      await checkPrepaidTransfer(this.ledger, data.transfer_id, data.currency_code, data.amount)
      const { rows } = await this.pg.raw(
        `SELECT id FROM payment WHERE data->>'transfer_id' = ? AND deleted_at IS NULL LIMIT 1`,
        [data.transfer_id]
      )
      if (rows.length) {
        throw new LedgerError("not_authorized", `Transfer ${data.transfer_id} already pays payment ${rows[0].id}`)
      }
      return { status: "authorized" as PaymentSessionStatus, data }
    }
    const sessionId = data.session_id ?? input.context?.idempotency_key
    // Keyed by session; a session authorized again after its hold was released (a failed
    // completion is compensated by canceling) gets a fresh hold chained on the old one.
    let key = `pp-session:${sessionId}`
    let hold = await this.ledger.hold(data.account_id, data.amount, {
      idempotency_key: key,
      reference: sessionId ?? null,
      metadata: { payment_session_id: sessionId },
    })
    while (hold.status !== "open") {
      key = `pp-session:${sessionId}:${hold.id}`
      hold = await this.ledger.hold(data.account_id, data.amount, {
        idempotency_key: key,
        reference: sessionId ?? null,
        metadata: { payment_session_id: sessionId },
      })
    }
    return { status: "authorized" as PaymentSessionStatus, data: { ...data, hold_id: hold.id } }
  }

  /** Money moves when the capture is committed (payment.captured), see captures.ts. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data ?? {} }
  }

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = input.data as AccountPaymentData
    const refundId = input.context?.idempotency_key
    const transfers = await postCaptures(this.ledger, data, await this.capturesOf(data))
    // Every part planned first and posted in one transaction: a refund refused halfway writes nothing.
    await this.ledger.postAll(await planAccountPaymentRefund(this.ledger, transfers, amountOf(input.amount), refundId ?? null))
    return { data: input.data ?? {} }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = input.data as AccountPaymentData
    if (data?.transfer_id) {
      // Medusa cancels only what it has not captured: the money goes back to the account.
      await undoPrepaidTransfer(this.ledger, data.transfer_id)
    } else {
      await this.releaseHold(data)
    }
    return { data: input.data ?? {} }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    await this.releaseHold(input.data as AccountPaymentData)
    return { data: input.data ?? {} }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    if ((input.data as AccountPaymentData | undefined)?.transfer_id) {
      return { status: "captured" as PaymentSessionStatus, data: input.data ?? {} }
    }
    const hold = await this.holdOf(input.data as AccountPaymentData)
    const status = !hold
      ? "pending"
      : hold.status === "open"
        ? "authorized"
        : hold.status === "captured"
          ? "captured"
          : "canceled"
    return { status: status as PaymentSessionStatus, data: input.data ?? {} }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const hold = await this.holdOf(input.data as AccountPaymentData)
    return { ...(input.data ?? {}), hold: hold ?? null } as RetrievePaymentOutput
  }

  async getWebhookActionAndData(_: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    return { action: PaymentActions.NOT_SUPPORTED }
  }

  /** Checks the account may pay `amount` for this shopper and returns the session data. */
  private async payable(
    input: Record<string, unknown>,
    customerId: string | undefined,
    currency: string,
    amount: unknown
  ): Promise<AccountPaymentData> {
    const account = await this.ledger.resolvePayingAccount({
      account_id: typeof input.account_id === "string" ? input.account_id : null,
      code: typeof input.code === "string" ? input.code : null,
      customer_id: customerId ?? null,
      currency_code: currency,
    })
    if (account.product_ids?.length || !account.can_pay_shipping) {
      throw new LedgerError(
        "not_authorized",
        "This account pays only for some of a cart; apply it to the cart as an allocation instead"
      )
    }
    const value = amountOf(amount)
    if (account.available !== null && new Decimal(account.available).lt(value)) {
      throw new LedgerError("insufficient_funds", `Account has ${account.available} available; the cart needs ${value}`)
    }
    return {
      account_id: account.id,
      currency_code: account.currency_code,
      amount: value,
      session_id: typeof input.session_id === "string" ? input.session_id : undefined,
      // Medusa merges the caller's data under this: a shopper's transfer_id must not survive.
      transfer_id: null,
    }
  }

  /** Session data for a payment already made from an account (see PREPAID_TRANSFER_CONTEXT_KEY). */
  private async prepaid(
    transferId: string,
    input: Record<string, unknown>,
    currency: string,
    amount: unknown
  ): Promise<AccountPaymentData> {
    const value = amountOf(amount)
    const transfer = await checkPrepaidTransfer(this.ledger, transferId, currency, value)
    return {
      account_id: transfer.source_id,
      currency_code: transfer.currency_code,
      amount: value,
      session_id: typeof input.session_id === "string" ? input.session_id : undefined,
      transfer_id: transfer.id,
    }
  }

  private async holdOf(data: AccountPaymentData): Promise<LedgerHoldDTO | null> {
    if (!data?.hold_id) return null
    const [hold] = await this.ledger.listLedgerHolds({ id: data.hold_id })
    return (hold as unknown as LedgerHoldDTO) ?? null
  }

  private async releaseHold(data: AccountPaymentData) {
    const hold = await this.holdOf(data)
    if (hold?.status === "open") {
      await this.ledger.release(hold.id)
    }
  }

  /** The committed captures of the payment made from this session. */
  private async capturesOf(data: AccountPaymentData): Promise<CaptureRecord[]> {
    if (!data.session_id) return []
    const { rows } = await this.pg.raw(
      `SELECT c.id, coalesce(c.raw_amount->>'value', c.amount::text) AS amount
         FROM capture c JOIN payment p ON p.id = c.payment_id
        WHERE p.payment_session_id = ? AND p.deleted_at IS NULL AND c.deleted_at IS NULL
        ORDER BY c.created_at, c.id`,
      [data.session_id]
    )
    return rows
  }
}

export { captureKey }
