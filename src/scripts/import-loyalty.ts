import type { ExecArgs } from "@medusajs/framework/types"
import { importLoyaltyBalancesWorkflow } from "../workflows/imports/workflows/import-loyalty-balances"
import { importArgs } from "../workflows/imports/script-args"

/**
 * `npx medusa exec ./src/scripts/import-loyalty.ts [-- --dry-run --atomic]` (or
 * `npm run ledger:import-loyalty -- -- --dry-run`; see importArgs): opens `@medusajs/loyalty-plugin`'s gift
 * cards and store-credit accounts in the ledger and prints the report as JSON. Safe to run
 * again: what was imported is found, not doubled. Exits 1 unless the report is ok.
 */
export default async function importLoyaltyScript({ container, args }: ExecArgs) {
  const { dry_run, mode, unknown, positional } = importArgs(args)
  if (unknown.length || positional.length) {
    process.stderr.write(`usage: medusa exec ./src/scripts/import-loyalty.ts [-- --dry-run --atomic]\n`)
    process.exitCode = 2
    return
  }
  try {
    const { result } = await importLoyaltyBalancesWorkflow(container).run({
      input: { dry_run, mode, actor: { type: "system" } },
    })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    if (!result.ok) process.exitCode = 1
  } catch (e: any) {
    process.stderr.write(`import-loyalty: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? e}\n`)
    process.exitCode = 1
  }
}
