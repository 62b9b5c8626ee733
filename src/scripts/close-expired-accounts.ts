import type { ExecArgs } from "@medusajs/framework/types"
import { closeExpiredAccountsWorkflow } from "../workflows/close-expired-accounts"

/** `npx medusa exec ./src/scripts/close-expired-accounts.ts`: the expiry sweep, now; prints JSON. */
export default async function closeExpiredAccounts({ container }: ExecArgs) {
  const { result } = await closeExpiredAccountsWorkflow(container).run()
  process.stdout.write(`${JSON.stringify(result)}\n`)
}
