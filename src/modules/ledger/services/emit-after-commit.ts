import { Context } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaContext } from "@medusajs/framework/utils"
import { LedgerEventMessage, LedgerEvents, accountEvent, lowBalance, transferCreated } from "../events"
import { formatAmount } from "../money"
import { runSql } from "../sql"
import type { BatchResult, CreateAccountInput, ExpiryResult, LedgerAccountDTO, PostedTransferDTO } from "../types"
import { REPLAYED } from "./helpers"

/**
 * Events go out once the posting is durable: when the outermost transaction that wrote
 * it commits. A method that ran its own transaction emits when it returns; one called
 * inside a transaction (the caller's, or another ledger method's) emits after that
 * transaction commits, and never if it rolls back. Replays emit nothing.
 */
export function emitAfterCommit(this: any) {
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
  wrap("postBatch", (r: BatchResult<{ transfer: PostedTransferDTO }>) =>
    r.results.flatMap((item) => (item.ok ? posted(item.transfer) : []))
  )
  wrap("createAccounts", (r: BatchResult<{ account: LedgerAccountDTO }>, [inputs]) =>
    r.results.flatMap((item) => {
      if (!item.ok || item.replayed) return []
      const event = accountEvent(LedgerEvents.ACCOUNT_CREATED, item.account)
      const initial = initialAmountOf(inputs?.[item.index])
      return [{ ...event, data: { ...event.data, initial_amount: initial == null ? null : formatAmount(initial, item.account.currency_code) } }]
    })
  )
  wrap("createAccount", (a: LedgerAccountDTO & { replayed?: boolean }, [input]) => {
    if (a.replayed || REPLAYED.has(a)) return []
    const event = accountEvent(LedgerEvents.ACCOUNT_CREATED, a)
    const initial = initialAmountOf(input)
    return [{ ...event, data: { ...event.data, initial_amount: initial == null ? null : formatAmount(initial, a.currency_code) } }]
  })
  wrap("creditFromRefunds", (r) =>
    r.replayed ? [] : [transferCreated({ ...r.transfer, source_balance: null, destination_balance: null, replayed: false })]
  )
  // Its parts emit through the methods it calls (post_ does not: refunds emit here).
  wrap("refundToStoreCredit", (r: { transfers: PostedTransferDTO[] }) => r.transfers.flatMap(posted))
  wrap("closeExpiredAccounts", (r: ExpiryResult) => [
    ...r.closed.map((id) => ({ name: LedgerEvents.ACCOUNT_CLOSED, data: { id, reason: "expired" } })),
    ...r.lapsed_credit.map((l) => ({ name: LedgerEvents.CREDIT_EXPIRED, data: { ...l } })),
    ...r.expiring_credit.map((l) => ({ name: LedgerEvents.CREDIT_EXPIRING, data: { ...l } })),
  ])
  wrap("freezeAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_FROZEN, a)])
  wrap("thawAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_THAWED, a)])
  wrap("closeAccount", (a) => [accountEvent(LedgerEvents.ACCOUNT_CLOSED, a)])
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

// What an account.created event reports as the initial amount.
function initialAmountOf(input: CreateAccountInput | undefined) {
  return input?.initial_amount ?? null
}
