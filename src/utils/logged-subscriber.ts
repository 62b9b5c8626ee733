import type { SubscriberArgs } from "@medusajs/framework"

type Handler = (args: SubscriberArgs<{ id: string }>) => Promise<void>

/**
 * The event bus may swallow a subscriber's error: log which event and which record
 * failed, then rethrow so a bus with retries retries it (the handlers are idempotent).
 */
export function loggedSubscriber(event: string, handler: Handler): Handler {
  return async (args) => {
    if (droppedForTest(event)) {
      args.container.resolve("logger").warn(`medusa-accounts: ${event} ${args.event.data.id} dropped (LEDGER_TEST_DROP_EVENTS)`)
      return
    }
    try {
      if (failFirstForTest(event, args.event.data.id)) {
        throw new Error("failed on purpose on its first delivery (LEDGER_TEST_FAIL_FIRST)")
      }
      await handler(args)
    } catch (e: any) {
      args.container.resolve("logger").error(`medusa-accounts: ${event} ${args.event.data.id} failed: ${e?.message ?? e}`)
      throw e
    }
  }
}

/**
 * Test only: `LEDGER_TEST_DROP_EVENTS=payment.captured,order.canceled` makes the plugin's
 * subscribers of those events do nothing, as if the event had been lost, so the tests can
 * show the reconciliation sweep repairing the ledger. Read on every event, and honoured
 * only when NODE_ENV is "test": a production process ignores it.
 */
export function droppedForTest(event: string): boolean {
  if (process.env.NODE_ENV !== "test") return false
  return (process.env.LEDGER_TEST_DROP_EVENTS ?? "")
    .split(",")
    .map((e) => e.trim())
    .includes(event)
}

const failedOnce = new Set<string>()

/**
 * Test only: `LEDGER_TEST_FAIL_FIRST=payment.captured,order.canceled` makes the first
 * delivery of each such event fail in this process, so the tests can show the event bus
 * delivering it again and the money moving once. Honoured only when NODE_ENV is "test".
 */
export function failFirstForTest(event: string, id: string): boolean {
  if (process.env.NODE_ENV !== "test") return false
  const events = (process.env.LEDGER_TEST_FAIL_FIRST ?? "").split(",").map((e) => e.trim())
  const key = `${event}:${id}`
  if (!events.includes(event) || failedOnce.has(key)) return false
  failedOnce.add(key)
  return true
}
