import type { ExecArgs } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"

/**
 * `medusa exec integration-tests/support/emit-events.ts '[{"name":…,"data":…}]'`: emits the
 * given events through the app's event bus (Medusa's Redis bus when REDIS_URL is set), all
 * in one call, so a test can deliver an event again on purpose.
 */
export default async function emitEvents({ container, args }: ExecArgs) {
  const events = JSON.parse(args[0]) as { name: string; data: Record<string, unknown> }[]
  await container.resolve(Modules.EVENT_BUS).emit(events)
  process.stdout.write(`emitted ${events.length} event(s)\n`)
}
