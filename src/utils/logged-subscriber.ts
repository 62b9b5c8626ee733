import type { SubscriberArgs } from "@medusajs/framework"

type Handler = (args: SubscriberArgs<{ id: string }>) => Promise<void>

/**
 * The event bus may swallow a subscriber's error: log which event and which record
 * failed, then rethrow so a bus with retries retries it (the handlers are idempotent).
 */
export function loggedSubscriber(event: string, handler: Handler): Handler {
  return async (args) => {
    try {
      await handler(args)
    } catch (e: any) {
      args.container.resolve("logger").error(`medusa-accounts: ${event} ${args.event.data.id} failed: ${e?.message ?? e}`)
      throw e
    }
  }
}
